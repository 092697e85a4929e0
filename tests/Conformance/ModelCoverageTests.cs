using AsyncRef.Model;

namespace AsyncRef.Conformance;

/// <summary>
/// Coverage measured by the model. Recording is process-wide, so every test that records is in this class (xunit runs
/// a class's tests one after another); tests elsewhere may add hits while one records, so these tests only assert
/// what their own runs must have reached.
/// </summary>
public sealed class ModelCoverageTests
{
    [Fact]
    public void Catalogue_ListsEveryStateOfTheFourMachines()
    {
        Assert.Equal(["job", "wait-ctx", "wait-ctx-status", "fd-entry"], ModelCoverage.MachineNames);
        Assert.Equal(Enum.GetNames<AsyncJobState>().Order(), StateNames("job"));
        Assert.Equal(Enum.GetNames<WaitCtxState>().Order(), StateNames("wait-ctx"));
        Assert.Equal(Enum.GetNames<WaitStatusState>().Order(), StateNames("wait-ctx-status"));
        Assert.Equal(Enum.GetNames<FdEntryState>().Order(), StateNames("fd-entry"));
    }

    [Fact]
    public void Catalogue_ListsTransitionsAndGuardsAsDeclared()
    {
        IReadOnlyList<CoverageItem> job = ModelCoverage.ItemsOf("job");
        Assert.Contains(new CoverageItem("job", CoverageKind.Transition, "Unallocated --PreCreate--> Pooled"), job);
        Assert.Contains(new CoverageItem("job", CoverageKind.Transition, "Running --Pause--> ignored"), job);
        Assert.Contains(new CoverageItem("job", CoverageKind.Guard, "Paused --Resume--> Running: on the thread that started it"), job);
        Assert.Contains(new CoverageItem("job", CoverageKind.Guard, "Paused --Resume--> Running: started with a wait ctx"), job);
        Assert.Contains(new CoverageItem("wait-ctx", CoverageKind.Transition, "Live --SetWaitFd--> ignored"), ModelCoverage.Catalogue);

        // Five status values, each reachable from each: 25 transitions, one guard each.
        Assert.Equal(25, ModelCoverage.ItemsOf("wait-ctx-status").Count(i => i.Kind == CoverageKind.Transition));
        Assert.Equal(25, ModelCoverage.ItemsOf("wait-ctx-status").Count(i => i.Kind == CoverageKind.Guard));
    }

    [Fact]
    public void Recording_CountsWhatARunReached() => TestThreads.Run(() =>
    {
        var coverage = new ModelCoverage();
        ModelCoverage.StartRecording(coverage);
        try
        {
            RunOneOfEverything();
        }
        finally
        {
            Assert.Same(coverage, ModelCoverage.StopRecording());
        }

        string[] expected =
        [
            "job transition Unallocated --PreCreate--> Pooled",
            "job guard Unallocated --PreCreate--> Pooled: max_size is 0 or curr_size < max_size",
            "job transition Pooled --Reuse--> Running",
            "job transition Unallocated --Create--> Running",
            "job transition Running --Pause--> Paused",
            "job guard Running --Pause--> Paused: block counter is 0",
            "job transition Running --Pause--> ignored",
            "job guard Running --Pause--> ignored: block counter > 0: pause returns 1 at once",
            "job guard Paused --Resume--> Running: on the thread that started it",
            "job transition Running --Return--> Finishing",
            "job transition Finishing --Release--> Pooled",
            "job transition Pooled --Free--> Freed",
            "job state Freed",
            "wait-ctx transition Live --SetWaitFd--> ignored",
            "wait-ctx transition Live --ResetCounts--> ignored",
            "wait-ctx transition NoCallback --SetCallback--> CallbackSet",
            "wait-ctx state Live",
            "wait-ctx-status transition Unsupported --SetStatus--> Ok",
            "wait-ctx-status transition Ok --SetStatus--> Ok",
            "fd-entry transition Added --Reset--> Old",
            "fd-entry transition Old --Clear--> Deleted",
            "fd-entry transition Added --Clear--> Gone",
        ];
        var reached = ModelCoverage.MachineNames.SelectMany(coverage.Reached).Select(i => i.ToString()).ToHashSet();
        Assert.All(expected, item => Assert.Contains(item, reached));
        Assert.True(coverage.HitsOf(new CoverageItem("job", CoverageKind.State, "Paused")) >= 2);
        Assert.Contains(new CoverageItem("job", CoverageKind.Transition, "Unallocated --Create--> Running"), coverage.Reached("job"));
        Assert.DoesNotContain(new CoverageItem("job", CoverageKind.Transition, "Unallocated --Create--> Running"), coverage.NotReached("job"));
    });

    [Fact]
    public void Recording_Stopped_CountsNothing() => TestThreads.Run(() =>
    {
        var coverage = new ModelCoverage();
        ModelCoverage.StartRecording(coverage);
        ModelCoverage.StopRecording();
        RunOneOfEverything();
        Assert.All(coverage.Counts, count => Assert.Equal(0, count.Value));
        Assert.Null(ModelCoverage.Recording);
    });

    [Fact]
    public void Merge_AndAdd_SumCountsByItem()
    {
        var item = new CoverageItem("job", CoverageKind.Transition, "Paused --Resume--> Running");
        var first = new ModelCoverage();
        var second = new ModelCoverage();
        first.Add(item, 2);
        second.Add(item, 3);
        first.Merge(second);
        Assert.Equal(5, first.HitsOf(item));
        Assert.Equal(3, second.HitsOf(item));

        // Counts carried to another process and read back by item.
        var copy = new ModelCoverage();
        foreach ((CoverageItem counted, long hits) in first.Counts)
        {
            copy.Add(counted, hits);
        }

        Assert.Equal(first.Counts, copy.Counts);
        Assert.Throws<ArgumentException>(() => copy.Add(new CoverageItem("job", CoverageKind.State, "Sleeping"), 1));
    }

    private static IEnumerable<string> StateNames(string machine) =>
        ModelCoverage.ItemsOf(machine).Where(i => i.Kind == CoverageKind.State).Select(i => i.Name).Order();

    /// <summary>Pre-creates, reuses, creates, pauses (blocked and not), resumes, finishes, frees; sets fds, callback, status.</summary>
    private static void RunOneOfEverything()
    {
        Assert.Equal(1, Async.InitThread(0, 0));
        Assert.Equal(1, Async.InitThread(2, 1));
        AsyncWaitCtx ctx = AsyncWaitCtx.New();
        object keep = new(), clear = new(), vanish = new();
        AsyncJob first = default, second = default;
        int ret = 0;
        Assert.Equal(AsyncResult.Pause, Async.StartJob(ref first, ctx, ref ret, Jobs.PauseOnceReturn7));
        Assert.Equal(AsyncResult.Finish, Async.StartJob(ref second, null, ref ret, BlockedPause));
        ctx.SetWaitFd(keep, 3, null, null);
        ctx.SetWaitFd(clear, 4, null, null);
        Assert.Equal(AsyncResult.Finish, Async.StartJob(ref first, ctx, ref ret, Jobs.PauseOnceReturn7));
        Assert.Equal(1, ctx.ClearFd(clear));
        ctx.SetWaitFd(vanish, 5, null, null);
        Assert.Equal(1, ctx.ClearFd(vanish));
        Assert.Equal(1, ctx.SetStatus(AsyncWaitStatus.Ok));
        Assert.Equal(1, ctx.SetStatus(AsyncWaitStatus.Ok));
        Assert.Equal(1, AsyncWaitCtx.SetCallback(ctx, _ => 0, null));
        AsyncWaitCtx.Free(ctx);
        Async.CleanupThread();
    }

    private static async JobTask<int> BlockedPause(byte[]? args)
    {
        Async.BlockPause();
        await Async.PauseJob();
        Async.UnblockPause();
        return 1;
    }
}
