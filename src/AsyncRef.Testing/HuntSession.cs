using AsyncRef.Testing.Recording;

namespace AsyncRef.Testing;

/// <summary>
/// One explored execution of a test body: start the body's logical threads here, so that reports name them and
/// their exceptions become bugs. Threads started here are joined before the end-of-execution checks run.
/// </summary>
public sealed class HuntSession
{
    private readonly Iteration _iteration;
    private readonly List<Thread> _threads = [];

    /// <summary>Runs first on every thread the session starts (pins it to its hunt worker's core).</summary>
    private readonly Action _threadStarted;

    internal HuntSession(Iteration iteration, Action threadStarted)
    {
        _iteration = iteration;
        _threadStarted = threadStarted;
    }

    /// <summary>The execution's number, from 1.</summary>
    public int Iteration => _iteration.Number;

    /// <summary>Starts <paramref name="body"/> on a new logical thread called <paramref name="name"/>.</summary>
    /// <param name="name">The name reports use (letters, digits and <c>_</c> keep it a scenario name).</param>
    /// <param name="body">What the thread runs; an exception it throws is a bug that names the thread.</param>
    /// <returns>The thread, already started.</returns>
    public Thread StartThread(string name, Action body)
    {
        Iteration iteration = _iteration;
        Action threadStarted = _threadStarted;
        var thread = new Thread(() =>
        {
            threadStarted();
            ThreadRecord record = iteration.Adopt(name);
            try
            {
                body();
            }
            catch (Exception e) when (!IsCoyoteControl(e))
            {
                iteration.Fail($"thread '{name}' threw {e.GetType().Name}: {e.Message}");
            }

            record.Done = true;
        });
        _threads.Add(thread);
        thread.Start();
        return thread;
    }

    /// <summary>Asserts <paramref name="condition"/>; when false, the execution stops with <paramref name="message"/> as its bug.</summary>
    /// <param name="condition">What must hold.</param>
    /// <param name="message">The bug when it does not.</param>
    public void Check(bool condition, string message)
    {
        if (!condition)
        {
            _iteration.Fail(message);
        }
    }

    /// <summary>Waits for every thread started by <see cref="StartThread"/>.</summary>
    public void JoinAll()
    {
        foreach (Thread thread in _threads)
        {
            thread.Join();
        }
    }

    /// <summary>Coyote unwinds a stopped execution with its own exceptions; they are not the test's bugs.</summary>
    internal static bool IsCoyoteControl(Exception e) =>
        e.GetType().Namespace?.StartsWith("Microsoft.Coyote", StringComparison.Ordinal) == true || e is ThreadInterruptedException;
}
