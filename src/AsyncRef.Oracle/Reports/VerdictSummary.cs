using AsyncRef.Oracle.Checking;
using AsyncRef.Oracle.Verdicts;

namespace AsyncRef.Oracle.Reports;

/// <summary>How many cases had each verdict.</summary>
public static class VerdictSummary
{
    /// <summary>The summary key of the number of cases.</summary>
    public const string CasesKey = "cases";

    /// <summary>Each verdict of the table (in its order) with its count.</summary>
    /// <param name="results">The results.</param>
    /// <returns>The counts.</returns>
    public static IReadOnlyList<(VerdictInfo Info, int Count)> Count(IReadOnlyList<CaseResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        return VerdictTable.All.Select(v => (v, results.Count(r => r.Verdict == v.Verdict))).ToList();
    }

    /// <summary>The JSON summary: <c>cases</c>, then a count per verdict, keyed by <see cref="VerdictInfo.SummaryKey"/>.</summary>
    /// <param name="results">The results.</param>
    /// <param name="verdicts">The verdicts the command can give (others are left out).</param>
    /// <returns>The summary.</returns>
    public static IReadOnlyDictionary<string, int> ToJson(IReadOnlyList<CaseResult> results, IReadOnlySet<Verdict> verdicts)
    {
        ArgumentNullException.ThrowIfNull(verdicts);
        var summary = new Dictionary<string, int>(StringComparer.Ordinal) { [CasesKey] = results.Count };
        foreach ((VerdictInfo info, int count) in Count(results))
        {
            if (verdicts.Contains(info.Verdict))
            {
                summary[info.SummaryKey] = count;
            }
        }

        return summary;
    }

    /// <summary>The verdicts <c>check</c> gives.</summary>
    public static readonly IReadOnlySet<Verdict> CheckVerdicts = VerdictTable.All.Select(v => v.Verdict).Where(v => v != Verdict.MissingGolden).ToHashSet();

    /// <summary>The verdicts <c>verify</c> gives.</summary>
    public static readonly IReadOnlySet<Verdict> VerifyVerdicts = new HashSet<Verdict> { Verdict.Match, Verdict.Divergence, Verdict.MissingGolden, Verdict.Rejected, Verdict.Timeout };
}
