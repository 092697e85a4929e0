namespace AsyncRef.Scenarios.Tests;

/// <summary>
/// The reference and the libcrypto adapter must accept and reject the same files and print the same log for defined
/// behaviour. The adapter's self-test fixtures (tests/adapter/fixtures) record what real libcrypto printed
/// (<c>NAME.out</c>) or the adapter's whole parse-error line (<c>NAME.err</c>, checked whole by
/// tests/adapter/run-adapter-tests.sh); the reference must agree with both, reading the same bytes.
/// </summary>
public sealed class AdapterAgreementTests
{
    private static string Fixtures => Path.Combine(TestSupport.RepositoryRoot, "tests", "adapter", "fixtures");

    public static TheoryData<string> RejectedFixtures() => Names(".err");

    public static TheoryData<string> LoggedFixtures() => Names(".out");

    private static TheoryData<string> Names(string extension)
    {
        var names = new TheoryData<string>();
        foreach (string file in Directory.GetFiles(Fixtures, "*" + extension).Order(StringComparer.Ordinal))
        {
            names.Add(Path.GetFileNameWithoutExtension(file));
        }

        return names;
    }

    [Theory]
    [MemberData(nameof(RejectedFixtures))]
    public void ParseErrors_AreTheSameWholeLine(string name)
    {
        // The first line of the .err file, as bytes decoded strictly (a message may hold any valid UTF-8).
        byte[] err = File.ReadAllBytes(Path.Combine(Fixtures, name + ".err"));
        string expected = ScenarioText.Utf8.GetString(err.AsSpan(0, Array.IndexOf(err, (byte)'\n')));
        byte[] bytes = File.ReadAllBytes(Path.Combine(Fixtures, name + ".scn"));
        if (!expected.StartsWith(name + ".scn:", StringComparison.Ordinal))
        {
            // Not a parse error (an unsupported profile, exit 3): the reference runs the file.
            Assert.NotNull(Scenario.ParseUtf8(bytes, name + ".scn"));
            return;
        }

        var e = Assert.Throws<ScenarioParseException>(() => Scenario.ParseUtf8(bytes, name + ".scn"));
        Assert.Equal(expected, e.Message);
    }

    [Theory]
    [MemberData(nameof(LoggedFixtures))]
    public void Logs_AgreeWithLibcrypto_UpToTheReferencesUb(string name)
    {
        ScenarioLog reference = Scenario.Load(Path.Combine(Fixtures, name + ".scn")).Run();
        byte[] libcrypto = File.ReadAllBytes(Path.Combine(Fixtures, name + ".out"));

        LogComparison c = LogComparer.Compare(reference, new ImplementationRun(0, libcrypto, "", false));

        Assert.True(c.IsSuccess, $"{c.Message}\n reference: {c.ReferenceLine}\n libcrypto: {c.OtherLine}");
    }
}
