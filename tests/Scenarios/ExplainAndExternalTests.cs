using System.Text;
using AsyncRef.Oracle;
using static AsyncRef.Scenarios.Tests.TestSupport;

namespace AsyncRef.Scenarios.Tests;

/// <summary>The explainer (smoke) and running another implementation as a process.</summary>
public sealed class ExplainAndExternalTests
{
    [Fact]
    public void Explain_GivesTheSameLog_WithTheStateAfterEachLine()
    {
        Scenario scenario = Parse(ParserTests.ContractExample);
        ScenarioExplanation explanation = scenario.Explain();

        Assert.Equal(scenario.Run().Lines, explanation.Log.Lines);
        Assert.Equal(explanation.Log.Lines, explanation.Lines.Select(l => l.LogLine));

        // After "8 main start => PAUSE #1": the fd the job added, the paused job, main's pool.
        ExplainedLine paused = explanation.Lines[2];
        Assert.Equal("8 main start => PAUSE #1", paused.LogLine);
        Assert.Contains(paused.State, s => s.StartsWith("ctx C1: fds [K1 5 D1 cleanup +add] numadd=1 numdel=0", StringComparison.Ordinal));
        Assert.Contains("jobs: #1 Paused", paused.State);
        Assert.Contains(paused.State, s => s.StartsWith("thread main: current=NULL block=0 paused=1 errors=0 pool: max=unlimited created=1 idle=[]", StringComparison.Ordinal));

        // After the restart's reset ("4 main pause => 1"): the add flag is gone, the job runs.
        ExplainedLine resumed = explanation.Lines[4];
        Assert.Contains(resumed.State, s => s.StartsWith("ctx C1: fds [K1 5 D1 cleanup] numadd=0 numdel=0", StringComparison.Ordinal));
        Assert.Contains("jobs: #1 Running", resumed.State);

        // After ctx_free the context is gone and the job idles in the pool.
        ExplainedLine freed = explanation.Lines[^1];
        Assert.DoesNotContain(freed.State, s => s.StartsWith("ctx C1", StringComparison.Ordinal));
        Assert.Contains(freed.State, s => s.Contains("idle=[#1]", StringComparison.Ordinal));

        string text = explanation.ToText();
        Assert.StartsWith("7 main ctx_new => ok\n    ctx C1: fds [] ", text);
    }

    [Fact]
    public void Explain_ShowsAContextWhoseVariableWasOverwritten_WhileAJobStillUsesIt()
    {
        ScenarioExplanation explanation = Parse(
            "func F", "  set_wait_fd . K 5 D -", "  pause", "end", "ctx_new C", "start J C F -", "ctx_new C", "set_wait_fd C K2 6 D -").Explain();

        IReadOnlyList<string> last = explanation.Lines[^1].State;
        Assert.Contains("ctx C (overwritten): fds [K 5 D +add] numadd=1 numdel=0 callback=- status=0 jobs-using=1", last);
        Assert.Contains("ctx C: fds [K2 6 D +add] numadd=1 numdel=0 callback=- status=0 jobs-using=0", last);
        Assert.Equal(2, last.Count(l => l.StartsWith("ctx ", StringComparison.Ordinal)));
    }

    [Fact]
    public void Explain_ReadsEachThreadsStateOnThatThread()
    {
        ScenarioExplanation explanation = Parse("init_thread 3 1", "@T2 init_thread 0 1", "is_capable").Explain();

        IReadOnlyList<string> last = explanation.Lines[^1].State;
        Assert.Contains(last, s => s.StartsWith("thread main: current=NULL block=0 paused=0 errors=0 pool: max=3 created=1 idle=[~1]", StringComparison.Ordinal));
        Assert.Contains(last, s => s.StartsWith("thread T2: current=NULL block=0 paused=0 errors=1 pool: none", StringComparison.Ordinal));
        Assert.DoesNotContain(explanation.Lines[0].State, s => s.StartsWith("thread T2", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("adapter", new[] { "adapter" })]
    [InlineData("  ./bin/x   --flag  value ", new[] { "./bin/x", "--flag", "value" })]
    [InlineData("sh -c 'echo \"$0\" #x'", new[] { "sh", "-c", "echo \"$0\" #x" })]
    [InlineData("a \"b c\" \"d\\\"e\" f\\ g", new[] { "a", "b c", "d\"e", "f g" })]
    [InlineData("a '' \"\" b", new[] { "a", "", "", "b" })]
    [InlineData("pre'quoted'post", new[] { "prequotedpost" })]
    [InlineData("\"a\\nb\"", new[] { "a\\nb" })]
    public void SplitCommand_SplitsLikeAShell(string command, string[] words) =>
        Assert.Equal(words, ExternalImplementation.SplitCommand(command));

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("a 'b")]
    [InlineData("a \"b")]
    [InlineData("a\\")]
    public void SplitCommand_RejectsBadCommands(string command) =>
        Assert.Throws<ArgumentException>(() => ExternalImplementation.SplitCommand(command));

    [Fact]
    public void Run_PassesTheScenarioPathLast_AndCollectsOutputAndStatus()
    {
        using var dir = new TempDir();
        string file = dir.Write("case.scn", "is_capable\n");

        ImplementationRun run = ExternalImplementation.Run("sh -c 'cat \"$1\"; echo oops >&2; exit 3' sh", file, TimeSpan.FromSeconds(30));

        Assert.Equal(3, run.ExitCode);
        Assert.False(run.TimedOut);
        Assert.Equal("is_capable\n"u8.ToArray(), run.StdoutBytes);
        Assert.Equal("is_capable\n", run.Stdout);
        Assert.Equal("oops\n", run.Stderr);
    }

    [Fact]
    public void Run_KillsAProcessThatTakesTooLong()
    {
        using var dir = new TempDir();
        string file = dir.Write("case.scn", "is_capable\n");
        var watch = System.Diagnostics.Stopwatch.StartNew();

        ImplementationRun run = ExternalImplementation.Run("sh -c 'echo \"1 main is_capable => 1\"; exec sleep 30' sh", file, TimeSpan.FromMilliseconds(500));

        Assert.True(run.TimedOut);
        Assert.Equal("1 main is_capable => 1\n"u8.ToArray(), run.StdoutBytes);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"took {watch.Elapsed}");
    }

    /// <summary>Whether a process is gone (or a zombie, i.e. dead): waits up to five seconds for it to go.</summary>
    private static bool IsGone(int pid)
    {
        for (int i = 0; i < 50; i++)
        {
            string stat;
            try
            {
                stat = File.ReadAllText($"/proc/{pid}/stat");
            }
            catch (IOException)
            {
                return true;
            }

            if (stat[(stat.LastIndexOf(')') + 2)..].StartsWith('Z'))
            {
                return true;
            }

            Thread.Sleep(100);
        }

        return false;
    }

    private static int ReadPid(string file)
    {
        for (int i = 0; i < 50 && !(File.Exists(file) && File.ReadAllText(file).EndsWith('\n')); i++)
        {
            Thread.Sleep(100);
        }

        return int.Parse(File.ReadAllText(file).Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public void Run_AChildLeftHoldingTheOutput_KeepsTheLog_AndIsKilled()
    {
        // The review's repro: the implementation exits at once, leaving a background child that holds stdout.
        using var dir = new TempDir();
        string file = dir.Write("case.scn", "is_capable\n");
        string pidFile = Path.Combine(dir.Path, "pid");
        string impl = dir.Write("leak.sh", $"echo \"1 main is_capable => 1\"; (sleep 30 & echo $! > '{pidFile}'); exit 0\n");
        var watch = System.Diagnostics.Stopwatch.StartNew();

        ImplementationRun run = ExternalImplementation.Run("sh " + impl, file, TimeSpan.FromSeconds(30));

        Assert.Equal((0, false, false), (run.ExitCode, run.TimedOut, run.LeftRunning));
        Assert.Equal("1 main is_capable => 1\n"u8.ToArray(), run.StdoutBytes);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(4), $"took {watch.Elapsed}");
        Assert.True(IsGone(ReadPid(pidFile)), "the leaked child is still running");
        Assert.Equal(ComparisonVerdict.Match, LogComparer.Compare(Parse("is_capable").Run(), run).Verdict);
    }

    [Fact]
    public void Run_TimeoutKillsEveryProcessOfTheRun_NotOnlyTheTree()
    {
        // A grandchild whose parent has exited is no longer in the implementation's process tree.
        using var dir = new TempDir();
        string file = dir.Write("case.scn", "is_capable\n");
        string pidFile = Path.Combine(dir.Path, "pid");
        string impl = dir.Write("hang.sh", $"(sleep 30 > /dev/null 2>&1 & echo $! > '{pidFile}'); sleep 30\n");

        ImplementationRun run = ExternalImplementation.Run("sh " + impl, file, TimeSpan.FromMilliseconds(500));

        Assert.True(run.TimedOut);
        Assert.True(IsGone(ReadPid(pidFile)), "the orphaned grandchild is still running");
    }

    [Fact]
    public void Run_AChildThatLeftTheSession_IsReportedAsLeftRunning_WithTheLogKept()
    {
        using var dir = new TempDir();
        string file = dir.Write("case.scn", "is_capable\n");
        string pidFile = Path.Combine(dir.Path, "pid");
        // It exits once the escaped process, in a session of its own, has written its pid.
        string impl = dir.Write(
            "escape.sh",
            $"echo \"1 main is_capable => 1\"\nsetsid sh -c 'echo $$ > \"{pidFile}\"; exec sleep 30' &\nwhile [ ! -s '{pidFile}' ]; do sleep 0.05; done\nexit 0\n");
        try
        {
            ImplementationRun run = ExternalImplementation.Run("sh " + impl, file, TimeSpan.FromSeconds(30));

            Assert.True(run.LeftRunning);
            Assert.Equal("1 main is_capable => 1\n"u8.ToArray(), run.StdoutBytes);
            LogComparison c = LogComparer.Compare(Parse("is_capable").Run(), run);
            Assert.Equal(ComparisonVerdict.LeftRunning, c.Verdict);
            Assert.False(c.IsSuccess);
        }
        finally
        {
            // The test started it; end it by its id.
            System.Diagnostics.Process.GetProcessById(ReadPid(pidFile)).Kill();
        }
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(2147484.0)]
    [InlineData(1e12)]
    public void Run_RejectsATimeoutOutOfRange_BeforeStartingAnything(double seconds)
    {
        using var dir = new TempDir();
        string file = dir.Write("case.scn", "is_capable\n");
        string marker = Path.Combine(dir.Path, "started");
        TimeSpan timeout = seconds >= TimeSpan.MaxValue.TotalSeconds ? TimeSpan.MaxValue : TimeSpan.FromSeconds(seconds);

        Assert.Throws<ArgumentOutOfRangeException>(() => ExternalImplementation.Run($"touch {marker}", file, timeout));
        Assert.False(File.Exists(marker));
    }

    [Fact]
    public void Run_StopsAtTheOutputLimit_KeepsThatMuch_AndKills()
    {
        using var dir = new TempDir();
        string file = dir.Write("case.scn", "is_capable\n");

        ImplementationRun run = ExternalImplementation.Run("yes", file, TimeSpan.FromSeconds(30), outputLimit: 1000);

        Assert.True(run.OutputLimitExceeded);
        Assert.False(run.TimedOut);
        Assert.Equal(1000, run.StdoutBytes!.Length);
        Assert.Equal(ComparisonVerdict.OutputTooLarge, LogComparer.Compare(Parse("is_capable").Run(), run).Verdict);
    }

    [Fact]
    public void Run_KeepsTheOutputAsBytes()
    {
        using var dir = new TempDir();
        string file = dir.Write("case.scn", "is_capable\n");

        ImplementationRun run = ExternalImplementation.Run("printf 'a\\377\\n'", file, TimeSpan.FromSeconds(30));

        Assert.Equal(new byte[] { (byte)'a', 0xFF, (byte)'\n' }, run.StdoutBytes);
    }

    [Fact]
    public void Run_ReportsAProgramThatCannotStart()
    {
        Assert.Throws<System.ComponentModel.Win32Exception>(() =>
            ExternalImplementation.Run("/nonexistent/asyncref-adapter", "x.scn", TimeSpan.FromSeconds(5)));
    }
}
