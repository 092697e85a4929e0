using AsyncRef.Testing;

namespace AsyncRef.Engines;

/// <summary>Planted defects of the device or engine, so tests can show that systematic exploration finds them.</summary>
[Flags]
public enum EngineFaults
{
    /// <summary>A correct engine.</summary>
    None = 0,

    /// <summary>The engine clears its per-operation fd without closing it (the fd leaks; clear never calls the cleanup).</summary>
    ClearWithoutClose = 1,

    /// <summary>
    /// The device marks a request complete, lets go of its lock, and only then fires the callback: the job can see
    /// the result, finish, and have its wait ctx freed before the callback fires.
    /// </summary>
    CallbackAfterCompletion = 2,

    /// <summary>The engine blocks pauses around a submission and forgets to unblock them when the submission succeeds.</summary>
    MissingUnblockPause = 4,

    /// <summary>
    /// On a resume that finds the request unfinished, the engine checks for completion and then consumes its fd's
    /// wake before pausing again: a completion in between is cleared, and nothing wakes the job any more.
    /// </summary>
    ClearsWakeTooEarly = 8,

    /// <summary>
    /// The engine keeps the job it serves in one field of the engine, which every loop thread shares (a C global where
    /// a thread-local belongs), and after a pause reads the wait ctx of whatever job the field holds by then.
    /// </summary>
    CurrentJobInAGlobal = 16,
}

/// <summary>How the engine tells the application that an operation completed.</summary>
public enum NotifyMode
{
    /// <summary>One stable fd per wait context, created on first use and closed by its cleanup (dasync/afalg style).</summary>
    StableFd,

    /// <summary>A new fd per operation, set before the pause and cleared and closed after it (neverbleed style).</summary>
    PerOperationFd,

    /// <summary>The wait context's callback (QAT callback mode); status <c>OK</c> promises a callback, <c>EAGAIN</c> does not.</summary>
    Callback,
}

/// <summary>One offloaded request, completed by the device.</summary>
public sealed class Operation
{
    internal Operation(int input, int fd, AsyncWaitCtx ctx, AsyncWaitCallback? callback, object? callbackArg)
    {
        Input = input;
        Fd = fd;
        Ctx = ctx;
        Callback = callback;
        CallbackArg = callbackArg;
    }

    /// <summary>The request's input.</summary>
    public int Input { get; }

    /// <summary>The fd to signal (fd modes), or -1.</summary>
    internal int Fd { get; }

    /// <summary>The wait context the request was made under (the callback was read from it).</summary>
    internal AsyncWaitCtx Ctx { get; }

    /// <summary>The callback to call on completion (callback mode), read from the wait context at submission.</summary>
    internal AsyncWaitCallback? Callback { get; }

    /// <summary>The callback's argument, opaque to the device.</summary>
    internal object? CallbackArg { get; }

    /// <summary>Set by the device under the table's gate.</summary>
    internal bool Completed { get; set; }

    /// <summary>The result, valid once completed.</summary>
    internal int Result { get; set; }
}

/// <summary>
/// A simulated offload device (a QAT-like accelerator) with its own worker thread and a bounded request ring.
/// Requests complete asynchronously; completion signals the operation's fd or calls the wait context's callback.
/// The device knows nothing of the application: it only sees fds, callbacks and their opaque arguments.
/// </summary>
public sealed class OffloadDevice
{
    private readonly FdTable _fds;
    private readonly Queue<Operation> _ring = new();
    private readonly int _ringSize;
    private readonly EngineFaults _faults;
    private bool _stopping;

    /// <summary>Creates a device.</summary>
    /// <param name="fds">The fd table shared with the application.</param>
    /// <param name="ringSize">Requests the ring holds; a full ring rejects submissions (the engine retries with EAGAIN).</param>
    /// <param name="faults">Planted defects.</param>
    public OffloadDevice(FdTable fds, int ringSize, EngineFaults faults)
    {
        _fds = fds;
        _ringSize = ringSize;
        _faults = faults;
    }

    /// <summary>Submits a request unless the ring is full. Call with the fd table's gate held.</summary>
    /// <param name="op">The request.</param>
    /// <returns>False when the ring is full.</returns>
    internal bool TrySubmitLocked(Operation op)
    {
        if (_ring.Count >= _ringSize)
        {
            return false;
        }

        _ring.Enqueue(op);
        _fds.WakeAllLocked();
        return true;
    }

    /// <summary>The device's worker: completes requests until <see cref="Stop"/>; run it on its own thread.</summary>
    public void Run()
    {
        while (true)
        {
            Operation? late = null;
            bool stop = false;
            _fds.WaitUntil(() =>
            {
                // Takes and completes the next request in the critical section that found it.
                if (_ring.TryDequeue(out Operation? op))
                {
                    late = Complete(op);
                    return true;
                }

                stop = _stopping;
                return stop;
            });
            if (stop)
            {
                return;
            }

            if (late is not null)
            {
                Notify(late);
            }
        }
    }

    /// <summary>Completes <paramref name="op"/> under the gate; returns it when its callback is still to be fired outside the gate.</summary>
    private Operation? Complete(Operation op)
    {
        op.Result = op.Input * 2;
        op.Completed = true;
        if (op.Fd >= 0)
        {
            // Complete and signal in one step: a job that sees the result also sees (and consumes) the signal.
            _fds.SignalLocked(op.Fd);
            return null;
        }

        if ((_faults & EngineFaults.CallbackAfterCompletion) != 0)
        {
            return op;
        }

        // Complete and notify in one step, as for fds: the job cannot see the result (and finish, and have its wait
        // ctx freed) before its callback has fired. The callback only flags and wakes.
        Notify(op);
        return null;
    }

    /// <summary>Lets <see cref="Run"/> return once the ring is empty.</summary>
    public void Stop()
    {
        lock (_fds.Gate)
        {
            _stopping = true;
            _fds.WakeAllLocked();
        }
    }

    private static void Notify(Operation op)
    {
        if (op.Callback is { } callback)
        {
            TracedAsync.InvokeCallback(op.Ctx, callback, op.CallbackArg);
            // A poller reads its own thread's error queue after each response it processes (and logs what it finds).
            TracedAsync.DrainErrors();
        }
    }
}
