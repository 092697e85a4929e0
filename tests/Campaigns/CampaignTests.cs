using System.Text.RegularExpressions;
using AsyncRef.Campaigns.Execution;
using AsyncRef.Campaigns.Generation;
using AsyncRef.Model;
using AsyncRef.Scenarios;

namespace AsyncRef.Campaigns.Tests;

/// <summary>Short campaigns with fixed seeds, against the reference alone and against libcrypto through the adapter.</summary>
public sealed class CampaignTests : IDisposable
{
    private static readonly Regex s_lastLine = new(@"^(\d+) scenarios, (\d+) divergences, (\d+) scenarios/s$");
    private readonly string _out = Directory.CreateTempSubdirectory("asyncref-campaign-tests-").FullName;

    public void Dispose() => Directory.Delete(_out, recursive: true);

    [Fact]
    public void ReferenceAlone_KeepsItsInvariants_AndReachesManyRulesAndResults()
    {
        var output = new StringWriter();

        CampaignResult result = CampaignRunner.Fuzz(new FuzzOptions(Seed: 20261203, Count: 1500) { OutputDirectory = _out }, output);

        Assert.Equal(1500, result.Scenarios);
        Assert.Equal(0, result.Divergences);
        string text = output.ToString();
        Assert.Matches(s_lastLine, text.TrimEnd('\n').Split('\n')[^1]);
        int ubReached = int.Parse(Regex.Match(text, @"coverage ub: (\d+) of").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(ubReached >= 7, "UB rules reached: " + ubReached + "\n" + text);
        Assert.Contains("errors => [15 errors, the ring is full]", text, StringComparison.Ordinal);
        foreach (CoverageItem item in ModelCoverage.Catalogue)
        {
            Assert.Contains($"  {item.Machine}: {item.Name}", text, StringComparison.Ordinal); // listed, reached or not
        }

        foreach (string state in new[] { "Unallocated", "Pooled", "Running", "Paused", "Finishing", "Freed" })
        {
            Assert.DoesNotMatch($@"\b0  job: {state}\b", text); // every job state is reached
        }
        Assert.True(File.Exists(Path.Combine(_out, "report.json")));
    }

    [Fact]
    public void AgainstLibcrypto_AFixedSeedCampaign_HasNoDivergence()
    {
        var output = new StringWriter();

        CampaignResult result = CampaignRunner.Fuzz(new FuzzOptions(Seed: 8, Count: 400) { Implementation = LibcryptoAdapter.Path, OutputDirectory = _out }, output);

        Assert.True(result.Divergences == 0, output.ToString());
        Assert.Contains("implementation: batch", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void AgainstLibcrypto_EveryScenarioOfDepthThree_Agrees()
    {
        var output = new StringWriter();

        CampaignResult result = CampaignRunner.Enumerate(new EnumerateOptions(3) { Implementation = LibcryptoAdapter.Path, OutputDirectory = _out }, output);

        Assert.True(result.Divergences == 0, output.ToString());
        Assert.True(result.Scenarios > 1000, output.ToString());
        Assert.Matches(@"depth 3: \d+ scenarios, \d+ distinct model states", output.ToString());
    }

    [Fact]
    public void BatchMode_GivesWhatAProcessPerScenarioGives()
    {
        using BatchImplementation batch = BatchImplementation.TryStart(LibcryptoAdapter.Path, TimeSpan.FromSeconds(10)) ?? throw new InvalidOperationException("the adapter has no batch mode");
        using var single = new ProcessPerScenario(LibcryptoAdapter.Path, TimeSpan.FromSeconds(10));
        string[] scenarios =
        [
            .. Enumerable.Range(0, 60).Select(i => ScenarioGenerator.Generate(4, i).ToText("batch test")),
            "ctx_new C1\nstart J1 C1 F9 -\n", // a parse error: status 2 and the message on stderr
            "profile 1.1.1\nis_capable\n", // status 3
        ];
        foreach (string text in scenarios)
        {
            ImplementationRun one = single.Submit(text, "same.scn")();
            ImplementationRun many = batch.Submit(text, "same.scn")();
            Assert.Equal(one.ExitCode, many.ExitCode);
            Assert.Equal(one.Stdout, many.Stdout);
            Assert.Equal(Message(one.Stderr), Message(many.Stderr));
        }
    }

    [Fact]
    public void AnImplementationWithoutBatchMode_IsRunOncePerScenario()
    {
        // `true` is no batch implementation: it does not greet, so each scenario gets a process of its own.
        Assert.Null(BatchImplementation.TryStart("true", TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public void Shards_MergeIntoTheWholeCampaign()
    {
        var whole = CampaignRunner.Fuzz(new FuzzOptions(3, 300) { Guided = false, OutputDirectory = Path.Combine(_out, "whole") }, TextWriter.Null);
        var shards = Enumerable.Range(0, 3)
            .Select(i => CampaignRunner.Fuzz(new FuzzOptions(3, 300) { Guided = false, Shard = new Shard(i, 3), OutputDirectory = Path.Combine(_out, "s" + i) }, TextWriter.Null))
            .ToArray();
        var output = new StringWriter();

        CampaignResult merged = CampaignRunner.Merge(shards.Select(s => s.ReportPath).ToArray(), Path.Combine(_out, "merged"), output);

        Assert.Equal(whole.Scenarios, merged.Scenarios);
        Assert.Equal(new[] { 100L, 100, 100 }, shards.Select(s => s.Scenarios));
        string wholeCoverage = Coverage(File.ReadAllText(Path.Combine(_out, "whole", "report.json")));
        Assert.Equal(wholeCoverage, Coverage(File.ReadAllText(Path.Combine(_out, "merged", "report.json"))));
    }

    /// <summary>The coverage object of a report, keys sorted (unguided shards reach exactly what the whole run reaches).</summary>
    private static string Coverage(string json)
    {
        using var doc = System.Text.Json.JsonDocument.Parse(json);
        return string.Join("\n", doc.RootElement.GetProperty("coverage").EnumerateObject().Select(p => $"{p.Name}={p.Value}").Order(StringComparer.Ordinal));
    }

    /// <summary>A parse error's message without the file name it was given under.</summary>
    private static string Message(string stderr) => stderr.Length == 0 ? "" : stderr[(stderr.IndexOf(".scn", StringComparison.Ordinal) + 4)..];
}
