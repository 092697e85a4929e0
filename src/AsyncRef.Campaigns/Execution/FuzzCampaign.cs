using System.Diagnostics;
using System.Globalization;
using AsyncRef.Campaigns.Generation;
using AsyncRef.Campaigns.Reporting;
using AsyncRef.Campaigns.Shrinking;

namespace AsyncRef.Campaigns.Execution;

/// <summary>
/// A coverage-guided differential campaign: fresh scenarios, and mutants of kept scenarios that reached something
/// new (a UB rule, a result class, a pair of results in a row, a state, transition or guard of the model). Every
/// divergence is counted;
/// the first of each class is shrunk and saved with both logs.
/// </summary>
internal sealed class FuzzCampaign(FuzzOptions options, TextWriter progress, ModelProbe model)
{
    /// <summary>Kept scenarios are capped, so a long campaign's memory stays bounded.</summary>
    private const int CorpusLimit = 20_000;

    /// <summary>Scenarios per worker in one round (the corpus is updated between rounds).</summary>
    private const int RoundSize = 32;

    /// <summary>Runs the campaign (this shard of it) and returns its report, also saved as <c>report.json</c>.</summary>
    public CampaignReport Run()
    {
        var report = new CampaignReport
        {
            Kind = "fuzz",
            Parameters = string.Create(CultureInfo.InvariantCulture, $"seed {options.Seed}, {options.Count} scenarios{(options.Guided ? ", coverage-guided" : "")}{(options.Profile is { } p ? ", profile " + p : "")}"),
            Shards = options.Shard.ToString(),
        };
        var coverage = new Coverage();
        var archive = new DivergenceArchive(Path.Combine(options.OutputDirectory, "divergences"), report);
        var outcomes = new Dictionary<string, long>(StringComparer.Ordinal);
        var corpus = new List<Kept>();
        var modelSeen = new HashSet<string>(StringComparer.Ordinal);
        var steering = new Random(ScenarioGenerator.Mix(options.Seed, -1 - options.Shard.Index));
        var mutator = new ScenarioMutator(steering);
        int workers = Math.Max(1, options.Workers);
        Differential[] differentials = new Differential[workers];
        try
        {
            for (int w = 0; w < workers; w++)
            {
                differentials[w] = Differential.Open(options.Implementation, options.Timeout);
            }

            report.Mode = differentials[0].Mode + (workers > 1 ? string.Create(CultureInfo.InvariantCulture, $", {workers} workers") : "");
            var clock = Stopwatch.StartNew();
            var shrinking = new Stopwatch();
            long run = 0;
            var round = new List<Item>(RoundSize * workers);
            for (long index = options.Shard.Index; index < options.Count; index += options.Shard.Count)
            {
                // A round is built from the corpus as it stood when the round began, so its scenarios can run side by
                // side and the campaign stays deterministic; results are folded in index order.
                bool mutate = options.Guided && corpus.Count > 0 && steering.Next(2) == 0;
                GeneratedScenario scenario = mutate
                    ? ScenarioGenerator.InProfile(mutator.Mutate(Parent(corpus, steering), Parent(corpus, steering)), options.Profile)
                    : ScenarioGenerator.Generate(options.Seed, index, options.Profile);
                string origin = string.Create(CultureInfo.InvariantCulture, $"seed {options.Seed}, scenario {index}{(mutate ? ", a mutant" : "")}");
                round.Add(new Item(scenario, origin, string.Create(CultureInfo.InvariantCulture, $"fuzz-{index}.scn")));
                if (round.Count < RoundSize * workers && index + options.Shard.Count < options.Count)
                {
                    continue;
                }

                Result[] results = RunRound(differentials, round);
                for (int k = 0; k < round.Count; k++)
                {
                    Item item = round[k];
                    (string text, Outcome outcome, HashSet<string> features) = results[k];
                    string kind = Name(outcome.Kind);
                    outcomes[kind] = outcomes.GetValueOrDefault(kind) + 1;
                    if (coverage.Add(features) && corpus.Count < CorpusLimit)
                    {
                        corpus.Add(new Kept(item.Scenario, outcome.Kind == OutcomeKind.StoppedAtUb));
                    }

                    if (outcome.IsDivergence)
                    {
                        archive.Add(outcome, item.Origin, text, () => Timed(shrinking, () => Shrink(differentials[0], item.Scenario, outcome, item.Origin)));
                    }

                    if (++run % 10_000 == 0)
                    {
                        progress.WriteLine(string.Create(CultureInfo.InvariantCulture, $"... {run} scenarios, {outcomes.GetValueOrDefault(OutcomeNames.Divergence)} divergences, {run / clock.Elapsed.TotalSeconds:F0} scenarios/s"));
                    }
                }

                if (options.Guided && model.ReachedSomethingNew())
                {
                    KeepModelFirsts(round, results, corpus, modelSeen, model);
                }

                round.Clear();
            }

            report.Seconds = clock.Elapsed.TotalSeconds;
            report.ShrinkSeconds = shrinking.Elapsed.TotalSeconds;
            report.Scenarios = run;
        }
        finally
        {
            foreach (Differential? differential in differentials)
            {
                differential?.Dispose();
            }
        }

        report.Outcomes = outcomes;
        report.Coverage = new Dictionary<string, long>(coverage.Hits.Where(h => !h.Key.StartsWith("guide|", StringComparison.Ordinal)), StringComparer.Ordinal);
        Directory.CreateDirectory(options.OutputDirectory);
        report.Save(Path.Combine(options.OutputDirectory, "report.json"));
        return report;
    }

    /// <summary>
    /// Runs a round, worker <c>w</c> taking items <c>w</c>, <c>w + workers</c>, … each on its own thread. All the
    /// per-scenario work that depends on nothing else (writing the text, running, reading the coverage features from
    /// the log) happens in the worker, so that only the steering stays serial.
    /// </summary>
    private static Result[] RunRound(Differential[] differentials, List<Item> round)
    {
        var results = new Result[round.Count];
        if (differentials.Length == 1)
        {
            for (int k = 0; k < round.Count; k++)
            {
                results[k] = RunOne(differentials[0], round[k]);
            }

            return results;
        }

        Parallel.For(0, differentials.Length, new ParallelOptions { MaxDegreeOfParallelism = differentials.Length }, w =>
        {
            for (int k = w; k < round.Count; k += differentials.Length)
            {
                results[k] = RunOne(differentials[w], round[k]);
            }
        });
        return results;
    }

    private static Result RunOne(Differential differential, Item item)
    {
        string text = item.Scenario.ToText("asyncref fuzz: " + item.Origin);
        Outcome outcome = differential.Run(text, item.FileName);
        return new Result(text, outcome, Coverage.Of(outcome.Reference.Scenario, outcome.Reference.Log));
    }

    /// <summary>Runs <paramref name="work"/> with <paramref name="clock"/> running.</summary>
    internal static T Timed<T>(Stopwatch clock, Func<T> work)
    {
        clock.Start();
        try
        {
            return work();
        }
        finally
        {
            clock.Stop();
        }
    }

    /// <summary>
    /// The model reached something new during the round (recording is process-wide, so it does not say which
    /// scenario did): each of the round's scenarios is run again alone on the reference with its own recorder, and
    /// those that reached model items not seen before are kept. This happens only in rounds that reach something
    /// new, so the cost fades as the model saturates.
    /// </summary>
    private static void KeepModelFirsts(List<Item> round, Result[] results, List<Kept> corpus, HashSet<string> modelSeen, ModelProbe model)
    {
        for (int k = 0; k < round.Count; k++)
        {
            (Item item, string text) = (round[k], results[k].Text);
            bool stoppedAtUb = false;
            HashSet<string> reached = model.Of(() => stoppedAtUb = ReferenceRun.Of(text, item.FileName).Log?.StoppedAtUb == true);
            reached.ExceptWith(modelSeen);
            if (reached.Count > 0 && corpus.Count < CorpusLimit)
            {
                modelSeen.UnionWith(reached);
                corpus.Add(new Kept(item.Scenario, stoppedAtUb));
            }
        }
    }

    /// <summary>
    /// A parent for a mutant: two times in three one that ran to its end, since everything after a UB point is
    /// left uncompared and a mutant of it mostly stops there too.
    /// </summary>
    private static GeneratedScenario Parent(List<Kept> corpus, Random steering)
    {
        Kept pick = corpus[steering.Next(corpus.Count)];
        for (int retry = 0; retry < 3 && pick.StoppedAtUb && steering.Next(3) > 0; retry++)
        {
            pick = corpus[steering.Next(corpus.Count)];
        }

        return pick.Scenario;
    }

    /// <summary>A kept scenario and whether its run stopped at undefined behaviour.</summary>
    private sealed record Kept(GeneratedScenario Scenario, bool StoppedAtUb);

    /// <summary>A scenario of a round: what it is, where it came from, and its file name.</summary>
    private sealed record Item(GeneratedScenario Scenario, string Origin, string FileName);

    /// <summary>What a worker made of an item: its text, the comparison, and the coverage features of the reference's run.</summary>
    private sealed record Result(string Text, Outcome Outcome, HashSet<string> Features);

    /// <summary>The outcome's name in reports.</summary>
    internal static string Name(OutcomeKind kind) => kind switch
    {
        OutcomeKind.Agree => "agree",
        OutcomeKind.StoppedAtUb => "stopped-at-ub",
        OutcomeKind.BothRejected => "both-rejected",
        OutcomeKind.Skipped => "skipped-profile",
        _ => OutcomeNames.Divergence,
    };

    private static (string Text, Outcome Outcome) Shrink(Differential differential, GeneratedScenario scenario, Outcome outcome, string origin)
    {
        (GeneratedScenario minimal, int attempts) = Shrinker.Shrink(scenario, candidate =>
        {
            Outcome tried = differential.Run(candidate.ToText("shrinking"), "shrink.scn");
            return tried.IsDivergence && tried.Signature == outcome.Signature;
        });
        string header = string.Create(CultureInfo.InvariantCulture, $"divergence {outcome.Signature}, shrunk from {origin} ({scenario.Size} to {minimal.Size} statements, {attempts} attempts)");
        string text = minimal.ToText(header);
        return (text, differential.Run(text, "minimal.scn"));
    }
}
