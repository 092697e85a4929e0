using System.Text.Json;
using AsyncRef.Engines;
using AsyncRef.Testing;

namespace AsyncRef.Systematic;

/// <summary>
/// Several workers (<see cref="Hunt.WithParallelism"/>) explore the executions one worker would, split into blocks of
/// seeds: they report the first bug in seed order, at the same iteration, with the same schedule, whichever worker holds
/// its seed; and the bug's seed, explored alone, finds it again.
/// </summary>
public sealed class ParallelHuntTests(ITestOutputHelper output)
{
    /// <summary>A lost wake-up that the project's seed finds only after a few clean executions.</summary>
    private static readonly EngineSystem LostWakeUp =
        new(NotifyMode.StableFd, Loops: 2, EngineScenarios.Busy with { Faults = AppFaults.CheckThenWaitUnlocked }, RingSize: 2);

    [Fact]
    public void Workers_ReportTheFirstBugInSeedOrder_WhicheverWorkerHoldsItsSeed()
    {
        HuntResult alone = Hunts.Planted(output).Named("Parallel_OneWorker").WithParallelism(1).Explore(LostWakeUp.Run);
        Assert.True(alone.BugFound, alone.Summary);
        int k = alone.BugIteration;
        Assert.True(k >= 3, $"the bug must lie beyond the first executions for the split to matter; found at iteration {k}");
        Assert.Equal(k, alone.Iterations);
        Assert.Equal(alone.Workers[0].FirstSeed + (uint)k - 1, alone.BugSeed);

        // 3 workers over 3 (k - 1) executions: worker 1 starts at execution k; k workers over k: worker k - 1 holds it.
        // (ASYNCREF_HUNT_ITERATIONS or _WORKERS may change the split: the finder is computed from the workers' seeds.)
        foreach ((int workers, int iterations) in new[] { (3, 3 * (k - 1)), (k, k) })
        {
            HuntResult split = Hunts.Planted(output).Named($"Parallel_{workers}Workers").WithIterations(iterations).WithParallelism(workers).Explore(LostWakeUp.Run);
            Assert.True(split.BugFound, split.Summary);
            Assert.Equal(alone.Bug, split.Bug);
            Assert.Equal(k, split.BugIteration);
            Assert.Equal(alone.BugSeed, split.BugSeed);
            Assert.Equal(Schedule(alone.TracePath!), Schedule(split.TracePath!));
            int finder = split.Workers.Count(w => w.FirstSeed <= split.BugSeed) - 1;
            Assert.Equal(finder, split.Worker);
            Assert.True(finder > 0 || Environment.GetEnvironmentVariable("ASYNCREF_HUNT_ITERATIONS") is not null, split.Summary);
            for (int i = 0; i < finder; i++)
            {
                // Every worker below the finder explored its whole share (up to the next worker's first seed), cleanly.
                Assert.Equal((int)(split.Workers[i + 1].FirstSeed - split.Workers[i].FirstSeed), split.Workers[i].Iterations);
            }
        }

        HuntResult again = Hunts.Planted(output).Named("Parallel_BugSeedAlone").WithSeed(alone.BugSeed!.Value).WithIterations(1).Explore(LostWakeUp.Run);
        Assert.Equal(alone.Bug, again.Bug);
        Assert.Equal(1, again.BugIteration);
    }

    [Fact]
    public void Workers_ExploreTheWholeBudget_InConsecutiveBlocksOfSeeds()
    {
        HuntResult result = Hunts.Correct(output).Named("Parallel_Budget").WithIterations(100).WithParallelism(3).Explore(TwoPausingJobs);
        Assert.False(result.BugFound, result.Summary);
        int budget = result.Iterations;
        Assert.Equal(budget, result.Workers.Sum(w => w.Iterations));
        for (int i = 0; i < result.Workers.Count; i++)
        {
            HuntWorker worker = result.Workers[i];
            Assert.Equal(i, worker.Index);
            Assert.Equal(budget / result.Workers.Count + (i < budget % result.Workers.Count ? 1 : 0), worker.Iterations);
            if (i > 0)
            {
                Assert.Equal(result.Workers[i - 1].FirstSeed + (uint)result.Workers[i - 1].Iterations, worker.FirstSeed);
            }
        }
    }

    [Fact]
    public void Timeout_StopsEveryWorker_BeforeTheBudget()
    {
        // Far more executions than fit in the timeout: the workers stop between engines once it has passed.
        HuntResult result = Hunts.Correct(output).Named("Parallel_Timeout").WithIterations(200_000).WithParallelism(2).WithTimeout(TimeSpan.FromSeconds(1)).Explore(TwoPausingJobs);
        Assert.False(result.BugFound, result.Summary);
        Assert.True(result.Iterations < 200_000, result.Summary);
        Assert.All(result.Workers, w => Assert.True(w.Iterations > 0, result.Summary));
    }

    /// <summary>A small correct system: two threads, each running a job that pauses once.</summary>
    private static void TwoPausingJobs(HuntSession session)
    {
        Thread[] threads = [session.StartThread("T0", Hunts.PauseOnceThenCleanUp), session.StartThread("T1", Hunts.PauseOnceThenCleanUp)];
        foreach (Thread thread in threads)
        {
            thread.Join();
        }
    }

    /// <summary>The scheduling decisions a trace records (its settings name the seed of the engine that found it).</summary>
    private static string Schedule(string tracePath)
    {
        using JsonDocument trace = JsonDocument.Parse(File.ReadAllText(tracePath));
        return trace.RootElement.GetProperty("Steps").GetRawText();
    }
}
