using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using System.Runtime.InteropServices;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Exporters.Json;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Running;

namespace AsyncRef.Bench;

/// <summary>
/// The C# side of `make bench` (driven by bench/run-bench.sh):
/// <list type="bullet">
/// <item><c>bdn --artifacts DIR [BenchmarkDotNet options]</c>: the BenchmarkDotNet run of <see cref="ReferenceBenchmarks"/>.</item>
/// <item><c>paired --lib libasyncbench.so [--reps R] [--clock wall|cpu]</c>: the reference and the C loops interleaved rep by rep in this process.</item>
/// <item><c>hold N</c>: N paused jobs held at once; run it in a fresh process per N.</item>
/// <item><c>loop WORKLOAD N [--checked] [--mixed] [--clock wall|cpu]</c>: one reference loop, timed (for profiling, e.g. under perf).</item>
/// <item><c>report --results DIR</c>: the combined table from the files the other modes wrote.</item>
/// </list>
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        string mode = args.Length > 0 ? args[0] : "";
        string[] rest = args.Skip(1).ToArray();
        switch (mode)
        {
            case "bdn":
                return RunBenchmarkDotNet(rest);
            case "paired":
                return Paired.Run(
                    Option(rest, "--lib") ?? Fail.Usage(),
                    int.Parse(Option(rest, "--reps") ?? "9", CultureInfo.InvariantCulture),
                    (Option(rest, "--clock") ?? "wall") switch { "wall" => false, "cpu" => true, _ => Fail.Usage<bool>() });
            case "hold":
                return Hold.Run(rest.Length == 1 ? long.Parse(rest[0], CultureInfo.InvariantCulture) : Fail.Usage<long>());
            case "loop":
                return Loop(rest);
            case "report":
                return Report.Run(Option(rest, "--results") ?? Fail.Usage());
            default:
                Console.Error.WriteLine("usage: AsyncRef.Bench bdn --artifacts DIR [bdn options] | paired --lib PATH [--reps R] [--clock wall|cpu] | hold N | loop WORKLOAD N [--checked] [--mixed] [--clock wall|cpu] | report --results DIR");
                return 64;
        }
    }

    private static int Loop(string[] args)
    {
        Workload w = Enum.GetValues<Workload>().Single(x => Names.Of(x) == args[0]);
        long n = long.Parse(args[1], CultureInfo.InvariantCulture);
        Async.CheckedMode = args.Contains("--checked");
        var driver = new Driver();
        // --mixed warms every workload, as the paired and BenchmarkDotNet runs do: the runtime's call sites (the job
        // function's delegate, a box's MoveNext, a box's return to its free list) then see several targets, so tiered
        // PGO cannot turn them into guarded direct calls the way it does when one workload runs alone.
        Workload[] warm = args.Contains("--mixed") ? Enum.GetValues<Workload>() : [w];
        Tiering.WarmUp(() =>
        {
            foreach (Workload x in warm)
            {
                driver.Run(x, 2000);
            }
        });

        // 15 reps of n/15 cycles: the minimum is what the code costs, the median what this box gave most of the time.
        long per = Math.Max(1, n / 15);
        var ns = new double[15];
        bool cpuClock = Option(args, "--clock") == "cpu";
        long allocated0 = GC.GetAllocatedBytesForCurrentThread();
        for (int r = 0; r < ns.Length; r++)
        {
            double cpu0 = cpuClock ? ThreadClock.Ns() : 0;
            long t0 = Stopwatch.GetTimestamp();
            driver.Run(w, per);
            ns[r] = (cpuClock ? ThreadClock.Ns() - cpu0 : Stopwatch.GetElapsedTime(t0).TotalNanoseconds) / per;
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - allocated0;
        Console.WriteLine(FormattableString.Invariant(
            $"loop {Names.Of(w)} checked={Async.CheckedMode} clock={(cpuClock ? "cpu" : "wall")} min_ns={ns.Min():F2} median_ns={Stats.Median(ns):F2} alloc_per_cycle_b={(double)allocated / (per * ns.Length):F2} n={per * ns.Length}"));
        return 0;
    }

    internal static string? Option(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    private static int RunBenchmarkDotNet(string[] args)
    {
        string artifacts = Option(args, "--artifacts") ?? Fail.Usage();
        List<string> bdnArgs = args.ToList();
        bdnArgs.RemoveRange(bdnArgs.IndexOf("--artifacts"), 2);
        if (!bdnArgs.Contains("--filter"))
        {
            bdnArgs.AddRange(["--filter", "*"]);
        }

        // Two launches (a fresh process each, so one unlucky JIT layout or slow phase cannot decide a row), each with
        // 6 warm-up and 15 measured iterations of ~250 ms: the 10 benchmarks take about 3-4 minutes, which keeps
        // `make bench` well under 10 minutes. The table uses the median over the 30 measured iterations.
        Job job = Job.Default
            .WithLaunchCount(2)
            .WithWarmupCount(6)
            .WithIterationCount(15)
            .WithIterationTime(Perfolizer.Horology.TimeInterval.FromMilliseconds(250))
            .WithId("bench");
        IConfig config = ManualConfig.CreateEmpty()
            .AddJob(job)
            .AddDiagnoser(MemoryDiagnoser.Default)
            .AddColumnProvider(DefaultColumnProviders.Instance)
            .AddLogger(ConsoleLogger.Default)
            .AddExporter(JsonExporter.Full, MarkdownExporter.GitHub)
            .WithArtifactsPath(artifacts)
            .WithOptions(ConfigOptions.DisableLogFile);
        var summaries = BenchmarkSwitcher.FromTypes([typeof(ReferenceBenchmarks)]).Run(bdnArgs.ToArray(), config);
        return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
    }
}

/// <summary>Brings the reference's loops to the code they run in the steady state.</summary>
internal static class Tiering
{
    /// <summary>
    /// Calls <paramref name="round"/> until the JIT has finished with it. With tiered PGO a method with a loop is
    /// compiled up to four times (tier 0, on-stack replacement of the running loop, instrumented tier 0, tier 1):
    /// each promotion comes after 30 counted calls and is compiled in the background, and calls are counted only after
    /// 100 ms without new tier-0 compilation. A loop measured before the end of that runs on-stack-replacement or
    /// instrumented code, which is slower, and by how much depends on how the warm-up happened to line up with the
    /// background compiler. So: rounds, with a pause every 10, until 100 rounds in a row compiled nothing.
    /// </summary>
    /// <param name="round">One call of every loop that will be measured, with few cycles.</param>
    internal static void WarmUp(Action round)
    {
        long compiled = JitInfo.GetCompiledMethodCount();
        int quiet = 0;
        for (int i = 0; i < 5000 && quiet < 100; i++)
        {
            round();
            if (i % 10 == 9)
            {
                Thread.Sleep(20);
            }

            long now = JitInfo.GetCompiledMethodCount();
            quiet = now == compiled ? quiet + 1 : 0;
            compiled = now;
        }
    }
}

/// <summary>The C loops of bench/c/async_bench.c, built as libasyncbench.so.</summary>
internal static partial class Native
{
    internal const string Lib = "asyncbench";

    /// <summary>Runs n cycles of workload w in C; ns per cycle, timed in C.</summary>
    [LibraryImport(Lib, EntryPoint = "ab_run")]
    internal static partial double Run(int w, long n);

    /// <summary>ns per step of n dependent multiply-adds, timed in C: a figure that follows the core clock only.</summary>
    [LibraryImport(Lib, EntryPoint = "ab_probe")]
    internal static partial double Probe(long n);

    /// <summary>ns per step of eight independent one-cycle chains, timed in C: it also slows when the physical core is shared.</summary>
    [LibraryImport(Lib, EntryPoint = "ab_probe_wide")]
    internal static partial double ProbeWide(long n);

    /// <summary>The C side's cycles per rep for workload w.</summary>
    [LibraryImport(Lib, EntryPoint = "ab_default_n")]
    internal static partial long DefaultN(int w);
}

/// <summary>The calling thread's CPU time: a clock that stops while the thread waits for a core.</summary>
internal static partial class ThreadClock
{
    private const int ClockThreadCpuTimeId = 3; // CLOCK_THREAD_CPUTIME_ID on Linux

    /// <summary>The calling thread's CPU time in ns.</summary>
    internal static double Ns()
    {
        if (ClockGetTime(ClockThreadCpuTimeId, out Timespec ts) != 0)
        {
            Fail.With("clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed");
        }

        return ts.Seconds * 1e9 + ts.Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out Timespec ts);

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}

/// <summary>The interleaved measurement: per rep and workload, the C loop and the reference loop back to back.</summary>
internal static class Paired
{
    /// <param name="libPath">libasyncbench.so.</param>
    /// <param name="reps">Reps per workload.</param>
    /// <param name="cpuClock">
    /// Time both sides by the thread's CPU time instead of the wall clock: a rep during which other processes took the
    /// core is then not counted as slower (cache and TLB pollution by them still is). For measuring on a shared machine.
    /// </param>
    internal static int Run(string libPath, int reps, bool cpuClock)
    {
        string full = Path.GetFullPath(libPath);
        NativeLibrary.SetDllImportResolver(typeof(Native).Assembly, (name, _, _) => name == Native.Lib ? NativeLibrary.Load(full) : IntPtr.Zero);
        Async.CheckedMode = false;
        var driver = new Driver();
        Workload[] workloads = Enum.GetValues<Workload>();

        // Warm-up: both sides, until the reference runs its final tier-1 code (see Tiering.WarmUp), then 3 rounds
        // of a quarter rep each, so both sides start the measurement from the same warm caches.
        Tiering.WarmUp(() =>
        {
            foreach (Workload w in workloads)
            {
                long n = Native.DefaultN((int)w) / 500;
                Native.Run((int)w, n);
                driver.Run(w, n);
            }
        });
        for (int i = 0; i < 3; i++)
        {
            foreach (Workload w in workloads)
            {
                long n = Native.DefaultN((int)w) / 4;
                Native.Run((int)w, n);
                driver.Run(w, n);
            }
        }

        foreach (Workload w in workloads)
        {
            long n = Native.DefaultN((int)w);
            var c = new double[reps];
            var reference = new double[reps];
            var ratio = new double[reps];
            var probe = new double[reps];
            var wide = new double[reps];
            // Methods the JIT compiles during the timed reps: 0 once the warm-up did its job.
            long jitted = JitInfo.GetCompiledMethodCount();
            for (int r = 0; r < reps; r++)
            {
                // The probes next to every rep: whether a slow phase is the core clock or a shared core (see ProbeSteps).
                probe[r] = Native.Probe(ProbeSteps);
                wide[r] = Native.ProbeWide(ProbeSteps);
                // Alternate which side goes first, so neither always runs right after the other's warm caches.
                if (r % 2 == 0)
                {
                    c[r] = TimeC(w, n, cpuClock);
                    reference[r] = TimeReference(driver, w, n, cpuClock);
                }
                else
                {
                    reference[r] = TimeReference(driver, w, n, cpuClock);
                    c[r] = TimeC(w, n, cpuClock);
                }

                ratio[r] = reference[r] / c[r];
            }

            jitted = JitInfo.GetCompiledMethodCount() - jitted;

            Console.WriteLine(FormattableString.Invariant(
                $"paired {Names.Of(w)} ratio={Stats.Median(ratio):F4} ref_ns={Stats.Median(reference):F2} c_ns={Stats.Median(c):F2} ratio_min={ratio.Min():F4} ratio_max={ratio.Max():F4} probe_ns={Stats.Median(probe):F4} probe_min={probe.Min():F4} probe_max={probe.Max():F4} wide_ns={Stats.Median(wide):F4} wide_min={wide.Min():F4} wide_max={wide.Max():F4} reps={reps} n={n} clock={(cpuClock ? "cpu" : "wall")} jitted_while_timing={jitted}"));
        }

        return 0;
    }

    /// <summary>
    /// Steps of each probe per rep (about half a millisecond and a quarter of one). The clock probe is a chain of
    /// dependent multiply-adds: it touches no memory and leaves the core's units idle most of the time, so its ns per
    /// step moves only with the core clock. The width probe runs eight independent one-cycle chains, which keep the
    /// integer units busy: it moves with the clock too, and also when another thread shares the physical core.
    /// </summary>
    private const long ProbeSteps = 500_000;

    /// <summary>ns per cycle of the C loop: timed inside C (wall clock), or by the thread's CPU time around it.</summary>
    private static double TimeC(Workload w, long n, bool cpuClock)
    {
        if (!cpuClock)
        {
            return Native.Run((int)w, n);
        }

        double t0 = ThreadClock.Ns();
        Native.Run((int)w, n);
        return (ThreadClock.Ns() - t0) / n;
    }

    private static double TimeReference(Driver driver, Workload w, long n, bool cpuClock)
    {
        double cpu0 = cpuClock ? ThreadClock.Ns() : 0;
        long t0 = Stopwatch.GetTimestamp();
        if (driver.Run(w, n) != n)
        {
            Fail.With("a reference loop returned a wrong sum");
        }

        return cpuClock ? (ThreadClock.Ns() - cpu0) / n : Stopwatch.GetElapsedTime(t0).TotalNanoseconds / n;
    }
}

/// <summary>N paused jobs held at once on one thread: memory per job, and the cost of getting there and back.</summary>
internal static class Hold
{
    internal static int Run(long n)
    {
        Async.CheckedMode = false;
        var jobs = new AsyncJob[n]; // the handle array is the application's, allocated before the baseline (as in C)
        var driver = new Driver();
        driver.Run(Workload.Cycle, 1000); // thread state, pool, one warm job and box

        long managed0 = GC.GetTotalMemory(forceFullCollection: true);
        long rss0 = Proc.StatusKib("VmRSS");
        long t0 = Stopwatch.GetTimestamp();
        for (long i = 0; i < n; i++)
        {
            driver.StartPaused(ref jobs[i]);
        }

        double startNs = Stopwatch.GetElapsedTime(t0).TotalNanoseconds / n;
        long t1 = Stopwatch.GetTimestamp();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true);
        double gcMs = Stopwatch.GetElapsedTime(t1).TotalMilliseconds;
        long managed1 = GC.GetTotalMemory(forceFullCollection: true);
        long rss1 = Proc.StatusKib("VmRSS");

        long t2 = Stopwatch.GetTimestamp();
        for (long i = 0; i < n; i++)
        {
            driver.ResumeToFinish(ref jobs[i]);
        }

        double resumeNs = Stopwatch.GetElapsedTime(t2).TotalNanoseconds / n;
        Console.WriteLine(FormattableString.Invariant(
            $"hold impl=reference n={n} managed_per_job_b={(double)(managed1 - managed0) / n:F1} rss_before_kib={rss0} rss_paused_kib={rss1} rss_per_job_b={(rss1 - rss0) * 1024.0 / n:F1} peak_rss_kib={Proc.StatusKib("VmHWM")} start_pause_ns={startNs:F1} resume_finish_ns={resumeNs:F1} full_gc_paused_ms={gcMs:F1}"));
        GC.KeepAlive(jobs);
        return 0;
    }
}

internal static class Proc
{
    /// <summary>A field of /proc/self/status in KiB (VmRSS, VmHWM).</summary>
    internal static long StatusKib(string field)
    {
        foreach (string line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
            {
                return long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
            }
        }

        return -1;
    }
}

internal static class Names
{
    internal static string Of(Workload w) => w switch
    {
        Workload.Cycle => "cycle",
        Workload.NoPause => "nopause",
        Workload.Pause3 => "pause3",
        Workload.WaitFd => "waitfd",
        Workload.Nested => "nested",
        _ => w.ToString(),
    };
}

internal static class Stats
{
    internal static double Median(IEnumerable<double> values)
    {
        double[] v = values.OrderBy(x => x).ToArray();
        return v.Length == 0 ? double.NaN : v.Length % 2 == 1 ? v[v.Length / 2] : (v[v.Length / 2 - 1] + v[v.Length / 2]) / 2;
    }
}
