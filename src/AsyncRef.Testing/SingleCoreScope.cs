using System.ComponentModel;
using System.Diagnostics;
using System.Numerics;
using System.Runtime.InteropServices;
using Microsoft.Coyote.SystematicTesting;

namespace AsyncRef.Testing;

/// <summary>
/// Runs an exploration on one core, and gives the process its cores back afterwards. Coyote lets one controlled thread
/// run at a time and hands control to another at most steps (a new OS thread per controlled thread, woken through an
/// event); across cores every handoff wakes another core, on one core it is a local switch. On the standard engine test
/// that took the rate from about 190 to 310-380 iterations/s in alternating runs (README, "The standard engine test").
/// On Windows the affinity is the whole process's. On Linux it is per thread: the main thread's, which the .NET runtime
/// gives every thread it starts afterwards (Coyote starts new ones at every execution; thread-pool threads started during
/// the hunt keep it), and, during each execution, that of the thread-pool thread that runs Coyote's engine. Other systems
/// (macOS has no affinity call) run as before.
/// </summary>
internal readonly struct SingleCoreScope : IDisposable
{
    private readonly ulong _previous;
    private readonly ulong _core;

    public SingleCoreScope(bool enabled)
    {
        if (!enabled || Environment.ProcessorCount > 64 || !(OperatingSystem.IsLinux() || OperatingSystem.IsWindows()))
        {
            return;
        }

        try
        {
            using Process process = Process.GetCurrentProcess();
            ulong allowed = (ulong)process.ProcessorAffinity;
            if (BitOperations.PopCount(allowed) < 2)
            {
                return;
            }

            // The core this thread runs on now is one the scheduler just found free; else the first allowed one.
            int current = Thread.GetCurrentProcessorId();
            int core = current is >= 0 and < 64 && ((allowed >> current) & 1) != 0 ? current : BitOperations.TrailingZeroCount(allowed);
            process.ProcessorAffinity = (nint)(1UL << core);
            _previous = allowed;
            _core = 1UL << core;
        }
        catch (Win32Exception)
        {
            // A sandbox that refuses affinity changes only costs speed.
        }
    }

    /// <summary>On Linux, pins the thread that runs <paramref name="engine"/>'s executions to the core while each one runs.</summary>
    public void Attach(TestingEngine engine)
    {
        if (_core != 0 && OperatingSystem.IsLinux())
        {
            ulong core = _core;
            ulong previous = _previous;
            engine.RegisterStartIterationCallBack(_ => SetThreadAffinity(core));
            engine.RegisterEndIterationCallBack(_ => SetThreadAffinity(previous));
        }
    }

    public void Dispose()
    {
        if (_core != 0 && (OperatingSystem.IsLinux() || OperatingSystem.IsWindows()))
        {
            try
            {
                using Process process = Process.GetCurrentProcess();
                process.ProcessorAffinity = (nint)_previous;
            }
            catch (Win32Exception)
            {
                // Nothing left to restore to.
            }
        }
    }

    /// <summary>
    /// .NET sets affinity per process (the main thread, on Linux) or per <see cref="ProcessThread"/> on Windows only; the
    /// calling thread's own affinity on Linux needs the system call (thread 0 = the caller). A refusal only costs speed.
    /// </summary>
    private static void SetThreadAffinity(ulong mask) => _ = SchedSetAffinity(0, sizeof(ulong), ref mask);

    [DllImport("libc", EntryPoint = "sched_setaffinity", SetLastError = true)]
    private static extern int SchedSetAffinity(int threadId, nuint maskSize, ref ulong mask);
}
