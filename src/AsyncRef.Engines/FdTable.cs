using AsyncRef.Testing;

namespace AsyncRef.Engines;

/// <summary>
/// Simulated file descriptors (eventfd-like readiness flags) shared by a device, its engines and the application
/// loops. Numbers are allocated lowest-free-first, as POSIX does, so a closed number is reused at once — the
/// situation that makes the order of processing added and deleted fds matter. All state is guarded by
/// <see cref="Gate"/>; waiters use <see cref="WaitUntil"/> and <see cref="WakeAllLocked"/>, a condition variable on it.
/// Under a hunt every acquisition of the gate is a scheduling point (a step of the explored execution), so code that
/// does several things at once takes the gate once and calls the <c>…Locked</c> methods.
/// </summary>
public sealed class FdTable
{
    /// <summary>Open fds and whether each is readable.</summary>
    private readonly Dictionary<int, bool> _open = [];

    /// <summary>Signals per open fd number since it was opened, for edge-triggered pollers.</summary>
    private readonly Dictionary<int, int> _signals = [];

    /// <summary>One semaphore per thread blocked in <see cref="WaitUntil"/>, released by <see cref="WakeAllLocked"/>.</summary>
    private readonly List<SemaphoreSlim> _waiters = [];

    /// <summary>Fds ever opened and closed, for the leak check.</summary>
    private int _opened;
    private int _closed;

    /// <summary>The lock that guards the table and every waiter built on it.</summary>
    public object Gate { get; } = new();

    /// <summary>Fds open now.</summary>
    public int OpenCount
    {
        get
        {
            lock (Gate)
            {
                return _open.Count;
            }
        }
    }

    /// <summary>Opens the lowest free fd number (starting at 3).</summary>
    /// <returns>The fd.</returns>
    public int Open()
    {
        lock (Gate)
        {
            int fd = 3;
            while (_open.ContainsKey(fd))
            {
                fd++;
            }

            _open[fd] = false;
            _signals[fd] = 0;
            _opened++;
            return fd;
        }
    }

    /// <summary>Closes <paramref name="fd"/>.</summary>
    /// <param name="fd">An open fd.</param>
    /// <exception cref="InvalidOperationException">The fd is not open (a double close).</exception>
    public void Close(int fd)
    {
        lock (Gate)
        {
            if (!_open.Remove(fd))
            {
                throw new InvalidOperationException($"fd {fd} closed twice");
            }

            _signals.Remove(fd);

            _closed++;
        }
    }

    /// <summary>Makes <paramref name="fd"/> readable and wakes every waiter. Call with <see cref="Gate"/> held.</summary>
    /// <param name="fd">An open fd (a closed one is ignored).</param>
    public void SignalLocked(int fd)
    {
        if (_open.ContainsKey(fd))
        {
            _open[fd] = true;
            _signals[fd]++;
            TracedAsync.NoteWake(fd);
            WakeAllLocked();
        }
    }

    /// <summary>Consumes the readiness of <paramref name="fd"/> (a read of the eventfd).</summary>
    /// <param name="fd">An open fd.</param>
    /// <returns>Whether it was readable.</returns>
    public bool Consume(int fd)
    {
        lock (Gate)
        {
            return ConsumeLocked(fd);
        }
    }

    /// <summary>Consumes the readiness of <paramref name="fd"/>. Call with <see cref="Gate"/> held.</summary>
    /// <param name="fd">An open fd.</param>
    /// <returns>Whether it was readable.</returns>
    public bool ConsumeLocked(int fd)
    {
        bool readable = _open.TryGetValue(fd, out bool r) && r;
        if (readable)
        {
            _open[fd] = false;
            TracedAsync.NoteWakeConsumed(fd);
        }

        return readable;
    }

    /// <summary>Whether <paramref name="fd"/> is open and readable. Call with <see cref="Gate"/> held.</summary>
    /// <param name="fd">An fd.</param>
    /// <returns>Whether it is readable.</returns>
    public bool IsReadableLocked(int fd) => _open.TryGetValue(fd, out bool r) && r;

    /// <summary>How often <paramref name="fd"/> was signalled since it was opened (an edge count). Call with <see cref="Gate"/> held.</summary>
    /// <param name="fd">An fd.</param>
    /// <returns>The count, 0 for a closed fd.</returns>
    public int SignalCountLocked(int fd) => _signals.GetValueOrDefault(fd);

    /// <summary>
    /// Sleeps until <paramref name="readyLocked"/> (checked with <see cref="Gate"/> held; it may take what it found,
    /// in the same critical section) is true, woken by
    /// <see cref="WakeAllLocked"/>: a condition-variable wait. With no predicate it waits for the next wake-up only;
    /// a wake-up before the call is then lost, as with a condition variable waited on without a check.
    /// Call without holding the gate.
    /// </summary>
    /// <param name="readyLocked">The condition, or null for one unconditional wait.</param>
    /// <remarks>
    /// Not <see cref="Monitor.Wait(object)"/>: under Coyote 1.7 every such wait runs its wake-up as a new controlled
    /// task on a new thread, which made it most of an explored execution's cost; a semaphore per waiter costs none.
    /// The thread sleeps holding no lock, so an execution Coyote stops while it sleeps unwinds without touching one.
    /// </remarks>
    public void WaitUntil(Func<bool>? readyLocked)
    {
        while (true)
        {
            SemaphoreSlim wake;
            lock (Gate)
            {
                if (readyLocked?.Invoke() == true)
                {
                    return;
                }

                wake = new SemaphoreSlim(0, 1);
                _waiters.Add(wake);
            }

            wake.Wait();
            if (readyLocked is null)
            {
                return;
            }
        }
    }

    /// <summary>Wakes every thread in <see cref="WaitUntil"/> (<c>pthread_cond_broadcast</c>). Call with <see cref="Gate"/> held.</summary>
    public void WakeAllLocked()
    {
        foreach (SemaphoreSlim wake in _waiters)
        {
            wake.Release();
        }

        _waiters.Clear();
    }
}
