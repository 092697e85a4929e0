using System.Runtime.CompilerServices;
using AsyncRef.Engines;
using AsyncRef.Testing;

namespace AsyncRef.Systematic;

/// <summary>A whole system: one offload device thread, and event-loop threads each serving connections with jobs.</summary>
internal sealed record EngineSystem(NotifyMode Mode, int Loops, AppOptions App, int RingSize, EngineFaults EngineFaults = EngineFaults.None)
{
    public void Run(HuntSession session)
    {
        var fds = new FdTable();
        var device = new OffloadDevice(fds, RingSize, EngineFaults);
        var engine = new OffloadEngine(device, fds, Mode, EngineFaults);
        Thread deviceThread = session.StartThread("device", device.Run);
        var loops = new Thread[Loops];
        for (int i = 0; i < Loops; i++)
        {
            string name = $"loop_{i}";
            loops[i] = session.StartThread(name, () =>
            {
                int finished = new EventLoopApp(fds, engine, App).Run();
                session.Check(finished == App.Connections * App.JobsPerConnection, $"{name} finished {finished} jobs");
            });
        }

        foreach (Thread loop in loops)
        {
            loop.Join();
        }

        device.Stop();
        deviceThread.Join();
        session.Check(fds.OpenCount == 0, $"fd leak: {fds.OpenCount} fds still open after every wait ctx was freed");
    }
}

/// <summary>
/// Engines and event loops built on the reference, explored by Coyote through AsyncRef.Testing: the correct ones must
/// survive every explored interleaving with every monitor attached; each planted bug must be found within the
/// budget, and its saved trace must replay to the same bug.
/// </summary>
public sealed class EngineScenarios(ITestOutputHelper output)
{
    /// <summary>Two loops, two connections each, a pool of one job per loop (NO_JOBS), a ring of one (EAGAIN retries).</summary>
    internal static readonly AppOptions Busy = new(Connections: 2, JobsPerConnection: 2, OpsPerJob: 2, PoolMaxSize: 1);

    [Theory]
    [InlineData(NotifyMode.StableFd)]
    [InlineData(NotifyMode.PerOperationFd)]
    [InlineData(NotifyMode.Callback)]
    public void CorrectEngineAndLoop_SurviveEveryExploredInterleaving(NotifyMode mode)
    {
        HuntResult result = Hunts.Correct(output).Named($"Correct_{mode}").Explore(new EngineSystem(mode, Loops: 2, Busy, RingSize: 1).Run);
        Assert.False(result.BugFound, result.Summary + "\n" + result.Report);
    }

    [Fact]
    public void Planted_AddsBeforeDeletes_IsFound() =>
        AssertFoundAndReplays(
            new EngineSystem(NotifyMode.PerOperationFd, Loops: 1, Busy with { Faults = AppFaults.AddsBeforeDeletes }, RingSize: 2),
            "monitor: connection");

    [Fact]
    public void Planted_CheckThenWaitUnlocked_LosesTheWakeUp_IsFound() =>
        AssertFoundAndReplays(
            new EngineSystem(NotifyMode.StableFd, Loops: 2, Busy with { Faults = AppFaults.CheckThenWaitUnlocked }, RingSize: 2),
            "all blocked");

    [Fact]
    public void Planted_WakeSignalledBeforeTheFdIsRegistered_IsLost_IsFound() =>
        AssertFoundAndReplays(
            new EngineSystem(NotifyMode.PerOperationFd, Loops: 1, Busy with { Faults = AppFaults.EdgeTriggeredPoller }, RingSize: 2),
            "lost wake-up");

    [Fact]
    public void Planted_EAgainTreatedAsOk_WaitsForever_IsFound() =>
        AssertFoundAndReplays(
            new EngineSystem(NotifyMode.Callback, Loops: 2, Busy with { Faults = AppFaults.IgnoresEAgain }, RingSize: 1),
            "status EAGAIN");

    [Fact]
    public void Planted_CallbackFiredAfterTheCtxWasFreed_IsFound() =>
        AssertFoundAndReplays(
            new EngineSystem(NotifyMode.Callback, Loops: 1, Busy, RingSize: 2, EngineFaults.CallbackAfterCompletion),
            "after the ctx was freed");

    [Fact]
    public void Planted_ResumeFromAnotherThread_IsFound() =>
        AssertFoundAndReplays(
            new EngineSystem(NotifyMode.Callback, Loops: 1, Busy with { Faults = AppFaults.CallbackResumesJob }, RingSize: 2),
            "resumes job");

    [Fact]
    public void Planted_MissingUnblockPause_IsFound() =>
        AssertFoundAndReplays(
            new EngineSystem(NotifyMode.StableFd, Loops: 1, Busy, RingSize: 2, EngineFaults.MissingUnblockPause),
            "has no unblock_pause");

    [Fact]
    public void Planted_DoubleResume_IsFound() =>
        AssertFoundAndReplays(
            new EngineSystem(NotifyMode.StableFd, Loops: 1, Busy with { Faults = AppFaults.KeepsFinishedHandle }, RingSize: 2),
            "double resume");

    [Fact]
    public void Planted_WakeSignalClearedTooEarly_IsFound() =>
        AssertFoundAndReplays(
            new EngineSystem(NotifyMode.StableFd, Loops: 2, Busy, RingSize: 1, EngineFaults.ClearsWakeTooEarly),
            "cleared too early");

    [Fact]
    public void Planted_OneWaitCtxSharedByTwoJobsOfAConnection_IsFound() =>
        AssertFoundAndReplays(
            new EngineSystem(NotifyMode.StableFd, Loops: 1, Busy with { Faults = AppFaults.ConcurrentJobsShareCtx, PoolMaxSize = 2 }, RingSize: 2),
            "shared by two unfinished jobs");

    [Fact]
    public void Planted_JobAbandonedWhilePaused_IsFound() =>
        AssertFoundAndReplays(
            new EngineSystem(NotifyMode.Callback, Loops: 2, Busy with { Faults = AppFaults.ClosesSlowConnections }, RingSize: 1),
            "while job");

    [Fact]
    public void Planted_CurrentJobKeptInAGlobal_SeesAnotherThreadsJob_IsFound() =>
        AssertFoundAndReplays(
            new EngineSystem(NotifyMode.StableFd, Loops: 2, Busy, RingSize: 2, EngineFaults.CurrentJobInAGlobal),
            "sees job");

    [Fact]
    public void Planted_CallbackRaisesAnErrorOnTheDevicesThread_IsFound() =>
        AssertFoundAndReplays(
            new EngineSystem(NotifyMode.Callback, Loops: 2, Busy with { Faults = AppFaults.CallbackRaisesOnEarlyCompletion }, RingSize: 1),
            "drains error FAILED_TO_SWAP_CONTEXT");

    [Fact]
    public void CallbacksErrorOnTheDevicesThread_IsSeenOnlyByErrorIsolation()
    {
        // The same plant with every other monitor attached: nothing else notices an error on the wrong thread's queue.
        var system = new EngineSystem(NotifyMode.Callback, Loops: 2, Busy with { Faults = AppFaults.CallbackRaisesOnEarlyCompletion }, RingSize: 1);
        HuntResult result = Hunts.Correct(output).WithMonitors(AsyncMonitors.All & ~AsyncMonitors.ErrorIsolation).Explore(system.Run);
        Assert.False(result.BugFound, result.Summary + "\n" + result.Report);
    }

    [Fact]
    public void Planted_ClearWithoutClose_LeaksFds_IsFound() =>
        AssertFoundAndReplays(
            new EngineSystem(NotifyMode.PerOperationFd, Loops: 1, Busy, RingSize: 2, EngineFaults.ClearWithoutClose),
            "fd leak");

    private void AssertFoundAndReplays(EngineSystem system, string expected, [CallerMemberName] string name = "") =>
        PlantedBugs.AssertFoundAndReplays(output, system.Run, expected, name);
}

/// <summary>The check every planted bug passes: found within the budget, named as expected, replayed from its trace.</summary>
internal static class PlantedBugs
{
    internal static HuntResult AssertFoundAndReplays(ITestOutputHelper output, Action<HuntSession> body, string expected, string name)
    {
        HuntResult found = Hunts.Planted(output).Named(name).Explore(body);
        Assert.True(found.BugFound, $"the planted bug was not found: {found.Summary}");
        Assert.True(found.Bug!.Contains(expected, StringComparison.Ordinal), found.Summary + "\n" + found.Report);
        Assert.True(File.Exists(found.TracePath) && File.Exists(found.ReportPath), found.Summary);
        HuntResult replay = Hunts.Planted(output).Replay(found.TracePath!, body);
        Assert.Equal(found.Bug, replay.Bug);
        return found;
    }
}
