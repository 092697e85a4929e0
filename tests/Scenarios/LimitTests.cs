using System.Globalization;
using System.Text;
using static AsyncRef.Scenarios.Tests.TestSupport;

namespace AsyncRef.Scenarios.Tests;

/// <summary>
/// The count and log bounds of spec/scenario-language.md §13: each default as the contract states it, the line that
/// goes over rejected with the contract's message, the line at the limit accepted. (The C adapter's side of each is a
/// fixture in tests/adapter/fixtures, checked against the reference by <see cref="AdapterAgreementTests"/>.)
/// </summary>
public sealed class LimitTests
{
    public static TheoryData<string, string, long> Defaults() => new()
    {
        { "file size", ScenarioLimits.MaxFileBytesVariable, ScenarioLimits.Default.MaxFileBytes },
        { "line length", ScenarioLimits.MaxLineBytesVariable, ScenarioLimits.Default.MaxLineBytes },
        { "statements", ScenarioLimits.MaxStatementsVariable, ScenarioLimits.Default.MaxStatements },
        { "logical threads", ScenarioLimits.MaxThreadsVariable, ScenarioLimits.Default.MaxThreads },
        { "job variables", ScenarioLimits.MaxJobsVariable, ScenarioLimits.Default.MaxJobs },
        { "context variables", ScenarioLimits.MaxContextsVariable, ScenarioLimits.Default.MaxContexts },
        { "log size", ScenarioLimits.MaxLogBytesVariable, ScenarioLimits.Default.MaxLogBytes },
    };

    [Theory]
    [MemberData(nameof(Defaults))]
    public void EachDefault_IsTheOneTheContractDocuments(string what, string variable, long value)
    {
        // The limits table of §13: one row per bound, naming its variable and its default in bytes or items.
        string row = File.ReadAllLines(Path.Combine(RepositoryRoot, "spec", "scenario-language.md"))
            .Single(l => l.StartsWith($"| {what} |", StringComparison.Ordinal));

        Assert.Contains($"`{variable}`", row, StringComparison.Ordinal);
        Assert.Contains(value.ToString("N0", CultureInfo.InvariantCulture), row, StringComparison.Ordinal);
    }

    [Fact]
    public void TheDefaultThreadBound_Rejects8193Names_MainIncluded()
    {
        var text = new StringBuilder();
        for (int i = 1; i < 8192; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"@T{i} is_capable\n");
        }

        Scenario atLimit = Scenario.ParseUtf8(Encoding.UTF8.GetBytes(text.ToString()), "t.scn", ScenarioLimits.Default);
        text.Append("@main is_capable\n@T8192 is_capable\n");
        var e = Assert.Throws<ScenarioParseException>(() => Scenario.ParseUtf8(Encoding.UTF8.GetBytes(text.ToString()), "t.scn", ScenarioLimits.Default));

        Assert.Equal(8191, atLimit.Statements.Count);
        Assert.Equal("t.scn:8193: more than 8192 logical threads (the limit, set by ASYNCREF_MAX_THREADS)", e.Message);
    }

    [Fact]
    public void TheDefaultJobBound_Rejects131073Names()
    {
        var text = new StringBuilder();
        for (int i = 1; i <= 131072; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"start J{i} - - -\n");
        }

        text.Append("start J1 - - -\nstart J0 - - -\n");
        var e = Assert.Throws<ScenarioParseException>(() => Scenario.ParseUtf8(Encoding.UTF8.GetBytes(text.ToString()), "t.scn", ScenarioLimits.Default));

        Assert.Equal("t.scn:131074: more than 131072 job variables (the limit, set by ASYNCREF_MAX_JOBS)", e.Message);
    }

    [Theory]
    [InlineData("ctx_new C1\nctx_new C2\nctx_new C1\nget_fd C3 K", 4, "more than 2 context variables (the limit, set by ASYNCREF_MAX_CONTEXTS)")]
    [InlineData("func F\n  get_fd . K\nend\nctx_new C1\nctx_new C2\nstart J C1 F -\nctx_free C2", 0, "")]
    [InlineData("# a comment\n\nis_capable\nfunc F\nend\n@T pause\n  # is_capable\nis_capable", 8, "more than 4 statements (the limit, set by ASYNCREF_MAX_STATEMENTS)")]
    [InlineData("@A is_capable\n@B is_capable\n@A is_capable", 2, "more than 2 logical threads (the limit, set by ASYNCREF_MAX_THREADS)")]
    [InlineData("start J1 - - -\nstart J2 - - -\nstart J1 - - -\nstart J3 - - -", 4, "more than 2 job variables (the limit, set by ASYNCREF_MAX_JOBS)")]
    public void SmallLimits_RejectTheLineThatGoesOver(string text, int line, string message)
    {
        var limits = new ScenarioLimits { MaxStatements = 4, MaxThreads = 2, MaxJobs = 2, MaxContexts = 2 };
        if (line == 0)
        {
            limits = limits with { MaxStatements = 7 };
            Assert.NotNull(Scenario.ParseUtf8(Encoding.UTF8.GetBytes(text), "t.scn", limits));
            return;
        }

        var e = Assert.Throws<ScenarioParseException>(() => Scenario.ParseUtf8(Encoding.UTF8.GetBytes(text), "t.scn", limits));
        Assert.Equal($"t.scn:{line}: {message}", e.Message);
    }

    [Fact]
    public void TheLogBound_StopsTheRunBeforeTheLineThatGoesOver_EvenInsideAJob()
    {
        // Each body line prints "N main arg => NULL", 19 bytes with its LF: the third goes over 38, inside the job.
        string text = "func F\n  arg\n  arg\n  arg\nend\nstart J - F -\n";
        var limits = new ScenarioLimits { MaxLogBytes = 2 * 19 };
        Scenario scenario = Scenario.ParseUtf8(Encoding.UTF8.GetBytes(text), "t.scn", limits);
        var printed = new List<string>();

        var e = Assert.Throws<ScenarioParseException>(() => scenario.Run(printed.Add));

        Assert.Equal(["2 main arg => NULL", "3 main arg => NULL"], printed);
        Assert.Equal("t.scn:4: the log is larger than 38 bytes (the limit, set by ASYNCREF_MAX_LOG_BYTES)", e.Message);
        // A log of exactly the limit (three arg lines and "6 main start => FINISH 0", 25 bytes) is whole.
        Assert.Equal(4, Scenario.ParseUtf8(Encoding.UTF8.GetBytes(text), "t.scn", limits with { MaxLogBytes = (3 * 19) + 25 }).Run().Lines.Count);
    }
}
