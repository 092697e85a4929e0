using FsCheck;
using FsCheck.Fluent;

namespace AsyncRef.Property;

/// <summary>Generators and shrinkers for <see cref="FdScript"/>.</summary>
public static class FdScriptArbitrary
{
    private static readonly Gen<FdOp> Op = Gen.Frequency(
        (3, Gen.Choose(0, FdScript.KeyCount - 1).Select(k => new FdOp(FdOpKind.Set, k))),
        (2, Gen.Choose(0, FdScript.KeyCount - 1).Select(k => new FdOp(FdOpKind.Clear, k))));

    private static readonly Gen<FdOp[]> Ops = Gen.Choose(0, 4).SelectMany(n => Op.ArrayOf(n));

    private static readonly Gen<Segment> SegmentGen = Gen.Zip(Ops, Gen.Frequency((2, Ops), (1, Gen.Constant(Array.Empty<FdOp>()))))
        .Select(p => new Segment(p.Item1, p.Item2));

    private static readonly Gen<IReadOnlyList<Segment>> Job = Gen.Choose(1, 5).SelectMany(n => SegmentGen.ArrayOf(n))
        .Select(a => (IReadOnlyList<Segment>)a);

    internal static readonly Gen<FdScript> Scripts = Gen.Frequency((3, Gen.Constant(1)), (1, Gen.Constant(2)))
        .SelectMany(n => Job.ArrayOf(n))
        .Select(jobs => new FdScript(jobs).Numbered());

    /// <summary>The arbitrary FsCheck uses for <see cref="FdScript"/> parameters.</summary>
    public static Arbitrary<FdScript> FdScripts() => Arb.From(Scripts, Shrink);

    /// <summary>Smaller scripts: one job, segment or call fewer (fds stay unique, so no renumbering).</summary>
    internal static IEnumerable<FdScript> Shrink(FdScript script)
    {
        IReadOnlyList<IReadOnlyList<Segment>> jobs = script.Jobs;
        for (int j = 0; j < jobs.Count && jobs.Count > 1; j++)
        {
            yield return new FdScript(jobs.Where((_, i) => i != j).ToArray());
        }

        for (int j = 0; j < jobs.Count; j++)
        {
            for (int s = 0; s < jobs[j].Count && jobs[j].Count > 1; s++)
            {
                yield return script.WithJob(j, jobs[j].Where((_, i) => i != s).ToArray());
            }
        }

        for (int j = 0; j < jobs.Count; j++)
        {
            for (int s = 0; s < jobs[j].Count; s++)
            {
                Segment seg = jobs[j][s];
                for (int o = 0; o < seg.JobOps.Count; o++)
                {
                    yield return script.WithSegment(j, s, seg with { JobOps = seg.JobOps.Where((_, i) => i != o).ToArray() });
                }

                for (int o = 0; o < seg.AppOps.Count; o++)
                {
                    yield return script.WithSegment(j, s, seg with { AppOps = seg.AppOps.Where((_, i) => i != o).ToArray() });
                }
            }
        }
    }
}

/// <summary>
/// The wait-context bookkeeping, property-tested: random set/clear/pause sequences, made by jobs and by the
/// application between pauses, run on the reference and on an independent transcription of the facts' pseudo-code
/// (<see cref="FdModel"/>); after every step their observations must agree and the get_changed_fds invariants hold.
/// A failure shrinks to a small script and is written as a replayable scenario.
/// </summary>
public sealed class WaitCtxProperties
{
    /// <summary>Runs per <c>make test</c>; <c>ASYNCREF_PROPERTY_TESTS</c> raises it (<c>make property-campaign</c>).</summary>
    internal static int MaxTest =>
        int.TryParse(Environment.GetEnvironmentVariable("ASYNCREF_PROPERTY_TESTS"), out int n) && n > 0 ? n : 400;

    [Fact]
    public void WaitCtx_AgreesWithTheFactsModel_AndKeepsTheChangedFdsInvariants()
    {
        FsCheck.Property property = Prop.ForAll(FdScriptArbitrary.FdScripts(), script =>
        {
            IReadOnlyList<string> failures = FdHarness.Run(script, FdModelVariant.Facts, out _);
            if (failures.Count > 0)
            {
                string path = Counterexamples.Write("wait-ctx-property", script.ToScenario("counterexample: " + failures[0]));
                throw new InvalidOperationException($"{failures[0]}\nscript: {script}\nreplay: {path}");
            }
        });
        property.Check(Config.QuickThrowOnFailure.WithMaxTest(MaxTest).WithQuietOnSuccess(true));
    }

    [Fact]
    public void Property_FindsAndShrinksAPlantedBug()
    {
        // The bookkeeping before OpenSSL PR #2581: clear_fd marks even a just-added entry deleted. The harness must
        // catch it, and FsCheck must shrink the counterexample to a set and a clear of one key.
        FsCheck.Property property = Prop.ForAll(FdScriptArbitrary.FdScripts(), script =>
            FdHarness.Run(script, FdModelVariant.ClearAlwaysMarksDeleted, out _).Count == 0);
        // A fixed seed keeps the run (and its shrinking) the same every time.
        Config config = Config.QuickThrowOnFailure.WithMaxTest(400).WithQuietOnSuccess(true).WithReplay(20261123UL, 4321UL);
        var failure = Assert.ThrowsAny<Exception>(() => property.Check(config));
        Assert.Contains("Falsifiable", failure.Message, StringComparison.Ordinal);
        // Shrunk to a set and a clear of the same key before any reset (by the job or by the application).
        Assert.Matches(@"Shrunk:\s*\n\S*.*set K(\d)=\d+.*clear K\1\b", failure.Message);
    }

    [Fact]
    public void Generator_ReachesTheInterestingStates()
    {
        // A green property run means little unless the generated scripts reach the states that matter (ShardStore's
        // coverage gauges): deletions reported, set+clear within one segment, application edits while paused, and a
        // second job inheriting counts from the first.
        var coverage = new FdCoverage();
        foreach (FdScript script in Gen.Sample(FdScriptArbitrary.Scripts, 400, new Rnd(20261123), 30))
        {
            Assert.Empty(FdHarness.Run(script, FdModelVariant.Facts, out FdCoverage c));
            coverage.Add(c);
        }

        Assert.True(coverage.DeletedReported >= 20, $"deleted fds reported {coverage.DeletedReported} times");
        Assert.True(coverage.SetThenClearedInSegment >= 20, $"set+clear within a segment {coverage.SetThenClearedInSegment} times");
        Assert.True(coverage.AppEditsWhilePaused >= 20, $"application edits while paused {coverage.AppEditsWhilePaused} times");
        Assert.True(coverage.StaleCountsAtSecondJobStart >= 5, $"second job started with stale counts {coverage.StaleCountsAtSecondJobStart} times");
        Assert.True(coverage.DuplicateKeysLive >= 20, $"duplicate live keys {coverage.DuplicateKeysLive} times");
    }

    [Fact]
    public void Counterexample_IsAValidScenario()
    {
        var script = new FdScript([[new Segment([new FdOp(FdOpKind.Set, 0)], [new FdOp(FdOpKind.Clear, 0)]), new Segment([], [])]]).Numbered();
        string text = script.ToScenario("example");
        Assert.Contains("set_wait_fd . K0 101 D0 cleanup", text, StringComparison.Ordinal);
        Assert.Contains("clear_fd C1 K0", text, StringComparison.Ordinal);
        Assert.EndsWith("ctx_free C1\n", text, StringComparison.Ordinal);
    }
}
