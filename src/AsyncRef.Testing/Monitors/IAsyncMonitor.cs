using AsyncRef.Testing.Recording;

namespace AsyncRef.Testing.Monitors;

/// <summary>A rule checked on the façade's events; a broken rule calls <see cref="Iteration.Fail"/>.</summary>
internal interface IAsyncMonitor
{
    /// <summary>A start call is about to resume <paramref name="handle"/> (<paramref name="job"/> is null when no start returned it).</summary>
    void BeforeResume(Iteration it, ThreadRecord thread, AsyncJob handle, JobRecord? job, Site site)
    {
    }

    /// <summary>A start call is about to start a new job with <paramref name="ctx"/>.</summary>
    void BeforeNewJob(Iteration it, ThreadRecord thread, AsyncWaitCtx? ctx, Site site)
    {
    }

    /// <summary>A start call returned <c>PAUSE</c> or <c>FINISH</c> for <paramref name="job"/>.</summary>
    void AfterStart(Iteration it, ThreadRecord thread, JobRecord job, AsyncResult result, Site site)
    {
    }

    /// <summary><paramref name="call"/> (<c>get_current_job</c>, <c>get_wait_ctx</c>) returned or took <paramref name="job"/>.</summary>
    void OnJobSeen(Iteration it, ThreadRecord thread, JobRecord job, string call, Site site)
    {
    }

    void BeforeCtxFree(Iteration it, ThreadRecord thread, CtxRecord ctx, Site site)
    {
    }

    void BeforeCleanupThread(Iteration it, ThreadRecord thread, Site site)
    {
    }

    /// <summary>An engine or device is about to fire <paramref name="ctx"/>'s callback.</summary>
    void BeforeCallback(Iteration it, ThreadRecord thread, CtxRecord ctx, Site site)
    {
    }

    /// <summary><paramref name="thread"/> drained its error queue; <paramref name="credited"/> are the drained errors the façade saw raised.</summary>
    void OnErrorsDrained(Iteration it, ThreadRecord thread, IReadOnlyList<(AsyncError Error, ErrorCredit Credit)> credited, Site site)
    {
    }

    /// <summary>Every thread of the test body has returned.</summary>
    void AtEnd(Iteration it)
    {
    }
}

/// <summary>Builds the monitors a set of flags selects.</summary>
internal static class MonitorSet
{
    internal static IAsyncMonitor[] Create(AsyncMonitors selected)
    {
        var monitors = new List<IAsyncMonitor>();
        // Order matters where two rules see one call: the more specific explanation first.
        if (selected.HasFlag(AsyncMonitors.ThreadIsolation))
        {
            monitors.Add(new ThreadIsolationMonitor());
        }

        if (selected.HasFlag(AsyncMonitors.ErrorIsolation))
        {
            monitors.Add(new ErrorIsolationMonitor());
        }

        if (selected.HasFlag(AsyncMonitors.ResumeAfterPause))
        {
            monitors.Add(new ResumeAfterPauseMonitor());
        }

        if (selected.HasFlag(AsyncMonitors.WaitCtxSharing))
        {
            monitors.Add(new WaitCtxSharingMonitor());
        }

        if (selected.HasFlag(AsyncMonitors.Teardown))
        {
            monitors.Add(new TeardownMonitor());
        }

        if (selected.HasFlag(AsyncMonitors.BalancedBlockPause))
        {
            monitors.Add(new BalancedBlockPauseMonitor());
        }

        if (selected.HasFlag(AsyncMonitors.JobsFinish))
        {
            monitors.Add(new JobsFinishMonitor());
        }

        return [.. monitors];
    }
}
