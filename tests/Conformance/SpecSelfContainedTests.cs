using System.Collections;
using System.Reflection;
using System.Text.RegularExpressions;
using AsyncRef.Scenarios;

namespace AsyncRef.Conformance;

/// <summary>
/// The repository is all a user gets: the spec and the README point at nothing outside it, every relative link resolves,
/// and the scenario contract documents every statement the parser accepts.
/// </summary>
public sealed partial class SpecSelfContainedTests
{
    /// <summary>Phrases that point at notes the repository does not contain.</summary>
    private static readonly string[] s_outsideReferences =
        ["../shared", "/work/shared", "shared/research", "research note", "facts note", "facts §", "anchors.md"];

    /// <summary>The keywords the parser handles before its statement table: definitions and the profile line.</summary>
    private static readonly string[] s_structureKeywords = ["profile", "func", "end"];

    [Fact]
    public void SpecAndReadme_ReferenceNothingOutsideTheRepository()
    {
        var problems = new List<string>();
        foreach (string path in DocumentationFiles())
        {
            string[] lines = File.ReadAllLines(path);
            for (int i = 0; i < lines.Length; i++)
            {
                foreach (string phrase in s_outsideReferences)
                {
                    if (lines[i].Contains(phrase, StringComparison.OrdinalIgnoreCase))
                    {
                        problems.Add($"{Path.GetRelativePath(Repository.Root, path)}:{i + 1}: refers outside the repository ('{phrase}')");
                    }
                }
            }
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void NoSourceOrDocument_PointsAtTheSharedNotes()
    {
        // Case-sensitive: tests/Shared (capital S) is the repository's own folder of shared test code.
        // "facts §N" is the section numbering of those notes: a comment citing it cites what a reader cannot open.
        string[] paths = ["../shared/", "/work/shared", "shared/research", "shared/scenario-language", "facts §"];
        string self = Path.GetFullPath(Repository.PathOf("tests", "Conformance", "SpecSelfContainedTests.cs"));
        var problems = new List<string>();
        foreach (string path in RepositoryTextFiles().Where(p => Path.GetFullPath(p) != self))
        {
            string[] lines = File.ReadAllLines(path);
            for (int i = 0; i < lines.Length; i++)
            {
                problems.AddRange(paths.Where(p => lines[i].Contains(p, StringComparison.Ordinal))
                    .Select(p => $"{Path.GetRelativePath(Repository.Root, path)}:{i + 1}: points at '{p}', which is not in the repository"));
            }
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void RelativeLinks_InTheSpecAndReadme_PointAtFilesThatExist()
    {
        var problems = new List<string>();
        foreach (string path in DocumentationFiles().Where(p => p.EndsWith(".md", StringComparison.Ordinal)))
        {
            string dir = Path.GetDirectoryName(path)!;
            foreach (Match link in MarkdownLink().Matches(File.ReadAllText(path)))
            {
                string target = link.Groups[1].Value;
                if (target.Contains("://", StringComparison.Ordinal) || target.StartsWith('#') || target.StartsWith("mailto:", StringComparison.Ordinal))
                {
                    continue;
                }

                string file = target.Split('#')[0];
                string full = Path.GetFullPath(Path.Combine(dir, file));
                if (!full.StartsWith(Repository.Root, StringComparison.Ordinal))
                {
                    problems.Add($"{Path.GetRelativePath(Repository.Root, path)}: link '{target}' leaves the repository");
                }
                else if (!File.Exists(full) && !Directory.Exists(full))
                {
                    problems.Add($"{Path.GetRelativePath(Repository.Root, path)}: link '{target}' points at nothing");
                }
            }
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void EveryEvidenceLabel_TheRulesCite_IsDefinedInEvidenceMd()
    {
        string evidence = File.ReadAllText(Repository.PathOf("spec", "evidence.md"));
        string citing = File.ReadAllText(Repository.PathOf("spec", "semantics.md")) + File.ReadAllText(Repository.PathOf("spec", "man-page-gaps.md"));
        var problems = new List<string>();
        foreach (string label in EvidenceLabel().Matches(citing).Select(m => m.Value).Distinct(StringComparer.Ordinal))
        {
            // "asynctest N" is defined by row N of the asynctest table; every other label appears as written.
            string definition = label.StartsWith("asynctest ", StringComparison.Ordinal)
                ? $@"^\| {label["asynctest ".Length..]} \| `test_ASYNC_"
                : $@"(?<![A-Za-z0-9]){Regex.Escape(label)}(?![0-9])";
            if (!Regex.IsMatch(evidence, definition, RegexOptions.Multiline))
            {
                problems.Add($"{label} is cited but evidence.md does not define it");
            }
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void EveryStatementKeyword_OfTheParser_IsInTheContractsStatementTable()
    {
        FieldInfo? table = typeof(Scenario).Assembly.GetType("AsyncRef.Scenarios.ScenarioParser")
            ?.GetField("s_ops", BindingFlags.NonPublic | BindingFlags.Static);
        Assert.True(table is not null, "the parser's keyword table (ScenarioParser.s_ops) was not found: point this test at where the keywords are now");
        var parserKeywords = ((IDictionary)table.GetValue(null)!).Keys.Cast<string>().Concat(s_structureKeywords).ToHashSet(StringComparer.Ordinal);
        Assert.True(parserKeywords.Count > s_structureKeywords.Length, "the parser's keyword table is empty");

        HashSet<string> documented = StatementTableKeywords(File.ReadAllText(Repository.PathOf("spec", "scenario-language.md")));
        Assert.True(
            parserKeywords.SetEquals(documented),
            "parser keywords missing from the statement table: " + string.Join(", ", parserKeywords.Except(documented).Order(StringComparer.Ordinal))
            + "; documented but unknown to the parser: " + string.Join(", ", documented.Except(parserKeywords).Order(StringComparer.Ordinal)));
    }

    /// <summary>The keyword of each row of the "Statements" section's table: the first word of its first cell.</summary>
    internal static HashSet<string> StatementTableKeywords(string contract)
    {
        Match section = StatementsSection().Match(contract);
        Assert.True(section.Success, "scenario-language.md has no '## N. Statements' section");
        return TableRowKeyword().Matches(section.Groups[1].Value).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
    }

    [Fact]
    public void StatementTableKeywords_ReadsTheFirstWordOfEachRow()
    {
        const string contract = "## 5. Statements\n\n| statement | x |\n|---|---|\n| `start J C F ARG` | y |\n| `pause` | z |\n\n## 6. Results\n| `errors` | w |\n";
        Assert.Equal(["pause", "start"], StatementTableKeywords(contract).Order(StringComparer.Ordinal));
    }

    /// <summary>The repository's sources and documents: everything but build output, git data and binaries.</summary>
    private static IEnumerable<string> RepositoryTextFiles()
    {
        string[] skipped = ["bin", "obj", "artifacts", ".git", "BenchmarkDotNet.Artifacts", "TestResults"];
        string[] extensions = [".cs", ".c", ".h", ".md", ".scn", ".sh", ".csproj", ".props", ".json", ".txt", ".yml", ".yaml"];
        var pending = new Stack<string>([Repository.Root]);
        while (pending.Count > 0)
        {
            string dir = pending.Pop();
            foreach (string sub in Directory.EnumerateDirectories(dir).Where(d => !skipped.Contains(Path.GetFileName(d))))
            {
                pending.Push(sub);
            }

            foreach (string file in Directory.EnumerateFiles(dir))
            {
                string name = Path.GetFileName(file);
                if (extensions.Contains(Path.GetExtension(file)) || name is "Makefile" or "run")
                {
                    yield return file;
                }
            }
        }
    }

    private static IEnumerable<string> DocumentationFiles() =>
        Directory.EnumerateFiles(Repository.PathOf("spec"), "*", SearchOption.AllDirectories)
            .Append(Repository.PathOf("README.md"))
            .Order(StringComparer.Ordinal);

    [GeneratedRegex(@"\]\(([^)\s]+)\)")]
    private static partial Regex MarkdownLink();

    [GeneratedRegex(@"(?<![A-Za-z0-9])(?:E\d+b?|C\d+|UB\d+|S\d+|asynctest \d+|PR #\d+)(?![0-9])")]
    private static partial Regex EvidenceLabel();

    [GeneratedRegex(@"^## \d+\. Statements\n([\s\S]*?)(?=^## |\z)", RegexOptions.Multiline)]
    private static partial Regex StatementsSection();

    [GeneratedRegex(@"^\| `([a-z_]+)[` ]", RegexOptions.Multiline)]
    private static partial Regex TableRowKeyword();
}
