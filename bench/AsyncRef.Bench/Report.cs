using System.Globalization;
using System.Text;
using System.Text.Json;

namespace AsyncRef.Bench;

/// <summary>
/// Builds the one table of `make bench` from the files bench/run-bench.sh left in the results folder:
/// machine.txt, c-time-1.txt / c-time-2.txt (the C loops before and after BenchmarkDotNet), the BenchmarkDotNet
/// JSON, paired-R.txt (C and reference interleaved in one process, one file per round), perf.txt, hold-*.txt (one
/// fresh process per N) and scale.txt (checked mode at scale).
/// </summary>
internal static class Report
{
    /// <summary>The interleaved ratio each row must reach (issue 12).</summary>
    private static readonly Dictionary<Workload, double> RatioTargets = new()
    {
        [Workload.Cycle] = 0.30,
        [Workload.NoPause] = 0.25,
        [Workload.Pause3] = 0.30,
        [Workload.WaitFd] = 0.35,
        [Workload.Nested] = 0.40,
    };
    private const double BytesPerJobTarget = 256;
    private const double MillionJobsMiBTarget = 512;
    private const double CheckedAtScaleTarget = 5;

    /// <summary>Rounds whose ratios spread wider than this fraction of their median are flagged.</summary>
    private const double WideSpread = 0.15;

    private static readonly (Workload W, string Label)[] TimeRows =
    [
        (Workload.Cycle, "full cycle: start → pause → resume → finish"),
        (Workload.NoPause, "start → finish, no pause"),
        (Workload.Pause3, "cycle with 3 pauses"),
        (Workload.WaitFd, "cycle with set_wait_fd + get_changed_fds + clear_fd per pause"),
        (Workload.Nested, "full cycle, pause in a nested JobTask helper"),
    ];

    internal static int Run(string dir)
    {
        var machine = File.Exists(Path.Combine(dir, "machine.txt")) ? File.ReadAllLines(Path.Combine(dir, "machine.txt")) : [];
        Dictionary<string, Fields> c1 = ReadTagged(Path.Combine(dir, "c-time-1.txt"), "c-time");
        Dictionary<string, Fields> c2 = ReadTagged(Path.Combine(dir, "c-time-2.txt"), "c-time");
        // One file per independent round of the paired run (a fresh process each).
        List<Dictionary<string, Fields>> rounds = Directory.Exists(dir)
            ? Directory.EnumerateFiles(dir, "paired-*.txt").Order(StringComparer.Ordinal).Select(f => ReadTagged(f, "paired")).ToList()
            : [];
        Dictionary<(string Method, bool Checked), BdnResult> bdn = ReadBdn(dir);
        var holds = new List<(long N, Fields Reference, Fields C)>();
        foreach (long n in new long[] { 100_000, 1_000_000 })
        {
            holds.Add((n, ReadHold(dir, "reference", n), ReadHold(dir, "libcrypto", n)));
        }

        var o = new StringBuilder();
        o.AppendLine("## AsyncRef reference vs libcrypto 3.0.19 ASYNC");
        o.AppendLine();
        foreach (string line in machine)
        {
            o.AppendLine("    " + line);
        }

        o.AppendLine();
        o.AppendLine("| row | reference, checked mode off (BDN median, allocated/op) | libcrypto (C median: before / after BDN) | ratio reference ÷ libcrypto (interleaved) | ratio BDN ÷ C (cross-check) | reference, checked mode on (BDN median, allocated/op; vs libcrypto, vs checked off) |");
        o.AppendLine("|---|---|---|---|---|---|");
        var ratios = new Dictionary<Workload, double>();
        var warnings = new List<string>();
        var allocations = new Dictionary<Workload, double>();
        foreach ((Workload w, string label) in TimeRows)
        {
            string name = Names.Of(w);
            BdnResult? off = bdn.GetValueOrDefault((name, false));
            BdnResult? on = bdn.GetValueOrDefault((name, true));
            double cBefore = c1.TryGetValue(name, out Fields? f1) ? f1.Num("median_ns") : double.NaN;
            double cAfter = c2.TryGetValue(name, out Fields? f2) ? f2.Num("median_ns") : double.NaN;
            double c = (cBefore + cAfter) / 2;
            Fields[] p = rounds.Select(r => r.GetValueOrDefault(name)).OfType<Fields>().ToArray();
            double[] roundRatios = p.Select(f => f.Num("ratio")).ToArray();
            double ratio = Stats.Median(roundRatios);
            ratios[w] = ratio;
            if (roundRatios.Length > 1 && (roundRatios.Max() - roundRatios.Min()) / ratio > WideSpread)
            {
                warnings.Add($"{label}: the rounds' ratios range {roundRatios.Min():F2}–{roundRatios.Max():F2} around the median {ratio:F2} (over {WideSpread:P0}); the machine was not steady, rerun when it is quieter");
            }

            allocations[w] = off?.Allocated ?? double.NaN;
            o.Append("| ").Append(label)
                .Append(" | ").Append(off is null ? "–" : $"{off.MedianNs:F1} ns, {Bytes(off.Allocated)}")
                .Append(" | ").Append($"{c:F1} ns ({cBefore:F1} / {cAfter:F1})")
                .Append(" | ").Append(p.Length == 0 ? "–" : $"**{ratio:F2}** ({Stats.Median(p.Select(f => f.Num("ref_ns"))):F1} / {Stats.Median(p.Select(f => f.Num("c_ns"))):F1} ns; {p.Length} rounds {roundRatios.Min():F2}–{roundRatios.Max():F2}, reps {p.Min(f => f.Num("ratio_min")):F2}–{p.Max(f => f.Num("ratio_max")):F2})")
                .Append(" | ").Append(off is null ? "–" : $"{off.MedianNs / c:F2}")
                .Append(" | ").Append(on is null ? "–" : $"{on.MedianNs:N0} ns, {Bytes(on.Allocated)}; {on.MedianNs / c:F1}× libcrypto, {(off is null ? double.NaN : on.MedianNs / off.MedianNs):F0}× off")
                .AppendLine(" |");
        }

        foreach ((long n, Fields r, Fields c) in holds)
        {
            double rss = r.Num("rss_per_job_b"), cRss = c.Num("rss_per_job_b");
            o.Append("| ").Append($"{n:N0} paused jobs held at once (memory per paused job)")
                .Append(" | ").Append($"{r.Num("managed_per_job_b"):F0} B managed, {rss:F0} B RSS per job; peak RSS {r.Num("peak_rss_kib") / 1024:F0} MiB; start→pause {r.Num("start_pause_ns"):F0} ns, resume→finish {r.Num("resume_finish_ns"):F0} ns per job; full GC while paused {r.Num("full_gc_paused_ms"):F1} ms")
                .Append(" | ").Append($"{cRss:N0} B RSS per job; peak RSS {c.Num("peak_rss_kib") / 1024:N0} MiB; start→pause {c.Num("start_pause_ns"):N0} ns, resume→finish {c.Num("resume_finish_ns"):F0} ns per job")
                .Append(" | ").Append($"**{rss / cRss:F3}** (RSS per job)")
                .Append(" | ").Append('–')
                .Append(" | ").Append('–')
                .AppendLine(" |");
        }

        (double checkedS, double uncheckedS, double scaleMin, double scaleMax, long scaleJobs) = ReadScale(dir);
        double scaleRatio = checkedS / uncheckedS;
        o.Append("| ").Append($"{scaleJobs:N0} paused jobs on one ctx through `asyncref run` (whole process, median of 3 pairs)")
            .Append(" | ").Append($"unchecked {uncheckedS:F2} s")
            .Append(" | ").Append('–')
            .Append(" | ").Append('–')
            .Append(" | ").Append('–')
            .Append(" | ").Append($"checked {checkedS:F2} s; **{scaleRatio:F2}×** unchecked (pairs {scaleMin:F2}–{scaleMax:F2})")
            .AppendLine(" |");

        o.AppendLine();
        string[] clocks = rounds.SelectMany(r => r.Values).Select(f => f.Text("clock") ?? "wall").Distinct().ToArray();
        if (clocks.Length > 0)
        {
            o.AppendLine($"The interleaved ratios time both sides by the {string.Join(" / ", clocks.Select(c => c == "cpu" ? "thread's CPU time (preemption by other processes not counted)" : "wall clock"))}.");
        }

        foreach (string warning in warnings)
        {
            o.AppendLine("- WARNING, wide spread: " + warning);
        }

        AppendPhases(o, rounds);

        string perf = Path.Combine(dir, "perf.txt");
        if (File.Exists(perf))
        {
            o.AppendLine();
            o.AppendLine("Hardware counters per full cycle (perf stat, the difference of two runs that differ only in their cycle count):");
            foreach (string line in File.ReadLines(perf))
            {
                o.AppendLine("    " + line);
            }
        }

        o.AppendLine();
        o.AppendLine("Targets (checked mode off):");
        double cycle = ratios[Workload.Cycle];
        foreach ((Workload w, string label) in TimeRows)
        {
            Target(o, $"{label} ≤ {RatioTargets[w]:F2}× libcrypto (median of the rounds)", ratios[w] <= RatioTargets[w], $"{ratios[w]:F2}×");
        }

        Target(o, "0 B allocated per steady-state cycle", allocations[Workload.Cycle] == 0, $"{Bytes(allocations[Workload.Cycle])}");
        Target(o, "0 B per cycle with the pause in a nested job function", allocations[Workload.Nested] == 0, $"{Bytes(allocations[Workload.Nested])}");
        foreach ((long n, Fields r, _) in holds)
        {
            double managed = r.Num("managed_per_job_b");
            Target(o, $"≤ {BytesPerJobTarget:F0} B per paused job at {n:N0} (managed heap)", managed <= BytesPerJobTarget, $"{managed:F0} B (RSS {r.Num("rss_per_job_b"):F0} B)");
        }

        Fields million = holds.Single(h => h.N == 1_000_000).Reference;
        double peakMiB = million.Num("peak_rss_kib") / 1024;
        Target(o, $"1,000,000 paused jobs on one thread in under {MillionJobsMiBTarget:F0} MiB (whole-process peak RSS)", peakMiB < MillionJobsMiBTarget, $"{peakMiB:F0} MiB");
        Target(o, $"checked mode ≤ {CheckedAtScaleTarget:F0}× unchecked with {scaleJobs:N0} paused jobs on one ctx (asyncref run)", scaleRatio <= CheckedAtScaleTarget, $"{scaleRatio:F2}×");
        o.AppendLine();
        o.AppendLine(FormattableString.Invariant($"cycle ratio (reference/libcrypto): {cycle:F2}"));

        string table = o.ToString();
        File.WriteAllText(Path.Combine(dir, "table.md"), table);
        Console.Write(table);
        return 0;
    }

    /// <summary>Core cycles per probe step: a 64-bit multiply (3) and an add (1) on the dependent chain, as on current AMD and Intel cores.</summary>
    private const double CyclesPerProbeStep = 4;

    /// <summary>A probe that differs by more than this fraction between two rounds marks a change of the machine's phase.</summary>
    private const double PhaseMoved = 0.10;

    /// <summary>
    /// One line per round: its probes (the medians of the probes timed next to each rep) beside its full-cycle figures;
    /// a warning for each probe that moved between rounds (a round in a slower phase shows how much each side loses
    /// there); and the rows' medians over the rounds on an unshared core.
    /// </summary>
    private static void AppendPhases(StringBuilder o, List<Dictionary<string, Fields>> rounds)
    {
        string cycle = Names.Of(Workload.Cycle);
        Fields[] perRound = rounds.Select(r => r.GetValueOrDefault(cycle)).OfType<Fields>().Where(f => !double.IsNaN(f.Num("probe_ns"))).ToArray();
        if (perRound.Length == 0)
        {
            return;
        }

        o.AppendLine();
        o.AppendLine("Probes per round, timed next to each rep (medians of the reps, ns per step): the clock probe (a dependent multiply-add chain) follows the core clock only; the width probe (eight independent one-cycle chains) follows the clock and also slows when another thread shares the physical core:");
        o.AppendLine();
        o.AppendLine("| round | clock probe (reps' range); core clock it implies | width probe (reps' range) | full cycle: reference / libcrypto | ratio |");
        o.AppendLine("|---|---|---|---|---|");
        for (int i = 0; i < perRound.Length; i++)
        {
            Fields f = perRound[i];
            o.AppendLine(FormattableString.Invariant(
                $"| {i + 1} | {f.Num("probe_ns"):F3} ({f.Num("probe_min"):F3}–{f.Num("probe_max"):F3}); ≈ {CyclesPerProbeStep / f.Num("probe_ns"):F2} GHz | {Optional(f, "wide_ns")} ({Optional(f, "wide_min")}–{Optional(f, "wide_max")}) | {f.Num("ref_ns"):F1} / {f.Num("c_ns"):F1} ns | {f.Num("ratio"):F2} |"));
        }

        o.AppendLine();
        PhaseWarning(o, perRound, "probe_ns", "the clock probe", "the core clock moved");
        PhaseWarning(o, perRound, "wide_ns", "the width probe", "the core clock moved or another thread shared the physical core");
        AppendUnsharedMedians(o, rounds);
    }

    /// <summary>
    /// For information beside the headline: each row's median over the rounds whose width probe was within
    /// <see cref="PhaseMoved"/> of that row's fastest round, i.e. the rounds that had the physical core to themselves.
    /// </summary>
    private static void AppendUnsharedMedians(StringBuilder o, List<Dictionary<string, Fields>> rounds)
    {
        var parts = new List<string>();
        foreach ((Workload w, string label) in TimeRows)
        {
            Fields[] p = rounds.Select(r => r.GetValueOrDefault(Names.Of(w))).OfType<Fields>().Where(f => !double.IsNaN(f.Num("wide_ns"))).ToArray();
            if (p.Length == 0)
            {
                return;
            }

            double fastest = p.Min(f => f.Num("wide_ns"));
            double[] unshared = p.Where(f => f.Num("wide_ns") <= fastest * (1 + PhaseMoved)).Select(f => f.Num("ratio")).ToArray();
            parts.Add(FormattableString.Invariant($"{label} {Stats.Median(unshared):F2} ({unshared.Length} of {p.Length} rounds)"));
        }

        o.AppendLine(FormattableString.Invariant(
            $"- For information (the headline and the targets stay the medians of all rounds): the medians over the rounds whose width probe was within {PhaseMoved:P0} of the row's fastest round, i.e. on a core not shared with another thread: {string.Join("; ", parts)}."));
    }

    /// <summary>Warns when <paramref name="field"/> moved by more than <see cref="PhaseMoved"/> between rounds.</summary>
    private static void PhaseWarning(StringBuilder o, Fields[] perRound, string field, string probe, string meaning)
    {
        Fields[] measured = perRound.Where(f => !double.IsNaN(f.Num(field))).ToArray();
        if (measured.Length == 0)
        {
            return;
        }

        Fields fast = measured.MinBy(f => f.Num(field))!, slow = measured.MaxBy(f => f.Num(field))!;
        double moved = slow.Num(field) / fast.Num(field);
        if (moved - 1 > PhaseMoved)
        {
            o.AppendLine(FormattableString.Invariant(
                $"- WARNING, the machine changed phase ({meaning}): {probe} took {moved:F2}× as long in its slowest round as in its fastest; between those rounds the reference's full cycle took {slow.Num("ref_ns") / fast.Num("ref_ns"):F2}× as long and libcrypto's {slow.Num("c_ns") / fast.Num("c_ns"):F2}×. The headline is the median of the rounds."));
        }
    }

    /// <summary>A probe field with three decimals, or "–" where the run did not time it.</summary>
    private static string Optional(Fields f, string field) =>
        double.IsNaN(f.Num(field)) ? "–" : f.Num(field).ToString("F3", CultureInfo.InvariantCulture);

    private static void Target(StringBuilder o, string what, bool met, string got) =>
        o.AppendLine($"- {(got.Contains('?') || got.Contains("NaN") ? "not measured" : met ? "met" : "MISSED")}: {what}: {got}");

    private static string Bytes(double b) => double.IsNaN(b) ? "?" : $"{b:N0} B";

    /// <summary>scale.txt: "scale rep=R checked=0|1 jobs=N seconds=S" lines; medians per mode and the spread of per-pair ratios.</summary>
    private static (double Checked, double Unchecked, double RatioMin, double RatioMax, long Jobs) ReadScale(string dir)
    {
        string path = Path.Combine(dir, "scale.txt");
        Fields[] lines = File.Exists(path)
            ? File.ReadLines(path).Where(l => l.StartsWith("scale ", StringComparison.Ordinal)).Select(Fields.Parse).ToArray()
            : [];
        double[] Seconds(int mode) => lines.Where(f => f.Num("checked") == mode).OrderBy(f => f.Num("rep")).Select(f => f.Num("seconds")).ToArray();
        double[] on = Seconds(1), off = Seconds(0);
        double[] ratios = on.Zip(off, (c, u) => c / u).ToArray();
        if (ratios.Length == 0)
        {
            return (double.NaN, double.NaN, double.NaN, double.NaN, 0);
        }

        return (Stats.Median(on), Stats.Median(off), ratios.Min(), ratios.Max(), (long)lines[0].Num("jobs"));
    }

    private static Fields ReadHold(string dir, string impl, long n)
    {
        string path = Path.Combine(dir, $"hold-{impl}-{n}.txt");
        string line = File.ReadLines(path).Single(l => l.StartsWith("hold ", StringComparison.Ordinal));
        return Fields.Parse(line);
    }

    /// <summary>Lines "TAG name k=v ...", keyed by name.</summary>
    private static Dictionary<string, Fields> ReadTagged(string path, string tag)
    {
        var result = new Dictionary<string, Fields>();
        if (!File.Exists(path))
        {
            return result;
        }

        foreach (string line in File.ReadLines(path))
        {
            string[] parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length > 2 && parts[0] == tag)
            {
                result[parts[1]] = Fields.Parse(line);
            }
        }

        return result;
    }

    private static Dictionary<(string, bool), BdnResult> ReadBdn(string dir)
    {
        var result = new Dictionary<(string, bool), BdnResult>();
        string? json = Directory.Exists(dir)
            ? Directory.EnumerateFiles(dir, "*ReferenceBenchmarks-report-full.json", SearchOption.AllDirectories).FirstOrDefault()
            : null;
        if (json is null)
        {
            return result;
        }

        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(json));
        foreach (JsonElement b in doc.RootElement.GetProperty("Benchmarks").EnumerateArray())
        {
            // Method is the C# name; the display name (the Description) is the workload name shared with C.
            string name = b.GetProperty("MethodTitle").GetString()!;
            bool isChecked = b.GetProperty("Parameters").GetString()!.Contains("Checked=True", StringComparison.Ordinal);
            JsonElement stats = b.GetProperty("Statistics");
            double allocated = b.TryGetProperty("Memory", out JsonElement mem) ? mem.GetProperty("BytesAllocatedPerOperation").GetDouble() : double.NaN;
            result[(name, isChecked)] = new BdnResult(stats.GetProperty("Median").GetDouble(), stats.GetProperty("Mean").GetDouble(), allocated);
        }

        return result;
    }

    private sealed record BdnResult(double MedianNs, double MeanNs, double Allocated);

    /// <summary>The k=v fields of one result line.</summary>
    private sealed class Fields(Dictionary<string, string> values)
    {
        internal static Fields Parse(string line) =>
            new(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)
                .Where(p => p.Contains('='))
                .Select(p => p.Split('=', 2))
                .ToDictionary(kv => kv[0], kv => kv[1]));

        internal double Num(string key) =>
            values.TryGetValue(key, out string? v) ? double.Parse(v, CultureInfo.InvariantCulture) : double.NaN;

        internal string? Text(string key) => values.GetValueOrDefault(key);
    }
}
