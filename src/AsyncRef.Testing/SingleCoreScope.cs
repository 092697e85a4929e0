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
/// that took the rate from about 190 to 310-410 iterations/s in alternating runs (README, "The standard engine test").
/// On Windows the affinity is the whole process's. On Linux it is per thread: the main thread's, which the .NET runtime
/// gives every thread it starts afterwards (Coyote starts new ones at every execution), and, during each execution, that
/// of the thread-pool thread that runs Coyote's engine. At the end, every thread started during the hunt that still runs
/// on the one core (thread-pool threads live on) gets the process's cores back. Other systems (macOS has no affinity
/// call) run as before.
/// </summary>
internal readonly struct SingleCoreScope : IDisposable
{
    /// <summary>Linux's <c>cpu_set_t</c>: 1,024 cores.</summary>
    private const int MaskWords = 16;

    private readonly ulong[]? _previous;
    private readonly ulong[]? _core;

    /// <summary>Linux: the process's threads before the hunt; the others were started during it.</summary>
    private readonly HashSet<int>? _threadsBefore;

    public SingleCoreScope(bool enabled)
    {
        if (!enabled)
        {
            return;
        }

        if (OperatingSystem.IsLinux())
        {
            // .NET's Process.ProcessorAffinity reads and restores only the first 64 cores; the system call keeps them all.
            var allowed = new ulong[MaskWords];
            if (SchedGetAffinity(Environment.ProcessId, MaskWords * sizeof(ulong), allowed) != 0 || Count(allowed) < 2)
            {
                return;
            }

            ulong[] core = OneOf(allowed);
            HashSet<int> threadsBefore = ThreadIds();
            if (SchedSetAffinity(Environment.ProcessId, MaskWords * sizeof(ulong), core) == 0)
            {
                _previous = allowed;
                _core = core;
                _threadsBefore = threadsBefore;
            }
        }
        else if (OperatingSystem.IsWindows())
        {
            try
            {
                using Process process = Process.GetCurrentProcess();
                ulong[] allowed = [(ulong)process.ProcessorAffinity];
                if (Count(allowed) < 2)
                {
                    return;
                }

                ulong[] core = OneOf(allowed);
                process.ProcessorAffinity = (nint)core[0];
                _previous = allowed;
                _core = core;
            }
            catch (Win32Exception)
            {
                // A sandbox that refuses affinity changes only costs speed.
            }
        }
    }

    /// <summary>On Linux, pins the thread that runs <paramref name="engine"/>'s executions to the core while each one runs.</summary>
    public void Attach(TestingEngine engine)
    {
        if (_core is { } core && _previous is { } previous && OperatingSystem.IsLinux())
        {
            engine.RegisterStartIterationCallBack(_ => SchedSetAffinity(0, MaskWords * sizeof(ulong), core));
            engine.RegisterEndIterationCallBack(_ => SchedSetAffinity(0, MaskWords * sizeof(ulong), previous));
        }
    }

    public void Dispose()
    {
        if (_previous is not { } previous)
        {
            return;
        }

        if (OperatingSystem.IsLinux())
        {
            _ = SchedSetAffinity(Environment.ProcessId, MaskWords * sizeof(ulong), previous);
            var mask = new ulong[MaskWords];
            foreach (int thread in ThreadIds())
            {
                // Only threads born during the hunt and still on its core: a thread pinned before it keeps its own choice.
                if (!_threadsBefore!.Contains(thread) && SchedGetAffinity(thread, MaskWords * sizeof(ulong), mask) == 0
                    && mask.AsSpan().SequenceEqual(_core))
                {
                    _ = SchedSetAffinity(thread, MaskWords * sizeof(ulong), previous);
                }
            }
        }
        else if (OperatingSystem.IsWindows())
        {
            try
            {
                using Process process = Process.GetCurrentProcess();
                process.ProcessorAffinity = (nint)previous[0];
            }
            catch (Win32Exception)
            {
                // Nothing left to restore to.
            }
        }
    }

    /// <summary>The ids of the process's threads now (Linux: the entries of /proc/self/task).</summary>
    internal static HashSet<int> ThreadIds()
    {
        var ids = new HashSet<int>();
        foreach (string dir in Directory.EnumerateDirectories("/proc/self/task"))
        {
            if (int.TryParse(Path.GetFileName(dir), out int id))
            {
                ids.Add(id);
            }
        }

        return ids;
    }

    private static int Count(ulong[] mask) => mask.Sum(BitOperations.PopCount);

    /// <summary>The core this thread runs on now (one the scheduler just found free) if allowed, else the first allowed one.</summary>
    private static ulong[] OneOf(ulong[] allowed)
    {
        int current = Thread.GetCurrentProcessorId();
        bool isAllowed = current >= 0 && current < allowed.Length * 64 && ((allowed[current / 64] >> (current % 64)) & 1) != 0;
        int core = isAllowed ? current : Enumerable.Range(0, allowed.Length * 64).First(c => ((allowed[c / 64] >> (c % 64)) & 1) != 0);
        var mask = new ulong[allowed.Length];
        mask[core / 64] = 1UL << (core % 64);
        return mask;
    }

    /// <summary>
    /// .NET sets affinity for the whole process (on Linux: the main thread, first 64 cores) or, on Windows only, per
    /// <see cref="ProcessThread"/>; a thread's own affinity on Linux needs the system call (0 = the calling thread).
    /// A refusal (a sandbox) only costs speed, so the results are not checked further.
    /// </summary>
    [DllImport("libc", EntryPoint = "sched_setaffinity", SetLastError = true)]
    private static extern int SchedSetAffinity(int threadId, nuint maskSize, ulong[] mask);

    [DllImport("libc", EntryPoint = "sched_getaffinity", SetLastError = true)]
    private static extern int SchedGetAffinity(int threadId, nuint maskSize, [Out] ulong[] mask);
}
