using Microsoft.Coyote;
using Microsoft.Coyote.Logging;
using Microsoft.Coyote.Specifications;
using Microsoft.Coyote.SystematicTesting;

namespace AsyncRef.Systematic;

/// <summary>What one systematic test run found.</summary>
internal sealed record CoyoteOutcome(int Bugs, IReadOnlyList<string> BugReports, string? TracePath, int ExploredPaths, string Report);

/// <summary>
/// Runs a test body under Coyote's systematic scheduler: strict mode (uncontrolled concurrency is a failure), a fixed
/// seed (CI is reproducible; <c>COYOTE_SEED</c> overrides it), <c>COYOTE_ITERS</c> iterations when set. A bug's
/// reproducible trace is written to <c>artifacts/coyote-traces/NAME.trace</c> (and a readable <c>.txt</c>);
/// <c>COYOTE_REPLAY=PATH</c> replays such a trace instead of exploring.
/// </summary>
internal static class CoyoteHarness
{
    internal const uint DefaultSeed = 20261123;

    internal static CoyoteOutcome Run(string name, Func<Task> test, int iterations)
    {
        Configuration config = Configuration.Create()
            .WithTestingIterations((uint)ScaledIterations(iterations))
            .WithMaxSchedulingSteps(20000)
            .WithPartiallyControlledConcurrencyAllowed(false)
            .WithTelemetryEnabled(false)
            .WithRandomGeneratorSeed(Seed());
        string? replay = Environment.GetEnvironmentVariable("COYOTE_REPLAY");
        if (!string.IsNullOrEmpty(replay) && Path.GetFileNameWithoutExtension(replay) == name)
        {
            config = Configuration.Create().WithTelemetryEnabled(false).WithReproducibleTrace(File.ReadAllText(replay));
        }

        return Execute(name, config, test);
    }

    /// <summary>Replays a trace written by <see cref="Run"/>.</summary>
    internal static CoyoteOutcome Replay(string name, string tracePath, Func<Task> test) =>
        Execute(name + ".replay", Configuration.Create().WithTelemetryEnabled(false).WithReproducibleTrace(File.ReadAllText(tracePath)), test);

    /// <summary>Runs <paramref name="body"/> on a thread, turning any exception into a Coyote assertion that names it.</summary>
    internal static Thread StartGuarded(string who, Action body)
    {
        var thread = new Thread(() =>
        {
            try
            {
                body();
            }
            catch (Exception e)
            {
                Specification.Assert(false, $"{who}: {e.GetType().Name}: {e.Message}");
            }
        });
        thread.Start();
        return thread;
    }

    private static CoyoteOutcome Execute(string name, Configuration config, Func<Task> test)
    {
        using var engine = TestingEngine.Create(config, test);
        engine.SetLogger(new TextWriterLogger(TextWriter.Null, VerbosityLevel.None));
        engine.Run();
        TestReport report = engine.TestReport;
        Assert.True(engine.IsTestRewritten(), "the systematic tests must run on rewritten assemblies");
        Assert.Empty(report.UncontrolledInvocations);
        Assert.Empty(report.InternalErrors);
        string? tracePath = null;
        if (report.NumOfFoundBugs > 0)
        {
            string dir = Repository.PathOf("artifacts", "coyote-traces");
            Directory.CreateDirectory(dir);
            tracePath = Path.Combine(dir, name + ".trace");
            File.WriteAllText(tracePath, engine.ReproducibleTrace);
            File.WriteAllText(Path.ChangeExtension(tracePath, ".txt"), engine.ReadableTrace);
        }

        return new CoyoteOutcome(report.NumOfFoundBugs, report.BugReports.ToList(), tracePath, report.NumOfExploredFairPaths + report.NumOfExploredUnfairPaths, report.GetText(config));
    }

    private static int ScaledIterations(int iterations) =>
        int.TryParse(Environment.GetEnvironmentVariable("COYOTE_ITERS"), out int n) && n > 0 ? n : iterations;

    private static uint Seed() =>
        uint.TryParse(Environment.GetEnvironmentVariable("COYOTE_SEED"), out uint seed) ? seed : DefaultSeed;
}
