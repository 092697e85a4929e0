using System.CommandLine;
using System.Globalization;
using AsyncRef.Oracle;
using AsyncRef.Oracle.Checking;
using AsyncRef.Oracle.Reports;
using AsyncRef.Oracle.Verdicts;

namespace AsyncRef.Cli;

/// <summary><c>check</c> (the reference against another implementation) and <c>verify</c> (the reference against golden logs).</summary>
internal static class CheckCommands
{
    internal static IEnumerable<Command> Create(CliContext cli)
    {
        yield return Check(cli);
        yield return Verify(cli);
    }

    private static Option<double> TimeoutOption(string sides) => new("--timeout")
    {
        Description = $"Seconds {sides} may take on one case before it is stopped (a timeout verdict).",
        DefaultValueFactory = _ => CheckOptions.DefaultTimeout.TotalSeconds,
    };

    private static Argument<string[]> PathsArgument() =>
        new("PATH") { Description = "Scenario files or directories (searched recursively for *.scn).", Arity = ArgumentArity.OneOrMore };

    private static Option<int> JobsOption() => new("--jobs", "-j") { Description = "How many cases run at once (default: the number of cores).", DefaultValueFactory = _ => Environment.ProcessorCount };

    /// <summary>The outputs check and verify share: JSON, the streamed results file, JUnit XML and the report.</summary>
    private sealed record OutputOptions(Option<bool> Json, Option<string?> Results, Option<bool> Resume, Option<string?> JUnit, Option<string?> Report)
    {
        public static OutputOptions Create() => new(
            new("--json") { Description = "Print one JSON document at the end instead of text." },
            new("--results") { Description = "Append each case's result to FILE as a JSON line as soon as it finishes.", HelpName = "FILE" },
            new("--resume") { Description = "With --results: skip the cases FILE already has a result for, and append the rest." },
            new("--junit") { Description = "Write a JUnit XML report to FILE.", HelpName = "FILE" },
            new("--report") { Description = "Write a report for people to FILE: Markdown (.md) or HTML (.html).", HelpName = "FILE" });

        public IEnumerable<Option> All => [Json, Results, Resume, JUnit, Report];

        public CheckOutputs Of(ParseResult p) => new(p.GetValue(Json), p.GetValue(Results), p.GetValue(Resume), p.GetValue(JUnit), p.GetValue(Report));
    }

    private static Command Check(CliContext cli)
    {
        var impl = new Option<string>("--impl") { Description = "The implementation's command; it is run as CMD FILE.scn (split like a shell would, no shell).", Required = true };
        var timeout = TimeoutOption("each side (the implementation, the reference)");
        var jobs = JobsOption();
        var outputs = OutputOptions.Create();
        var paths = PathsArgument();
        var check = new Command("check", "Run every scenario on the reference and on another implementation, and compare the logs.") { impl, timeout, jobs };
        foreach (Option option in outputs.All)
        {
            check.Add(option);
        }

        check.Add(paths);
        check.SetAction(p => cli.Guard(() =>
        {
            var options = new CheckOptions(p.GetValue(impl)!, Seconds(p.GetValue(timeout)), p.GetValue(jobs));
            var runner = new CheckRunner(options);
            return RunCases(cli, outputs.Of(p), p.GetValue(paths)!, options.Command, runner.Run, VerdictSummary.CheckVerdicts, CheckRunner.Problems);
        }));
        return check;
    }

    private static Command Verify(CliContext cli)
    {
        var timeout = TimeoutOption("the reference");
        var jobs = JobsOption();
        var outputs = OutputOptions.Create();
        var paths = PathsArgument();
        var verify = new Command("verify", "Compare the reference's log of each NAME.scn with NAME.out beside it.") { timeout, jobs };
        foreach (Option option in outputs.All)
        {
            verify.Add(option);
        }

        verify.Add(paths);
        verify.SetAction(p => cli.Guard(() =>
        {
            TimeSpan limit = Seconds(p.GetValue(timeout));
            int n = p.GetValue(jobs);
            return RunCases(cli, outputs.Of(p), p.GetValue(paths)!, null, (files, done, finished, inOrder) => GoldenVerifier.Run(files, limit, n, done, finished, inOrder), VerdictSummary.VerifyVerdicts, _ => []);
        }));
        return verify;
    }

    private sealed record CheckOutputs(bool Json, string? Results, bool Resume, string? JUnit, string? Report);

    private delegate IReadOnlyList<CaseResult> CaseRun(
        IReadOnlyList<string> files, IReadOnlyDictionary<string, CaseResult> done, Action<CaseResult> finished, Action<CaseResult> inOrder);

    /// <summary>check's and verify's common part: the run, its progress, and every output; <paramref name="implementation"/> is null for verify.</summary>
    private static int RunCases(
        CliContext cli, CheckOutputs outputs, string[] paths, string? implementation, CaseRun run,
        IReadOnlySet<Verdict> verdicts, Func<IReadOnlyList<CaseResult>, IReadOnlyList<string>> problemsOf)
    {
        if (outputs.Resume && outputs.Results is null)
        {
            throw new OracleInputException("asyncref: --resume needs --results FILE");
        }

        if (outputs.Report is { } reportPath && !DocumentReport.IsSupported(reportPath))
        {
            throw new OracleInputException("asyncref: --report FILE must end in .md or .html");
        }

        string title = implementation is null ? "asyncref verify" : "asyncref check --impl " + implementation;
        string otherSide = implementation is null ? "expected" : "impl";
        IReadOnlyList<string> files = CaseFiles.Expand(paths);
        IReadOnlyDictionary<string, CaseResult> done = outputs.Resume ? ResultsFile.ReadDone(outputs.Results!) : new Dictionary<string, CaseResult>();
        IReadOnlyList<CaseResult> results;
        using (ResultsFile? resultsFile = outputs.Results is { } r ? ResultsFile.Open(r, outputs.Resume) : null)
        {
            results = CaseProgress.Run(
                cli.Out,
                cli.OnTerminal && !outputs.Json,
                files.Count,
                r => TextReport.Case(r, otherSide),
                (finished, inOrder) => run(
                    files,
                    done,
                    r =>
                    {
                        resultsFile?.Append(r);
                        finished(r);
                    },
                    outputs.Json ? _ => { } : inOrder));
        }

        IReadOnlyList<string> problems = problemsOf(results);
        if (outputs.Json && implementation is not null)
        {
            cli.Out.Write(ReportJson.Document(new CheckReport(
                implementation, results.Select(CaseRecord.From).ToList(), VerdictSummary.ToJson(results, verdicts), problems)));
        }
        else if (outputs.Json)
        {
            List<CaseRecord> records = results.Select(r => CaseRecord.From(r) with { Golden = GoldenVerifier.GoldenOf(r.File) }).ToList();
            cli.Out.Write(ReportJson.Document(new VerifyReport(records, VerdictSummary.ToJson(results, verdicts))));
        }
        else
        {
            cli.Out.Write(TextReport.Summary(results, verdicts, problems));
        }

        if (outputs.JUnit is { } junitPath)
        {
            WriteFile(junitPath, JUnitReport.Write(title, results, problems));
        }

        if (outputs.Report is { } report)
        {
            WriteFile(report, DocumentReport.IsHtml(report) ? DocumentReport.Html(title, results, problems) : DocumentReport.Markdown(title, results, problems));
        }

        return problems.Count == 0 && results.All(r => r.IsSuccess) ? ExitStatus.Ok : ExitStatus.Failure;
    }

    /// <summary>A number of seconds as a time span; out of range (NaN included) is bad input.</summary>
    private static TimeSpan Seconds(double seconds)
    {
        double max = Math.Floor(ExternalImplementation.MaxTimeout.TotalSeconds);
        double min = CheckOptions.MinTimeout.TotalSeconds;
        return seconds >= min && seconds <= max
            ? TimeSpan.FromSeconds(seconds)
            : throw new OracleInputException(string.Create(CultureInfo.InvariantCulture, $"asyncref: --timeout must be a number of seconds from {min} to {max}"));
    }

    private static void WriteFile(string path, string text)
    {
        try
        {
            File.WriteAllText(path, text);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new OracleInputException($"asyncref: cannot write {OracleText.Escape(path)}: {OracleText.OneLine(e.Message)}");
        }
    }
}
