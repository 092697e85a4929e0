using AsyncRef.Testing;

namespace AsyncRef.Engines;

/// <summary>Planted defects of the application loop, so tests can show that systematic exploration finds them.</summary>
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

    /// <summary>
    /// The poller is edge-triggered from registration on: an fd signalled before the loop registered it (the device
    /// was quicker than <c>get_changed_fds</c>) never reports, and its wake is lost.
    /// </summary>
    EdgeTriggeredPoller = 8,

    /// <summary>The completion callback resumes the paused job itself, on the device's thread.</summary>
    CallbackResumesJob = 16,

    /// <summary>
    /// The loop keeps its own copy of each job handle and does not drop it at <c>FINISH</c>: the connection's next
    /// job resumes the finished one instead of starting (a double resume of one pause).
    /// </summary>
    KeepsFinishedHandle = 32,

    /// <summary>A connection runs all its jobs at once (a read and a write, say) on its one wait ctx.</summary>
    ConcurrentJobsShareCtx = 64,

    /// <summary>
    /// A connection whose job pauses more often than it has requests is closed as too slow: its wait ctx is freed
    /// while the job is still paused, and the job is abandoned.
    /// </summary>
    ClosesSlowConnections = 128,

    /// <summary>
    /// The completion callback takes a completion that arrives before the loop holds the job's handle (the job has not
    /// paused yet) for a stray one and raises an error about it where it runs: on the device's thread, whose error
    /// queue the loop that owns the job never reads.
    /// </summary>
    CallbackRaisesOnEarlyCompletion = 256,
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
    internal Connection(int id, AsyncWaitCtx ctx, int jobs, bool ownsCtx)
    {
        Id = id;
        Ctx = ctx;
        Jobs = jobs;
        OwnsCtx = ownsCtx;
    }

    /// <summary>The connection's number.</summary>
    public int Id { get; }

    internal AsyncWaitCtx Ctx { get; }

    /// <summary>Jobs the connection runs, one after another.</summary>
    internal int Jobs { get; }

    /// <summary>Whether closing the connection frees its wait ctx (it may share one with its other streams).</summary>
    internal bool OwnsCtx { get; }

    internal AsyncJob Job;

    /// <summary>The loop's own copy of the handle, taken at each PAUSE (used only by <see cref="AppFaults.KeepsFinishedHandle"/>).</summary>
    internal AsyncJob SavedJob;

    /// <summary>Pauses of the current job.</summary>
    internal int PausesOfJob;

    /// <summary>Whether the loop closed the connection.</summary>
    internal bool Closed;

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

    /// <summary>Per watched fd, the signal count already reported (the edge-triggered poller's memory).</summary>
    private readonly Dictionary<int, int> _edgeSeen = [];
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
    /// <returns>The number of jobs that finished (a job abandoned by a closed connection counts as done).</returns>
    public int Run()
    {
        if (TracedAsync.InitThread((nuint)_options.PoolMaxSize, 0) != 1)
        {
            throw new InvalidOperationException("ASYNC_init_thread failed");
        }

        _connections = CreateConnections();
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
            if (connection.OwnsCtx && !connection.Closed)
            {
                // Streams that share a wait ctx free it once all of them are done.
                TracedAsync.FreeWaitCtx(connection.Ctx);
            }
        }

        TracedAsync.CleanupThread();
        return finished;
    }

    private Connection[] CreateConnections()
    {
        var connections = new List<Connection>();
        for (int i = 0; i < _options.Connections; i++)
        {
            AsyncWaitCtx ctx = TracedAsync.NewWaitCtx();
            if ((_options.Faults & AppFaults.ConcurrentJobsShareCtx) != 0)
            {
                // The planted defect: one stream per job, all at once, on the connection's single wait ctx.
                for (int stream = 0; stream < _options.JobsPerConnection; stream++)
                {
                    connections.Add(new Connection(i, ctx, jobs: 1, ownsCtx: stream == 0));
                }
            }
            else
            {
                connections.Add(new Connection(i, ctx, _options.JobsPerConnection, ownsCtx: true));
            }
        }

        foreach (Connection connection in connections)
        {
            if (_engine.Mode == NotifyMode.Callback && connection.OwnsCtx)
            {
                TracedAsync.SetCallback(connection.Ctx, OnCompletion, connection);
            }

            Enqueue(connection);
        }

        return [.. connections];
    }

    /// <summary>Starts or restarts the connection's job; returns the number of jobs that are done because of it.</summary>
    private int Step(Connection connection)
    {
        if (connection.Closed || (connection.Job.IsNull && !connection.StartDue))
        {
            // A late wake-up (a callback, or an fd signalled) for a job that already finished: nothing to resume.
            return 0;
        }

        if ((_options.Faults & AppFaults.KeepsFinishedHandle) != 0)
        {
            // The planted defect: the loop's copy outlives the job it named.
            connection.Job = connection.SavedJob;
        }

        AsyncResult result = TracedAsync.StartJob(ref connection.Job, connection.Ctx, ref connection.Ret, Job);
        connection.StartDue = result == AsyncResult.NoJobs;
        switch (result)
        {
            case AsyncResult.NoJobs:
                // Retried when some job finishes and its object returns to the pool.
                _waitingForJob.Enqueue(connection);
                return 0;
            case AsyncResult.Pause:
                connection.SavedJob = connection.Job;
                FoldChangedFds(connection);
                if (++connection.PausesOfJob > _options.OpsPerJob && (_options.Faults & AppFaults.ClosesSlowConnections) != 0)
                {
                    return Close(connection);
                }

                if (_engine.Mode == NotifyMode.Callback && TracedAsync.GetStatus(connection.Ctx) == AsyncWaitStatus.EAgain
                    && (_options.Faults & AppFaults.IgnoresEAgain) == 0)
                {
                    // EAGAIN: no callback will come for this pause; resume the job ourselves.
                    Enqueue(connection);
                }

                return 0;
            case AsyncResult.Finish:
                FoldChangedFds(connection);
                connection.PausesOfJob = 0;
                if (connection.Ret != ExpectedJobResult)
                {
                    throw new InvalidOperationException($"connection {connection.Id}: job returned {connection.Ret}, expected {ExpectedJobResult}");
                }

                if (++connection.JobsDone < connection.Jobs)
                {
                    connection.StartDue = true;
                    Enqueue(connection);
                }
                else if (connection.OwnsCtx && (_options.Faults & AppFaults.ConcurrentJobsShareCtx) == 0)
                {
                    // The connection is done: free its wait ctx now, as a server frees a closed connection's SSL.
                    connection.Closed = true;
                    TracedAsync.FreeWaitCtx(connection.Ctx);
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

    /// <summary>The planted slow-connection timeout: drops the connection and frees its wait ctx, paused job or not.</summary>
    private int Close(Connection connection)
    {
        connection.Closed = true;
        Unregister(connection, [.. connection.Registered]);
        TracedAsync.FreeWaitCtx(connection.Ctx);
        return connection.Jobs - connection.JobsDone;
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
        (int[] added, int[] deleted) = TracedAsync.GetChangedFds(connection.Ctx);
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

        int[] all = TracedAsync.GetAllFds(connection.Ctx);
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
            if ((_options.Faults & AppFaults.EdgeTriggeredPoller) != 0)
            {
                lock (_fds.Gate)
                {
                    // The planted defect: signals before this point are taken as already reported.
                    _edgeSeen[fd] = _fds.SignalCountLocked(fd);
                }
            }
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
                // The planted defect: a completion between the check and this wait has already woken; nobody wakes again.
                _fds.WaitUntil(null);
                lock (_fds.Gate)
                {
                    CollectReadyLocked();
                }
            }

            return;
        }

        _fds.WaitUntil(CollectReadyLocked);
    }

    /// <summary>Queues every connection with a readable watched fd or a pending callback; call with the gate held.</summary>
    private bool CollectReadyLocked()
    {
        bool edge = (_options.Faults & AppFaults.EdgeTriggeredPoller) != 0;
        foreach ((int fd, Connection connection) in _poller)
        {
            if (edge)
            {
                int signals = _fds.SignalCountLocked(fd);
                if (signals > _edgeSeen.GetValueOrDefault(fd))
                {
                    _edgeSeen[fd] = signals;
                    Enqueue(connection);
                }
            }
            else if (_fds.IsReadableLocked(fd))
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
        if ((_options.Faults & AppFaults.CallbackResumesJob) != 0 && !connection.Job.IsNull)
        {
            // The planted defect: resume the job right here, on the device's thread.
            TracedAsync.StartJob(ref connection.Job, connection.Ctx, ref connection.Ret, null);
            return 1;
        }

        if ((_options.Faults & AppFaults.CallbackRaisesOnEarlyCompletion) != 0 && connection.Job.IsNull)
        {
            // The planted defect: the connection's error goes to the queue of the thread the callback runs on.
            TracedAsync.RaiseError(new AsyncError(AsyncError.LibAsync, AsyncError.FailedToSwapContext));
        }

        lock (_fds.Gate)
        {
            connection.CallbackReady = true;
            _fds.WakeAllLocked();
        }

        return 1;
    }
}
