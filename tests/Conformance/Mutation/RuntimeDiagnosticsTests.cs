using System.Runtime.CompilerServices;

namespace AsyncRef.Conformance.Mutation;

/// <summary>
/// What the job runtime says when it refuses a call, written to kill the mutants the Runtime run of
/// `make mutation` left alive (every message emptied): each refusal's explanation names the call or the condition
/// that makes it undefined in C (spec/evidence.md §2.3, E2, E5, E8), so a user can tell the cases apart.
/// </summary>
public sealed class RuntimeDiagnosticsTests
{
    [Fact]
    public void ANestedStart_SaysAJobIsRunning() => TestThreads.Run(() =>
    {
        AsyncJob job = default;
        int ret = 0;
        Assert.Equal(AsyncResult.Finish, Async.StartJob(ref job, null, ref ret, StartsNested));
        Assert.Equal("ASYNC_start_job was called while a job is running on this thread", s_explanation);
    });

    [Fact]
    public void RestartRefusals_SayWhichPreconditionFailed() => TestThreads.Run(() =>
    {
        AsyncWaitCtx ctx = AsyncWaitCtx.New();
        AsyncJob job = default;
        int ret = 0;
        Assert.Equal(AsyncResult.Pause, Async.StartJob(ref job, ctx, ref ret, Jobs.PauseOnceReturn7));
        AsyncJob stale = job;
        Assert.Equal(AsyncResult.Finish, Async.StartJob(ref job, ctx, ref ret, Jobs.PauseOnceReturn7));
        Assert.Contains("finished or was reused", TestThreads.AssertUb(UbRules.StaleHandle, () => Async.StartJob(ref stale, ctx, ref ret, null)).Explanation);

        Assert.Equal(AsyncResult.Pause, Async.StartJob(ref job, ctx, ref ret, Jobs.PauseOnceReturn7));
        AsyncJob copy = job;
        TestThreads.Run(() =>
        {
            int otherRet = 0;
            Assert.Contains("on a thread other than the one that started it", TestThreads.AssertUb(UbRules.CrossThreadResume, () => Async.StartJob(ref copy, ctx, ref otherRet, null)).Explanation);
        });

        AsyncWaitCtx.Free(ctx);
        Assert.Contains("wait context was freed", TestThreads.AssertUb(UbRules.CtxFreedInUse, () => Async.StartJob(ref job, null, ref ret, null)).Explanation);

        AsyncJob noCtx = default;
        Assert.Equal(AsyncResult.Pause, Async.StartJob(ref noCtx, null, ref ret, Jobs.PauseOnceReturn7));
        Assert.Contains("NULL wait context", TestThreads.AssertUb(UbRules.NullWaitCtx, () => Async.StartJob(ref noCtx, null, ref ret, null)).Explanation);
    });

    [Fact]
    public void FinishRefusals_NameNullRetAndTheCleanedUpThread() => TestThreads.Run(() =>
    {
        AsyncWaitCtx ctx = AsyncWaitCtx.New();
        AsyncJob job = default;
        Assert.Equal(AsyncResult.Pause, Async.StartJob(ref job, ctx, ref Unsafe.NullRef<int>(), Jobs.PauseOnceReturn7));
        Assert.Contains("ret is NULL", TestThreads.AssertUb(UbRules.NullRet, () => Async.StartJob(ref job, ctx, ref Unsafe.NullRef<int>(), null)).Explanation);

        int ret = 0;
        Assert.Equal(AsyncResult.Pause, Async.StartJob(ref job, ctx, ref ret, Jobs.PauseOnceReturn7));
        Async.CleanupThread();
        Assert.Contains("ASYNC_cleanup_thread", TestThreads.AssertUb(UbRules.CleanupWhilePaused, () => Async.StartJob(ref job, ctx, ref ret, null)).Explanation);
    });

    [Fact]
    public void NullArguments_AreNamed() => TestThreads.Run(() =>
    {
        AsyncJob job = default;
        int ret = 0;
        Assert.Contains("NULL job function", TestThreads.AssertUb(UbRules.NullFunc, () => Async.StartJob(ref job, null, ref ret, null)).Explanation);
        Assert.Contains("ASYNC_get_wait_ctx", TestThreads.AssertUb(UbRules.NullJob, () => Async.GetWaitCtx(default)).Explanation);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Async.StartJob(ref job, null, ref ret, Jobs.Return42, [1], 2));
        Assert.Equal("size", e.ParamName);
        Assert.Contains("between 0 and the length of args", e.Message);
    });

    [Fact]
    public void Misuse_SaysWhatWasAwaitedOrLeftPending() => TestThreads.Run(() =>
    {
        AsyncJob job = default;
        int ret = 0;
        UndefinedBehaviorException e = TestThreads.AssertUb(UbRules.ForeignAwait, () => Async.StartJob(ref job, null, ref ret, AwaitsYield));
        Assert.Contains("YieldAwaiter", e.Explanation);
        Assert.Contains("only Async.PauseJob() and JobTask methods may suspend a job", e.Explanation);

        e = TestThreads.AssertUb(UbRules.ForeignAwait, () => Async.StartJob(ref job, AsyncWaitCtx.New(), ref ret, CallsTaskHelper));
        Assert.Contains("not a JobTask method awaited 'PauseAwaiter'", e.Explanation);

        e = TestThreads.AssertUb(UbRules.DanglingPause, () => Async.StartJob(ref job, AsyncWaitCtx.New(), ref ret, ForgetsToAwait));
        Assert.Contains("returned while a pause it started was still pending", e.Explanation);
    });

    private static string? s_explanation;

    private static async JobTask<int> StartsNested(byte[]? args)
    {
        AsyncJob inner = default;
        int innerRet = 0;
        s_explanation = Assert.Throws<UndefinedBehaviorException>(() => Async.StartJob(ref inner, null, ref innerRet, Jobs.Return42)).Explanation;
        await Task.CompletedTask;
        return 1;
    }

    private static async JobTask<int> AwaitsYield(byte[]? args)
    {
        await Task.Yield();
        return 1;
    }

    private static async Task TaskHelperThatPauses() => await Async.PauseJob();

    private static async JobTask<int> CallsTaskHelper(byte[]? args)
    {
        _ = TaskHelperThatPauses();
        await Async.PauseJob();
        return 1;
    }

    private static async JobTask<int> PausingHelper()
    {
        await Async.PauseJob();
        return 5;
    }

    private static async JobTask<int> ForgetsToAwait(byte[]? args)
    {
        _ = PausingHelper();
        return await new ValueTask<int>(3);
    }
}
