using AsyncRef.Campaigns.Generation;
using AsyncRef.Campaigns.Shrinking;

namespace AsyncRef.Campaigns.Tests;

public sealed class ShrinkerTests
{
    [Fact]
    public void Shrinking_KeepsExactlyTheLinesTheFailureNeeds()
    {
        GeneratedScenario big = ScenarioGenerator.Generate(1, 7) with
        {
            Main = [.. Enumerable.Range(0, 40).Select(i => $"errors # {i}"), "ctx_new C1", .. Enumerable.Range(0, 40).Select(i => $"is_capable # {i}"), "ctx_free C1"],
        };

        (GeneratedScenario minimal, int attempts) = Shrinker.Shrink(big, s => s.Main.Contains("ctx_new C1") && s.Main.Contains("ctx_free C1"));

        Assert.Equal(["ctx_new C1", "ctx_free C1"], minimal.Main);
        Assert.All(minimal.Bodies, b => Assert.Empty(b));
        Assert.InRange(attempts, 1, 3000);
    }

    [Fact]
    public void Shrinking_KeepsBodyLinesTheFailureNeeds()
    {
        GeneratedScenario s = new(null, [["pause", "wait_ctx", "pause", "return 3"], ["errors"]], ["ctx_new C1", "start J1 C1 F1 -", "errors"]);

        (GeneratedScenario minimal, _) = Shrinker.Shrink(s, c => c.Bodies[0].Contains("wait_ctx") && c.Main.Any(l => l.StartsWith("start", StringComparison.Ordinal)));

        Assert.Equal(["wait_ctx"], minimal.Bodies[0]);
        Assert.Equal(["start J1 C1 F1 -"], minimal.Main);
    }

    [Fact]
    public void AFunctionNoStartNames_IsLeftOutOfTheText()
    {
        GeneratedScenario s = new(null, [["pause"], ["errors"]], ["start J1 C1 F2 -"]);

        string text = s.ToText("t");

        Assert.DoesNotContain("func F1", text, StringComparison.Ordinal);
        Assert.Contains("func F2\n  errors\nend\n", text, StringComparison.Ordinal);
    }
}
