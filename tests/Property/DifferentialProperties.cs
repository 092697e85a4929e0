using System.Text;
using AsyncRef.Oracle;
using AsyncRef.Scenarios;
using FsCheck;
using FsCheck.Fluent;

namespace AsyncRef.Property;

/// <summary>A generated scenario: job-function bodies and top-level statements, kept as lines so FsCheck can shrink them.</summary>
public sealed record GeneratedScenario(IReadOnlyList<IReadOnlyList<string>> Bodies, IReadOnlyList<string> Main)
{
    public string ToText(string title)
    {
        var text = new StringBuilder($"# {title}\n");
        for (int f = 0; f < Bodies.Count; f++)
        {
            text.Append($"func F{f + 1}\n");
            foreach (string line in Bodies[f])
            {
                text.Append("  ").Append(line).Append('\n');
            }

            text.Append("end\n");
        }

        text.Append("ctx_new C1\nctx_new C2\n");
        foreach (string line in Main)
        {
            text.Append(line).Append('\n');
        }

        return text.ToString();
    }

    public override string ToString() => $"{Bodies.Sum(b => b.Count)} body lines, {Main.Count} top-level lines";
}

/// <summary>
/// Random scenarios of defined behaviour (and the odd undefined point, where comparison stops) from the whole
/// language, so that whole-API interactions are exercised that no hand-written case thought of.
/// </summary>
public static class ScenarioGenerator
{
    private static int s_fd = 1000;

    private static Gen<string> Key => Gen.Elements("K1", "K2", "-");

    private static Gen<string> Fd => Gen.Constant(0).Select(_ => Interlocked.Increment(ref s_fd).ToString(System.Globalization.CultureInfo.InvariantCulture));

    private static Gen<string> WaitCtxCall(string ctx) => Gen.OneOf(
        Gen.Zip(Key, Gen.Zip(Fd, Gen.Elements("D1 cleanup", "D2 -", "- cleanup"))).Select(p => $"set_wait_fd {ctx} {p.Item1} {p.Item2.Item1} {p.Item2.Item2}"),
        Key.Select(k => $"clear_fd {ctx} {k}"),
        Key.Select(k => $"get_fd {ctx} {k}"),
        Gen.Elements($"get_all_fds {ctx}", $"get_changed_fds {ctx}", $"get_status {ctx}", $"get_callback {ctx}", $"call_callback {ctx}"),
        Gen.Elements("OK", "EAGAIN", "7").Select(s => $"set_status {ctx} {s}"),
        Gen.Elements($"set_callback {ctx} CB1 A1", $"set_callback {ctx} - A2"));

    private static readonly Gen<string> BodyLine = Gen.Frequency(
        (6, WaitCtxCall(".")),
        (5, Gen.Constant("pause")),
        (1, Gen.Elements("block_pause", "unblock_pause", "current_job", "wait_ctx", "arg", "errors")),
        (1, Gen.Elements("init_thread 1 2", "init_thread 2 1")));

    private static readonly Gen<IReadOnlyList<string>> Body = Gen.Choose(0, 8)
        .SelectMany(n => BodyLine.ArrayOf(n))
        .SelectMany(lines => Gen.Choose(-3, 9).Select(r => (IReadOnlyList<string>)[.. lines, $"return {r}"]));

    /// <summary>Top-level lines: jobs J1/J2 run on main, J3 on thread T2, so no job is ever restarted on another thread.</summary>
    private static readonly Gen<string> Start =
        from job in Gen.Elements("J1", "J2")
        from ctx in Gen.Elements("C1", "C2")
        from func in Gen.Elements("F1", "F2", "F3")
        from arg in Gen.Elements("-", "\"ab\"", "ptr0")
        select $"start {job} {ctx} {func} {arg}";

    private static readonly Gen<string> MainLine = Gen.Frequency(
        (6, Start),
        (2, Gen.Elements("F1", "F2", "F3").Select(f => $"@T2 start J3 C2 {f} -")),
        (4, Gen.Elements("C1", "C2").SelectMany(WaitCtxCall)),
        (1, Gen.Elements("init_thread 1 0", "init_thread 2 1", "init_thread 0 1", "init_thread 0 0", "@T2 init_thread 1 1")),
        (1, Gen.Elements("errors", "@T2 errors", "current_job", "block_pause", "is_capable")));

    internal static readonly Gen<GeneratedScenario> Scenarios =
        Gen.Zip(Body.ArrayOf(3), Gen.Choose(1, 25).SelectMany(n => MainLine.ArrayOf(n)))
            .Select(p => new GeneratedScenario(p.Item1, p.Item2));

    public static Arbitrary<GeneratedScenario> Arbitrary() => Arb.From(Scenarios, Shrink);

    private static IEnumerable<GeneratedScenario> Shrink(GeneratedScenario s)
    {
        for (int i = 0; i < s.Main.Count; i++)
        {
            yield return s with { Main = s.Main.Where((_, j) => j != i).ToArray() };
        }

        for (int f = 0; f < s.Bodies.Count; f++)
        {
            for (int i = 0; i < s.Bodies[f].Count - 1; i++)
            {
                int fi = f, li = i;
                yield return s with { Bodies = s.Bodies.Select((b, k) => k == fi ? (IReadOnlyList<string>)b.Where((_, j) => j != li).ToArray() : b).ToArray() };
            }
        }
    }
}

/// <summary>
/// Differential testing of the reference against real libcrypto: random scenarios run through both and their logs
/// must agree up to the reference's first UB line. A divergence shrinks to a small scenario, written to
/// <c>artifacts/counterexamples/differential.scn</c> for both implementations to replay.
/// </summary>
public sealed class DifferentialProperties
{
    private static int Runs =>
        int.TryParse(Environment.GetEnvironmentVariable("ASYNCREF_DIFFERENTIAL_TESTS"), out int n) && n > 0 ? n : 150;

    [Fact]
    public void RandomScenarios_RunTheSameOnTheReferenceAndOnLibcrypto()
    {
        // The version matrix (tools/openssl/matrix.py) points this at an adapter built against another release.
        string adapter = Environment.GetEnvironmentVariable("ASYNCREF_DIFFERENTIAL_ADAPTER") is { Length: > 0 } other
            ? other
            : Repository.PathOf("artifacts", "asyncref-openssl");
        Assert.True(File.Exists(adapter), $"{adapter} is missing: build it with `make adapter` (make test does)");
        string scratch = Path.Combine(Path.GetTempPath(), $"asyncref-differential-{Environment.ProcessId}.scn");
        var verdicts = new Dictionary<ComparisonVerdict, int>();
        FsCheck.Property property = Prop.ForAll(ScenarioGenerator.Arbitrary(), generated =>
        {
            string text = generated.ToText("generated by DifferentialProperties");
            File.WriteAllText(scratch, text);
            ScenarioLog reference = Scenario.Load(scratch).Run();
            ImplementationRun libcrypto = ExternalImplementation.Run(adapter, scratch, TimeSpan.FromSeconds(30));
            LogComparison comparison = LogComparer.Compare(reference, libcrypto);
            verdicts[comparison.Verdict] = verdicts.GetValueOrDefault(comparison.Verdict) + 1;
            if (!comparison.IsSuccess)
            {
                string path = Counterexamples.Write("differential", generated.ToText($"counterexample: {comparison.Message}"));
                throw new InvalidOperationException($"{comparison.Message}\n reference: {comparison.ReferenceLine}\n libcrypto: {comparison.OtherLine}\nreplay: {path}");
            }
        });
        try
        {
            property.Check(Config.QuickThrowOnFailure.WithMaxTest(Runs).WithQuietOnSuccess(true));
        }
        finally
        {
            File.Delete(scratch);
        }

        // Most generated scenarios must be compared in full, not cut short by a UB point.
        Assert.True(verdicts.GetValueOrDefault(ComparisonVerdict.Match) >= Runs / 2, string.Join(", ", verdicts));
    }
}
