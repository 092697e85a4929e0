using System.Diagnostics;
using System.Text.Json;
using AsyncRef.Cli;
using static AsyncRef.Scenarios.Tests.TestSupport;

namespace AsyncRef.Scenarios.Tests;

/// <summary>
/// The <c>asyncref</c> command line: exit statuses 0 (all good), 1 (divergence or failure), 2 (bad input: one line on
/// standard error, nothing on standard output, never a stack trace).
/// </summary>
public sealed class CliTests : IDisposable
{
    private const string ContractLog =
        "7 main ctx_new => ok\n3 main set_wait_fd => 1\n8 main start => PAUSE #1\n9 main get_changed_fds => 1 add=[5] del=[]\n" +
        "4 main pause => 1\n10 main start => FINISH 7\n11 main ! cleanup K1 5 D1\n11 main ctx_free => ok\n";

    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static void AssertBadInput((int Status, string Out, string Err) result, string errorPrefix)
    {
        Assert.Equal(2, result.Status);
        Assert.Equal("", result.Out);
        Assert.StartsWith(errorPrefix, result.Err);
        Assert.EndsWith("\n", result.Err);
        Assert.Equal(1, result.Err.Count(c => c == '\n'));
        Assert.DoesNotContain("   at ", result.Err);
    }

    private string Contract() => _dir.Write("contract.scn", Text(ParserTests.ContractExample));

    /// <summary>An "implementation" that prints NAME.golden beside the scenario and exits with NAME.rc (default 0).</summary>
    private string FakeImplementation() =>
        "sh " + _dir.Write("impl.sh", "g=\"${1%.scn}\"\ncat \"$g.golden\"\nif [ -f \"$g.rc\" ]; then exit $(cat \"$g.rc\"); fi\n");

    [Fact]
    public void Run_PrintsTheLog()
    {
        (int status, string output, string error) = RunCli("run", Contract());

        Assert.Equal(0, status);
        Assert.Equal(ContractLog, output);
        Assert.Equal("", error);
    }

    [Fact]
    public void Run_StoppedAtUb_IsStillStatus0()
    {
        string file = _dir.Write("ub.scn", Text("get_status C", "ctx_new C"));

        (int status, string output, _) = RunCli("run", file);

        Assert.Equal(0, status);
        Assert.Equal("1 main get_status => UB UB-CTX-USE-AFTER-FREE context C is not live\n", output);
    }

    [Fact]
    public void Run_Json_GivesTheLinesAndTheUbPosition()
    {
        string file = _dir.Write("ub.scn", Text("is_capable", "get_status C", "ctx_new C"));

        (int status, string output, _) = RunCli("run", "--json", file);

        Assert.Equal(0, status);
        using JsonDocument doc = JsonDocument.Parse(output);
        Assert.Equal(file, doc.RootElement.GetProperty("file").GetString());
        Assert.True(doc.RootElement.GetProperty("stoppedAtUb").GetBoolean());
        Assert.Equal(2, doc.RootElement.GetProperty("ubLine").GetInt32());
        Assert.Equal(
            ["1 main is_capable => 1", "2 main get_status => UB UB-CTX-USE-AFTER-FREE context C is not live"],
            doc.RootElement.GetProperty("lines").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public void ParseError_IsFileLineMessage_OnStderr_Status2()
    {
        string file = _dir.Write("bad.scn", Text("ctx_new C", "start J C F -", "func F", "end"));

        AssertBadInput(RunCli("run", file), file + ":2: ");
        AssertBadInput(RunCli("explain", file), file + ":2: ");
    }

    [Fact]
    public void Run_AParseErrorAfterStatementsThatWouldPrint_PrintsNothing()
    {
        // The log is streamed line by line, so the whole file must be parsed before the first statement runs.
        string file = _dir.Write("late.scn", Text("is_capable", "ctx_new C", "set_wait_fd C K 1 D cleanup", "ctx_free C", "frob"));

        AssertBadInput(RunCli("run", file), file + ":5: unknown statement 'frob'");
    }

    [Fact]
    public void Run_StreamsTheLog_SoAFailureKeepsTheLinesPrintedBeforeIt()
    {
        string file = _dir.Write("three.scn", Text("current_job", "pause", "errors"));
        var stdout = new FailingWriter(failAtLine: 3);
        var stderr = new StringWriter { NewLine = "\n" };

        int status = AsyncRefCommandLine.Run(["run", file], stdout, stderr);

        Assert.Equal(1, status);
        Assert.Equal("1 main current_job => NULL\n2 main pause => 1\n", stdout.ToString());
        Assert.Equal("asyncref: internal error: IOException: no space left\n", stderr.ToString());
    }

    /// <summary>A writer that fails when asked to write its Nth line, keeping what came before.</summary>
    private sealed class FailingWriter(int failAtLine) : StringWriter
    {
        public override void Write(string? value)
        {
            int lines = ToString().Count(c => c == '\n') + (value ?? "").Count(c => c == '\n');
            if (lines >= failAtLine)
            {
                throw new IOException("no space left");
            }

            base.Write(value);
        }
    }

    [Fact]
    public void ParseErrorMessages_ArePrintedAsTheParserWritesThem()
    {
        // Before: the form feed became a space ("'is_capable '"), where the adapter printed the byte itself.
        string file = _dir.Write("ff.scn", "is_capable\f\n");
        string separators = _dir.Write("nel.scn", "is_capable\u0085\u2028\n");

        (int status, string output, string error) = RunCli("run", file);
        (_, _, string separatorsError) = RunCli("run", separators);

        Assert.Equal((2, ""), (status, output));
        Assert.Equal(file + ":1: unknown statement 'is_capable\\x0C'\n", error);
        Assert.Equal(separators + ":1: unknown statement 'is_capable\u0085\u2028'\n", separatorsError);
    }

    [Fact]
    public void EmptyFileName_IsACleanMessage()
    {
        AssertBadInput(RunCli("run", ""), "asyncref: cannot read '': the file name is empty");
        AssertBadInput(RunCli("explain", ""), "asyncref: cannot read '': the file name is empty");
        AssertBadInput(RunCli("verify", ""), "asyncref: cannot read '': the file name is empty");
        Assert.DoesNotContain("Parameter", RunCli("run", "").Err);
    }

    [Fact]
    public void VerifyAndCheck_AnUnparsableCase_IsRejected_AndTheRunGoesOn()
    {
        // Before: one bad file made the whole run exit 2 with no result for any case, --json included.
        string impl = FakeImplementation();
        string good = _dir.Write("cases/a.scn", Text("is_capable"));
        _dir.Write("cases/a.out", "1 main is_capable => 1\n");
        _dir.Write("cases/a.golden", "1 main is_capable => 1\n");
        string bad = _dir.Write("cases/b.scn", Text("is_capable", "nonsense"));
        string unreadable = Path.Combine(_dir.Path, "cases", "c.scn");
        File.CreateSymbolicLink(unreadable, Path.Combine(_dir.Path, "nowhere"));
        string cases = Path.Combine(_dir.Path, "cases");

        (int verifyStatus, string verifyOutput, string verifyError) = RunCli("verify", cases);
        (int checkStatus, string checkOutput, string checkError) = RunCli("check", "--impl", impl, cases);
        (int jsonStatus, string json, _) = RunCli("check", "--json", "--impl", impl, cases);

        Assert.Equal((1, ""), (verifyStatus, verifyError));
        Assert.Equal((1, ""), (checkStatus, checkError));
        Assert.Equal(1, jsonStatus);
        Assert.Contains($"match        {good}\n", verifyOutput);
        Assert.Contains($"REJECTED     {bad}: {bad}:2: unknown statement 'nonsense'\n", verifyOutput);
        Assert.Contains($"match        {good}\n", checkOutput);
        Assert.Contains($"REJECTED     {bad}: {bad}:2: unknown statement 'nonsense'\n", checkOutput);
        Assert.Contains($"REJECTED     {unreadable}: asyncref: cannot read {unreadable}: no such file\n", checkOutput);
        Assert.Contains("\nrejected (input)      2\n", checkOutput);
        using JsonDocument doc = JsonDocument.Parse(json);
        JsonElement[] results = [.. doc.RootElement.GetProperty("cases").EnumerateArray()];
        Assert.Equal(["match", "rejected", "rejected"], results.Select(c => c.GetProperty("verdict").GetString()));
        Assert.Equal($"{bad}:2: unknown statement 'nonsense'", results[1].GetProperty("message").GetString());
    }

    [Fact]
    public void Verify_HasChecksCiOptions_JobsResultsResumeJUnitAndReport()
    {
        string good = _dir.Write("golden/a.scn", Text("is_capable"));
        _dir.Write("golden/a.out", "1 main is_capable => 1\n");
        string wrong = _dir.Write("golden/b.scn", Text("current_job"));
        _dir.Write("golden/b.out", "1 main current_job => J1\n");
        string cases = Path.Combine(_dir.Path, "golden");
        string results = Path.Combine(_dir.Path, "results.jsonl");
        string junit = Path.Combine(_dir.Path, "junit.xml");
        string report = Path.Combine(_dir.Path, "report.md");

        (int status, string output, string error) = RunCli("verify", "-j", "2", "--results", results, "--junit", junit, "--report", report, cases);
        (int resumed, string resumedOutput, _) = RunCli("verify", "--resume", "--results", results, cases);

        Assert.Equal((1, ""), (status, error));
        Assert.Contains($"match        {good}\n", output);
        Assert.Contains(wrong, output);
        Assert.Equal(2, File.ReadAllLines(results).Length);
        Assert.Contains("tests=\"2\" failures=\"1\"", File.ReadAllText(junit));
        Assert.Contains("`asyncref verify`: FAILED", File.ReadAllText(report));
        Assert.Equal(1, resumed);
        Assert.Equal(2, File.ReadAllLines(results).Length); // nothing ran again
        Assert.Contains($"match        {good}\n", resumedOutput);
        Assert.Equal(2, RunCli("verify", "-j", "0", cases).Status);
    }

    [Theory]
    [InlineData("asyncref: ")]
    [InlineData("asyncref: ", "frobnicate")]
    [InlineData("asyncref: ", "run")]
    [InlineData("asyncref: ", "run", "a.scn", "b.scn")]
    [InlineData("asyncref: ", "run", "--bogus", "a.scn")]
    [InlineData("asyncref: ", "verify")]
    [InlineData("asyncref: ", "check", "x.scn")]
    [InlineData("asyncref: ", "check", "--impl", "true", "--timeout", "abc", "x.scn")]
    public void BadOptions_AreOneLineOnStderr_Status2(string prefix, params string[] args) => AssertBadInput(RunCli(args), prefix);

    [Fact]
    public void MissingOrUnreadableFiles_AreBadInput()
    {
        string missing = Path.Combine(_dir.Path, "missing.scn");

        AssertBadInput(RunCli("run", missing), "asyncref: cannot read " + missing);
        AssertBadInput(RunCli("run", _dir.Path), "asyncref: cannot read " + _dir.Path);
        AssertBadInput(RunCli("verify", missing), "asyncref: no such file or directory: " + missing);
        AssertBadInput(RunCli("verify", _dir.Path), "asyncref: no .scn files in " + _dir.Path);
    }

    [Fact]
    public void CheckOptions_AreValidated()
    {
        string file = Contract();

        AssertBadInput(RunCli("check", "--impl", "", file), "asyncref: --impl: ");
        AssertBadInput(RunCli("check", "--impl", "sh 'unterminated", file), "asyncref: --impl: ");
        AssertBadInput(RunCli("check", "--impl", "true", "--timeout", "0", file), "asyncref: --timeout");
        AssertBadInput(RunCli("check", "--impl", "/nonexistent/adapter", file), "asyncref: cannot run ");
    }

    [Theory]
    [InlineData("2147484")]
    [InlineData("1e12")]
    [InlineData("1e300")]
    [InlineData("Infinity")]
    [InlineData("NaN")]
    [InlineData("1e-9")]
    [InlineData("-1")]
    public void Check_TimeoutOutOfRange_IsBadInput_AndRunsNothing(string timeout)
    {
        string file = _dir.Write("t.scn", Text("is_capable"));
        string marker = Path.Combine(_dir.Path, "started");

        AssertBadInput(RunCli("check", "--impl", "touch " + marker, "--timeout", timeout, file), "asyncref: --timeout must be a number of seconds from 0.001 to 2147483\n");
        Assert.False(File.Exists(marker));
    }

    [Fact]
    public void Check_LargestTimeout_IsAccepted()
    {
        string impl = FakeImplementation();
        string file = _dir.Write("t.scn", Text("is_capable"));
        _dir.Write("t.golden", "1 main is_capable => 1\n");

        Assert.Equal(0, RunCli("check", "--impl", impl, "--timeout", "2147483", file).Status);
    }

    [Fact]
    public void Verify_MatchingGoldens_Status0_OneLinePerCaseSortedAndASummary()
    {
        string b = _dir.Write("cases/sub/b.scn", Text("is_capable"));
        _dir.Write("cases/sub/b.out", "1 main is_capable => 1\n");
        string a = _dir.Write("cases/a.scn", Text(ParserTests.ContractExample));
        _dir.Write("cases/a.out", ContractLog);

        (int status, string output, string error) = RunCli("verify", Path.Combine(_dir.Path, "cases"));

        Assert.Equal(0, status);
        Assert.Equal("", error);
        string[] lines = output.Split('\n');
        Assert.Equal("match        " + a, lines[0]);
        Assert.Equal("match        " + b, lines[1]);
        Assert.Contains("\ncases                 2\nmatched               2\n", output);
    }

    [Fact]
    public void Verify_DivergentOrMissingGolden_Status1()
    {
        string a = _dir.Write("a.scn", Text("current_job", "pause"));
        _dir.Write("a.out", "1 main current_job => NULL\n2 main pause => 0\n");
        string b = _dir.Write("b.scn", Text("is_capable"));

        (int status, string output, _) = RunCli("verify", a, b);

        Assert.Equal(1, status);
        Assert.Contains($"DIVERGENCE   {a}: line 2", output);
        Assert.Contains("    reference: 2 main pause => 1\n", output);
        Assert.Contains("    expected:  2 main pause => 0\n", output);
        Assert.Contains($"MISSING      {b}", output);
        Assert.Contains("\ncases                 2\nmatched               0\n", output);
        Assert.Contains("\ndivergent             1\nwithout .out          1\n", output);
    }

    [Fact]
    public void Verify_Json_ListsVerdicts()
    {
        string a = _dir.Write("a.scn", Text("is_capable"));
        _dir.Write("a.out", "1 main is_capable => 1\n");
        string b = _dir.Write("b.scn", Text("is_capable"));

        (int status, string output, _) = RunCli("verify", "--json", a, b);

        Assert.Equal(1, status);
        using JsonDocument doc = JsonDocument.Parse(output);
        Assert.Equal(["match", "missing-out"], doc.RootElement.GetProperty("cases").EnumerateArray().Select(c => c.GetProperty("verdict").GetString()));
        Assert.Equal(1, doc.RootElement.GetProperty("summary").GetProperty("missing").GetInt32());
    }

    [Fact]
    public void Check_AllVerdicts_AndTheSummaryTable()
    {
        string impl = FakeImplementation();
        _dir.Write("c/1-match.scn", Text("is_capable"));
        _dir.Write("c/1-match.golden", "1 main is_capable => 1\n");
        _dir.Write("c/2-diverge.scn", Text("current_job", "pause"));
        _dir.Write("c/2-diverge.golden", "1 main current_job => NULL\n2 main pause => 0\n");
        _dir.Write("c/3-ub.scn", Text("is_capable", "get_status C", "ctx_new C"));
        _dir.Write("c/3-ub.golden", "1 main is_capable => 1\n");
        _dir.Write("c/3-ub.rc", "139\n");
        _dir.Write("c/4-skip.scn", Text("profile 1.1.1", "is_capable"));
        _dir.Write("c/4-skip.golden", "");
        _dir.Write("c/4-skip.rc", "3\n");

        (int status, string output, string error) = RunCli("check", "--impl", impl, Path.Combine(_dir.Path, "c"));

        Assert.Equal(1, status);
        Assert.Equal("", error);
        Assert.Contains("match        " + Path.Combine(_dir.Path, "c", "1-match.scn") + "\n", output);
        Assert.Contains("DIVERGENCE   " + Path.Combine(_dir.Path, "c", "2-diverge.scn") + ": line 2", output);
        Assert.Contains("    reference: 2 main pause => 1\n    impl:      2 main pause => 0\n", output);
        Assert.Contains("stopped-ub   " + Path.Combine(_dir.Path, "c", "3-ub.scn"), output);
        Assert.Contains("skipped      " + Path.Combine(_dir.Path, "c", "4-skip.scn"), output);
        Assert.Contains("\ncases                 4\n", output);
        Assert.Contains("\nmatched               1\n", output);
        Assert.Contains("\nstopped at UB         1\n", output);
        Assert.Contains("\ndivergent             1\n", output);
        Assert.Contains("\nskipped (profile)     1\n", output);
        Assert.DoesNotContain("crashed", output);
    }

    [Fact]
    public void Check_EverythingMatching_Status0()
    {
        string impl = FakeImplementation();
        string file = Contract();
        _dir.Write("contract.golden", ContractLog);

        (int status, string output, _) = RunCli("check", "--impl", impl, file);

        Assert.Equal(0, status);
        Assert.StartsWith("match        " + file + "\n", output);
    }

    [Fact]
    public void Check_Json_CrashTimeoutAndRejection()
    {
        string impl = FakeImplementation();
        _dir.Write("c/crash.scn", Text("current_job", "pause"));
        _dir.Write("c/crash.golden", "1 main current_job => NULL\n");
        _dir.Write("c/crash.rc", "134\n");
        _dir.Write("c/reject.scn", Text("is_capable"));
        _dir.Write("c/reject.golden", "");
        _dir.Write("c/reject.rc", "2\n");

        (int status, string output, _) = RunCli("check", "--json", "--impl", impl, Path.Combine(_dir.Path, "c"));

        Assert.Equal(1, status);
        using JsonDocument doc = JsonDocument.Parse(output);
        JsonElement[] cases = [.. doc.RootElement.GetProperty("cases").EnumerateArray()];
        Assert.Equal(["other-crashed", "other-parse-error"], cases.Select(c => c.GetProperty("verdict").GetString()));
        Assert.Equal(2, cases[0].GetProperty("line").GetInt32());
        Assert.Equal(134, cases[0].GetProperty("exitCode").GetInt32());
        Assert.Equal(1, doc.RootElement.GetProperty("summary").GetProperty("crashed").GetInt32());

        string slow = _dir.Write("slow.scn", Text("is_capable"));
        (int slowStatus, string slowOutput, _) = RunCli("check", "--json", "--timeout", "0.3", "--impl", "sh -c 'sleep 20' sh", slow);
        Assert.Equal(1, slowStatus);
        using JsonDocument slowDoc = JsonDocument.Parse(slowOutput);
        Assert.Equal("timeout", slowDoc.RootElement.GetProperty("cases")[0].GetProperty("verdict").GetString());
    }

    [Fact]
    public void Check_AnImplementationThatSkipsEveryCase_Fails()
    {
        _dir.Write("c/a.scn", Text("is_capable"));
        _dir.Write("c/b.scn", Text("pause"));

        (int status, string output, _) = RunCli("check", "--impl", "sh -c 'exit 3' sh", Path.Combine(_dir.Path, "c"));

        Assert.Equal(1, status);
        Assert.Contains("\nskipped (profile)     2\n", output);
        Assert.Contains("FAILED: no case was compared", output);
    }

    [Fact]
    public void Check_SkippingCasesOfBothProfiles_Fails_SkippingOneProfile_DoesNot()
    {
        string impl = FakeImplementation();
        _dir.Write("c/a.scn", Text("is_capable"));
        _dir.Write("c/a.golden", "1 main is_capable => 1\n");
        _dir.Write("c/b.scn", Text("profile 1.1.1", "is_capable"));
        _dir.Write("c/b.golden", "");
        _dir.Write("c/b.rc", "3\n");

        (int oneStatus, string oneOutput, _) = RunCli("check", "--impl", impl, Path.Combine(_dir.Path, "c"));
        Assert.Equal(0, oneStatus);
        Assert.DoesNotContain("FAILED", oneOutput);

        _dir.Write("c/c.scn", Text("pause"));
        _dir.Write("c/c.golden", "");
        _dir.Write("c/c.rc", "3\n");
        (int bothStatus, string bothOutput, _) = RunCli("check", "--impl", impl, Path.Combine(_dir.Path, "c"));
        Assert.Equal(1, bothStatus);
        Assert.Contains("FAILED: the implementation skipped cases of both profiles", bothOutput);

        (_, string json, _) = RunCli("check", "--json", "--impl", impl, Path.Combine(_dir.Path, "c"));
        using JsonDocument doc = JsonDocument.Parse(json);
        Assert.Single(doc.RootElement.GetProperty("problems").EnumerateArray());
    }

    [Fact]
    public void Check_ACaseWhoseImplementationCannotStart_IsPrinted()
    {
        // The implementation makes itself unexecutable on its first run: the second case cannot start.
        string impl = _dir.Write("once.sh", "#!/bin/sh\nchmod -x \"$0\"\necho \"1 main is_capable => 1\"\n");
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        File.SetUnixFileMode(impl, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        string a = _dir.Write("c/a.scn", Text("is_capable"));
        string b = _dir.Write("c/b.scn", Text("is_capable"));

        (int status, string output, _) = RunCli("check", "-j", "1", "--impl", impl, Path.Combine(_dir.Path, "c"));

        Assert.Equal(1, status);
        Assert.StartsWith($"match        {a}\nCRASH        {b}: could not be started: ", output);
        Assert.Contains("\ncases                 2\n", output);
    }

    [Fact]
    public void Check_TooMuchOutput_IsKilledAndReported()
    {
        string file = _dir.Write("t.scn", Text("is_capable"));

        (int status, string output, _) = RunCli("check", "--impl", "yes", file);
        (_, string json, _) = RunCli("check", "--json", "--impl", "yes", file);

        Assert.Equal(1, status);
        Assert.StartsWith($"TOO-MUCH     {file}: printed more than ", output);
        Assert.Contains("\ntoo much output       1\n", output);
        using JsonDocument doc = JsonDocument.Parse(json);
        Assert.Equal("output-too-large", doc.RootElement.GetProperty("cases")[0].GetProperty("verdict").GetString());
    }

    [Fact]
    public void Check_InvalidUtf8FromTheImplementation_IsADivergence_NotAReplacementCharacter()
    {
        string impl = FakeImplementation();
        string file = _dir.Write("u.scn", Text("func F", "  arg", "end", "ctx_new C", "start J C F \"\uFFFD\""));
        File.WriteAllBytes(Path.Combine(_dir.Path, "u.golden"), [.. "4 main ctx_new => ok\n2 main arg => \""u8, 0xFF, .. "\"\n5 main start => FINISH 0\n"u8]);

        (int status, string output, _) = RunCli("check", "--impl", impl, file);

        Assert.Equal(1, status);
        Assert.Contains($"DIVERGENCE   {file}: line 2: the implementation's line is not valid UTF-8\n", output);
        Assert.Contains("    impl:      2 main arg => \"\\xFF\"\n", output);
    }

    [Fact]
    public void Check_ALeakedChild_DoesNotCostTheLog()
    {
        // The review's repro: before, the whole log was lost (an empty log, a divergence) and the child kept running.
        string file = _dir.Write("t.scn", Text("is_capable"));
        string leak = _dir.Write("leak.sh", "echo \"1 main is_capable => 1\"; (sleep 30 &); exit 0\n");

        (int status, string output, _) = RunCli("check", "--impl", "sh " + leak, file);

        Assert.Equal(0, status);
        Assert.StartsWith("match        " + file + "\n", output);
    }

    [Fact]
    public void Explain_PrintsTheLogWithIndentedState()
    {
        (int status, string output, _) = RunCli("explain", Contract());

        Assert.Equal(0, status);
        string[] lines = output.Split('\n');
        Assert.Equal("7 main ctx_new => ok", lines[0]);
        Assert.StartsWith("    ctx C1: ", lines[1]);
        Assert.Equal(ContractLog, string.Concat(lines.Where(l => l.Length > 0 && !l.StartsWith(' ')).Select(l => l + "\n")));
    }

    [Fact]
    public void Diagrams_WritesTheGeneratedFiles()
    {
        string target = Path.Combine(_dir.Path, "diagrams");

        (int status, _, _) = RunCli("diagrams", target);

        Assert.Equal(0, status);
        Assert.True(File.Exists(Path.Combine(target, "job-lifecycle.mmd")));
        Assert.True(File.Exists(Path.Combine(target, "wait-ctx.dot")));
        Assert.Equal(8, Directory.GetFiles(target).Length);
    }

    [Fact]
    public void CliProcess_RunsTheCommands_Status0()
    {
        (int status, string output, string error) = RunCliProcess("", "run", Contract());

        Assert.Equal(0, status);
        Assert.Equal(ContractLog, output);
        Assert.Equal("", error);
    }

    [Fact]
    public void CliProcess_BadInput_Status2_NoStdout_NoStackTrace()
    {
        string bad = _dir.Write("bad.scn", Text("pause", "profile 3.0"));

        AssertBadInput(RunCliProcess("", "run", bad), bad + ":2: ");
        AssertBadInput(RunCliProcess("", "run", Path.Combine(_dir.Path, "missing.scn")), "asyncref: ");
        AssertBadInput(RunCliProcess("", "--no-such-option"), "asyncref: ");
    }

    [Fact]
    public void CliProcess_Divergence_Status1()
    {
        string impl = FakeImplementation();
        _dir.Write("d.scn", Text("is_capable"));
        _dir.Write("d.golden", "1 main is_capable => 0\n");

        (int status, string output, _) = RunCliProcess("", "check", "--impl", impl, Path.Combine(_dir.Path, "d.scn"));

        Assert.Equal(1, status);
        Assert.Contains("DIVERGENCE", output);
    }
}
