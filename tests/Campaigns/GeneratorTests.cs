using System.Text.RegularExpressions;
using AsyncRef.Campaigns.Generation;
using AsyncRef.Scenarios;

namespace AsyncRef.Campaigns.Tests;

/// <summary>The generator produces the shapes that found divergences before, reproducibly, and scenarios the reference accepts.</summary>
public sealed class GeneratorTests
{
    private static readonly GeneratedScenario[] s_sample = Enumerable.Range(0, 3000).Select(i => ScenarioGenerator.Generate(11, i)).ToArray();

    [Fact]
    public void TheSameSeedAndIndex_GiveTheSameScenario()
    {
        Assert.Equal(ScenarioGenerator.Generate(5, 42).ToText("t"), ScenarioGenerator.Generate(5, 42).ToText("t"));
        Assert.NotEqual(ScenarioGenerator.Generate(5, 42).ToText("t"), ScenarioGenerator.Generate(5, 43).ToText("t"));
        Assert.NotEqual(ScenarioGenerator.Generate(5, 42).ToText("t"), ScenarioGenerator.Generate(6, 42).ToText("t"));
    }

    [Fact]
    public void AlmostEveryScenario_Parses()
    {
        int rejected = s_sample.Count(s => !Parses(s.ToText("t")));
        Assert.True(rejected < s_sample.Length / 20, $"{rejected} of {s_sample.Length} generated scenarios are parse errors");
    }

    public static TheoryData<string, string> Shapes => new()
    {
        { "several logical threads", @"^@T\d " },
        { "a third logical thread", @"^@T3 " },
        { "a restart written the short way", @"^(@T\d )?start J\d C\d - -$" },
        { "'-' as the job function", @"^(@T\d )?start J\d C\d - (""|ptr0)" },
        { "a job started with a NULL wait ctx", @"^(@T\d )?start J\d - F\d" },
        { "a pool at its limit", @"^(@T\d )?init_thread 1 [01]$" },
        { "an invalid pool size", @"^(@T\d )?init_thread 1 2$" },
        { "a pause before any initialising call could run", @"^pause$" },
        { "a job freeing its own context", @"^  ctx_free \.$" },
        { "a ctx name re-bound inside a job body", @"^  ctx_new C\d$" },
        { "a nested start", @"^  start J9 " },
        { "cleanup_thread inside a job", @"^  cleanup_thread$" },
        { "the profile 1.1.1", @"^profile 1\.1\.1$" },
        { "callbacks", @"set_callback C\d CB\d A\d$" },
        { "statuses", @"set_status C\d (OK|EAGAIN|ERR|UNSUPPORTED|-?\d+)$" },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void TheGenerator_ProducesTheShape(string shape, string pattern)
    {
        var regex = new Regex(pattern, RegexOptions.Multiline);
        int count = s_sample.Count(s => regex.IsMatch(s.ToText("t")));
        Assert.True(count >= 5, $"only {count} of {s_sample.Length} scenarios have {shape}");
    }

    [Fact]
    public void LongErrorRuns_ExceedTheRingOfFifteen()
    {
        // More than 15 failing calls before a drain: the ring of the error queue keeps only the newest 15.
        int count = s_sample.Count(s => LongestFailingRun(s.Main) > 15);
        Assert.True(count >= 5, $"only {count} scenarios queue more than 15 errors before a drain");
    }

    [Fact]
    public void ContextNames_AreReBoundAtTopLevel()
    {
        int count = s_sample.Count(s => s.Main.Where(l => l.StartsWith("ctx_new ", StringComparison.Ordinal)).GroupBy(l => l).Any(g => g.Count() > 1));
        Assert.True(count >= 20, $"only {count} scenarios create the same context name twice");
    }

    [Fact]
    public void ManyPauses_AreCommon()
    {
        int count = s_sample.Count(s => s.Bodies.Any(b => b.Count(l => l == "pause") >= 4));
        Assert.True(count >= 50, $"only {count} scenarios have a job with 4 pauses or more");
    }

    [Fact]
    public void AProfileGiven_IsTheProfileOfEveryScenario_WithoutTheStatementsItLacks()
    {
        // A campaign against a 1.1.1 library needs 1.1.1 scenarios only: a mixed campaign would skip 99 in 100.
        GeneratedScenario[] old = Enumerable.Range(0, 300).Select(i => ScenarioGenerator.Generate(11, i, "1.1.1")).ToArray();
        GeneratedScenario[] current = Enumerable.Range(0, 300).Select(i => ScenarioGenerator.Generate(11, i, "3.0")).ToArray();
        string[] only30 = ["set_callback", "get_callback", "call_callback", "set_status", "get_status"];

        Assert.All(old, s => Assert.Equal("1.1.1", s.Profile));
        Assert.All(old, s => Assert.DoesNotContain(s.Main.Concat(s.Bodies.SelectMany(b => b)), l => only30.Any(l.Contains)));
        Assert.All(current, s => Assert.Null(s.Profile));
        Assert.Contains(current, s => s.Main.Concat(s.Bodies.SelectMany(b => b)).Any(l => only30.Any(l.Contains)));
        Assert.All(old, s => Assert.StartsWith("# t\nprofile 1.1.1\n", s.ToText("t"), StringComparison.Ordinal));
        // The same index under the mixed default is the same scenario as before the option existed.
        Assert.Equal(s_sample[7].ToText("t"), ScenarioGenerator.Generate(11, 7).ToText("t"));
    }

    [Fact]
    public void AMutantOfA111Scenario_StaysA111Scenario()
    {
        var mutator = new ScenarioMutator(new Random(5));
        GeneratedScenario parent = ScenarioGenerator.Generate(11, 1, "1.1.1");
        for (int i = 0; i < 200; i++)
        {
            GeneratedScenario mutant = ScenarioGenerator.InProfile(mutator.Mutate(parent, s_sample[i]), "1.1.1");
            Assert.Equal("1.1.1", mutant.Profile);
            Assert.DoesNotContain(mutant.Main.Concat(mutant.Bodies.SelectMany(b => b)), l => l.Contains("_callback", StringComparison.Ordinal) || l.Contains("_status", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void UnderProfile32_TheStackFunctionsAreSetBeforeAndAfterTheFirstStack()
    {
        // facts: ASYNC_set_mem_functions takes effect only before the process's first job stack, and is refused
        // (0) for ever after; the recording allocator then reports every stack. A 3.2 campaign needs both sides.
        GeneratedScenario[] sample = Enumerable.Range(0, 300).Select(i => ScenarioGenerator.Generate(11, i, "3.2")).ToArray();
        string[] logs = sample.Select(s => LogOf(s.ToText("t"))).ToArray();

        Assert.All(sample, s => Assert.Equal("3.2", s.Profile));
        Assert.All(Enumerable.Range(0, sample.Length), i => Assert.Equal(
            ScenarioGenerator.Generate(11, i, "3.0").Main,
            sample[i].Main.Where(l => !l.Contains("mem_functions", StringComparison.Ordinal))));
        Assert.True(logs.Count(l => Regex.IsMatch(l, @"set_mem_functions => 1\n(.*\n)*.* ! stack_alloc AL\d 32768")) >= 20, "too few scenarios set an allocator that is then used");
        Assert.True(logs.Count(l => l.Contains("set_mem_functions => 0", StringComparison.Ordinal)) >= 20, "too few scenarios set the functions after the first stack");
        Assert.True(logs.Count(l => Regex.IsMatch(l, @"get_mem_functions => AL\d")) >= 10, "too few scenarios read back a recording allocator");
        Assert.True(sample.Count(s => s.Bodies.Any(b => b.Any(l => l.Contains("mem_functions", StringComparison.Ordinal)))) >= 20, "too few scenarios call a stack function inside a job");
    }

    [Fact]
    public void UnderProfiles30And111_NoStackFunctionIsLeft()
    {
        GeneratedScenario with = ScenarioGenerator.Generate(11, 3, "3.2");

        foreach (string profile in new[] { "3.0", "1.1.1" })
        {
            GeneratedScenario without = ScenarioGenerator.InProfile(with, profile);
            Assert.DoesNotContain(without.Main.Concat(without.Bodies.SelectMany(b => b)), l => l.Contains("mem_functions", StringComparison.Ordinal));
            Assert.True(Parses(without.ToText("t")));
        }
    }

    [Fact]
    public void Mutants_ParseAndDiffer()
    {
        var mutator = new ScenarioMutator(new Random(3));
        int differ = 0;
        for (int i = 0; i < 500; i++)
        {
            GeneratedScenario mutant = mutator.Mutate(s_sample[i], s_sample[i + 1]);
            differ += mutant.ToText("t") != s_sample[i].ToText("t") ? 1 : 0;
        }

        Assert.True(differ > 400, $"only {differ} of 500 mutants differ from their parent");
    }

    private static int LongestFailingRun(IReadOnlyList<string> main)
    {
        int longest = 0, run = 0;
        foreach (string line in main)
        {
            string statement = line.StartsWith('@') ? line[(line.IndexOf(' ') + 1)..] : line;
            run = statement is "init_thread 1 2" or "init_thread 0 1" or "init_thread 2 5" ? run + 1 : statement == "errors" ? 0 : run;
            longest = Math.Max(longest, run);
        }

        return longest;
    }

    /// <summary>The reference's log of a scenario, or empty when it is rejected.</summary>
    private static string LogOf(string text)
    {
        try
        {
            return Scenario.Parse(text, "g.scn").Run().ToText();
        }
        catch (ScenarioParseException)
        {
            return "";
        }
    }

    private static bool Parses(string text)
    {
        try
        {
            Scenario.Parse(text, "g.scn");
            return true;
        }
        catch (ScenarioParseException)
        {
            return false;
        }
    }
}
