using System.Globalization;
using System.Net;
using System.Text;
using AsyncRef.Model;
using AsyncRef.Oracle.Checking;
using AsyncRef.Oracle.Verdicts;

namespace AsyncRef.Oracle.Reports;

/// <summary>
/// <c>--report FILE</c>: a document for people, in Markdown (<c>.md</c>) or HTML (<c>.html</c>, <c>.htm</c>): the
/// summary, every case's verdict, for each spec rule the cases that exercised it, and the spec's state diagrams
/// (generated from the models the runtime is checked against).
/// </summary>
public static class DocumentReport
{
    /// <summary>Whether a file name asks for HTML (by extension) rather than Markdown.</summary>
    /// <param name="path">The file name.</param>
    /// <returns>True for <c>.html</c> and <c>.htm</c>.</returns>
    public static bool IsHtml(string path) =>
        Path.GetExtension(path).ToLowerInvariant() is ".html" or ".htm";

    /// <summary>Whether a file name has an extension the report can be written as.</summary>
    /// <param name="path">The file name.</param>
    /// <returns>True for <c>.md</c>, <c>.markdown</c>, <c>.html</c> and <c>.htm</c>.</returns>
    public static bool IsSupported(string path) =>
        IsHtml(path) || Path.GetExtension(path).ToLowerInvariant() is ".md" or ".markdown";

    /// <summary>The report in Markdown.</summary>
    /// <param name="title">What was run (the command and implementation).</param>
    /// <param name="results">The results.</param>
    /// <param name="problems">Failures of the run as a whole.</param>
    /// <returns>The text.</returns>
    public static string Markdown(string title, IReadOnlyList<CaseResult> results, IReadOnlyList<string> problems)
    {
        ArgumentNullException.ThrowIfNull(results);
        ArgumentNullException.ThrowIfNull(problems);
        var md = new StringBuilder();
        md.Append("# asyncref report\n\n");
        md.Append(CultureInfo.InvariantCulture, $"`{Code(title)}`: {Outcome(results, problems)}\n\n");
        foreach (string problem in problems)
        {
            md.Append(CultureInfo.InvariantCulture, $"- **FAILED**: {Cell(problem)}\n");
        }

        md.Append(problems.Count > 0 ? "\n" : "");
        md.Append("## Summary\n\n| verdict | cases |\n|---|---:|\n");
        foreach ((VerdictInfo info, int count) in VerdictSummary.Count(results).Where(c => c.Count > 0))
        {
            md.Append(CultureInfo.InvariantCulture, $"| {info.SummaryLabel} | {count} |\n");
        }

        md.Append("\n## Cases\n\n| case | verdict | line | what happened |\n|---|---|---:|---|\n");
        foreach (CaseResult r in results)
        {
            md.Append(CultureInfo.InvariantCulture, $"| `{Code(r.File)}` | {VerdictTable.Of(r.Verdict).Label} | {r.Line} | {Cell(Detail(r))} |\n");
        }

        md.Append("\n## Rules\n\nThe spec rules (`spec/semantics.md`) each case names in its `# rules:` line, and the rule of its `UB` line.\n\n");
        md.Append("| rule | cases |\n|---|---|\n");
        foreach ((string rule, List<CaseResult> cases) in ByRule(results))
        {
            md.Append(CultureInfo.InvariantCulture, $"| {Cell(rule)} | {string.Join(", ", cases.Select(c => $"`{Code(Path.GetFileName(c.File))}` ({VerdictTable.Of(c.Verdict).Label})"))} |\n");
        }

        md.Append("\n## State diagrams\n\nGenerated from the models the runtime is checked against (as in `spec/diagrams/`).\n");
        foreach ((string name, string mermaid) in Diagrams())
        {
            md.Append(CultureInfo.InvariantCulture, $"\n### {name}\n\n```mermaid\n{mermaid.TrimEnd('\n')}\n```\n");
        }

        return md.ToString();
    }

    /// <summary>The report in HTML (one file; the diagrams are drawn by Mermaid when the page can load it, and shown as text otherwise).</summary>
    /// <param name="title">What was run (the command and implementation).</param>
    /// <param name="results">The results.</param>
    /// <param name="problems">Failures of the run as a whole.</param>
    /// <returns>The HTML.</returns>
    public static string Html(string title, IReadOnlyList<CaseResult> results, IReadOnlyList<string> problems)
    {
        ArgumentNullException.ThrowIfNull(results);
        ArgumentNullException.ThrowIfNull(problems);
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>asyncref report</title>\n");
        html.Append("<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px;text-align:left;vertical-align:top}")
            .Append(".fail{color:#b00;font-weight:bold}.pass{color:#070}code{font-size:90%}</style>\n</head>\n<body>\n");
        html.Append(CultureInfo.InvariantCulture, $"<h1>asyncref report</h1>\n<p><code>{H(title)}</code>: {H(Outcome(results, problems))}</p>\n");
        foreach (string problem in problems)
        {
            html.Append(CultureInfo.InvariantCulture, $"<p class=\"fail\">FAILED: {H(problem)}</p>\n");
        }

        html.Append("<h2>Summary</h2>\n<table>\n<tr><th>verdict</th><th>cases</th></tr>\n");
        foreach ((VerdictInfo info, int count) in VerdictSummary.Count(results).Where(c => c.Count > 0))
        {
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{H(info.SummaryLabel)}</td><td>{count}</td></tr>\n");
        }

        html.Append("</table>\n<h2>Cases</h2>\n<table>\n<tr><th>case</th><th>verdict</th><th>line</th><th>what happened</th></tr>\n");
        foreach (CaseResult r in results)
        {
            VerdictInfo info = VerdictTable.Of(r.Verdict);
            html.Append(CultureInfo.InvariantCulture, $"<tr><td><code>{H(r.File)}</code></td><td class=\"{(info.IsSuccess ? "pass" : "fail")}\">{H(info.Label)}</td><td>{r.Line}</td><td>{H(Detail(r))}</td></tr>\n");
        }

        html.Append("</table>\n<h2>Rules</h2>\n<p>The spec rules (<code>spec/semantics.md</code>) each case names in its <code># rules:</code> line, and the rule of its <code>UB</code> line.</p>\n");
        html.Append("<table>\n<tr><th>rule</th><th>cases</th></tr>\n");
        foreach ((string rule, List<CaseResult> cases) in ByRule(results))
        {
            string list = string.Join(", ", cases.Select(c => $"<code>{H(Path.GetFileName(c.File))}</code> ({H(VerdictTable.Of(c.Verdict).Label)})"));
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{H(rule)}</td><td>{list}</td></tr>\n");
        }

        html.Append("</table>\n<h2>State diagrams</h2>\n<p>Generated from the models the runtime is checked against (as in <code>spec/diagrams/</code>).</p>\n");
        foreach ((string name, string mermaid) in Diagrams())
        {
            html.Append(CultureInfo.InvariantCulture, $"<h3>{H(name)}</h3>\n<pre class=\"mermaid\">\n{H(mermaid)}</pre>\n");
        }

        html.Append("<script type=\"module\">import mermaid from 'https://cdn.jsdelivr.net/npm/mermaid@11/dist/mermaid.esm.min.mjs'; mermaid.initialize({ startOnLoad: true });</script>\n");
        html.Append("</body>\n</html>\n");
        return html.ToString();
    }

    /// <summary>Every rule some case names, in ordinal order, with those cases in report order.</summary>
    internal static IReadOnlyList<(string Rule, List<CaseResult> Cases)> ByRule(IReadOnlyList<CaseResult> results) =>
        results.SelectMany(r => r.Rules.Select(rule => (rule, r)))
            .GroupBy(p => p.rule, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => (g.Key, g.Select(p => p.r).ToList()))
            .ToList();

    private static IEnumerable<(string Name, string Mermaid)> Diagrams() =>
        SpecDiagrams.Generate()
            .Where(d => d.Key.EndsWith(".mmd", StringComparison.Ordinal))
            .Select(d => (Path.GetFileNameWithoutExtension(d.Key), d.Value));

    private static string Outcome(IReadOnlyList<CaseResult> results, IReadOnlyList<string> problems)
    {
        int passed = results.Count(r => r.IsSuccess);
        string verdict = passed == results.Count && problems.Count == 0 ? "PASSED" : "FAILED";
        return string.Create(CultureInfo.InvariantCulture, $"{verdict}: {results.Count} cases, {passed} passed, {results.Count - passed} failed");
    }

    private static string Detail(CaseResult r) => r.Verdict switch
    {
        Verdict.Match => "",
        Verdict.Divergence => $"{r.Message} (reference: {r.ReferenceLine ?? "(no line)"}; other: {r.OtherLine ?? "(no line)"})",
        _ => r.Message,
    };

    private static string H(string text) => WebUtility.HtmlEncode(OracleText.Escape(text));

    /// <summary>Text for a Markdown table cell: no pipe ends the cell, no markup is interpreted.</summary>
    private static string Cell(string text)
    {
        var cell = new StringBuilder();
        foreach (char c in OracleText.Escape(text))
        {
            if (c is '|' or '\\' or '`' or '*' or '_' or '[' or ']' or '<' or '>' or '#')
            {
                cell.Append('\\');
            }

            cell.Append(c);
        }

        return cell.ToString();
    }

    /// <summary>Text inside a code span of a table cell: a backtick would end the span, a pipe the cell.</summary>
    private static string Code(string text) => OracleText.Escape(text).Replace('`', '\'').Replace("|", "\\|", StringComparison.Ordinal);
}
