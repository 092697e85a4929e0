using System.Globalization;
using System.Text;
using AsyncRef.Oracle.Checking;
using AsyncRef.Oracle.Verdicts;

namespace AsyncRef.Oracle.Reports;

/// <summary>The text output of <c>check</c> and <c>verify</c>: a line per case, then the summary. Nothing in it is a control character.</summary>
public static class TextReport
{
    /// <summary>The lines of one case: its label, file and message, and for a divergence both lines.</summary>
    /// <param name="result">The result.</param>
    /// <param name="otherName">What the other log is called (<c>impl</c>, <c>expected</c>).</param>
    /// <returns>The text, ending in a newline.</returns>
    public static string Case(CaseResult result, string otherName)
    {
        ArgumentNullException.ThrowIfNull(result);
        string detail = result.Verdict switch
        {
            Verdict.Match => "",
            Verdict.StoppedAtUb => ": reference: " + result.ReferenceLine,
            _ => ": " + result.Message,
        };
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{VerdictTable.Of(result.Verdict).Label,-12} {OracleText.Escape(result.File)}{OracleText.Escape(detail)}\n");
        if (result.Verdict == Verdict.Divergence)
        {
            string label = (otherName + ":").PadRight(10);
            text.Append(CultureInfo.InvariantCulture, $"    reference: {OracleText.Escape(result.ReferenceLine ?? "(no line)")}\n");
            text.Append(CultureInfo.InvariantCulture, $"    {label} {OracleText.Escape(result.OtherLine ?? "(no line)")}\n");
        }

        return text.ToString();
    }

    /// <summary>The summary: a blank line, the number of cases, a line per verdict (those that always show, and those some case had), then the run's problems.</summary>
    /// <param name="results">The results.</param>
    /// <param name="verdicts">The verdicts the command can give.</param>
    /// <param name="problems">Failures of the run as a whole.</param>
    /// <returns>The text.</returns>
    public static string Summary(IReadOnlyList<CaseResult> results, IReadOnlySet<Verdict> verdicts, IReadOnlyList<string> problems)
    {
        ArgumentNullException.ThrowIfNull(results);
        ArgumentNullException.ThrowIfNull(verdicts);
        ArgumentNullException.ThrowIfNull(problems);
        var text = new StringBuilder("\n");
        text.Append(CultureInfo.InvariantCulture, $"{"cases",-18}{results.Count,5}\n");
        foreach ((VerdictInfo info, int count) in VerdictSummary.Count(results))
        {
            if (verdicts.Contains(info.Verdict) && (info.AlwaysSummarised || count > 0))
            {
                text.Append(CultureInfo.InvariantCulture, $"{info.SummaryLabel,-18}{count,5}\n");
            }
        }

        foreach (string problem in problems)
        {
            text.Append(CultureInfo.InvariantCulture, $"FAILED: {OracleText.Escape(problem)}\n");
        }

        return text.ToString();
    }
}
