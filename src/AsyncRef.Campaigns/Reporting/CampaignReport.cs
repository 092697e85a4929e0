using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace AsyncRef.Campaigns.Reporting;

/// <summary>
/// The result of a campaign or of one shard of it, saved as <c>report.json</c> beside its divergences so that
/// <c>asyncref merge</c> can combine shards: counts, coverage hit counts, divergence classes, time.
/// </summary>
internal sealed class CampaignReport
{
    /// <summary><c>fuzz</c> or <c>enumerate</c>.</summary>
    public string Kind { get; set; } = "";

    /// <summary>What was run, e.g. <c>seed 7</c> or <c>depth 3, single-thread alphabet</c>.</summary>
    public string Parameters { get; set; } = "";

    /// <summary>The shards this report covers, e.g. <c>0/1</c>, <c>3/16</c>, or <c>16 of 16</c> after a merge.</summary>
    public string Shards { get; set; } = "";

    /// <summary>How scenarios reached the other implementation.</summary>
    public string Mode { get; set; } = "";

    /// <summary>Scenarios run.</summary>
    public long Scenarios { get; set; }

    /// <summary>Scenarios per outcome (agree, stopped at UB, both rejected, skipped, divergence).</summary>
    public Dictionary<string, long> Outcomes { get; set; } = [];

    /// <summary>Wall-clock seconds (for a merge: the longest shard, as shards run side by side).</summary>
    public double Seconds { get; set; }

    /// <summary>Seconds of <see cref="Seconds"/> spent shrinking divergences (not counted in the rate).</summary>
    public double ShrinkSeconds { get; set; }

    /// <summary>Hit counts per coverage feature.</summary>
    public Dictionary<string, long> Coverage { get; set; } = [];

    /// <summary>Divergence classes in order of discovery.</summary>
    public List<DivergenceClass> Divergences { get; set; } = [];

    /// <summary>For an enumeration: scenarios and distinct model states per depth.</summary>
    public List<DepthRow> Depths { get; set; } = [];

    /// <summary>Divergent scenarios (all classes).</summary>
    [JsonIgnore]
    public long DivergenceCount => Outcomes.GetValueOrDefault(OutcomeNames.Divergence);

    /// <summary>Scenarios compared per second (time spent shrinking excluded).</summary>
    [JsonIgnore]
    public double Rate => Seconds - ShrinkSeconds > 0 ? Scenarios / (Seconds - ShrinkSeconds) : 0;

    /// <summary>Saves the report as JSON.</summary>
    public void Save(string path) => File.WriteAllText(path, JsonSerializer.Serialize(this, ReportJson.Default.CampaignReport));

    /// <summary>Loads a saved report.</summary>
    /// <exception cref="JsonException">The file is not a report; the message starts with <c>FILE:LINE:</c>.</exception>
    public static CampaignReport Load(string path)
    {
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllText(path), ReportJson.Default.CampaignReport)
                ?? throw new JsonException($"{path}:1: not a campaign report (the file holds no report)");
        }
        catch (JsonException e) when (e.LineNumber is { } line)
        {
            // System.Text.Json counts lines from 0; users read them from 1.
            throw new JsonException($"{path}:{line + 1}: not a campaign report ({e.Message})", e);
        }
    }

    /// <summary>
    /// The report as text: outcomes, divergence classes, the coverage table (every item of each section with its hit
    /// count, and which were never reached), depth rows, and the last line <c>N scenarios, D divergences, R scenarios/s</c> (R: the rate of
    /// comparing, time spent shrinking excluded).
    /// </summary>
    public string ToText()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{Kind} {Parameters}, shards {Shards}, implementation: {Mode}\n");
        text.Append("outcomes: ").AppendJoin(", ", Outcomes.OrderBy(o => o.Key, StringComparer.Ordinal).Select(o => $"{o.Key} {o.Value}")).Append('\n');
        foreach (DivergenceClass d in Divergences)
        {
            text.Append(CultureInfo.InvariantCulture, $"divergence {d.Signature} x{d.Count}: {d.Message}\n    minimal scenario: {d.File}\n");
        }

        foreach (DepthRow row in Depths)
        {
            text.Append(CultureInfo.InvariantCulture, $"depth {row.Depth}: {row.Scenarios} scenarios, {row.DistinctStates} distinct model states, {row.Seconds:F1} s\n");
        }

        text.Append(CultureInfo.InvariantCulture, $"time: {Seconds:F1} s, of which shrinking {ShrinkSeconds:F1} s\n");
        AppendCoverage(text);
        text.Append(CultureInfo.InvariantCulture, $"{Scenarios} scenarios, {DivergenceCount} divergences, {Rate:F0} scenarios/s\n");
        return text.ToString();
    }

    private void AppendCoverage(StringBuilder text)
    {
        IReadOnlyDictionary<string, IReadOnlyList<string>> universe = Reporting.Coverage.Universe();
        foreach (string section in Reporting.Coverage.ShownSections)
        {
            IReadOnlyList<string> known = universe[section];
            string prefix = section + "|";
            var reached = Coverage.Where(c => c.Key.StartsWith(prefix, StringComparison.Ordinal))
                .ToDictionary(c => c.Key[prefix.Length..], c => c.Value, StringComparer.Ordinal);
            string[] items = [.. known, .. reached.Keys.Except(known).Order(StringComparer.Ordinal)];
            if (items.Length == 0)
            {
                text.Append(CultureInfo.InvariantCulture, $"coverage {section}: not measured in this build\n");
                continue;
            }

            int hit = items.Count(reached.ContainsKey);
            text.Append(CultureInfo.InvariantCulture, $"coverage {section}: {hit} of {items.Length} reached\n");
            foreach (string item in items)
            {
                long count = reached.GetValueOrDefault(item);
                string note = count > 0 ? "" : Reporting.Coverage.ApiOnly.Contains(item) ? "   (never reached: API only, no scenario can express it)" : "   (never reached)";
                text.Append(CultureInfo.InvariantCulture, $"  {count,10}  {item}{note}\n");
            }
        }
    }
}

/// <summary>One class of divergence: its signature, how many scenarios showed it, and its shrunk scenario.</summary>
internal sealed class DivergenceClass
{
    /// <summary>The verdict and statement, e.g. <c>divergence:errors</c>.</summary>
    public string Signature { get; set; } = "";

    /// <summary>Scenarios with this signature.</summary>
    public long Count { get; set; }

    /// <summary>What the first one showed, after shrinking.</summary>
    public string Message { get; set; } = "";

    /// <summary>The minimal <c>.scn</c> saved for it (its logs beside it).</summary>
    public string File { get; set; } = "";
}

/// <summary>One depth of an enumeration.</summary>
internal sealed class DepthRow
{
    /// <summary>Statements per scenario.</summary>
    public int Depth { get; set; }

    /// <summary>Scenarios of exactly this depth that were run.</summary>
    public long Scenarios { get; set; }

    /// <summary>Distinct model states reached after scenarios of this depth.</summary>
    public long DistinctStates { get; set; }

    /// <summary>
    /// The 64-bit digests of those states, in ascending order, so that a merge counts the states shards share once;
    /// null in reports written before they were kept (a merge then sums, an upper bound).
    /// </summary>
    public List<ulong>? StateDigests { get; set; }

    /// <summary>Seconds spent on this depth.</summary>
    public double Seconds { get; set; }
}

/// <summary>The outcome names used in reports.</summary>
internal static class OutcomeNames
{
    public const string Divergence = "divergence";
}

/// <summary>Source-generated JSON for reports (no reflection).</summary>
[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(CampaignReport))]
internal sealed partial class ReportJson : JsonSerializerContext;
