using System.ComponentModel;
using System.Diagnostics;
using System.Numerics;
using System.Runtime.InteropServices;
using Microsoft.Coyote.SystematicTesting;

namespace AsyncRef.Testing;

/// <summary>
/// Runs an exploration's workers each on one core, and gives the process its cores back afterwards. Coyote lets one
/// controlled thread run at a time and hands control to another at most steps (a new OS thread per controlled thread,
/// woken through an event); across cores every handoff wakes another core, on one core it is a local switch. On the
/// standard engine test that took one worker from about 190 to 310-410 iterations/s in alternating runs (README, "The
/// standard engine test").
/// With one worker the whole process runs on one core: on Windows the affinity is the process's; on Linux it is per
/// thread: the main thread's, which the .NET runtime gives every thread it starts afterwards (it resets each new thread
/// to it, whoever starts the thread; Coyote starts new ones at every execution), and, during each execution, that of the
/// thread-pool thread that runs Coyote's engine. With several workers (Linux only) the process keeps its cores and each
/// worker's threads pin themselves to the worker's core: the engine's thread per execution, and the execution's own
/// threads when they start (<see cref="PinCurrentThread"/>). At the end, every thread started during the hunt that still
/// runs on one of the hunt's cores (thread-pool threads live on) gets the process's cores back. Other systems (macOS has
/// no affinity call; Windows with several workers) run as before.
/// </summary>
internal sealed class CoreScope : IDisposable
{
    /// <summary>Linux's <c>cpu_set_t</c>: 1,024 cores.</summary>
    private const int MaskWords = 16;

    /// <summary>The process's cores before the hunt; null when nothing was pinned.</summary>
    private readonly ulong[]? _previous;

    /// <summary>Worker i's core is <c>_cores[i % _cores.Length]</c>.</summary>
    private readonly ulong[][] _cores = [];

    /// <summary>Whether the process itself was pinned (one worker), rather than each worker's threads.</summary>
    private readonly bool _processPinned;

    /// <summary>Linux: the process's threads before the hunt; the others were started during it.</summary>
    private readonly HashSet<int>? _threadsBefore;

    public CoreScope(bool enabled, int workers)
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

            ulong[][] cores = Cores(allowed, workers);
            HashSet<int> threadsBefore = ThreadIds();
            if (workers == 1 && SchedSetAffinity(Environment.ProcessId, MaskWords * sizeof(ulong), cores[0]) != 0)
            {
                return;
            }

            _previous = allowed;
            _cores = cores;
            _processPinned = workers == 1;
            _threadsBefore = threadsBefore;
        }
        else if (OperatingSystem.IsWindows() && workers == 1)
        {
            try
            {
                using Process process = Process.GetCurrentProcess();
                ulong[] allowed = [(ulong)process.ProcessorAffinity];
                if (Count(allowed) < 2)
                {
                    return;
                }

                ulong[][] cores = Cores(allowed, 1);
                process.ProcessorAffinity = (nint)cores[0][0];
                _previous = allowed;
                _cores = cores;
                _processPinned = true;
            }
            catch (Win32Exception)
            {
                // A sandbox that refuses affinity changes only costs speed.
            }
        }
    }

    /// <summary>On Linux, pins the thread that runs <paramref name="engine"/>'s executions to the worker's core while each one runs.</summary>
    public void Attach(TestingEngine engine, int worker)
    {
        if (_cores.Length > 0 && _previous is { } previous && OperatingSystem.IsLinux())
        {
            ulong[] core = _cores[worker % _cores.Length];
            engine.RegisterStartIterationCallBack(_ => SchedSetAffinity(0, MaskWords * sizeof(ulong), core));
            engine.RegisterEndIterationCallBack(_ => SchedSetAffinity(0, MaskWords * sizeof(ulong), previous));
        }
    }

    /// <summary>
    /// Pins the calling thread, one of the worker's executions, to the worker's core (with several workers; with one,
    /// it already runs there). Such threads end with their execution: nothing to restore.
    /// </summary>
    public void PinCurrentThread(int worker)
    {
        if (!_processPinned && _cores.Length > 0)
        {
            _ = SchedSetAffinity(0, MaskWords * sizeof(ulong), _cores[worker % _cores.Length]);
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
            if (_processPinned)
            {
                _ = SchedSetAffinity(Environment.ProcessId, MaskWords * sizeof(ulong), previous);
            }

            var mask = new ulong[MaskWords];
            foreach (int thread in ThreadIds())
            {
                // Only threads born during the hunt and still on one of its cores: a thread pinned before it keeps its own choice.
                if (!_threadsBefore!.Contains(thread) && SchedGetAffinity(thread, MaskWords * sizeof(ulong), mask) == 0
                    && _cores.Any(core => mask.AsSpan().SequenceEqual(core)))
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

    /// <summary>
    /// One core per worker (as many as allowed, then round again), starting with the core this thread runs on now (one
    /// the scheduler just found free) if allowed.
    /// </summary>
    private static ulong[][] Cores(ulong[] allowed, int workers)
    {
        List<int> cores = Enumerable.Range(0, allowed.Length * 64).Where(c => ((allowed[c / 64] >> (c % 64)) & 1) != 0).ToList();
        int first = Math.Max(0, cores.IndexOf(Thread.GetCurrentProcessorId()));
        var masks = new ulong[Math.Min(workers, cores.Count)][];
        for (int i = 0; i < masks.Length; i++)
        {
            int core = cores[(first + i) % cores.Count];
            masks[i] = new ulong[allowed.Length];
            masks[i][core / 64] = 1UL << (core % 64);
        }

        return masks;
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
