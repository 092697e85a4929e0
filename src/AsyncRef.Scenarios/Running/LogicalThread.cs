using System.Runtime.ExceptionServices;

namespace AsyncRef.Scenarios;

/// <summary>
/// A logical thread of a scenario: a dedicated OS thread that runs one work item at a time, handed over
/// synchronously by <see cref="Invoke"/>. The caller blocks until the item is done, so statements are strictly
/// sequential whichever thread runs them. The first thing the OS thread does is set the scenario's profile and the
/// run's process-wide stack functions.
/// </summary>
internal sealed class LogicalThread : IDisposable
{
    /// <summary>The logical thread the calling OS thread is, or null for a thread that is none.</summary>
    [ThreadStatic]
    private static LogicalThread? t_current;

    private readonly Thread _thread;
    private readonly SemaphoreSlim _go = new(0, 1);
    private readonly SemaphoreSlim _done = new(0, 1);
    private readonly AsyncProfile _profile;
    private readonly AsyncStackMemory _stackMemory;
    private Action? _work;
    private ExceptionDispatchInfo? _failure;
    private bool _stopping;

    internal LogicalThread(string name, AsyncProfile profile, AsyncStackMemory stackMemory)
    {
        Name = name;
        _profile = profile;
        _stackMemory = stackMemory;
        _thread = new Thread(Loop) { IsBackground = true, Name = "asyncref " + name };
        _thread.Start();
    }

    /// <summary>The logical thread's name, as the log prints it.</summary>
    internal string Name { get; }

    /// <summary>The logical thread of the calling OS thread, or null.</summary>
    internal static LogicalThread? Current => t_current;

    /// <summary>Runs <paramref name="work"/> on this thread and waits for it; its exception is rethrown here.</summary>
    /// <param name="work">The work item.</param>
    internal void Invoke(Action work)
    {
        if (t_current == this)
        {
            work();
            return;
        }

        _work = work;
        _go.Release();
        _done.Wait();
        ExceptionDispatchInfo? failure = _failure;
        _failure = null;
        failure?.Throw();
    }

    /// <summary>Ends the OS thread and waits for it.</summary>
    public void Dispose()
    {
        _stopping = true;
        _go.Release();
        _thread.Join();
        _go.Dispose();
        _done.Dispose();
    }

    private void Loop()
    {
        t_current = this;
        Async.ThreadProfile = _profile;
        Async.ThreadStackMemory = _stackMemory;
        while (true)
        {
            _go.Wait();
            if (_stopping)
            {
                return;
            }

            try
            {
                _work!();
            }
            catch (Exception e)
            {
                _failure = ExceptionDispatchInfo.Capture(e);
            }

            _work = null;
            _done.Release();
        }
    }
}
