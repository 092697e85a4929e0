namespace AsyncRef.Scenarios;

/// <summary>
/// A logical thread of a scenario: its own OpenSSL thread state (pool, current job, block counter, error queue,
/// profile, and the run's process-wide stack functions), fresh when the logical thread is created, that <see cref="Invoke"/> installs on the calling OS thread for
/// the length of one work item. Statements are strictly sequential (each completes before the next starts), so
/// running every logical thread of a run on the one calling OS thread, each with its own state, gives the runtime
/// exactly what one OS thread per logical thread gives it, without creating and switching thousands of OS threads.
/// </summary>
internal sealed class LogicalThread
{
    /// <summary>The logical thread whose work the calling OS thread is doing, or null for a thread doing none.</summary>
    [ThreadStatic]
    private static LogicalThread? t_current;

    private readonly AsyncThreadState _state;

    internal LogicalThread(string name, AsyncProfile profile, AsyncStackMemory stackMemory)
    {
        Name = name;
        _state = new AsyncThreadState { Profile = profile, StackMemory = stackMemory };
    }

    /// <summary>The logical thread's name, as the log prints it.</summary>
    internal string Name { get; }

    /// <summary>The logical thread of the calling OS thread, or null.</summary>
    internal static LogicalThread? Current => t_current;

    /// <summary>
    /// Runs <paramref name="work"/> on this logical thread: with its state as the calling OS thread's ASYNC state,
    /// then restores the state the OS thread had (its own, or that of the logical thread that called in), also when
    /// <paramref name="work"/> throws.
    /// </summary>
    /// <param name="work">The work item.</param>
    internal void Invoke(Action work)
    {
        LogicalThread? outer = t_current;
        AsyncThreadState? outerState = AsyncThreadState.Exchange(_state);
        t_current = this;
        try
        {
            work();
        }
        finally
        {
            t_current = outer;
            AsyncThreadState.Exchange(outerState);
        }
    }
}
