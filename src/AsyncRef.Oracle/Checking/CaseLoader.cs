using System.Text;
using AsyncRef.Oracle.Verdicts;
using AsyncRef.Scenarios;

namespace AsyncRef.Oracle.Checking;

/// <summary>A case's scenario, or the verdict that it cannot be run.</summary>
/// <param name="File">The file.</param>
/// <param name="Scenario">The parsed scenario, or null when <paramref name="Rejection"/> is set.</param>
/// <param name="Rules">The spec rules its <c># rules:</c> comments name.</param>
/// <param name="Rejection">The <see cref="Verdict.Rejected"/> result when it cannot be read or parsed.</param>
internal sealed record LoadedCase(string File, Scenario? Scenario, IReadOnlyList<string> Rules, CaseResult? Rejection);

/// <summary>Loads scenarios for <c>check</c> and <c>verify</c>: a bad file is that case's verdict, never the run's end.</summary>
internal static class CaseLoader
{
    private const string RulesComment = "# rules:";

    /// <summary>Loads one scenario; every failure becomes a <see cref="Verdict.Rejected"/> result.</summary>
    internal static LoadedCase Load(string file)
    {
        try
        {
            return Loaded(file, ScenarioReader.Load(file));
        }
        catch (OracleInputException e)
        {
            return new LoadedCase(file, null, [], new CaseResult(file, Verdict.Rejected, e.Message));
        }
    }

    /// <summary>The case of a parsed scenario, with the rules its comments name.</summary>
    private static LoadedCase Loaded(string file, (Scenario Scenario, byte[] Bytes) read) =>
        new(file, read.Scenario, RulesOf(read.Bytes), null);

    /// <summary>The rule ids of every <c># rules: A B</c> comment line.</summary>
    internal static IReadOnlyList<string> RulesOf(ReadOnlySpan<byte> text)
    {
        var rules = new List<string>();
        foreach (Range range in text.Split((byte)'\n'))
        {
            ReadOnlySpan<byte> line = text[range].TrimEnd((byte)'\r');
            if (line.StartsWith(Encoding.ASCII.GetBytes(RulesComment)))
            {
                string ids = Encoding.UTF8.GetString(line[RulesComment.Length..]);
                foreach (string id in ids.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                {
                    if (!rules.Contains(id, StringComparer.Ordinal))
                    {
                        rules.Add(OracleText.Escape(id));
                    }
                }
            }
        }

        return rules;
    }
}
