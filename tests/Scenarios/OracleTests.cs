using System.Diagnostics;
using System.Text.Json;
using System.Xml.Linq;
using AsyncRef.Cli;
using static AsyncRef.Scenarios.Tests.TestSupport;

namespace AsyncRef.Scenarios.Tests;

/// <summary>
/// <c>check</c> as a CI tool: parallel runs, a time limit on both sides, results streamed to a file and resumed,
/// JUnit and Markdown/HTML reports, inert text whatever an implementation prints, and the command line itself
/// (usage, help, version, standard input, the checked-mode switch).
/// </summary>
public sealed class OracleTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>An "implementation" that prints NAME.golden beside the scenario and exits with NAME.rc (default 0).</summary>
    private string FakeImplementation() =>
        "sh " + _dir.Write("impl.sh", "g=\"${1%.scn}\"\ncat \"$g.golden\"\nif [ -f \"$g.rc\" ]; then exit $(cat \"$g.rc\"); fi\n");

    private string Cases(int count)
    {
        for (int i = 0; i < count; i++)
        {
            _dir.Write($"c/{i:D2}.scn", Text("# rules: JOB-02 POOL-01", "is_capable"));
            _dir.Write($"c/{i:D2}.golden", "2 main is_capable => 1\n");
        }

        return Path.Combine(_dir.Path, "c");
    }

    [Fact]
    public void Check_AHangingImplementation_TimesOutOnEveryCase_InParallel_OutputInFileOrder()
    {
        // Before: one case at a time (90 hanging cases took 15 minutes). The time itself is shown by make check-hang.
        string cases = Cases(6);

        (int status, string output, _) = RunCli("check", "-j", "3", "--timeout", "0.5", "--impl", "sh -c 'sleep 30' sh", cases);

        Assert.Equal(1, status);
        string[] lines = output.Split('\n');
        for (int i = 0; i < 6; i++)
        {
            Assert.StartsWith($"TIMEOUT      {Path.Combine(cases, $"{i:D2}.scn")}: timed out and was killed", lines[i]);
        }

        Assert.Contains("\ntimeout               6\n", output);
    }

    [Fact]
    public void Check_TheReferenceSideHasATimeLimitToo()
    {
        // Before: only the implementation was timed; a reference run that never ended held the whole check.
        string file = _dir.Write("long.scn", Text([.. Enumerable.Repeat("is_capable", 20000)]));

        (int status, string output, _) = RunCli("check", "--timeout", "0.001", "--impl", "true", file);

        Assert.Equal(1, status);
        Assert.StartsWith($"TIMEOUT      {file}: the reference did not finish within 0.001 s\n", output);
    }

    [Fact]
    public void Check_ControlCharactersFromTheImplementation_NeverReachTheOutputRaw()
    {
        // Before: ESC, CR and BEL from an implementation's output reached the terminal as they were.
        string impl = FakeImplementation();
        string file = _dir.Write("t.scn", Text("is_capable"));
        _dir.Write("t.golden", "1 main is_capable => \u001B[2J\r\a\u009B\n");
        _dir.Write("t.rc", "0\n");
        string junit = Path.Combine(_dir.Path, "r.xml");
        string report = Path.Combine(_dir.Path, "r.md");
        string html = Path.Combine(_dir.Path, "r.html");

        (int status, string output, string error) = RunCli("check", "--impl", impl, "--junit", junit, "--report", report, file);
        (_, string json, _) = RunCli("check", "--json", "--impl", impl, "--report", html, file);

        Assert.Equal(1, status);
        Assert.Contains("    impl:      1 main is_capable => \\x1B[2J\\x0D\\x07\\u009B\n", output);
        foreach (string text in new[] { output, error, json, File.ReadAllText(junit), File.ReadAllText(report), File.ReadAllText(html) })
        {
            // Only line ends and the diagrams' own tabs.
            Assert.DoesNotContain(text, c => (c < ' ' && c is not '\n' and not '\t') || c is >= '\u007F' and <= '\u009F');
        }
    }

    [Fact]
    public void Check_Results_AreJsonLinesWrittenAsCasesFinish_AndResumeRunsOnlyTheRest()
    {
        string cases = Cases(4);
        string results = Path.Combine(_dir.Path, "results.jsonl");
        string counter = Path.Combine(_dir.Path, "runs");
        string impl = "sh " + _dir.Write("count.sh", $"echo x >> '{counter}'\ng=\"${{1%.scn}}\"\ncat \"$g.golden\"\n");

        // A killed run: two results written, the second line cut off mid-write.
        string first = Path.Combine(cases, "00.scn");
        string second = Path.Combine(cases, "01.scn");
        File.WriteAllText(results, $"{{\"file\":\"{first}\",\"verdict\":\"match\",\"line\":null,\"reference\":null,\"other\":null,\"message\":\"match\",\"exitCode\":0,\"profile\":\"3.0\",\"rules\":[],\"seconds\":0.1}}\n{{\"file\":\"{second}\",\"verd");

        (int status, string output, _) = RunCli("check", "--impl", impl, "--results", results, "--resume", cases);

        Assert.Equal(0, status);
        Assert.Equal(3, File.ReadAllLines(counter).Length);
        Assert.Contains("\ncases                 4\nmatched               4\n", output);
        string[] lines = File.ReadAllLines(results);
        Assert.Equal(5, lines.Length);
        string[] verdicts = [.. lines.Skip(2).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("verdict").GetString()!)];
        Assert.Equal(["match", "match", "match"], verdicts);

        (int fresh, _, _) = RunCli("check", "--impl", impl, "--results", results, cases);
        Assert.Equal(0, fresh);
        Assert.Equal(4, File.ReadAllLines(results).Length);
        Assert.Equal(7, File.ReadAllLines(counter).Length);
    }

    [Fact]
    public void Check_Resume_WithoutResults_IsBadInput() =>
        Assert.Equal(2, RunCli("check", "--resume", "--impl", "true", Cases(1)).Status);

    [Fact]
    public void Check_JUnit_HasATestCasePerScenario_WithFailuresAndSkips()
    {
        string impl = FakeImplementation();
        string cases = Cases(2);
        _dir.Write("c/02.scn", Text("is_capable"));
        _dir.Write("c/02.golden", "1 main is_capable => 0\n");
        _dir.Write("c/03.scn", Text("profile 1.1.1", "is_capable"));
        _dir.Write("c/03.golden", "");
        _dir.Write("c/03.rc", "3\n");
        string junit = Path.Combine(_dir.Path, "junit.xml");

        (int status, _, _) = RunCli("check", "--impl", impl, "--junit", junit, cases);

        Assert.Equal(1, status);
        XElement suite = XDocument.Load(junit).Root!.Element("testsuite")!;
        Assert.Equal("4", suite.Attribute("tests")!.Value);
        Assert.Equal("1", suite.Attribute("failures")!.Value);
        Assert.Equal("1", suite.Attribute("skipped")!.Value);
        XElement failed = suite.Elements("testcase").Single(c => c.Element("failure") is not null);
        Assert.Equal("02.scn", failed.Attribute("name")!.Value);
        Assert.Equal("divergence", failed.Element("failure")!.Attribute("type")!.Value);
        Assert.Equal("03.scn", suite.Elements("testcase").Single(c => c.Element("skipped") is not null).Attribute("name")!.Value);
    }

    [Fact]
    public void Check_Report_MarkdownAndHtml_GiveVerdictsRulesAndDiagrams()
    {
        string impl = FakeImplementation();
        string cases = Cases(2);
        _dir.Write("c/ub.scn", Text("# rules: WCTX-03", "ctx_new C", "ctx_free C", "ctx_free C"));
        _dir.Write("c/ub.golden", "2 main ctx_new => ok\n3 main ctx_free => ok\n");
        _dir.Write("c/ub.rc", "139\n");
        string md = Path.Combine(_dir.Path, "report.md");
        string html = Path.Combine(_dir.Path, "report.html");

        Assert.Equal(0, RunCli("check", "--impl", impl, "--report", md, cases).Status);
        Assert.Equal(0, RunCli("check", "--impl", impl, "--report", html, cases).Status);

        string markdown = File.ReadAllText(md);
        Assert.Contains("PASSED: 3 cases, 3 passed, 0 failed", markdown);
        Assert.Contains($"| `{Path.Combine(cases, "00.scn")}` | match |", markdown);
        Assert.Contains("| JOB-02 | `00.scn` (match), `01.scn` (match) |", markdown);
        Assert.Contains("| UB-CTX-USE-AFTER-FREE | `ub.scn` (stopped-ub) |", markdown);
        Assert.Contains("```mermaid\nstateDiagram-v2", markdown);
        string page = File.ReadAllText(html);
        Assert.StartsWith("<!DOCTYPE html>", page);
        Assert.Contains("<pre class=\"mermaid\">", page);
        Assert.Contains("<td>WCTX-03</td><td><code>ub.scn</code> (stopped-ub)</td>", page);
        Assert.Equal(2, RunCli("check", "--impl", impl, "--report", Path.Combine(_dir.Path, "r.pdf"), cases).Status);
    }

    [Theory]
    [InlineData("fuzz")]
    [InlineData("gen")]
    [InlineData("enumerate")]
    public void Help_OfACommandWithRequiredOptions_IsShownWithStatusZero(string command)
    {
        // Before: `asyncref fuzz --help` printed "Option '--seed' is required" and exited 2, so a script probing the
        // command's options (the version matrix) concluded that fuzz did not exist.
        (int status, string output, string error) = RunCli(command, "--help");

        Assert.Equal(0, status);
        Assert.Contains($"asyncref {command} [options]", output);
        Assert.Equal("", error);
        Assert.Equal(2, RunCli(command).Status);
    }

    [Fact]
    public void Help_NamesAsyncref_ListsExitStatusesAndTheCheckedSwitch()
    {
        // Before: usage said AsyncRef.Cli, `help` was rejected, and neither exit statuses nor ASYNCREF_CHECKED were documented.
        (int status, string output, _) = RunCli("--help");
        (int helpStatus, string help, _) = RunCli("help");
        (int checkHelpStatus, string checkHelp, _) = RunCli("help", "check");

        Assert.Equal((0, 0, 0), (status, helpStatus, checkHelpStatus));
        Assert.Contains("Usage:\n  asyncref [command] [options]", output);
        Assert.Contains("Exit status: 0 all good; 1 ", output);
        Assert.Contains("--unchecked", output);
        Assert.Contains("ASYNCREF_CHECKED=0", output);
        Assert.Equal(output, help);
        Assert.Contains("asyncref check <PATH>... [options]", checkHelp);
        Assert.Contains("-j, --jobs", checkHelp);
        Assert.Contains("--junit", checkHelp);
        Assert.Contains("Exit status:", checkHelp);
        Assert.Equal(2, RunCli("help", "frob").Status);
        Assert.Equal(2, RunCli("--checked", "--unchecked", "run", _dir.Write("t.scn", Text("is_capable"))).Status);
    }

    [Fact]
    public void CheckedSwitch_IsAcceptedByEveryCommand()
    {
        string file = _dir.Write("t.scn", Text("is_capable"));

        Assert.Equal((0, "1 main is_capable => 1\n"), Pick(RunCli("run", "--unchecked", file)));
        Assert.Equal((0, "1 main is_capable => 1\n"), Pick(RunCli("--checked", "run", file)));

        static (int, string) Pick((int Status, string Out, string Err) r) => (r.Status, r.Out);
    }

    [Fact]
    public void CliProcess_RunDash_ReadsStandardInput_AndVersionIsPrinted()
    {
        (int status, string output, string error) = RunCliProcess("is_capable\ncurrent_job\n", "run", "-");
        (int badStatus, _, string badError) = RunCliProcess("is_capable\nfrob\n", "run", "-");
        (int versionStatus, string version, _) = RunCliProcess("", "--version");
        (int shortStatus, string shortVersion, _) = RunCliProcess("", "-V");

        Assert.Equal((0, "1 main is_capable => 1\n2 main current_job => NULL\n", ""), (status, output, error));
        Assert.Equal((2, "-:2: unknown statement 'frob'\n"), (badStatus, badError));
        Assert.Equal((0, 0), (versionStatus, shortStatus));
        Assert.Matches(@"^\d+\.\d+\.\d+", version);
        Assert.Equal(version, shortVersion);
    }

    [Fact]
    public void RunDevZero_FailsAtOnce_WithTheSameMessageAsTheAdapter()
    {
        // Before: the reference grew to 4 GB and died of OutOfMemoryException; the adapter grew past 9 GB.
        const string expected = "/dev/zero:1: the file is larger than 16777216 bytes (the limit, set by ASYNCREF_MAX_FILE_BYTES)\n";

        (int status, string output, string error) = RunCliProcess("", "run", "/dev/zero");
        (int adapterStatus, string adapterOutput, string adapterError) = Adapter("/dev/zero");

        Assert.Equal((2, "", expected), (status, output, error));
        Assert.Equal((2, "", expected), (adapterStatus, adapterOutput, adapterError));
    }

    [Fact]
    public void Limits_AreOverridable_OnTheCommandLine_AndAppliedToBothSides()
    {
        string file = _dir.Write("t.scn", Text("is_capable", "pause"));
        string message = $"{file}:2: the file is larger than 12 bytes (the limit, set by ASYNCREF_MAX_FILE_BYTES)\n";

        (int status, _, string error) = RunCliProcess("", "run", "--max-file-bytes", "12", file);
        (int lineStatus, _, string lineError) = RunCliProcess("", "--max-line-bytes", "5", "run", file);
        (int checkStatus, string checkOutput, _) = RunCliProcess("", "check", "--max-file-bytes", "12", "--impl", "sh -c 'echo \"$ASYNCREF_MAX_FILE_BYTES\" >&2; exit 2' sh", file);

        Assert.Equal((2, message), (status, error));
        Assert.Equal((2, $"{file}:1: the line is longer than 5 bytes (the limit, set by ASYNCREF_MAX_LINE_BYTES)\n"), (lineStatus, lineError));
        Assert.Equal(1, checkStatus);
        Assert.Contains($"REJECTED     {file}: {message.TrimEnd()}", checkOutput);
        Assert.Equal(2, RunCli("--max-line-bytes", "0", "run", file).Status);
    }

    [Fact]
    public void CountAndLogLimits_AreOptions_WithTheContractsMessages()
    {
        // "1 main is_capable => 1" is 23 bytes with its LF: a 23-byte log holds it, the next line goes over.
        string file = _dir.Write("t.scn", Text("is_capable", "@T is_capable", "start J - - -"));

        (int status, string output, string error) = RunCliProcess("", "run", "--max-log-bytes", "23", file);
        (int threadStatus, _, string threadError) = RunCliProcess("", "--max-threads", "1", "run", file);
        (int jobStatus, _, string jobError) = RunCliProcess("", "run", "--max-jobs", "1", "--max-statements", "2", file);

        Assert.Equal((2, "1 main is_capable => 1\n", $"{file}:2: the log is larger than 23 bytes (the limit, set by ASYNCREF_MAX_LOG_BYTES)\n"), (status, output, error));
        Assert.Equal((2, $"{file}:2: more than 1 logical threads (the limit, set by ASYNCREF_MAX_THREADS)\n"), (threadStatus, threadError));
        Assert.Equal((2, $"{file}:3: more than 2 statements (the limit, set by ASYNCREF_MAX_STATEMENTS)\n"), (jobStatus, jobError));
        Assert.Equal(2, RunCli("--max-contexts", "0", "run", file).Status);
    }

    private static (int Status, string Out, string Err) Adapter(string file)
    {
        string adapter = Path.Combine(RepositoryRoot, "artifacts", "asyncref-openssl");
        Assert.True(File.Exists(adapter), "make adapter first: " + adapter);
        var start = new ProcessStartInfo(adapter) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(file);
        using Process process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(60)), "the adapter did not finish");
        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}
