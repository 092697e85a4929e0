using AsyncRef.Engines;
using Microsoft.Coyote.Specifications;

namespace AsyncRef.Systematic;

/// <summary>A whole system: one offload device thread, and event-loop threads each serving connections with jobs.</summary>
internal sealed record EngineSystem(NotifyMode Mode, int Loops, AppOptions App, int RingSize, EngineFaults EngineFaults = EngineFaults.None)
{
    public Func<Task> Test => () =>
    {
        var fds = new FdTable();
        var device = new OffloadDevice(fds, RingSize, EngineFaults);
        var engine = new OffloadEngine(device, fds, Mode, EngineFaults);
        Thread deviceThread = CoyoteHarness.StartGuarded("device", device.Run);
        var loops = new Thread[Loops];
        for (int i = 0; i < Loops; i++)
        {
            int loop = i;
            loops[i] = CoyoteHarness.StartGuarded($"event loop {loop}", () =>
            {
                var app = new EventLoopApp(fds, engine, App);
                int finished = app.Run();
                Specification.Assert(finished == App.Connections * App.JobsPerConnection, $"event loop {loop} finished {finished} jobs");
            });
        }

        foreach (Thread loop in loops)
        {
            loop.Join();
        }

        device.Stop();
        deviceThread.Join();
        Specification.Assert(fds.OpenCount == 0, $"fd leak: {fds.OpenCount} fds still open after every wait ctx was freed");
        return Task.CompletedTask;
    };
}

/// <summary>
/// Engines and event loops built on the reference, explored by Coyote: the correct ones must survive every explored
/// interleaving; each planted defect must be found, with a trace that replays.
/// </summary>
public sealed class EngineScenarios
{
    /// <summary>Iterations for the correct systems (each explores a large state space; the campaign target raises it).</summary>
    private const int Iterations = 100;

    /// <summary>Iterations allowed to find a planted defect.</summary>
    private const int BugIterations = 300;

    /// <summary>Two loops, two connections each, a pool of one job per loop (NO_JOBS), a ring of one (EAGAIN retries).</summary>
    private static readonly AppOptions Busy = new(Connections: 2, JobsPerConnection: 2, OpsPerJob: 2, PoolMaxSize: 1);

    [Theory]
    [InlineData(NotifyMode.StableFd)]
    [InlineData(NotifyMode.PerOperationFd)]
    [InlineData(NotifyMode.Callback)]
    public void CorrectEngineAndLoop_SurviveEveryExploredInterleaving(NotifyMode mode)
    {
        CoyoteOutcome outcome = CoyoteHarness.Run($"correct-{mode}", new EngineSystem(mode, Loops: 2, Busy, RingSize: 1).Test, Iterations);
        Assert.True(outcome.Bugs == 0, string.Join("\n", outcome.BugReports));
        Assert.True(outcome.ExploredPaths >= Iterations, outcome.Report);
    }

    [Fact]
    public void LoopAddingBeforeDeleting_LosesAReusedFd_IsFound()
    {
        var system = new EngineSystem(NotifyMode.PerOperationFd, Loops: 1, Busy with { Faults = AppFaults.AddsBeforeDeletes }, RingSize: 2);
        CoyoteOutcome outcome = AssertFoundAndReplays("adds-before-deletes", system.Test);
        Assert.Contains(outcome.BugReports, r => r.Contains("monitor: connection", StringComparison.Ordinal));
    }

    [Fact]
    public void LoopWithLostWakeUp_Deadlocks_IsFound()
    {
        var system = new EngineSystem(NotifyMode.StableFd, Loops: 2, Busy with { Faults = AppFaults.CheckThenWaitUnlocked }, RingSize: 2);
        CoyoteOutcome outcome = AssertFoundAndReplays("lost-wake-up", system.Test);
        Assert.Contains(outcome.BugReports, r => r.Contains("eadlock", StringComparison.Ordinal));
    }

    [Fact]
    public void LoopIgnoringEAgain_WaitsForever_IsFound()
    {
        var system = new EngineSystem(NotifyMode.Callback, Loops: 2, Busy with { Faults = AppFaults.IgnoresEAgain }, RingSize: 1);
        CoyoteOutcome outcome = AssertFoundAndReplays("ignores-eagain", system.Test);
        Assert.Contains(outcome.BugReports, r => r.Contains("eadlock", StringComparison.Ordinal));
    }

    [Fact]
    public void EngineClearingWithoutClosing_LeaksFds_IsFound()
    {
        var system = new EngineSystem(NotifyMode.PerOperationFd, Loops: 1, Busy, RingSize: 2, EngineFaults.ClearWithoutClose);
        CoyoteOutcome outcome = AssertFoundAndReplays("clear-without-close", system.Test);
        Assert.Contains(outcome.BugReports, r => r.Contains("fd leak", StringComparison.Ordinal));
    }

    [Fact]
    public void DeviceResumingTheJobFromItsThread_IsRejectedAsUndefined_IsFound()
    {
        var system = new EngineSystem(NotifyMode.Callback, Loops: 1, Busy, RingSize: 2, EngineFaults.CallbackResumesJob);
        CoyoteOutcome outcome = AssertFoundAndReplays("callback-resumes-job", system.Test);
        Assert.Contains(outcome.BugReports, r => r.Contains(UbRules.CrossThreadResume, StringComparison.Ordinal));
    }

    private static CoyoteOutcome AssertFoundAndReplays(string name, Func<Task> test)
    {
        CoyoteOutcome outcome = CoyoteHarness.Run(name, test, BugIterations);
        Assert.True(outcome.Bugs > 0, $"the planted defect '{name}' was not found in {BugIterations} iterations:\n{outcome.Report}");
        Assert.NotNull(outcome.TracePath);
        CoyoteOutcome replay = CoyoteHarness.Replay(name, outcome.TracePath!, test);
        Assert.True(replay.Bugs > 0, "the trace did not reproduce the bug");
        Assert.Equal(outcome.BugReports[0], replay.BugReports[0]);
        return outcome;
    }
}
