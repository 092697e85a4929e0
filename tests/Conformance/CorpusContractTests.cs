using AsyncRef.Oracle;
using AsyncRef.Scenarios;

namespace AsyncRef.Conformance;

/// <summary>
/// The conformance contract, written once and run against every implementation (the pattern of Channels'
/// ChannelTestBase): every case of <c>spec/cases</c> must reproduce its golden log. Capability flags say what an
/// implementation can do; where it cannot (detect undefined behaviour, reproduce profile 1.1.1), the suite checks
/// the weaker promise it makes instead, never nothing.
/// </summary>
public abstract class CorpusContractTests
{
    /// <summary>Whether the implementation reports undefined behaviour as a <c>UB</c> line (otherwise it may crash there).</summary>
    protected abstract bool DetectsUndefinedBehaviour { get; }

    /// <summary>Whether the implementation can behave as libcrypto 1.1.1 (otherwise it must refuse such files with exit 3).</summary>
    protected abstract bool SupportsProfile111 { get; }

    /// <summary>Whether the implementation can behave as libcrypto 3.2 and later (the stack functions; otherwise it must refuse such files with exit 3).</summary>
    protected abstract bool SupportsProfile32 { get; }

    /// <summary>Runs a scenario file.</summary>
    protected abstract ImplementationRun Run(string scenarioPath);

    public static TheoryData<string> Cases()
    {
        var cases = new TheoryData<string>();
        foreach (string path in Directory.EnumerateFiles(Repository.PathOf("spec", "cases"), "*.scn").Order(StringComparer.Ordinal))
        {
            cases.Add(Path.GetFileNameWithoutExtension(path));
        }

        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Case_ReproducesItsGoldenLog(string name)
    {
        string path = Repository.PathOf("spec", "cases", name + ".scn");
        string golden = File.ReadAllText(Path.ChangeExtension(path, ".out"));
        AsyncProfile profile = Scenario.Load(path).Profile;
        bool profile111 = profile == AsyncProfile.OpenSsl111;
        bool stopsAtUb = golden.Contains(" => UB ", StringComparison.Ordinal);
        ImplementationRun run = Run(path);

        if (profile111 && !SupportsProfile111)
        {
            Assert.True(run.ExitCode == 3 && run.Stdout.Length == 0, $"a 1.1.1 file must be refused with exit 3 and no log; got {run.ExitCode}");
            return;
        }

        if (profile == AsyncProfile.OpenSsl32 && !SupportsProfile32)
        {
            Assert.True(run.ExitCode == 3 && run.Stdout.Length == 0, $"a 3.2 file must be refused with exit 3 and no log; got {run.ExitCode}");
            return;
        }

        if (stopsAtUb && !DetectsUndefinedBehaviour)
        {
            // Everything before the reference's UB line must match; what happens at the UB point (a crash, or
            // OpenSSL carrying on) is not a divergence.
            string[] expected = golden.Split('\n');
            int ubIndex = Array.FindIndex(expected, l => l.Contains(" => UB ", StringComparison.Ordinal));
            string[] actual = run.Stdout.Split('\n');
            Assert.True(actual.Length > ubIndex, $"the log ended after {actual.Length} lines, before the UB point at line {ubIndex + 1}:\n{run.Stdout}");
            Assert.Equal(expected[..ubIndex], actual[..ubIndex]);
            return;
        }

        Assert.True(run.ExitCode == 0, $"exit {run.ExitCode}: {run.Stderr}");
        Assert.Equal(golden, run.Stdout);
    }
}

/// <summary>The contract on the reference, in process, with checked mode on.</summary>
public sealed class ReferenceCorpusTests : CorpusContractTests
{
    protected override bool DetectsUndefinedBehaviour => true;

    protected override bool SupportsProfile111 => true;

    protected override bool SupportsProfile32 => true;

    protected override ImplementationRun Run(string scenarioPath) =>
        new(0, Scenario.Load(scenarioPath).Run().ToText(), "", false);
}

/// <summary>The contract on real libcrypto, through the C adapter that <c>make build</c> leaves in <c>artifacts/</c>.</summary>
public sealed class LibcryptoCorpusTests : CorpusContractTests
{
    protected override bool DetectsUndefinedBehaviour => false;

    protected override bool SupportsProfile111 => false;

    /// <summary>The installed libcrypto is 3.0; the version matrix runs the 3.2 cases on 3.5 and later (tools/openssl/matrix.py).</summary>
    protected override bool SupportsProfile32 => false;

    protected override ImplementationRun Run(string scenarioPath)
    {
        string adapter = Repository.PathOf("artifacts", "asyncref-openssl");
        Assert.True(File.Exists(adapter), $"{adapter} is missing: build it with `make adapter` (make test does)");
        return ExternalImplementation.Run(adapter, scenarioPath, TimeSpan.FromSeconds(30));
    }
}
