using AsyncRef.Testing.Recording;

namespace AsyncRef.Testing.Monitors;

/// <summary>
/// A job belongs to the thread that started it: only that thread resumes it, and no other thread sees it (gets it
/// as its current job, or reads its wait ctx), as with OpenSSL's per-thread async state.
/// </summary>
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

    public void OnJobSeen(Iteration it, ThreadRecord thread, JobRecord job, string call, Site site)
    {
        if (job.Owner != thread)
        {
            it.Fail($"thread '{thread.Name}' sees job {job.Label} of thread '{job.Owner.Name}' through {call} at {site} "
                + $"(started at {job.StartSite}); a thread's jobs are its own");
        }
    }
}
