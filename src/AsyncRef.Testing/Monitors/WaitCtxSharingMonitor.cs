using AsyncRef.Testing.Recording;

namespace AsyncRef.Testing.Monitors;

/// <summary>A wait ctx serves one unfinished job at a time; successive jobs may reuse it.</summary>
internal sealed class WaitCtxSharingMonitor : IAsyncMonitor
{
    public void BeforeNewJob(Iteration it, ThreadRecord thread, AsyncWaitCtx? ctx, Site site)
    {
        if (ctx is null)
        {
            return;
        }

        foreach (JobRecord other in it.Jobs)
        {
            if (other.Ctx == ctx && other.Phase != JobPhase.Finished)
            {
                it.Fail($"wait ctx {it.Context(ctx).Name} is shared by two unfinished jobs: thread '{thread.Name}' starts a new job "
                    + $"with it at {site} while job {other.Label} (thread '{other.Owner.Name}', started at {other.StartSite}) is {Describe(other)}");
                return;
            }
        }
    }

    private static string Describe(JobRecord job) =>
        job.Phase == JobPhase.Paused ? $"paused at {job.PauseSite}" : "running";
}
