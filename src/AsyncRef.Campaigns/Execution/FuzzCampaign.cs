using System.Diagnostics;
using System.Globalization;
using AsyncRef.Campaigns.Generation;
using AsyncRef.Campaigns.Reporting;
using AsyncRef.Campaigns.Shrinking;

namespace AsyncRef.Campaigns.Execution;

/// <summary>
/// A coverage-guided differential campaign: fresh scenarios, and mutants of kept scenarios that reached something
/// new (a UB rule, a result class, a pair of results in a row, a model transition). Every divergence is counted;
/// the first of each class is shrunk and saved with both logs.
/// </summary>
internal sealed class FuzzCampaign(FuzzOptions options, TextWriter progress)
{
    /// <summary>Kept scenarios are capped, so a long campaign's memory stays bounded.</summary>
    private const int CorpusLimit = 20_000;

    /// <summary>Runs the campaign (this shard of it) and returns its report, also saved as <c>report.json</c>.</summary>
    public CampaignReport Run()
    {
        var report = new CampaignReport
        {
            Kind = "fuzz",
            Parameters = string.Create(CultureInfo.InvariantCulture, $"seed {options.Seed}, {options.Count} scenarios{(options.Guided ? ", coverage-guided" : "")}"),
            Shards = options.Shard.ToString(),
        };
        var coverage = new Coverage();
        var archive = new DivergenceArchive(Path.Combine(options.OutputDirectory, "divergences"), report);
        var outcomes = new Dictionary<string, long>(StringComparer.Ordinal);
        var corpus = new List<GeneratedScenario>();
        var steering = new Random(ScenarioGenerator.Mix(options.Seed, -1 - options.Shard.Index));
        var mutator = new ScenarioMutator(steering);
        using Differential differential = Differential.Open(options.Implementation, options.Timeout);
        report.Mode = differential.Mode;
        var clock = Stopwatch.StartNew();
        long run = 0;
        for (long index = options.Shard.Index; index < options.Count; index += options.Shard.Count)
        {
            bool mutate = options.Guided && corpus.Count > 0 && steering.Next(2) == 0;
            GeneratedScenario scenario = mutate
                ? mutator.Mutate(corpus[steering.Next(corpus.Count)], corpus[steering.Next(corpus.Count)])
                : ScenarioGenerator.Generate(options.Seed, index);
            string origin = string.Create(CultureInfo.InvariantCulture, $"seed {options.Seed}, scenario {index}{(mutate ? ", a mutant" : "")}");
            string text = scenario.ToText("asyncref fuzz: " + origin);
            string fileName = string.Create(CultureInfo.InvariantCulture, $"fuzz-{index}.scn");
            Outcome outcome = differential.Run(text, fileName);
            string kind = Name(outcome.Kind);
            outcomes[kind] = outcomes.GetValueOrDefault(kind) + 1;
            if (coverage.Add(Coverage.Of(outcome.Reference.Scenario, outcome.Reference.Log)) && corpus.Count < CorpusLimit)
            {
                corpus.Add(scenario);
            }

            if (outcome.IsDivergence)
            {
                archive.Add(outcome, origin, text, () => Shrink(differential, scenario, outcome, origin));
            }

            if (++run % 10_000 == 0)
            {
                progress.WriteLine(string.Create(CultureInfo.InvariantCulture, $"... {run} scenarios, {outcomes.GetValueOrDefault(OutcomeNames.Divergence)} divergences, {run / clock.Elapsed.TotalSeconds:F0} scenarios/s"));
            }
        }

        report.Seconds = clock.Elapsed.TotalSeconds;
        report.Scenarios = run;
        report.Outcomes = outcomes;
        report.Coverage = new Dictionary<string, long>(coverage.Hits.Where(h => !h.Key.StartsWith("guide|", StringComparison.Ordinal)), StringComparer.Ordinal);
        Directory.CreateDirectory(options.OutputDirectory);
        report.Save(Path.Combine(options.OutputDirectory, "report.json"));
        return report;
    }

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
