using AsyncRef.Testing;

namespace AsyncRef.Engines;

/// <summary>
/// The job side of an offload engine, as QAT_Engine, dasync or neverbleed implement it: inside a job, submit a
/// request to the device, pause until it completes, and tell the application how it will be woken (an fd in the
/// wait context, or the callback with status <c>OK</c>; <c>EAGAIN</c> when the ring was full and the application
/// must resume the job itself). A resume that finds the request unfinished pauses again.
/// </summary>
public sealed class OffloadEngine
{
    /// <summary>The key of the engine's fds in every wait context.</summary>
    private static readonly object FdKey = new();

    private readonly OffloadDevice _device;
    private readonly FdTable _fds;
    private readonly EngineFaults _faults;

    /// <summary>Only with <see cref="EngineFaults.CurrentJobInAGlobal"/>: the job last served, by any thread.</summary>
    private AsyncJob _servedJob;

    /// <summary>Creates an engine over <paramref name="device"/>.</summary>
    /// <param name="device">The device.</param>
    /// <param name="fds">The fd table shared with the application.</param>
    /// <param name="mode">How completion is notified.</param>
    /// <param name="faults">Planted defects.</param>
    public OffloadEngine(OffloadDevice device, FdTable fds, NotifyMode mode, EngineFaults faults)
    {
        _device = device;
        _fds = fds;
        Mode = mode;
        _faults = faults;
    }

    /// <summary>How completion is notified.</summary>
    public NotifyMode Mode { get; }

    /// <summary>Offloads one request from inside a job and returns its result (twice the input).</summary>
    /// <param name="input">The request.</param>
    /// <returns>The result.</returns>
    public async JobTask<int> ComputeAsync(int input)
    {
        AsyncJob current = TracedAsync.GetCurrentJob();
        AsyncWaitCtx ctx = TracedAsync.GetWaitCtx(current)
            ?? throw new InvalidOperationException("the engine runs inside a job started with a wait context");
        if ((_faults & EngineFaults.CurrentJobInAGlobal) != 0)
        {
            _servedJob = current;
        }

        AsyncWaitCallback? callback = null;
        object? callbackArg = null;
        bool callbackMode = Mode == NotifyMode.Callback && TracedAsync.GetCallback(ctx, ref callback, ref callbackArg) == 1;
        int fd = callbackMode ? -1 : AcquireFd(ctx);
        var op = new Operation(input, fd, ctx, callbackMode ? callback : null, callbackArg);
        bool retry = false;
        while (!Submit(op, retry))
        {
            // Ring full (QAT's CPA_STATUS_RETRY): Submit woke our fd (fd modes); callback mode says EAGAIN. Pause, so
            // other jobs can run meanwhile, and retry when resumed.
            if (callbackMode)
            {
                TracedAsync.SetStatus(ctx, AsyncWaitStatus.EAgain);
            }

            await TracedAsync.PauseJob();
            retry = true;
        }

        if (callbackMode)
        {
            TracedAsync.SetStatus(ctx, AsyncWaitStatus.Ok);
        }

        while (!TakeCompletion(op))
        {
            if (!callbackMode && (_faults & EngineFaults.ClearsWakeTooEarly) != 0)
            {
                // The planted defect: a completion between the check above and this read is consumed, then slept through.
                _fds.Consume(fd);
            }

            // Resumed before the device finished (QAT_JOB_RESUMED_UNEXPECTEDLY): pause again.
            await TracedAsync.PauseJob();
        }

        if ((_faults & EngineFaults.CurrentJobInAGlobal) != 0)
        {
            // The planted defect: while this job was paused, another loop's job may have overwritten the shared field.
            ctx = TracedAsync.GetWaitCtx(_servedJob) ?? ctx;
        }

        if (!callbackMode)
        {
            ReleaseFd(ctx, fd);
        }

        return op.Result;
    }

    /// <summary>
    /// Submits with pauses blocked, as QAT does while it fills the instance's ring: nothing on the submission path
    /// may pause and let another job of this thread touch the half-built request. One critical section: a retry
    /// first consumes the self-wake of the rejected attempt, and a rejection wakes the request's fd (fd modes).
    /// </summary>
    private bool Submit(Operation op, bool retry)
    {
        TracedAsync.BlockPause();
        bool submitted;
        lock (_fds.Gate)
        {
            if (retry && op.Fd >= 0)
            {
                _fds.ConsumeLocked(op.Fd);
            }

            submitted = _device.TrySubmitLocked(op);
            if (!submitted && op.Fd >= 0)
            {
                _fds.SignalLocked(op.Fd);
            }
        }

        if (!submitted || (_faults & EngineFaults.MissingUnblockPause) == 0)
        {
            TracedAsync.UnblockPause();
        }

        return submitted;
    }

    /// <summary>Whether the device completed <paramref name="op"/>; if so, its fd's wake is consumed in the same critical section.</summary>
    private bool TakeCompletion(Operation op)
    {
        lock (_fds.Gate)
        {
            if (op.Completed && op.Fd >= 0)
            {
                _fds.ConsumeLocked(op.Fd);
            }

            return op.Completed;
        }
    }

    private int AcquireFd(AsyncWaitCtx ctx)
    {
        int fd = -1;
        object? data = null;
        if (Mode == NotifyMode.StableFd && TracedAsync.GetFd(ctx, FdKey, ref fd, ref data) == 1)
        {
            return fd;
        }

        fd = _fds.Open();
        // A stable fd lives as long as the context and is closed by its cleanup; a per-operation one is not.
        TracedAsync.SetWaitFd(ctx, FdKey, fd, null, Mode == NotifyMode.StableFd ? CloseAtFree : null);
        return fd;
    }

    private void ReleaseFd(AsyncWaitCtx ctx, int fd)
    {
        if (Mode != NotifyMode.PerOperationFd)
        {
            return;
        }

        // clear_fd never calls a cleanup (spec WCTX-08): whoever clears an fd closes it.
        TracedAsync.ClearFd(ctx, FdKey);
        if ((_faults & EngineFaults.ClearWithoutClose) == 0)
        {
            _fds.Close(fd);
        }
    }

    private void CloseAtFree(AsyncWaitCtx ctx, object? key, int fd, object? customData) => _fds.Close(fd);
}
