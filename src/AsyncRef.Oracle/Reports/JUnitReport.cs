using System.Globalization;
using System.Xml.Linq;
using AsyncRef.Oracle.Checking;
using AsyncRef.Oracle.Verdicts;

namespace AsyncRef.Oracle.Reports;

/// <summary>
/// <c>--junit FILE</c>: JUnit XML as CI servers read it (Jenkins, GitLab, GitHub actions): a test case per scenario
/// (class name: its directory), a <c>failure</c> for a failed case, <c>skipped</c> for a skipped profile.
/// </summary>
public static class JUnitReport
{
    /// <summary>The report as XML text.</summary>
    /// <param name="suite">The suite's name (the command and implementation).</param>
    /// <param name="results">The results.</param>
    /// <param name="problems">Failures of the run as a whole (one more failed test case, when there are any).</param>
    /// <returns>The XML.</returns>
    public static string Write(string suite, IReadOnlyList<CaseResult> results, IReadOnlyList<string> problems)
    {
        ArgumentNullException.ThrowIfNull(suite);
        ArgumentNullException.ThrowIfNull(results);
        ArgumentNullException.ThrowIfNull(problems);
        var cases = results.Select(Case).ToList();
        if (problems.Count > 0)
        {
            cases.Add(new XElement(
                "testcase",
                new XAttribute("classname", "asyncref"),
                new XAttribute("name", "the run as a whole"),
                new XElement("failure", new XAttribute("type", "run"), new XAttribute("message", OracleText.Escape(string.Join("; ", problems))))));
        }

        int failures = results.Count(r => !r.IsSuccess) + (problems.Count > 0 ? 1 : 0);
        int skipped = results.Count(r => r.Verdict == Verdict.SkippedProfile);
        string time = Seconds(results.Sum(r => r.Seconds));
        var suiteElement = new XElement(
            "testsuite",
            new XAttribute("name", OracleText.Escape(suite)),
            new XAttribute("tests", cases.Count),
            new XAttribute("failures", failures),
            new XAttribute("errors", 0),
            new XAttribute("skipped", skipped),
            new XAttribute("time", time),
            cases);
        var document = new XDocument(
            new XDeclaration("1.0", "utf-8", null),
            new XElement(
                "testsuites",
                new XAttribute("name", OracleText.Escape(suite)),
                new XAttribute("tests", cases.Count),
                new XAttribute("failures", failures),
                new XAttribute("errors", 0),
                new XAttribute("skipped", skipped),
                new XAttribute("time", time),
                suiteElement));
        return document.Declaration + "\n" + document.ToString().ReplaceLineEndings("\n") + "\n";
    }

    private static XElement Case(CaseResult result)
    {
        string directory = Path.GetDirectoryName(result.File) is { Length: > 0 } d ? d : ".";
        var element = new XElement(
            "testcase",
            new XAttribute("classname", OracleText.Escape(directory)),
            new XAttribute("name", OracleText.Escape(Path.GetFileName(result.File))),
            new XAttribute("time", Seconds(result.Seconds)));
        VerdictInfo info = VerdictTable.Of(result.Verdict);
        if (result.Verdict == Verdict.SkippedProfile)
        {
            element.Add(new XElement("skipped", new XAttribute("message", OracleText.Escape(result.Message))));
        }
        else if (!info.IsSuccess)
        {
            element.Add(new XElement(
                "failure",
                new XAttribute("type", info.JsonName),
                new XAttribute("message", OracleText.Escape(result.Message)),
                TextReport.Case(result, "impl")));
        }

        return element;
    }

    private static string Seconds(double seconds) => seconds.ToString("0.000", CultureInfo.InvariantCulture);
}
