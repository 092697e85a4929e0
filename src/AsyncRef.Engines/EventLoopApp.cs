namespace AsyncRef.Engines;

/// <summary>Deliberate defects of the application loop, so tests can show that systematic exploration finds them.</summary>
[Flags]
public enum AppFaults
{
    /// <summary>A correct loop.</summary>
    None = 0,

    /// <summary>Registers the added fds before removing the deleted ones; a reused fd number is then lost (HAProxy and nginx delete first).</summary>
    AddsBeforeDeletes = 1,

    /// <summary>Checks for readiness, releases the lock, then waits: a completion in between is a lost wake-up.</summary>
    CheckThenWaitUnlocked = 2,

    /// <summary>Ignores status <c>EAGAIN</c> after a pause and waits for a callback that will not come.</summary>
    IgnoresEAgain = 4,
}

/// <summary>The shape of an application run.</summary>
/// <param name="Connections">Connections served by the loop, each with its own wait context.</param>
/// <param name="JobsPerConnection">Jobs each connection runs one after another on its wait context.</param>
/// <param name="OpsPerJob">Offloaded requests per job (one or more pauses each).</param>
/// <param name="PoolMaxSize">The thread's pool <c>max_size</c>; below <paramref name="Connections"/> some starts get <c>NO_JOBS</c>.</param>
/// <param name="Faults">Planted defects.</param>
public sealed record AppOptions(int Connections, int JobsPerConnection, int OpsPerJob, int PoolMaxSize, AppFaults Faults = AppFaults.None);

/// <summary>One client connection of the loop: a wait context and the job currently serving it.</summary>
public sealed class Connection
{
    internal Connection(int id, AsyncWaitCtx ctx)
    {
        Id = id;
        Ctx = ctx;
    }

    /// <summary>The connection's number.</summary>
    public int Id { get; }

    internal AsyncWaitCtx Ctx { get; }

    internal AsyncJob Job;

    internal int Ret;

    internal int JobsDone;

    /// <summary>Set by the completion callback, under the fd table's gate.</summary>
    internal bool CallbackReady;

    /// <summary>Whether the connection is in the loop's run queue.</summary>
    internal bool Queued;

    /// <summary>Whether the connection's next job is due to start (the first, the next after a finish, or a retry after NO_JOBS).</summary>
    internal bool StartDue = true;

    /// <summary>The fds the loop's poller watches for this connection.</summary>
    internal readonly HashSet<int> Registered = [];

    /// <summary>
    /// What a buggy device does: restart the job from its own thread (undefined: the job belongs to the loop's
    /// thread). Only possible once the loop has stored the paused job's handle.
    /// </summary>
    /// <returns>False when there was no handle to resume yet.</returns>
    internal bool ResumeFromForeignThread()
    {
        AsyncJob job = Job;
        if (job.IsNull)
        {
            return false;
        }

        int ret = 0;
        Async.StartJob(ref job, null, ref ret, null);
        return true;
    }
}

/// <summary>
/// An event loop in the style of nginx or HAProxy with <c>SSL_MODE_ASYNC</c>: it runs one job per connection on its
/// own thread, and after every pause or finish folds the wait context's changed fds into its poller (deleted first,
/// then added), then sleeps until a watched fd is readable, a callback arrives, or an <c>EAGAIN</c> asks for an
/// immediate resume. It checks as it goes that its poller matches each wait context and that every job's result is
/// right, and throws <see cref="InvalidOperationException"/> when not.
/// </summary>
public sealed class EventLoopApp
{
    private readonly FdTable _fds;
    private readonly OffloadEngine _engine;
    private readonly AppOptions _options;
    private readonly Dictionary<int, Connection> _poller = [];
    private readonly Queue<Connection> _runnable = new();
    private readonly Queue<Connection> _waitingForJob = new();
    private Connection[] _connections = [];

    /// <summary>Creates a loop.</summary>
    /// <param name="fds">The fd table shared with the device.</param>
    /// <param name="engine">The engine its jobs call.</param>
    /// <param name="options">The shape of the run.</param>
    public EventLoopApp(FdTable fds, OffloadEngine engine, AppOptions options)
    {
        _fds = fds;
        _engine = engine;
        _options = options;
    }

    /// <summary>The value each job must return.</summary>
    public int ExpectedJobResult => Enumerable.Range(1, _options.OpsPerJob).Sum(i => 2 * i);

    /// <summary>Runs every job of every connection to completion on the calling thread, then frees the contexts.</summary>
    /// <returns>The number of jobs that finished.</returns>
    public int Run()
    {
        if (Async.InitThread((nuint)_options.PoolMaxSize, 0) != 1)
        {
            throw new InvalidOperationException("ASYNC_init_thread failed");
        }

        _connections = new Connection[_options.Connections];
        for (int i = 0; i < _connections.Length; i++)
        {
            var connection = new Connection(i, AsyncWaitCtx.New());
            if (_engine.Mode == NotifyMode.Callback)
            {
                AsyncWaitCtx.SetCallback(connection.Ctx, OnCompletion, connection);
            }

            _connections[i] = connection;
            Enqueue(connection);
        }

        int total = _options.Connections * _options.JobsPerConnection;
        int finished = 0;
        while (finished < total)
        {
            while (_runnable.TryDequeue(out Connection? connection))
            {
                connection.Queued = false;
                finished += Step(connection);
            }

            if (finished < total)
            {
                WaitForEvents();
            }
        }

        foreach (Connection connection in _connections)
        {
            AsyncWaitCtx.Free(connection.Ctx);
        }

        Async.CleanupThread();
        return finished;
    }

    /// <summary>Starts or restarts the connection's job; returns 1 when a job finished.</summary>
    private int Step(Connection connection)
    {
        if (connection.Job.IsNull && !connection.StartDue)
        {
            // A late wake-up (a callback, or an fd signalled) for a job that already finished: nothing to resume.
            return 0;
        }

        AsyncResult result = Async.StartJob(ref connection.Job, connection.Ctx, ref connection.Ret, Job);
        connection.StartDue = result == AsyncResult.NoJobs;
        switch (result)
        {
            case AsyncResult.NoJobs:
                // Retried when some job finishes and its object returns to the pool (S12).
                _waitingForJob.Enqueue(connection);
                return 0;
            case AsyncResult.Pause:
                FoldChangedFds(connection);
                if (_engine.Mode == NotifyMode.Callback && connection.Ctx.GetStatus() == AsyncWaitStatus.EAgain
                    && (_options.Faults & AppFaults.IgnoresEAgain) == 0)
                {
                    // EAGAIN: no callback will come for this pause; resume the job ourselves.
                    Enqueue(connection);
                }

                return 0;
            case AsyncResult.Finish:
                FoldChangedFds(connection);
                if (connection.Ret != ExpectedJobResult)
                {
                    throw new InvalidOperationException($"connection {connection.Id}: job returned {connection.Ret}, expected {ExpectedJobResult}");
                }

                if (++connection.JobsDone < _options.JobsPerConnection)
                {
                    connection.StartDue = true;
                    Enqueue(connection);
                }

                if (_waitingForJob.TryDequeue(out Connection? waiting))
                {
                    Enqueue(waiting);
                }

                return 1;
            default:
                throw new InvalidOperationException($"connection {connection.Id}: ASYNC_start_job returned {result}");
        }
    }

    private async JobTask<int> Job(byte[]? args)
    {
        int sum = 0;
        for (int i = 1; i <= _options.OpsPerJob; i++)
        {
            sum += await _engine.ComputeAsync(i);
        }

        return sum;
    }

    /// <summary>Applies get_changed_fds to the poller: deletions first, because an fd number can be deleted and re-added in one report.</summary>
    private void FoldChangedFds(Connection connection)
    {
        AsyncWaitCtx ctx = connection.Ctx;
        ctx.GetChangedFds([], out int numAdd, [], out int numDel);
        int[] added = new int[numAdd];
        int[] deleted = new int[numDel];
        ctx.GetChangedFds(added, out _, deleted, out _);
        if ((_options.Faults & AppFaults.AddsBeforeDeletes) != 0)
        {
            Register(connection, added);
            Unregister(connection, deleted);
        }
        else
        {
            Unregister(connection, deleted);
            Register(connection, added);
        }

        ctx.GetAllFds([], out int count);
        int[] all = new int[count];
        ctx.GetAllFds(all, out _);
        if (!connection.Registered.SetEquals(all))
        {
            throw new InvalidOperationException(
                $"monitor: connection {connection.Id} polls [{string.Join(" ", connection.Registered.Order())}] but its wait ctx holds [{string.Join(" ", all.Order())}]");
        }
    }

    private void Register(Connection connection, int[] fds)
    {
        foreach (int fd in fds)
        {
            _poller[fd] = connection;
            connection.Registered.Add(fd);
        }
    }

    private void Unregister(Connection connection, int[] fds)
    {
        foreach (int fd in fds)
        {
            if (_poller.TryGetValue(fd, out Connection? owner) && owner == connection)
            {
                _poller.Remove(fd);
            }

            connection.Registered.Remove(fd);
        }
    }

    private void Enqueue(Connection connection)
    {
        if (!connection.Queued)
        {
            connection.Queued = true;
            _runnable.Enqueue(connection);
        }
    }

    private void WaitForEvents()
    {
        if ((_options.Faults & AppFaults.CheckThenWaitUnlocked) != 0)
        {
            bool ready;
            lock (_fds.Gate)
            {
                ready = CollectReadyLocked();
            }

            if (!ready)
            {
                lock (_fds.Gate)
                {
                    // The planted bug: a completion between the two locks has already pulsed; nobody pulses again.
                    Monitor.Wait(_fds.Gate);
                    CollectReadyLocked();
                }
            }

            return;
        }

        lock (_fds.Gate)
        {
            while (!CollectReadyLocked())
            {
                Monitor.Wait(_fds.Gate);
            }
        }
    }

    /// <summary>Queues every connection with a readable watched fd or a pending callback; call with the gate held.</summary>
    private bool CollectReadyLocked()
    {
        foreach ((int fd, Connection connection) in _poller)
        {
            if (_fds.IsReadableLocked(fd))
            {
                Enqueue(connection);
            }
        }

        foreach (Connection connection in _connections)
        {
            if (connection.CallbackReady)
            {
                connection.CallbackReady = false;
                Enqueue(connection);
            }
        }

        return _runnable.Count > 0;
    }

    /// <summary>The wait context's callback: runs on the device's thread, so it only flags the connection and wakes the loop.</summary>
    private int OnCompletion(object? arg)
    {
        var connection = (Connection)arg!;
        lock (_fds.Gate)
        {
            connection.CallbackReady = true;
            Monitor.PulseAll(_fds.Gate);
        }

        return 1;
    }
}
