using System.Runtime.CompilerServices;

namespace AsyncRef.Conformance;

/// <summary>
/// The C-faithful API surface of the reference, including the undefined-behaviour rules that only the C# API can
/// express (stale handles, NULL ret, NULL job, short fd arrays) and the others at API level. After every rejected
/// call the thread must still work and nothing may have changed.
/// </summary>
public sealed class ContractTests
{
    [Fact]
    public void StartJob_StaleHandle_IsRejected() => TestThreads.Run(() =>
    {
        Async.InitThread(2, 0);
        AsyncWaitCtx ctx = AsyncWaitCtx.New();
        AsyncJob job = default;
        int ret = 0;
        Assert.Equal(AsyncResult.Pause, Async.StartJob(ref job, ctx, ref ret, Jobs.OnlyPause));
        AsyncJob stale = job;
        Assert.Equal(AsyncResult.Finish, Async.StartJob(ref job, ctx, ref ret, Jobs.OnlyPause));

        // Finished and idle in the pool: OpenSSL would return FINISH with the old ret and push the job twice (spec UB-STALE-HANDLE).
        int staleRet = -1;
        TestThreads.AssertUb(UbRules.StaleHandle, () => Async.StartJob(ref stale, ctx, ref staleRet, Jobs.OnlyPause));
        Assert.Equal(-1, staleRet);
        Assert.Equal([stale.ObjectId], Async.DescribeThread().IdleJobObjectIds);

        // Reused by another start: the old handle names the same object but an earlier use.
        AsyncJob other = default;
        Assert.Equal(AsyncResult.Pause, Async.StartJob(ref other, ctx, ref ret, Jobs.OnlyPause));
        Assert.Equal(stale.ObjectId, other.ObjectId);
        Assert.NotEqual(stale, other);
        TestThreads.AssertUb(UbRules.StaleHandle, () => Async.StartJob(ref stale, ctx, ref staleRet, Jobs.OnlyPause));
        Assert.Equal(AsyncJobState.Paused, other.ObjectState);
        Assert.Equal(AsyncResult.Finish, Async.StartJob(ref other, ctx, ref ret, Jobs.OnlyPause));
        TestThreads.AssertThreadStillWorks();
    });

    [Fact]
    public void StartJob_NullFunc_IsUbOnlyWhenANewJobWouldCallIt() => TestThreads.Run(() =>
    {
        // Before any pool exists a start creates one (unlimited): a job is available, C would call NULL.
        AsyncJob job = default;
        int ret = -1;
        TestThreads.AssertUb(UbRules.NullFunc, () => Async.StartJob(ref job, null, ref ret, null));
        Assert.False(Async.DescribeThread().HasPool);

        Async.InitThread(1, 0);
        AsyncWaitCtx ctx = AsyncWaitCtx.New();
        Assert.Equal(AsyncResult.Pause, Async.StartJob(ref job, ctx, ref ret, Jobs.OnlyPause));

        // The budget is spent and nothing is idle: NO_JOBS comes first, nothing is called.
        AsyncJob other = default;
        Assert.Equal(AsyncResult.NoJobs, Async.StartJob(ref other, ctx, ref ret, null));

        // A restart ignores func.
        Assert.Equal(AsyncResult.Finish, Async.StartJob(ref job, ctx, ref ret, null));
        Assert.Equal(1, ret);

        // The finished job is idle: a NULL func would be called; the call changes nothing.
        ret = -1;
        TestThreads.AssertUb(UbRules.NullFunc, () => Async.StartJob(ref other, ctx, ref ret, null));
        Assert.Equal(-1, ret);
        Assert.True(other.IsNull);
        Assert.Single(Async.DescribeThread().IdleJobObjectIds);
        Assert.Equal(0, ctx.Describe().ActiveJobs);
        TestThreads.AssertThreadStillWorks();
    });

    [Fact]
    public void StartJob_NullRetAtFinish_IsRejected() => TestThreads.Run(() =>
    {
        Async.InitThread(1, 0);
        AsyncWaitCtx ctx = AsyncWaitCtx.New();
        AsyncJob job = default;
        // A NULL ret is harmless while the job pauses (C only writes *ret at finish).
        Assert.Equal(AsyncResult.Pause, Async.StartJob(ref job, ctx, ref Unsafe.NullRef<int>(), Jobs.OnlyPause));
        long objectId = job.ObjectId;
        TestThreads.AssertUb(UbRules.NullRet, () => Async.StartJob(ref job, ctx, ref Unsafe.NullRef<int>(), Jobs.OnlyPause));
        // The job finished and went back to the pool; the handle was cleared as at any finish.
        Assert.True(job.IsNull);
        Assert.Equal([objectId], Async.DescribeThread().IdleJobObjectIds);
        Assert.Equal(0, ctx.Describe().ActiveJobs);
        TestThreads.AssertThreadStillWorks();
    });

    [Fact]
    public void GetWaitCtx_NullJob_IsRejected() => TestThreads.Run(() =>
    {
        TestThreads.AssertUb(UbRules.NullJob, () => Async.GetWaitCtx(default));
        TestThreads.AssertThreadStillWorks();
    });

    [Fact]
    public void GetWaitCtx_StaleHandleOfFinishedJob_IsNull() => TestThreads.Run(() =>
    {
        AsyncWaitCtx ctx = AsyncWaitCtx.New();
        AsyncJob job = default;
        int ret = 0;
        Async.StartJob(ref job, ctx, ref ret, Jobs.OnlyPause);
        AsyncJob copy = job;
        Assert.Same(ctx, Async.GetWaitCtx(copy));
        Async.StartJob(ref job, ctx, ref ret, Jobs.OnlyPause);
        // FINISH clears the job's wait-ctx pointer (spec JOB-10).
        Assert.Null(Async.GetWaitCtx(copy));
    });

    [Fact]
    public void GetWaitCtx_StaleHandleOfAReusedJob_SeesTheNewUsesContext() => TestThreads.Run(() =>
    {
        // ASYNC_get_wait_ctx returns job->waitctx without checking the handle (spec JOB-10), and a stale handle is the
        // pooled object itself (spec UB-STALE-HANDLE): once the pool hands it out again, the old handle reads the new use's ctx.
        AsyncWaitCtx first = AsyncWaitCtx.New(), second = AsyncWaitCtx.New();
        AsyncJob job = default;
        int ret = 0;
        Async.StartJob(ref job, first, ref ret, Jobs.OnlyPause);
        AsyncJob stale = job;
        Async.StartJob(ref job, first, ref ret, Jobs.OnlyPause);
        Assert.Equal(AsyncResult.Pause, Async.StartJob(ref job, second, ref ret, Jobs.OnlyPause));
        Assert.Equal(stale.ObjectId, job.ObjectId);
        Assert.False(stale.IsCurrentUse);
        Assert.Same(second, Async.GetWaitCtx(stale));
        Async.StartJob(ref job, second, ref ret, Jobs.OnlyPause);
        Assert.Null(Async.GetWaitCtx(stale));
    });

    private static async JobTask<int> StartsNestedJob(byte[]? args)
    {
        AsyncJob inner = default;
        int innerRet = -5;
        var e = Assert.Throws<UndefinedBehaviorException>(() => Async.StartJob(ref inner, null, ref innerRet, Jobs.Return42));
        Assert.Equal(UbRules.NestedStart, e.RuleId);
        Assert.True(inner.IsNull);
        Assert.Equal(-5, innerRet);
        // The running job is untouched: it can still pause and is still the current job.
        Assert.False(Async.GetCurrentJob().IsNull);
        await Async.PauseJob();
        return 5;
    }

    [Fact]
    public void StartJob_NestedInFreshRecycledAndResumedJobs_IsRejectedAndOuterJobContinues() => TestThreads.Run(() =>
    {
        Async.InitThread(1, 0);
        AsyncWaitCtx ctx = AsyncWaitCtx.New();
        AsyncJob job = default;
        int ret = 0;
        // Fresh job (OpenSSL: ERR + INTERNAL_ERROR, then a crash).
        Assert.Equal(AsyncResult.Pause, Async.StartJob(ref job, ctx, ref ret, StartsNestedJob));
        Assert.Equal(AsyncResult.Finish, Async.StartJob(ref job, ctx, ref ret, StartsNestedJob));
        Assert.Equal(5, ret);
        // Recycled job (OpenSSL: FINISH with the stale ret, then a crash).
        Assert.Equal(AsyncResult.Pause, Async.StartJob(ref job, ctx, ref ret, StartsNestedJob));
        Assert.Equal(AsyncResult.Finish, Async.StartJob(ref job, ctx, ref ret, StartsNestedJob));
        Assert.Empty(Async.DrainErrors());

        // Resumed job, profile 3.0: OpenSSL returns ERR and changes nothing, which is defined.
        Assert.Equal(AsyncResult.Pause, Async.StartJob(ref job, ctx, ref ret, StartsNestedJobAfterAPause));
        Assert.Equal(AsyncResult.Finish, Async.StartJob(ref job, ctx, ref ret, null));
        Assert.Equal(6, ret);
        Assert.Empty(Async.DrainErrors());

        // Resumed job, profile 1.1.1: no such check, a crash.
        Async.ThreadProfile = AsyncProfile.OpenSsl111;
        Assert.Equal(AsyncResult.Pause, Async.StartJob(ref job, ctx, ref ret, StartsNestedJobAfterAPause));
        Assert.Equal(AsyncResult.Finish, Async.StartJob(ref job, ctx, ref ret, null));
        Assert.Equal(7, ret);
    });

    private static async JobTask<int> StartsNestedJobAfterAPause(byte[]? args)
    {
        await Async.PauseJob();
        AsyncJob inner = default;
        int innerRet = -5;
        if (Async.ThreadProfile == AsyncProfile.OpenSsl111)
        {
            Assert.Equal(UbRules.NestedStart, Assert.Throws<UndefinedBehaviorException>(() => Async.StartJob(ref inner, null, ref innerRet, Jobs.Return42)).RuleId);
            return 7;
        }

        Assert.Equal(AsyncResult.Err, Async.StartJob(ref inner, null, ref innerRet, Jobs.Return42));
        Assert.True(inner.IsNull);
        Assert.Equal(-5, innerRet);
        Assert.False(Async.GetCurrentJob().IsNull);
        return 6;
    }

    private static async JobTask<int> ResumesOther(byte[]? args)
    {
        var other = (StrongBox<AsyncJob>)Holder!;
        int r = 0;
        var e = Assert.Throws<UndefinedBehaviorException>(() => Async.StartJob(ref other.Value, null, ref r, null));
        Assert.Equal(UbRules.NestedStart, e.RuleId);
        await Async.PauseJob();
        return 3;
    }

    [ThreadStatic]
    private static object? Holder;

    [Fact]
    public void StartJob_ResumingAnotherPausedJobFromInsideAJob_IsRejected() => TestThreads.Run(() =>
    {
        AsyncWaitCtx ctx = AsyncWaitCtx.New();
        var b = new StrongBox<AsyncJob>();
        int ret = 0;
        Assert.Equal(AsyncResult.Pause, Async.StartJob(ref b.Value, ctx, ref ret, Jobs.OnlyPause));
        Holder = b;
        AsyncJob a = default;
        Assert.Equal(AsyncResult.Pause, Async.StartJob(ref a, ctx, ref ret, ResumesOther));
        Assert.Equal(AsyncJobState.Paused, b.Value.ObjectState);
        Assert.Equal(AsyncResult.Finish, Async.StartJob(ref a, ctx, ref ret, ResumesOther));
        Assert.Equal(3, ret);
        Assert.Equal(AsyncResult.Finish, Async.StartJob(ref b.Value, ctx, ref ret, null));
        Assert.Equal(1, ret);
    });

    [Fact]
    public void StartJob_RestartOnAnotherThread_IsRejected() => TestThreads.Run(() =>
    {
        AsyncWaitCtx ctx = AsyncWaitCtx.New();
        AsyncJob job = default;
        int ret = 0;
        Assert.Equal(AsyncResult.Pause, Async.StartJob(ref job, ctx, ref ret, Jobs.OnlyPause));
        AsyncJob copy = job;
        TestThreads.Run(() =>
        {
            int otherRet = 0;
            TestThreads.AssertUb(UbRules.CrossThreadResume, () => Async.StartJob(ref copy, ctx, ref otherRet, null));
            TestThreads.AssertThreadStillWorks();
        });
        Assert.Equal(job, copy);
        Assert.Equal(AsyncResult.Finish, Async.StartJob(ref job, ctx, ref ret, null));
    });

    [Fact]
    public void CleanupThread_WhilePaused_LeaksTheJob_ItsFunctionReturningAfterARestartIsUb() => TestThreads.Run(() =>
    {
        Async.InitThread(4, 2);
        AsyncWaitCtx ctx = AsyncWaitCtx.New();
        AsyncJob job = default;
        int ret = 0;
        Assert.Equal(AsyncResult.Pause, Async.StartJob(ref job, ctx, ref ret, Jobs.PauseTwiceReturn5));

        // Documented as a leak: the pool and its idle jobs go, the paused job stays paused.
        Async.CleanupThread();
        Assert.False(Async.DescribeThread().HasPool);
        Assert.Equal(1, Async.DescribeThread().PausedJobs);
        TestThreads.AssertThreadStillWorks();

        // A restart works (C's pause re-reads the thread state) and the job may pause again...
        Assert.Equal(AsyncResult.Pause, Async.StartJob(ref job, ctx, ref ret, null));
        // ...but its function returning would switch to the freed thread state its fibre captured.
        ret = -1;
        TestThreads.AssertUb(UbRules.CleanupWhilePaused, () => Async.StartJob(ref job, ctx, ref ret, null));
        Assert.Equal(-1, ret);
        Assert.Equal(0, ctx.Describe().ActiveJobs);
        TestThreads.AssertThreadStillWorks();
    });

    [Fact]
    public void CleanupThread_InsideJob_IsRejected() => TestThreads.Run(() =>
    {
        AsyncWaitCtx ctx = AsyncWaitCtx.New();
        AsyncJob job = default;
        int ret = 0;
        AsyncJobFunc cleansUp = async _ =>
        {
            TestThreads.AssertUb(UbRules.CleanupInJob, Async.CleanupThread);
            await Async.PauseJob();
            return 8;
        };
        Assert.Equal(AsyncResult.Pause, Async.StartJob(ref job, ctx, ref ret, cleansUp));
        Assert.Equal(AsyncResult.Finish, Async.StartJob(ref job, ctx, ref ret, cleansUp));
        Assert.Equal(8, ret);
    });

    [Fact]
    public void StartJob_NullWaitCtx_FinishesIfNeverPausedAndRejectsRestart() => TestThreads.Run(() =>
    {
        AsyncJob job = default;
        int ret = 0;
        Assert.Equal(AsyncResult.Finish, Async.StartJob(ref job, null, ref ret, Jobs.Return42));
        Assert.Equal(42, ret);
        Assert.Equal(AsyncResult.Pause, Async.StartJob(ref job, null, ref ret, Jobs.OnlyPause));
        AsyncJob before = job;
        TestThreads.AssertUb(UbRules.NullWaitCtx, () => Async.StartJob(ref job, AsyncWaitCtx.New(), ref ret, null));
        Assert.Equal(before, job);
        Assert.Equal(AsyncJobState.Paused, job.ObjectState);
    });

    [Fact]
    public void WaitCtxFree_WhileAJobUsesIt_IsDefined_RestartingThatJobIsUb() => TestThreads.Run(() =>
    {
        AsyncWaitCtx ctx = AsyncWaitCtx.New();
        var cleaned = new List<int>();
        ctx.SetWaitFd("k", 5, null, (_, _, fd, _) => cleaned.Add(fd));
        AsyncJob job = default;
        int ret = 0;
        Assert.Equal(AsyncResult.Pause, Async.StartJob(ref job, ctx, ref ret, Jobs.OnlyPause));

        // The free itself is defined (libssl's SSL_free of a paused connection does it): cleanups run, the job leaks.
        AsyncWaitCtx.Free(ctx);
        Assert.Equal([5], cleaned);
        Assert.True(ctx.Describe().Freed);

        // Its restart would reset the freed context: rejected, and the job stays paused.
        AsyncJob before = job;
        TestThreads.AssertUb(UbRules.CtxFreedInUse, () => Async.StartJob(ref job, null, ref ret, null));
        Assert.Equal(before, job);
        Assert.Equal(AsyncJobState.Paused, job.ObjectState);
        Assert.Equal(1, Async.DescribeThread().PausedJobs);
        TestThreads.AssertThreadStillWorks();
    });

    [Fact]
    public void WaitCtxFree_ByItsOwnJobAfterItsLastPause_FinishesNormally() => TestThreads.Run(() =>
    {
        AsyncWaitCtx ctx = AsyncWaitCtx.New();
        AsyncJob job = default;
        int ret = 0;
        Assert.Equal(AsyncResult.Pause, Async.StartJob(ref job, ctx, ref ret, FreesOwnCtxAfterPause));
        Assert.Equal(AsyncResult.Finish, Async.StartJob(ref job, ctx, ref ret, null));
        Assert.Equal(9, ret);
        Assert.True(ctx.Describe().Freed);
        Assert.Equal(0, ctx.Describe().ActiveJobs);
        TestThreads.AssertThreadStillWorks();
    });

    private static async JobTask<int> FreesOwnCtxAfterPause(byte[]? args)
    {
        await Async.PauseJob();
        AsyncWaitCtx.Free(Async.GetWaitCtx(Async.GetCurrentJob()));
        return 9;
    }

    [Fact]
    public void WaitCtx_UseAfterFree_IsRejectedByEveryFunction() => TestThreads.Run(() =>
    {
        Async.InitThread(1, 0);
        AsyncWaitCtx ctx = AsyncWaitCtx.New();
        AsyncWaitCtx.Free(ctx);
        int fd = 0;
        object? data = null;
        AsyncWaitCallback? cb = null;
        AsyncJob job = default;
        int ret = 0;
        Action[] uses =
        [
            () => ctx.SetWaitFd("k", 1, null, null),
            () => ctx.GetFd("k", ref fd, ref data),
            () => ctx.GetAllFds([], out _),
            () => ctx.GetChangedFds([], out _, [], out _),
            () => ctx.ClearFd("k"),
            () => AsyncWaitCtx.SetCallback(ctx, null, null),
            () => ctx.GetCallback(ref cb, ref data),
            () => ctx.SetStatus(1),
            () => ctx.GetStatus(),
            () => AsyncWaitCtx.Free(ctx),
            () => Async.StartJob(ref job, ctx, ref ret, Jobs.OnlyPause),
        ];
        foreach (Action use in uses)
        {
            TestThreads.AssertUb(UbRules.CtxUseAfterFree, use);
        }

        Assert.True(job.IsNull);
        // The rejected start took no job from the pool: the one job the budget allows is still to be created.
        Assert.Equal((nuint)0, Async.DescribeThread().PoolCreated);
        TestThreads.AssertThreadStillWorks();
    });

    [Fact]
    public void WaitCtx_CleanupTouchingTheContextBeingFreed_IsRejected() => TestThreads.Run(() =>
    {
        AsyncWaitCtx ctx = AsyncWaitCtx.New();
        UndefinedBehaviorException? seen = null;
        ctx.SetWaitFd("k", 5, null, (c, _, _, _) => seen = Assert.Throws<UndefinedBehaviorException>(() => c.SetWaitFd("k2", 6, null, null)));
        AsyncWaitCtx.Free(ctx);
        Assert.Equal(UbRules.CtxUseAfterFree, seen?.RuleId);
    });

    [Fact]
    public void WaitCtx_FdArrayShorterThanCount_IsRejected() => TestThreads.Run(() =>
    {
        AsyncWaitCtx ctx = AsyncWaitCtx.New();
        ctx.SetWaitFd("a", 1, null, null);
        ctx.SetWaitFd("b", 2, null, null);
        int[] buffer = new int[1];
        TestThreads.AssertUb(UbRules.FdArrayTooSmall, () => ctx.GetAllFds(buffer, out _));
        TestThreads.AssertUb(UbRules.FdArrayTooSmall, () => ctx.GetChangedFds(buffer, out _, [], out _));
        Span<int> two = stackalloc int[2];
        Assert.Equal(1, ctx.GetAllFds(two, out int n));
        Assert.Equal(2, n);
        Assert.Equal([2, 1], two.ToArray());
    });

    [Fact]
    public void CallbackApi_UnderProfile111_DoesNotExist() => TestThreads.Run(() =>
    {
        Async.ThreadProfile = AsyncProfile.OpenSsl111;
        AsyncWaitCtx ctx = AsyncWaitCtx.New();
        Assert.Throws<NotSupportedException>(() => AsyncWaitCtx.SetCallback(ctx, null, null));
        Assert.Throws<NotSupportedException>(() => ctx.SetStatus(2));
        Assert.Throws<NotSupportedException>(() => ctx.GetStatus());
    });

    [Fact]
    public void StartJob_ZeroSizeArgs_Profile111FailsWithMallocFailureAndUsesUpPoolBudget() => TestThreads.Run(() =>
    {
        // 1.1.1 takes a job from the pool first, then fails OPENSSL_malloc(0) and puts the job back (spec JOB-08, evidence E1).
        Async.ThreadProfile = AsyncProfile.OpenSsl111;
        Async.InitThread(1, 0);
        AsyncJob job = default;
        int ret = -1;
        Assert.Equal(AsyncResult.Err, Async.StartJob(ref job, AsyncWaitCtx.New(), ref ret, Jobs.OnlyPause, [], 0));
        Assert.True(job.IsNull);
        Assert.Equal(-1, ret);
        Assert.Equal(["MALLOC_FAILURE"], Async.DrainErrors().Select(e => e.Name));
        AsyncThreadSnapshot pool = Async.DescribeThread();
        Assert.Equal((nuint)1, pool.PoolCreated);
        Assert.Single(pool.IdleJobObjectIds);
    });

    [Fact]
    public void StartJob_ZeroSizeArgs_Profile30PassesNull() => TestThreads.Run(() =>
    {
        byte[]? seen = [1];
        AsyncJobFunc func = args =>
        {
            seen = args;
            return Jobs.Return42(args);
        };
        AsyncJob job = default;
        int ret = 0;
        Assert.Equal(AsyncResult.Finish, Async.StartJob(ref job, null, ref ret, func, [], 0));
        Assert.Null(seen);
        Assert.Empty(Async.DrainErrors());
    });

    [Fact]
    public void StartJob_Args_AreCopiedAtStart() => TestThreads.Run(() =>
    {
        byte[] buffer = "ABCD"u8.ToArray();
        var seen = new List<string>();
        AsyncJobFunc func = async args =>
        {
            seen.Add(System.Text.Encoding.ASCII.GetString(args!));
            await Async.PauseJob();
            seen.Add(System.Text.Encoding.ASCII.GetString(args!));
            return args == buffer ? 0 : 1;
        };
        AsyncWaitCtx ctx = AsyncWaitCtx.New();
        AsyncJob job = default;
        int ret = 0;
        Assert.Equal(AsyncResult.Pause, Async.StartJob(ref job, ctx, ref ret, func, buffer, 4));
        "wxyz"u8.CopyTo(buffer);
        Assert.Equal(AsyncResult.Finish, Async.StartJob(ref job, ctx, ref ret, func, buffer, 4));
        Assert.Equal(["ABCD", "ABCD"], seen);
        Assert.Equal(1, ret);
    });

    [Fact]
    public void InitThread_HugeInitSize_PreCreatesAtMostTwoToTheTwenty() => TestThreads.Run(() =>
    {
        Assert.Equal(1, Async.InitThread(int.MaxValue, int.MaxValue));
        AsyncThreadSnapshot pool = Async.DescribeThread();
        Assert.Equal((nuint)(1 << 20), pool.PoolCreated);
        Assert.Equal(1 << 20, pool.IdleJobObjectIds.Count);
        // A sane pool replaces it.
        Async.InitThread(3, 2);
        Assert.Equal((nuint)2, Async.DescribeThread().PoolCreated);
    });
}
