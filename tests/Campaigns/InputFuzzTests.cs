using System.Text.RegularExpressions;
using AsyncRef.Campaigns.Inputs;
using AsyncRef.Scenarios;

namespace AsyncRef.Campaigns.Tests;

/// <summary>
/// The hostile-input campaign (<c>make fuzz-inputs</c> runs 100,000 files): a fixed-seed share of it against libcrypto
/// through the adapter, and proof that it notices what it is for.
/// </summary>
public sealed class InputFuzzTests : IDisposable
{
    private static readonly Regex s_summary = new(@"^fuzz-inputs: (\d+) files \(seed \d+\), (\d+) accepted, (\d+) rejected by both, 0 disagreements, 0 reference failures, 0 crashes \(and \d+ on UB, allowed\), 0 hangs \(and \d+ on UB, allowed\), 0 out of memory, \d+ files/s$");
    private readonly string _out = Directory.CreateTempSubdirectory("asyncref-input-fuzz-tests-").FullName;

    public void Dispose() => Directory.Delete(_out, recursive: true);

    [Fact]
    public void AFixedSeedShare_BothSidesAgreeOnEveryFile_AndNeitherFails()
    {
        var output = new StringWriter();
        var options = new InputFuzzOptions(20261203, 3000, LibcryptoAdapter.Path) { Corpus = Repository.PathOf("spec", "cases"), OutputDirectory = _out, Workers = 2, Timeout = TimeSpan.FromSeconds(60) };

        InputFuzzResult result = CampaignRunner.FuzzInputs(options, output);

        string summary = output.ToString().TrimEnd('\n').Split('\n')[^1];
        Assert.True(result.Clean, output.ToString() + string.Join("\n", Directory.GetFiles(_out, "*.txt", SearchOption.AllDirectories).Select(File.ReadAllText)));
        Match counts = s_summary.Match(summary);
        Assert.True(counts.Success, summary);
        Assert.Equal(3000, result.Files);
        // Hostile inputs are mostly rejected, but the mutations must leave many files that parse and run.
        Assert.InRange(result.Accepted, 300, 2700);
        Assert.Equal(result.Files, result.Accepted + result.Rejected + result.CrashesOnUb + result.HangsOnUb);
    }

    [Fact]
    public void AnImplementationWithOtherLimits_DisagreesOnTheBoundFiles_AndTheyAreSaved()
    {
        var output = new StringWriter();
        // The variable set on the command line wins over the campaign's: the adapter rejects from 101 statements.
        var options = new InputFuzzOptions(7, 300, "env ASYNCREF_MAX_STATEMENTS=100 " + LibcryptoAdapter.Path) { OutputDirectory = _out, Workers = 1 };

        InputFuzzResult result = CampaignRunner.FuzzInputs(options, output);

        Assert.False(result.Clean);
        Assert.True(result.Disagreements > 0, output.ToString());
        string saved = string.Join("\n", Directory.GetFiles(Path.Combine(_out, "failures"), "*.txt").Select(File.ReadAllText));
        Assert.Contains("more than 512 statements (the limit, set by ASYNCREF_MAX_STATEMENTS)", saved, StringComparison.Ordinal);
    }

    [Fact]
    public void TheFiles_AreTheSameForASeed_AndMeetAndExceedEveryBound()
    {
        var inputs = new HostileInputs(5, [], InputFuzzOptions.SmallLimits);
        var origins = Enumerable.Range(0, 4000).Select(i => inputs.Get(i).Origin).ToList();

        Assert.Equal(inputs.Get(17).Bytes, new HostileInputs(5, [], InputFuzzOptions.SmallLimits).Get(17).Bytes);
        foreach (string bound in new[] { "statements", "logical threads", "job variables", "context variables", "line length", "file size", "log size", "functions", "callback names", "integers" })
        {
            Assert.Contains($"bound: {bound} exceeded by one", origins);
            Assert.Contains($"bound: {bound} met exactly", origins);
        }
    }
}
