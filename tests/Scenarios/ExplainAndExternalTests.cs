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
        Assert.Equal("1 main is_capable => 1\n", run.Stdout);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"took {watch.Elapsed}");
    }

    [Fact]
    public void Run_ReportsAProgramThatCannotStart()
    {
        Assert.Throws<System.ComponentModel.Win32Exception>(() =>
            ExternalImplementation.Run("/nonexistent/asyncref-adapter", "x.scn", TimeSpan.FromSeconds(5)));
    }
}
