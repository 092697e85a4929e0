using AsyncRef.Testing.Recording;

namespace AsyncRef.Testing.Monitors;

/// <summary>A job belongs to the thread that started it: only that thread may resume it.</summary>
internal sealed class ThreadIsolationMonitor : IAsyncMonitor
{
    public void BeforeResume(Iteration it, ThreadRecord thread, AsyncJob handle, JobRecord? job, Site site)
    {
        if (job is not null && job.Owner != thread)
        {
            it.Fail($"thread '{thread.Name}' resumes job {job.Label} at {site}, but {job.Label} belongs to thread '{job.Owner.Name}' "
                + $"(started at {job.StartSite}); a job is resumed only on its own thread");
        }
    }
}
