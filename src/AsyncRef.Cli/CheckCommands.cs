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

    private static Command Check(CliContext cli)
    {
        var impl = new Option<string>("--impl") { Description = "The implementation's command; it is run as CMD FILE.scn (split like a shell would, no shell).", Required = true };
        var timeout = TimeoutOption("each side (the implementation, the reference)");
        var jobs = new Option<int>("--jobs", "-j") { Description = "How many cases run at once (default: the number of cores).", DefaultValueFactory = _ => Environment.ProcessorCount };
        var json = new Option<bool>("--json") { Description = "Print one JSON document at the end instead of text." };
        var results = new Option<string?>("--results") { Description = "Append each case's result to FILE as a JSON line as soon as it finishes.", HelpName = "FILE" };
        var resume = new Option<bool>("--resume") { Description = "With --results: skip the cases FILE already has a result for, and append the rest." };
        var junit = new Option<string?>("--junit") { Description = "Write a JUnit XML report to FILE.", HelpName = "FILE" };
        var report = new Option<string?>("--report") { Description = "Write a report for people to FILE: Markdown (.md) or HTML (.html).", HelpName = "FILE" };
        var paths = PathsArgument();
        var check = new Command("check", "Run every scenario on the reference and on another implementation, and compare the logs.")
        {
            impl, timeout, jobs, json, results, resume, junit, report, paths,
        };
        check.SetAction(p => cli.Guard(() => RunCheck(
            cli,
            new CheckOptions(p.GetValue(impl)!, Seconds(p.GetValue(timeout)), p.GetValue(jobs)),
            new CheckOutputs(p.GetValue(json), p.GetValue(results), p.GetValue(resume), p.GetValue(junit), p.GetValue(report)),
            p.GetValue(paths)!)));
        return check;
    }

    private sealed record CheckOutputs(bool Json, string? Results, bool Resume, string? JUnit, string? Report);

    private static int RunCheck(CliContext cli, CheckOptions options, CheckOutputs outputs, string[] paths)
    {
        var runner = new CheckRunner(options);
        if (outputs.Resume && outputs.Results is null)
        {
            throw new OracleInputException("asyncref: --resume needs --results FILE");
        }

        if (outputs.Report is { } reportPath && !DocumentReport.IsSupported(reportPath))
        {
            throw new OracleInputException("asyncref: --report FILE must end in .md or .html");
        }

        IReadOnlyList<string> files = CaseFiles.Expand(paths);
        IReadOnlyDictionary<string, CaseResult> done = outputs.Resume ? ResultsFile.ReadDone(outputs.Results!) : new Dictionary<string, CaseResult>();
        IReadOnlyList<CaseResult> results;
        using (ResultsFile? resultsFile = outputs.Results is { } r ? ResultsFile.Open(r, outputs.Resume) : null)
        {
            results = CaseProgress.Run(
                cli.Out,
                cli.OnTerminal && !outputs.Json,
                files.Count,
                r => TextReport.Case(r, "impl"),
                (finished, inOrder) => runner.Run(
                    files,
                    done,
                    r =>
                    {
                        resultsFile?.Append(r);
                        finished(r);
                    },
                    outputs.Json ? _ => { } : inOrder));
        }

        IReadOnlyList<string> problems = CheckRunner.Problems(results);
        if (outputs.Json)
        {
            cli.Out.Write(ReportJson.Document(new CheckReport(
                options.Command, results.Select(CaseRecord.From).ToList(), VerdictSummary.ToJson(results, VerdictSummary.CheckVerdicts), problems)));
        }
        else
        {
            cli.Out.Write(TextReport.Summary(results, VerdictSummary.CheckVerdicts, problems));
        }

        string title = "asyncref check --impl " + options.Command;
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

    private static Command Verify(CliContext cli)
    {
        var json = new Option<bool>("--json") { Description = "Print one JSON document at the end instead of text." };
        var timeout = TimeoutOption("the reference");
        var paths = PathsArgument();
        var verify = new Command("verify", "Compare the reference's log of each NAME.scn with NAME.out beside it.") { timeout, json, paths };
        verify.SetAction(p => cli.Guard(() => RunVerify(cli, Seconds(p.GetValue(timeout)), p.GetValue(json), p.GetValue(paths)!)));
        return verify;
    }

    private static int RunVerify(CliContext cli, TimeSpan timeout, bool json, string[] paths)
    {
        IReadOnlyList<string> files = CaseFiles.Expand(paths);
        var results = new List<CaseResult>();
        foreach (string file in files)
        {
            CaseResult result = GoldenVerifier.Verify(file, timeout);
            results.Add(result);
            if (!json)
            {
                cli.Out.Write(TextReport.Case(result, "expected"));
            }
        }

        if (json)
        {
            List<CaseRecord> records = results.Select(r => CaseRecord.From(r) with { Golden = GoldenVerifier.GoldenOf(r.File) }).ToList();
            cli.Out.Write(ReportJson.Document(new VerifyReport(records, VerdictSummary.ToJson(results, VerdictSummary.VerifyVerdicts))));
        }
        else
        {
            cli.Out.Write(TextReport.Summary(results, VerdictSummary.VerifyVerdicts, []));
        }

        return results.All(r => r.IsSuccess) ? ExitStatus.Ok : ExitStatus.Failure;
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
