using static AsyncRef.Scenarios.Tests.TestSupport;

namespace AsyncRef.Scenarios.Tests;

/// <summary>
/// The profile 3.2 statements <c>set_mem_functions</c> and <c>get_mem_functions</c> (spec/scenario-language.md §5–7,
/// §11): where they parse, their exact parse errors, and that every run is a process of its own.
/// </summary>
public sealed class StackFunctionStatementTests
{
    [Fact]
    public void Profile32_ParsesTheStatements_WithNamesDefaultAndDash()
    {
        Scenario s = Parse("profile 3.2", "set_mem_functions AL1 -", "set_mem_functions default FR1", "get_mem_functions");

        Assert.Equal(AsyncProfile.OpenSsl32, s.Profile);
        Assert.Equal([ScenarioOp.SetMemFunctions, ScenarioOp.SetMemFunctions, ScenarioOp.GetMemFunctions], s.Statements.Select(x => x.Op));
        Assert.Equal([new(ScenarioValueKind.Name, "AL1", 0), new(ScenarioValueKind.Null, "", 0)], s.Statements[0].Arguments);
        Assert.Equal([new(ScenarioValueKind.Default, "", 0), new(ScenarioValueKind.Name, "FR1", 0)], s.Statements[1].Arguments);
    }

    [Theory]
    [InlineData("unknown profile '3.1': expected 3.0, 3.2 or 1.1.1", "profile 3.1")]
    [InlineData("set_mem_functions is not available in profile 3.0: it needs profile 3.2", "set_mem_functions A F")]
    [InlineData("get_mem_functions is not available in profile 1.1.1: it needs profile 3.2", "profile 1.1.1", "get_mem_functions")]
    [InlineData("set_mem_functions expects 2 arguments, got 1", "profile 3.2", "set_mem_functions A")]
    [InlineData("'.' is not allowed here: a stack allocator is required", "profile 3.2", "set_mem_functions . -")]
    [InlineData("invalid stack free function name '9F'", "profile 3.2", "set_mem_functions - 9F")]
    [InlineData("get_mem_functions expects no arguments, got 1", "profile 3.2", "get_mem_functions X")]
    public void ParseErrors_AreTheContractsMessages(string reason, params string[] lines)
    {
        var e = Assert.Throws<ScenarioParseException>(() => Parse(lines));
        Assert.Equal(reason, e.Reason);
        Assert.Equal(lines.Length, e.Line);
    }

    [Fact]
    public void Limits_EightAllocatorAndEightFreeNames()
    {
        string[] eight = ["profile 3.2", .. Enumerable.Range(1, 8).Select(i => $"set_mem_functions AL{i} FR{i}")];
        Assert.Equal(9, Parse([.. eight, "set_mem_functions AL1 FR8"]).Statements.Count);
        Assert.Equal("too many stack allocator names (at most 8)", Assert.Throws<ScenarioParseException>(() => Parse([.. eight, "set_mem_functions AL9 FR1"])).Reason);
        Assert.Equal("too many stack free function names (at most 8)", Assert.Throws<ScenarioParseException>(() => Parse([.. eight, "set_mem_functions - FR9"])).Reason);
    }

    [Fact]
    public void EveryRun_IsAFreshProcess_SoASetThatARunRefusedIsAllowedInTheNext()
    {
        string[] scenario = ["profile 3.2", "func F", "end", "set_mem_functions AL1 FR1", "start J - F -", "set_mem_functions - -", "get_mem_functions"];
        for (int run = 0; run < 2; run++)
        {
            Assert.Equal(
                ["4 main set_mem_functions => 1", "5 main ! stack_alloc AL1 32768", "5 main start => FINISH 0", "6 main set_mem_functions => 0", "7 main get_mem_functions => AL1 FR1"],
                Run(scenario).Lines);
        }
    }
}
