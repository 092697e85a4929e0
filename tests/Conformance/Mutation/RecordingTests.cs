using AsyncRef.Model;

namespace AsyncRef.Conformance.Mutation;

/// <summary>
/// Tests that change process-wide switches (coverage recording, checked mode): their collection runs alone, after
/// the parallel ones, so no other test records or runs unchecked meanwhile.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessWideSwitches
{
    /// <summary>The collection's name.</summary>
    public const string Name = "process-wide switches";
}

/// <summary>
/// Coverage recording, written to kill the mutants `make mutation` found alive: recording works with checked mode
/// off, and counts the transitions the other tests never record (an ignored fd-entry reset, a status set to 0).
/// </summary>
[Collection(ProcessWideSwitches.Name)]
public sealed class RecordingTests
{
    [Fact]
    public void Recording_WithCheckedModeOff_StillFiresTheMachines_AndStoppingStopsThem() => TestThreads.Run(() =>
    {
        bool wasChecked = Async.CheckedMode;
        Async.CheckedMode = false;
        try
        {
            Assert.False(Async.Modelling);
            var coverage = new ModelCoverage();
            ModelCoverage.StartRecording(coverage);
            Assert.True(Async.Modelling);
            AsyncJob job = default;
            int ret = 0;
            Assert.Equal(AsyncResult.Finish, Async.StartJob(ref job, null, ref ret, Jobs.Return42));
            Assert.Same(coverage, ModelCoverage.StopRecording());
            Assert.False(Async.Modelling);
            Assert.Equal(1, coverage.HitsOf(new CoverageItem("job", CoverageKind.Transition, "Unallocated --Create--> Running")));
            Assert.Equal(1, coverage.HitsOf(new CoverageItem("job", CoverageKind.Transition, "Running --Return--> Finishing")));
        }
        finally
        {
            ModelCoverage.StopRecording();
            Async.CheckedMode = wasChecked;
        }
    });

    [Fact]
    public void Recording_CountsAnIgnoredResetOfAnOldEntry_AndAStatusSetTo0() => TestThreads.Run(() =>
    {
        var coverage = new ModelCoverage();
        ModelCoverage.StartRecording(coverage);
        try
        {
            // An fd set before the first restart is Added; the first restart makes it Old, the second ignores it
            // (spec: fd-entry machine; an old entry stays listed by get_all_fds and is not reported as added).
            AsyncWaitCtx ctx = AsyncWaitCtx.New();
            AsyncJob job = default;
            int ret = 0;
            Assert.Equal(AsyncResult.Pause, Async.StartJob(ref job, ctx, ref ret, Jobs.PauseTwiceReturn5));
            ctx.SetWaitFd(new object(), 9, null, null);
            Assert.Equal(AsyncResult.Pause, Async.StartJob(ref job, ctx, ref ret, Jobs.PauseTwiceReturn5));
            Assert.Equal(AsyncResult.Finish, Async.StartJob(ref job, ctx, ref ret, Jobs.PauseTwiceReturn5));
            Assert.Equal(5, ret);
            Assert.Equal(1, ctx.GetAllFds(new int[1], out int count));
            Assert.Equal(1, count);

            // Status 0 is ASYNC_STATUS_UNSUPPORTED, state 0 of the status machine.
            Assert.Equal(1, ctx.SetStatus(AsyncWaitStatus.Ok));
            Assert.Equal(1, ctx.SetStatus(AsyncWaitStatus.Unsupported));
            AsyncWaitCtx.Free(ctx);
        }
        finally
        {
            Assert.Same(coverage, ModelCoverage.StopRecording());
        }

        Assert.Equal(1, coverage.HitsOf(new CoverageItem("fd-entry", CoverageKind.Transition, "Added --Reset--> Old")));
        Assert.Equal(1, coverage.HitsOf(new CoverageItem("fd-entry", CoverageKind.Transition, "Old --Reset--> ignored")));
        Assert.Equal(1, coverage.HitsOf(new CoverageItem("wait-ctx-status", CoverageKind.Transition, "Ok --SetStatus--> Unsupported")));
    });

    [Fact]
    public void Recording_CountsClearFd_AResetOfAnEmptyContext_AndTheFreeOfEachEntry() => TestThreads.Run(() =>
    {
        var coverage = new ModelCoverage();
        ModelCoverage.StartRecording(coverage);
        try
        {
            // Every restart resets the counts of the job's context, even one without fds (spec/evidence.md §2.4).
            AsyncWaitCtx empty = AsyncWaitCtx.New();
            AsyncJob job = default;
            int ret = 0;
            Assert.Equal(AsyncResult.Pause, Async.StartJob(ref job, empty, ref ret, Jobs.PauseOnceReturn7));
            Assert.Equal(AsyncResult.Finish, Async.StartJob(ref job, empty, ref ret, Jobs.PauseOnceReturn7));
            AsyncWaitCtx.Free(empty);

            AsyncWaitCtx ctx = AsyncWaitCtx.New();
            object cleared = new();
            ctx.SetWaitFd(cleared, 1, null, null);
            ctx.SetWaitFd(new object(), 2, null, null);
            Assert.Equal(1, ctx.ClearFd(cleared));
            AsyncWaitCtx.Free(ctx);
        }
        finally
        {
            Assert.Same(coverage, ModelCoverage.StopRecording());
        }

        Assert.Equal(1, coverage.HitsOf(new CoverageItem("wait-ctx", CoverageKind.Transition, "Live --ResetCounts--> ignored")));
        Assert.Equal(1, coverage.HitsOf(new CoverageItem("wait-ctx", CoverageKind.Transition, "Live --ClearFd--> ignored")));
        Assert.Equal(1, coverage.HitsOf(new CoverageItem("fd-entry", CoverageKind.Transition, "Added --Clear--> Gone")));
        Assert.Equal(1, coverage.HitsOf(new CoverageItem("fd-entry", CoverageKind.Transition, "Added --Free--> Gone")));
    });

    [Fact]
    public void CheckedModeOff_RestartsStillResetTheCounts_AndNothingIsChecked() => TestThreads.Run(() =>
    {
        bool wasChecked = Async.CheckedMode;
        Async.CheckedMode = false;
        try
        {
            // The reset of a restart is behaviour, not a check (spec/evidence.md §2.4, E4): it happens in unchecked mode too.
            AsyncWaitCtx ctx = AsyncWaitCtx.New();
            ctx.SetWaitFd(new object(), 3, null, null);
            AsyncJob job = default;
            int ret = 0;
            Assert.Equal(AsyncResult.Pause, Async.StartJob(ref job, ctx, ref ret, Jobs.PauseOnceReturn7));
            Assert.Equal(AsyncResult.Finish, Async.StartJob(ref job, ctx, ref ret, Jobs.PauseOnceReturn7));
            Assert.Equal(1, ctx.GetChangedFds([], out int numAdd, [], out int numDel));
            Assert.Equal((0, 0), (numAdd, numDel));
            Assert.False(ctx.Describe().EntriesNewestFirst.Single().Added);

            // Unchecked mode is the fast mode: a planted inconsistency goes unnoticed instead of being checked.
            WaitCtxBookkeepingTests.Corrupt(ctx, "_numAdd", 5);
            Assert.Equal(1, ctx.SetWaitFd(new object(), 4, null, null));
            AsyncWaitCtx.Free(ctx);
        }
        finally
        {
            Async.CheckedMode = wasChecked;
        }
    });

    [Fact]
    public void Recording_ATransitionTheCatalogueLacks_IsAViolationNamingIt()
    {
        var coverage = new ModelCoverage();
        ModelCoverage.StartRecording(coverage);
        try
        {
            // Freed has no outgoing transitions; the states are reported by number, an ignored target as "ignored".
            var e = Assert.Throws<InvariantViolationException>(() => ModelCoverage.RecordJob(AsyncJobState.Freed, JobTrigger.Create, AsyncJobState.Unallocated));
            Assert.Equal("model coverage: job has no transition from state 5 by trigger 0 to 0", e.Message);
            e = Assert.Throws<InvariantViolationException>(() => ModelCoverage.RecordFdEntry(FdEntryState.Gone, FdEntryTrigger.Clear, null));
            Assert.Equal("model coverage: fd-entry has no transition from state 3 by trigger 0 to ignored", e.Message);
        }
        finally
        {
            ModelCoverage.StopRecording();
        }

        Assert.All(coverage.Counts, count => Assert.Equal(0, count.Value));
    }
}
