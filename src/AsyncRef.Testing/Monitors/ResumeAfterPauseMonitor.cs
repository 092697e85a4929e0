using AsyncRef.Testing.Recording;

namespace AsyncRef.Testing.Monitors;

/// <summary>A resume needs an observed <c>PAUSE</c> that no earlier resume consumed.</summary>
internal sealed class ResumeAfterPauseMonitor : IAsyncMonitor
{
    public void BeforeResume(Iteration it, ThreadRecord thread, AsyncJob handle, JobRecord? job, Site site)
    {
        if (job is null)
        {
            it.Fail($"thread '{thread.Name}' resumes a job handle at {site} that no start call returned with PAUSE");
            return;
        }

        switch (job.Phase)
        {
            case JobPhase.Finished:
                it.Fail($"double resume: thread '{thread.Name}' resumes job {job.Label} at {site}, but its last PAUSE was already "
                    + $"resumed at {job.LastResumeSite} and the job finished there");
                break;
            case JobPhase.Running:
                it.Fail($"thread '{thread.Name}' resumes job {job.Label} at {site} while it is running (resumed at {job.LastResumeSite}); "
                    + "its PAUSE has not been observed yet");
                break;
        }
    }
}
