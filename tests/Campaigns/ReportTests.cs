using System.Text.Json;
using System.Text.RegularExpressions;
using AsyncRef.Campaigns.Reporting;

namespace AsyncRef.Campaigns.Tests;

/// <summary>The coverage table names real spec rules, and enumeration shards add up to the whole enumeration.</summary>
public sealed class ReportTests : IDisposable
{
    private readonly string _out = Directory.CreateTempSubdirectory("asyncref-report-tests-").FullName;

    public void Dispose() => Directory.Delete(_out, recursive: true);

    [Fact]
    public void EveryRuleTheTableLists_IsARuleOfTheSpec()
    {
        HashSet<string> headings = [.. Regex.Matches(File.ReadAllText(Repository.PathOf("spec", "semantics.md")), @"^### ([A-Z]+(?:-[A-Z0-9]+)+) ", RegexOptions.Multiline).Select(m => m.Groups[1].Value)];

        IEnumerable<string> unknown = Coverage.Universe()["rule"].Where(rule => !headings.Contains(rule));

        Assert.Empty(unknown);
    }

    [Theory]
    [InlineData("12 main errors => [INVALID_POOL_SIZE INVALID_POOL_SIZE]", "errors => [1-14 errors]")]
    [InlineData("3 main start => PAUSE #1", "start => PAUSE")]
    [InlineData("3 T2 start => FINISH 7", "start (top@thread) => FINISH")]
    [InlineData("2 main current_job => #1", "current_job (job) => #N")]
    [InlineData("9 main get_changed_fds => 1 add=[5 6] del=[4]", "get_changed_fds => 1 add=2+ del=1")]
    [InlineData("9 main ! cleanup K1 5 D1", "event cleanup")]
    [InlineData("9 main ctx_free => UB UB-CTX-FREED-IN-USE freed while its job is paused", "ctx_free => UB")]
    public void ALogLine_FallsInItsResultClass(string logLine, string expected)
    {
        Assert.Equal(expected, Coverage.ResultClass(logLine, new HashSet<int> { 2 }, out _));
    }

    [Fact]
    public void EnumerationShards_AddUpToTheWholeEnumeration()
    {
        CampaignResult whole = CampaignRunner.Enumerate(new EnumerateOptions(3) { OutputDirectory = Path.Combine(_out, "whole") }, TextWriter.Null);
        CampaignResult[] shards = Enumerable.Range(0, 4)
            .Select(i => CampaignRunner.Enumerate(new EnumerateOptions(3) { Shard = new Shard(i, 4), OutputDirectory = Path.Combine(_out, "s" + i) }, TextWriter.Null))
            .ToArray();

        Assert.Equal(whole.Scenarios, shards.Sum(s => s.Scenarios));
        Assert.All(shards, s => Assert.True(s.Scenarios > 0));
    }

    [Fact]
    public void MergedEnumerationShards_CountEachDistinctStateOnce()
    {
        CampaignResult whole = CampaignRunner.Enumerate(new EnumerateOptions(3) { OutputDirectory = Path.Combine(_out, "whole") }, TextWriter.Null);
        string[] shards = Enumerable.Range(0, 3)
            .Select(i => CampaignRunner.Enumerate(new EnumerateOptions(3) { Shard = new Shard(i, 3), OutputDirectory = Path.Combine(_out, "s" + i) }, TextWriter.Null).ReportPath)
            .ToArray();

        CampaignResult merged = CampaignRunner.Merge(shards, Path.Combine(_out, "merged"), TextWriter.Null);

        List<DepthRow> expected = CampaignReport.Load(whole.ReportPath).Depths;
        List<DepthRow> actual = CampaignReport.Load(merged.ReportPath).Depths;
        Assert.Equal(expected.Select(r => (r.Depth, r.Scenarios, r.DistinctStates)), actual.Select(r => (r.Depth, r.Scenarios, r.DistinctStates)));
        long summed = shards.Sum(s => CampaignReport.Load(s).Depths.Single(r => r.Depth == 3).DistinctStates);
        Assert.True(summed > expected.Single(r => r.Depth == 3).DistinctStates, "the shards share states, so a sum would overcount");
    }

    [Fact]
    public void AFileThatIsNotAReport_IsNamedWithItsLine()
    {
        string notAReport = Path.Combine(_out, "shard.log");
        File.WriteAllText(notAReport, "{\n  \"kind\": \"enumerate\",\n  oops\n}\n");

        JsonException e = Assert.Throws<JsonException>(() => CampaignReport.Load(notAReport));

        Assert.StartsWith(notAReport + ":3: not a campaign report", e.Message, StringComparison.Ordinal);
    }
}
