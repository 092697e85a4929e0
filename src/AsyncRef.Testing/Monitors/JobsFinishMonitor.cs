using AsyncRef.Testing.Recording;

namespace AsyncRef.Testing.Monitors;

/// <summary>Liveness: every started job finishes, and EAGAIN retries are bounded.</summary>
internal sealed class JobsFinishMonitor : IAsyncMonitor
{
    public void AfterStart(Iteration it, ThreadRecord thread, JobRecord job, AsyncResult result, Site site)
    {
        if (job.EAgainStreak > it.LivenessBound)
        {
            it.Fail($"liveness: job {job.Label} (thread '{thread.Name}') paused {job.EAgainStreak} times in a row with status EAGAIN "
                + $"(last at {job.PauseSite}); the bound is {it.LivenessBound}");
        }
    }

    public void AtEnd(Iteration it)
    {
        foreach (JobRecord job in it.Jobs)
        {
            if (job.Phase != JobPhase.Finished)
            {
                it.Fail($"liveness: job {job.Label} (thread '{job.Owner.Name}', started at {job.StartSite}) never finished; "
                    + $"it is still {(job.Phase == JobPhase.Paused ? $"paused at {job.PauseSite}" : "running")} when the test ends");
                return;
            }
        }
    }
}
