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

    /// <summary>Verifies the cases, <paramref name="jobs"/> at a time, as <see cref="CheckRunner.Run"/> runs check's.</summary>
    /// <param name="files">The scenario files, in report order.</param>
    /// <param name="timeout">How long the reference may take on one case.</param>
    /// <param name="jobs">How many cases run at once.</param>
    /// <param name="done">Results already known (a resumed run): those cases are not run again.</param>
    /// <param name="finished">Called with each new result as soon as its case finishes (any order, one call at a time).</param>
    /// <param name="inOrder">Called with every result, in the order of <paramref name="files"/>, as soon as it and all before it are known.</param>
    /// <returns>The results, in the order of <paramref name="files"/>.</returns>
    /// <exception cref="OracleInputException"><paramref name="jobs"/> is out of range.</exception>
    public static IReadOnlyList<CaseResult> Run(
        IReadOnlyList<string> files, TimeSpan timeout, int jobs, IReadOnlyDictionary<string, CaseResult> done, Action<CaseResult> finished, Action<CaseResult> inOrder)
    {
        if (jobs is < 1 or > CheckOptions.MaxJobs)
        {
            throw new OracleInputException($"asyncref: -j must be from 1 to {CheckOptions.MaxJobs}");
        }

        return CheckRunner.RunCases(files, jobs, file => Verify(file, timeout), done, finished, inOrder);
    }

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
