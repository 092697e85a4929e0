namespace AsyncRef.Scenarios.Tests;

/// <summary>
/// The reference and the libcrypto adapter must accept and reject the same files and print the same log for defined
/// behaviour. The adapter's self-test fixtures (tests/adapter/fixtures) record what real libcrypto printed
/// (<c>NAME.out</c>) or the adapter's whole parse-error line (<c>NAME.err</c>, checked whole by
/// tests/adapter/run-adapter-tests.sh); the reference must agree with both, reading the same bytes under the same
/// limits (<c>NAME.env</c>). A fixture with both files broke the log bound: its log stops, then the error line.
/// </summary>
public sealed class AdapterAgreementTests
{
    private static string Fixtures => Path.Combine(TestSupport.RepositoryRoot, "tests", "adapter", "fixtures");

    public static TheoryData<string> RejectedFixtures() => Names(".err", without: ".out");

    public static TheoryData<string> LoggedFixtures() => Names(".out", without: ".err");

    public static TheoryData<string> LogBoundFixtures() => Names(".out", without: null, also: ".err");

    private static TheoryData<string> Names(string extension, string? without, string? also = null)
    {
        var names = new TheoryData<string>();
        foreach (string file in Directory.GetFiles(Fixtures, "*" + extension).Order(StringComparer.Ordinal))
        {
            string name = Path.GetFileNameWithoutExtension(file);
            if ((without is null || !File.Exists(Path.Combine(Fixtures, name + without))) && (also is null || File.Exists(Path.Combine(Fixtures, name + also))))
            {
                names.Add(name);
            }
        }

        return names;
    }

    /// <summary>The limits of a fixture: its <c>NAME.env</c> (<c>VARIABLE=VALUE</c> lines) over the defaults.</summary>
    private static ScenarioLimits LimitsOf(string name)
    {
        string env = Path.Combine(Fixtures, name + ".env");
        Dictionary<string, string> variables = File.Exists(env)
            ? File.ReadAllLines(env).Where(l => l.Contains('=', StringComparison.Ordinal)).ToDictionary(l => l[..l.IndexOf('=', StringComparison.Ordinal)], l => l[(l.IndexOf('=', StringComparison.Ordinal) + 1)..], StringComparer.Ordinal)
            : [];
        return ScenarioLimits.From(v => variables.GetValueOrDefault(v));
    }

    private static string FirstLine(string name, string extension)
    {
        // As bytes decoded strictly (a message may hold any valid UTF-8).
        byte[] err = File.ReadAllBytes(Path.Combine(Fixtures, name + extension));
        return ScenarioText.Utf8.GetString(err.AsSpan(0, Array.IndexOf(err, (byte)'\n')));
    }

    [Theory]
    [MemberData(nameof(RejectedFixtures))]
    public void ParseErrors_AreTheSameWholeLine(string name)
    {
        string expected = FirstLine(name, ".err");
        ScenarioLimits limits = LimitsOf(name);
        byte[] bytes = File.ReadAllBytes(Path.Combine(Fixtures, name + ".scn"));
        if (!expected.StartsWith(name + ".scn:", StringComparison.Ordinal))
        {
            // Not a parse error (an unsupported profile, exit 3): the reference runs the file.
            Assert.NotNull(Scenario.ParseUtf8(bytes, name + ".scn", limits));
            return;
        }

        var e = Assert.Throws<ScenarioParseException>(() => Scenario.ParseUtf8(bytes, name + ".scn", limits));
        Assert.Equal(expected, e.Message);
    }

    [Theory]
    [MemberData(nameof(LoggedFixtures))]
    public void Logs_AgreeWithLibcrypto_UpToTheReferencesUb(string name)
    {
        ScenarioLog reference = Scenario.ParseUtf8(File.ReadAllBytes(Path.Combine(Fixtures, name + ".scn")), name + ".scn", LimitsOf(name)).Run();
        byte[] libcrypto = File.ReadAllBytes(Path.Combine(Fixtures, name + ".out"));

        LogComparison c = LogComparer.Compare(reference, new ImplementationRun(0, libcrypto, "", false));

        Assert.True(c.IsSuccess, $"{c.Message}\n reference: {c.ReferenceLine}\n libcrypto: {c.OtherLine}");
    }

    [Theory]
    [MemberData(nameof(LogBoundFixtures))]
    public void RunsOverTheLogBound_StopAtTheSameLineWithTheSameError(string name)
    {
        Scenario scenario = Scenario.ParseUtf8(File.ReadAllBytes(Path.Combine(Fixtures, name + ".scn")), name + ".scn", LimitsOf(name));
        var printed = new List<string>();

        var e = Assert.Throws<ScenarioParseException>(() => scenario.Run(printed.Add));

        Assert.Equal(FirstLine(name, ".err"), e.Message);
        Assert.Equal(File.ReadAllLines(Path.Combine(Fixtures, name + ".out")), printed);
    }
}
