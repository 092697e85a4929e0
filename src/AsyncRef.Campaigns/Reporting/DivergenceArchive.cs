using System.Globalization;
using System.Text;
using AsyncRef.Campaigns.Execution;
using AsyncRef.Scenarios;

namespace AsyncRef.Campaigns.Reporting;

/// <summary>Keeps a campaign's divergences: one class per signature, its first scenario shrunk and saved with both logs.</summary>
internal sealed class DivergenceArchive(string directory, CampaignReport report)
{
    private readonly Dictionary<string, DivergenceClass> _classes = new(StringComparer.Ordinal);

    /// <summary>Counts a divergence; the first of its class is shrunk by <paramref name="shrink"/> and saved.</summary>
    /// <param name="outcome">The divergence.</param>
    /// <param name="origin">Where it came from (seed and index), for the saved file's header.</param>
    /// <param name="original">The divergent scenario's text.</param>
    /// <param name="shrink">Shrinks it: the minimal text and its outcome.</param>
    public void Add(Outcome outcome, string origin, string original, Func<(string Text, Outcome Outcome)> shrink)
    {
        if (_classes.TryGetValue(outcome.Signature, out DivergenceClass? known))
        {
            known.Count++;
            return;
        }

        (string text, Outcome minimal) = shrink();
        Directory.CreateDirectory(directory);
        string stem = Path.Combine(directory, string.Create(CultureInfo.InvariantCulture, $"{_classes.Count + 1:D3}-{Safe(outcome.Signature)}"));
        File.WriteAllText(stem + ".scn", text);
        File.WriteAllText(stem + ".original.scn", original);
        File.WriteAllText(stem + ".reference.log", minimal.Reference.Text);
        File.WriteAllText(stem + ".impl.log", Describe(minimal.Other));
        var added = new DivergenceClass { Signature = outcome.Signature, Count = 1, Message = $"{minimal.Message} ({origin})", File = stem + ".scn" };
        _classes.Add(outcome.Signature, added);
        report.Divergences.Add(added);
    }

    private static string Describe(ImplementationRun? run)
    {
        if (run is null)
        {
            return "(no implementation ran)\n";
        }

        var text = new StringBuilder(run.Stdout);
        text.Append(CultureInfo.InvariantCulture, $"# exit status {(run.TimedOut ? "timeout" : run.ExitCode.ToString(CultureInfo.InvariantCulture))}\n");
        foreach (string line in run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            text.Append("# stderr: ").Append(line).Append('\n');
        }

        return text.ToString();
    }

    private static string Safe(string signature) =>
        new(signature.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '-').ToArray());
}
