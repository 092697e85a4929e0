using System.Diagnostics;
using System.Text.RegularExpressions;
using AsyncRef.Tests;

namespace AsyncRef.Traces.Tests.Tracer;

/// <summary>
/// The LD_PRELOAD tracer on a real program over the machine's libcrypto: <c>tests/tracer/misuse.c</c> uses the API
/// correctly in mode <c>ok</c> and commits one undefined use in every other mode, on a line marked with the rule.
/// <c>trace check</c> must name that rule at that line (from the program's debug information).
/// </summary>
public sealed class TracerTests
{
    private static readonly string Source = Repository.PathOf("tests", "tracer", "misuse.c");
    private static readonly Lazy<string> Program = new(Compile);

    public static TheoryData<string> Modes() =>
    [
        "nested-start", "stale-handle", "cross-thread-resume", "cleanup-while-paused", "cleanup-in-job",
        "null-wait-ctx", "null-ret", "ctx-freed-in-use", "ctx-use-after-free", "null-job",
    ];

    [Fact]
    public void ConformingProgram_OnTwoThreads_Conforms()
    {
        (int exit, string stdout, string stderr) = TraceFiles.Check(Record("ok"), checkedMode: true);
        Assert.True(exit == 0, stdout + stderr);
        Assert.Contains("threads 2", stdout, StringComparison.Ordinal);
        Assert.Matches(new Regex(@"\n[1-9][0-9]* calls, 0 divergences, 0 undefined, [0-9]+ calls/s\n$"), stdout);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void EachUndefinedUse_IsNamed_WithItsRuleAndSourceLine(string mode)
    {
        string rule = "UB-" + mode.ToUpperInvariant();
        int[] markedLines = File.ReadAllLines(Source).Select((text, i) => (text, line: i + 1))
            .Where(x => x.text.Contains($"/* {rule} */", StringComparison.Ordinal)).Select(x => x.line).ToArray();
        Assert.NotEmpty(markedLines);

        (int exit, string stdout, _) = TraceFiles.Check(Record(mode));
        Assert.Equal(1, exit);
        Match found = Regex.Match(stdout, @"undefined at record \d+ \(thread \d+\) \S+, called at \S*misuse\.c:(\d+) \(misuse\+0x[0-9a-f]+\): (\S+):");
        Assert.True(found.Success, stdout);
        Assert.Equal(rule, found.Groups[2].Value);
        Assert.Contains(int.Parse(found.Groups[1].Value), markedLines);
        Assert.Contains("0 divergences, 1 undefined", stdout, StringComparison.Ordinal);
    }

    private static string Record(string mode)
    {
        string trace = TraceFiles.Temp($"{mode}.trace");
        var start = new ProcessStartInfo(Program.Value, mode) { RedirectStandardError = true, RedirectStandardOutput = true };
        start.Environment["LD_PRELOAD"] = Repository.PathOf("artifacts", "libasyncref-trace.so");
        start.Environment["ASYNCREF_TRACE"] = trace;
        using Process process = Process.Start(start)!;
        process.StandardOutput.ReadToEnd();
        process.StandardError.ReadToEnd();
        Assert.True(process.WaitForExit(30_000), $"misuse {mode} hung");
        return trace;
    }

    private static string Compile()
    {
        string tracer = Repository.PathOf("artifacts", "libasyncref-trace.so");
        Assert.True(File.Exists(tracer), $"{tracer} is missing: run 'make tracer' (make build and make test do)");
        string output = TraceFiles.Temp("misuse");
        var gcc = new ProcessStartInfo("gcc", ["-std=gnu11", "-g", "-O0", "-pthread", "-o", output, Source, "-lcrypto"])
        {
            RedirectStandardError = true,
        };
        using Process process = Process.Start(gcc)!;
        string errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, errors);
        return output;
    }
}
