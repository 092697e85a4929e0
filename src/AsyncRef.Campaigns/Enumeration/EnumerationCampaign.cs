using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using AsyncRef.Campaigns.Execution;
using AsyncRef.Campaigns.Generation;
using AsyncRef.Campaigns.Reporting;
using AsyncRef.Campaigns.Shrinking;

namespace AsyncRef.Campaigns.Enumeration;

/// <summary>
/// Exhaustive small-scope checking: every sequence of up to <c>D</c> letters of the <see cref="Alphabet"/>, each
/// followed by the observation block, run on the reference and the implementation and compared. Reductions, each
/// sound for the comparison: interchangeable names are used in canonical order (<c>C2</c> only after <c>C1</c>,
/// <c>J2</c> after <c>J1</c>, fd 4 after fd 3); a context is used only after a <c>ctx_new</c> of it; and a sequence
/// whose reference run stops at undefined behaviour (or is rejected) is not extended, as nothing after that point
/// is defined.
/// </summary>
internal sealed class EnumerationCampaign(EnumerateOptions options, TextWriter progress)
{
    /// <summary>
    /// Runs the enumeration with <see cref="EnumerateOptions.Workers"/> workers side by side, each a finer shard of
    /// the requested one, and combines them (distinct states by their digests, as a merge of shards does).
    /// </summary>
    public static CampaignReport RunParallel(EnumerateOptions options, TextWriter progress)
    {
        int workers = Math.Max(1, options.Workers);
        if (workers == 1)
        {
            return new EnumerationCampaign(options, progress).Run();
        }

        var campaigns = Enumerable.Range(0, workers)
            .Select(w => new EnumerationCampaign(
                options with
                {
                    Shard = new Shard(options.Shard.Index + (options.Shard.Count * w), options.Shard.Count * workers),
                    OutputDirectory = Path.Combine(options.OutputDirectory, string.Create(CultureInfo.InvariantCulture, $"worker-{w}")),
                },
                TextWriter.Synchronized(progress)))
            .ToArray();
        CampaignReport[] reports = new CampaignReport[workers];
        Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, w => reports[w] = campaigns[w].Run());
        CampaignReport merged = ReportMerger.Merge(reports);
        merged.Shards = options.Shard.ToString();
        merged.Mode = reports[0].Mode + string.Create(CultureInfo.InvariantCulture, $", {workers} workers");
        Directory.CreateDirectory(options.OutputDirectory);
        merged.Save(Path.Combine(options.OutputDirectory, "report.json"));
        return merged;
    }

    /// <summary>Sequences are dealt to shards by their first two letters, so that each shard prunes its own subtrees.</summary>
    private const int ShardPrefix = 2;

    private readonly Alphabet _alphabet = Alphabet.Create(options.TwoThreads);
    private readonly IReadOnlyList<IReadOnlyList<string>> _bodies = Alphabet.Functions.Select(f => (IReadOnlyList<string>)f.Body).ToArray();
    private readonly Coverage _coverage = new();
    private readonly Dictionary<string, long> _outcomes = new(StringComparer.Ordinal);
    private readonly List<DepthRow> _depths = [];
    private readonly List<HashSet<ulong>> _states = [];
    private readonly List<Stopwatch> _clocks = [];
    private Differential _differential = null!;
    private DivergenceArchive _archive = null!;
    private readonly Stopwatch _shrinking = new();
    private long _prefixOrdinal;
    private long _run;

    /// <summary>Runs the enumeration (this shard of it) and returns its report, also saved as <c>report.json</c>.</summary>
    public CampaignReport Run()
    {
        var report = new CampaignReport
        {
            Kind = "enumerate",
            Parameters = string.Create(CultureInfo.InvariantCulture, $"depth {options.Depth}, {(options.TwoThreads ? "two-thread" : "single-thread")} alphabet of {_alphabet.Letters.Count} letters"),
            Shards = options.Shard.ToString(),
        };
        for (int depth = 0; depth <= options.Depth; depth++)
        {
            _depths.Add(new DepthRow { Depth = depth });
            _states.Add([]);
            _clocks.Add(new Stopwatch());
        }

        _archive = new DivergenceArchive(Path.Combine(options.OutputDirectory, "divergences"), report);
        using (_differential = Differential.Open(options.Implementation, options.Timeout))
        {
            report.Mode = _differential.Mode;
            var clock = Stopwatch.StartNew();
            Explore([], owned: options.Shard.Index == 0);
            report.Seconds = clock.Elapsed.TotalSeconds;
            report.ShrinkSeconds = _shrinking.Elapsed.TotalSeconds;
        }

        for (int depth = 0; depth <= options.Depth; depth++)
        {
            _depths[depth].DistinctStates = _states[depth].Count;
            _depths[depth].StateDigests = [.. _states[depth].Order()];
            _depths[depth].Seconds = _clocks[depth].Elapsed.TotalSeconds;
        }

        report.Scenarios = _run;
        report.Outcomes = _outcomes;
        report.Depths = _depths;
        report.Coverage = new Dictionary<string, long>(_coverage.Hits.Where(h => !h.Key.StartsWith("guide|", StringComparison.Ordinal)), StringComparer.Ordinal);
        Directory.CreateDirectory(options.OutputDirectory);
        report.Save(Path.Combine(options.OutputDirectory, "report.json"));
        return report;
    }

    /// <summary>Runs <paramref name="sequence"/> (compared if this shard owns it) and, unless it is pruned, its extensions.</summary>
    private void Explore(List<Letter> sequence, bool owned)
    {
        int depth = sequence.Count;
        bool extend = Check(sequence, owned, depth);
        if (!extend || depth == options.Depth)
        {
            return;
        }

        foreach (Letter letter in _alphabet.Letters)
        {
            if (!Allowed(sequence, letter))
            {
                continue;
            }

            sequence.Add(letter);
            bool childOwned = sequence.Count < ShardPrefix ? options.Shard.Index == 0
                : sequence.Count == ShardPrefix ? options.Shard.Owns(_prefixOrdinal++)
                : owned;
            if (childOwned || sequence.Count < ShardPrefix)
            {
                Explore(sequence, childOwned);
            }

            sequence.RemoveAt(sequence.Count - 1);
        }
    }

    /// <summary>Runs one scenario; returns whether its extensions are worth running (no UB, no rejection before the observation).</summary>
    private bool Check(List<Letter> sequence, bool owned, int depth)
    {
        (GeneratedScenario scenario, int observations) = Build(sequence);
        string text = scenario.ToText(string.Create(CultureInfo.InvariantCulture, $"asyncref enumerate: depth {depth}"));
        if (!owned)
        {
            // Another shard compares it; this one only needs to know whether to descend.
            return Extendable(ReferenceRun.Of(text, "enumerated.scn"), observations);
        }

        _clocks[depth].Start();
        Outcome outcome = _differential.Run(text, "enumerated.scn", explain: true);
        _clocks[depth].Stop();
        _run++;
        _depths[depth].Scenarios++;
        string kind = FuzzCampaign.Name(outcome.Kind);
        _outcomes[kind] = _outcomes.GetValueOrDefault(kind) + 1;
        _coverage.Add(Coverage.Of(outcome.Reference.Scenario, outcome.Reference.Log));
        if (outcome.Reference.FinalState is { } state)
        {
            _states[depth].Add(Digest(state));
        }

        if (outcome.IsDivergence)
        {
            _archive.Add(outcome, $"depth {depth}", text, () => FuzzCampaign.Timed(_shrinking, () => Shrink(scenario, outcome)));
        }

        if (_run % 10_000 == 0)
        {
            progress.WriteLine(string.Create(CultureInfo.InvariantCulture, $"... {_run} scenarios, depth {depth}"));
        }

        return Extendable(outcome.Reference, observations);
    }

    /// <summary>
    /// A state's digest: the first 8 bytes of its SHA-256. Two of the few thousand states of a depth share one with a
    /// probability below 10^-11, so counting digests counts states; digests keep reports small and mergeable.
    /// </summary>
    private static ulong Digest(string state) =>
        BinaryPrimitives.ReadUInt64LittleEndian(SHA256.HashData(Encoding.UTF8.GetBytes(state)));

    /// <summary>Whether the run got through the enumerated statements: no parse error, no UB before the observation block.</summary>
    private static bool Extendable(ReferenceRun run, int observations)
    {
        if (run.Scenario is null || run.Log is null)
        {
            return false;
        }

        if (run.Log.UbLineIndex is not int ub)
        {
            return true;
        }

        int observationLine = run.Scenario.Statements[^observations].Line;
        string ubLine = run.Log.Lines[ub];
        int line = int.Parse(ubLine.AsSpan(0, ubLine.IndexOf(' ')), CultureInfo.InvariantCulture);
        return line >= observationLine;
    }

    /// <summary>Canonical order of interchangeable names, and contexts only after their creation.</summary>
    private static bool Allowed(List<Letter> sequence, Letter letter)
    {
        foreach (string name in letter.Names)
        {
            foreach ((string first, string second) in Letter.Symmetric)
            {
                if (name == second && !sequence.Any(l => l.Names.Contains(first)) && !letter.Names.Contains(first))
                {
                    return false;
                }
            }

            if (name is "C1" or "C2" && letter.Creates != name && !sequence.Any(l => l.Creates == name))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The scenario: the fixed functions, the letters, then the observation block over the contexts not freed at top level.</summary>
    private (GeneratedScenario Scenario, int Observations) Build(List<Letter> sequence)
    {
        var main = sequence.Select(l => l.Text).ToList();
        var observe = new List<string>();
        foreach (string ctx in new[] { "C1", "C2" })
        {
            int created = sequence.FindLastIndex(l => l.Creates == ctx);
            int freed = sequence.FindLastIndex(l => l.Frees == ctx);
            if (created >= 0 && freed < created)
            {
                observe.AddRange([$"get_all_fds {ctx}", $"get_changed_fds {ctx}", $"get_fd {ctx} K1", $"get_fd {ctx} K2", $"get_callback {ctx}", $"call_callback {ctx}", $"get_status {ctx}"]);
            }
        }

        observe.AddRange(["current_job", "is_capable", "errors"]);
        if (sequence.Any(l => l.Names.Contains("T2")))
        {
            observe.Add("@T2 errors");
        }

        main.AddRange(observe);
        return (new GeneratedScenario(null, _bodies, main), observe.Count);
    }

    private (string Text, Outcome Outcome) Shrink(GeneratedScenario scenario, Outcome outcome)
    {
        (GeneratedScenario minimal, _) = Shrinker.Shrink(scenario, candidate =>
        {
            Outcome tried = _differential.Run(candidate.ToText("shrinking"), "shrink.scn");
            return tried.IsDivergence && tried.Signature == outcome.Signature;
        });
        string text = minimal.ToText($"divergence {outcome.Signature}, found by asyncref enumerate, shrunk");
        return (text, _differential.Run(text, "minimal.scn"));
    }
}
