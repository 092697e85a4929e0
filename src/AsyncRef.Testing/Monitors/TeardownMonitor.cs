using AsyncRef.Testing.Recording;

namespace AsyncRef.Testing.Monitors;

/// <summary>Nothing a paused job or an outstanding callback still needs is torn down.</summary>
internal sealed class TeardownMonitor : IAsyncMonitor
{
    public void BeforeNewJob(Iteration it, ThreadRecord thread, AsyncWaitCtx? ctx, Site site)
    {
        if (ctx is not null && it.Context(ctx) is { Freed: true } record)
        {
            it.Fail($"thread '{thread.Name}' starts a job at {site} with wait ctx {record.Name}, which was freed at {record.FreedSite}");
        }
    }

    public void BeforeCtxFree(Iteration it, ThreadRecord thread, CtxRecord ctx, Site site)
    {
        foreach (JobRecord job in it.Jobs)
        {
            if (job.Ctx == ctx.Ctx && job.Phase == JobPhase.Paused)
            {
                it.Fail($"thread '{thread.Name}' frees wait ctx {ctx.Name} at {site} while job {job.Label} using it is paused "
                    + $"(at {job.PauseSite}): the job is abandoned");
                return;
            }
        }
    }

    public void BeforeCleanupThread(Iteration it, ThreadRecord thread, Site site)
    {
        foreach (JobRecord job in it.Jobs)
        {
            if (job.Owner == thread && job.Phase == JobPhase.Paused)
            {
                it.Fail($"thread '{thread.Name}' is cleaned up at {site} while its job {job.Label} is paused (at {job.PauseSite}): the job is abandoned");
                return;
            }
        }
    }

    public void BeforeCallback(Iteration it, ThreadRecord thread, CtxRecord ctx, Site site)
    {
        if (ctx.Freed)
        {
            it.Fail($"thread '{thread.Name}' fires the callback of wait ctx {ctx.Name} at {site} after the ctx was freed at {ctx.FreedSite}");
        }
    }
}
