using AsyncRef.Testing.Recording;

namespace AsyncRef.Testing.Monitors;

/// <summary>Each <c>ASYNC_block_pause</c> inside a job is undone by the job itself before it returns.</summary>
internal sealed class BalancedBlockPauseMonitor : IAsyncMonitor
{
    public void AfterStart(Iteration it, ThreadRecord thread, JobRecord job, AsyncResult result, Site site)
    {
        if (thread.Blocked > job.BlockedOnEntry)
        {
            it.Fail($"job {job.Label} returned {(result == AsyncResult.Pause ? "PAUSE" : "FINISH")} at {site} with pauses still blocked on thread "
                + $"'{thread.Name}': block_pause at {thread.LastBlockSite} has no unblock_pause, so every later pause on the thread is ignored");
        }
    }
}
