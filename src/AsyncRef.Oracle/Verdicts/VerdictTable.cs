using System.Collections.Frozen;
using AsyncRef.Scenarios;

namespace AsyncRef.Oracle.Verdicts;

/// <summary>How a verdict is shown: its one-word label in text, its name in JSON, and its line in the summary.</summary>
/// <param name="Verdict">The verdict.</param>
/// <param name="Label">The label printed before the case in text output (upper case for a failure).</param>
/// <param name="JsonName">The verdict's name in JSON, JSON lines and JUnit.</param>
/// <param name="SummaryKey">The key of its count in the JSON summary.</param>
/// <param name="SummaryLabel">Its line in the text summary.</param>
/// <param name="IsSuccess">Whether the case counts as passed.</param>
/// <param name="AlwaysSummarised">Whether the text summary shows it even when no case has it.</param>
public sealed record VerdictInfo(Verdict Verdict, string Label, string JsonName, string SummaryKey, string SummaryLabel, bool IsSuccess, bool AlwaysSummarised);

/// <summary>The one table of verdicts: every text, JSON, JUnit and report output takes its names from here.</summary>
public static class VerdictTable
{
    /// <summary>Every verdict, in summary order.</summary>
    public static readonly IReadOnlyList<VerdictInfo> All =
    [
        new(Verdict.Match, "match", "match", "matched", "matched", true, true),
        new(Verdict.StoppedAtUb, "stopped-ub", "stopped-at-ub", "stoppedAtUb", "stopped at UB", true, true),
        new(Verdict.Divergence, "DIVERGENCE", "divergence", "divergent", "divergent", false, true),
        new(Verdict.Crashed, "CRASH", "other-crashed", "crashed", "crashed", false, false),
        new(Verdict.Timeout, "TIMEOUT", "timeout", "timeout", "timeout", false, false),
        new(Verdict.OutputTooLarge, "TOO-MUCH", "output-too-large", "outputTooLarge", "too much output", false, false),
        new(Verdict.LeftRunning, "LEFT-RUNNING", "left-running", "leftRunning", "left running", false, false),
        new(Verdict.SkippedProfile, "skipped", "skipped-profile", "skippedProfile", "skipped (profile)", true, false),
        new(Verdict.RejectedByImplementation, "IMPL-REJECTED", "other-parse-error", "otherParseError", "rejected by impl", false, false),
        new(Verdict.Rejected, "REJECTED", "rejected", "rejected", "rejected (input)", false, false),
        new(Verdict.MissingGolden, "MISSING", "missing-out", "missing", "without .out", false, false),
    ];

    private static readonly FrozenDictionary<Verdict, VerdictInfo> s_byVerdict = All.ToFrozenDictionary(v => v.Verdict);
    private static readonly FrozenDictionary<string, VerdictInfo> s_byJsonName = All.ToFrozenDictionary(v => v.JsonName, StringComparer.Ordinal);

    /// <summary>The names of a verdict.</summary>
    /// <param name="verdict">The verdict.</param>
    /// <returns>Its row of the table.</returns>
    public static VerdictInfo Of(Verdict verdict) => s_byVerdict[verdict];

    /// <summary>The verdict with a JSON name.</summary>
    /// <param name="jsonName">The name, as <see cref="VerdictInfo.JsonName"/>.</param>
    /// <param name="verdict">The verdict, if the name is one.</param>
    /// <returns>Whether the name is a verdict's.</returns>
    public static bool TryParse(string jsonName, out Verdict verdict)
    {
        bool found = s_byJsonName.TryGetValue(jsonName, out VerdictInfo? info);
        verdict = found ? info!.Verdict : default;
        return found;
    }

    /// <summary>The case verdict of a log comparison.</summary>
    /// <param name="verdict">The comparer's verdict.</param>
    /// <returns>The case verdict.</returns>
    public static Verdict From(ComparisonVerdict verdict) => verdict switch
    {
        ComparisonVerdict.Match => Verdict.Match,
        ComparisonVerdict.StoppedAtUb => Verdict.StoppedAtUb,
        ComparisonVerdict.Divergence => Verdict.Divergence,
        ComparisonVerdict.OtherCrashed => Verdict.Crashed,
        ComparisonVerdict.Timeout => Verdict.Timeout,
        ComparisonVerdict.SkippedProfile => Verdict.SkippedProfile,
        ComparisonVerdict.OutputTooLarge => Verdict.OutputTooLarge,
        ComparisonVerdict.LeftRunning => Verdict.LeftRunning,
        ComparisonVerdict.OtherParseError => Verdict.RejectedByImplementation,
        _ => throw new ArgumentOutOfRangeException(nameof(verdict), verdict, "not a comparison verdict"),
    };
}
