using System.Diagnostics;
using AsyncRef.Oracle.Verdicts;
using AsyncRef.Scenarios;

namespace AsyncRef.Oracle.Checking;

/// <summary>Runs <c>verify</c>: compares the reference's log of each <c>NAME.scn</c> with the golden <c>NAME.out</c> beside it.</summary>
public static class GoldenVerifier
{
    /// <summary>The golden log of a scenario file: the same name with <c>.out</c>.</summary>
    /// <param name="file">The scenario file.</param>
    /// <returns>The golden file's name.</returns>
    public static string GoldenOf(string file) => Path.ChangeExtension(file, ".out");

    /// <summary>Verifies one case; every failure is its verdict.</summary>
    /// <param name="file">The scenario file.</param>
    /// <param name="timeout">How long the reference may take.</param>
    /// <returns>The result (<see cref="CaseResult.OtherLine"/> is the golden line).</returns>
    public static CaseResult Verify(string file, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(file);
        var clock = Stopwatch.StartNew();
        LoadedCase loaded = CaseLoader.Load(file);
        if (loaded.Rejection is { } rejected)
        {
            return rejected;
        }

        string profile = OracleText.ProfileName(loaded.Scenario!.Profile);
        string golden = GoldenOf(file);
        byte[] expected;
        try
        {
            expected = File.ReadAllBytes(golden);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return new CaseResult(file, Verdict.MissingGolden, $"no {OracleText.Escape(golden)}") { Profile = profile, Rules = loaded.Rules };
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or OutOfMemoryException)
        {
            return new CaseResult(file, Verdict.Rejected, $"asyncref: cannot read {OracleText.Escape(golden)}: {OracleText.OneLine(e.Message)}")
            {
                Profile = profile, Rules = loaded.Rules,
            };
        }

        ScenarioLog? log;
        try
        {
            log = ReferenceRunner.Run(loaded.Scenario, timeout);
        }
        catch (ScenarioParseException e)
        {
            // The run broke the log bound: like a parse error, the case cannot be judged.
            return new CaseResult(file, Verdict.Rejected, e.Message) { Profile = profile, Rules = loaded.Rules };
        }

        if (log is null)
        {
            return new CaseResult(file, Verdict.Timeout, ReferenceRunner.TimeoutMessage(timeout)) { Profile = profile, Rules = loaded.Rules };
        }

        return CheckRunner.FromComparison(file, LogComparer.CompareWithGolden(log, expected)) with
        {
            Profile = profile,
            Rules = CheckRunner.WithUbRule(loaded.Rules, log),
            Seconds = clock.Elapsed.TotalSeconds,
        };
    }
}
