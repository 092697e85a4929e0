namespace AsyncRef.Conformance;

/// <summary>The continuation machinery: JobTask methods, nested pauses, misuse, exceptions, checked mode.</summary>
public sealed class RuntimeTests
{
    [Fact]
    public void StartJob_PauseThenResume_FinishesWithRet() => TestThreads.Run(() =>
    {
        AsyncWaitCtx ctx = AsyncWaitCtx.New();
        AsyncJob job = default;
        int ret = 42;
        Assert.Equal(AsyncResult.Pause, Async.StartJob(ref job, ctx, ref ret, Jobs.PauseOnceReturn7));
        Assert.False(job.IsNull);
        Assert.Equal(42, ret);
        Assert.Equal(AsyncResult.Finish, Async.StartJob(ref job, ctx, ref ret, Jobs.PauseOnceReturn7));
        Assert.True(job.IsNull);
        Assert.Equal(7, ret);
    });

    private static async JobTask<int> Depth(int level, List<string> trace)
    {
        if (level == 0)
        {
            trace.Add("pause 1");
            int first = await Async.PauseJob();
            trace.Add("pause 2");
            int second = await Async.PauseJob();
            return first + second;
        }

        int below = await Depth(level - 1, trace);
        trace.Add($"return {level}");
        return below * 10;
    }

    [Fact]
    public void NestedJobTaskHelpers_PauseAtAnyDepth_AndResultsFlowUp() => TestThreads.Run(() =>
    {
        var trace = new List<string>();
        AsyncWaitCtx ctx = AsyncWaitCtx.New();
        AsyncJob job = default;
        int ret = 0;
        AsyncJobFunc func = _ => Depth(3, trace);
        Assert.Equal(AsyncResult.Pause, Async.StartJob(ref job, ctx, ref ret, func));
        Assert.Equal(["pause 1"], trace);
        Assert.Equal(AsyncResult.Pause, Async.StartJob(ref job, ctx, ref ret, func));
        Assert.Equal(AsyncResult.Finish, Async.StartJob(ref job, ctx, ref ret, func));
        Assert.Equal(["pause 1", "pause 2", "return 1", "return 2", "return 3"], trace);
        Assert.Equal(2000, ret);
    });

    private static async JobTask<int> AwaitsYield(byte[]? args)
    {
        await Task.Yield();
        return 1;
    }

    [Fact]
    public void ForeignAwait_IsRejected() => TestThreads.Run(() =>
    {
        Async.InitThread(1, 0);
        AsyncJob job = default;
        int ret = -1;
        var e = TestThreads.AssertUb(UbRules.ForeignAwait, () => Async.StartJob(ref job, null, ref ret, AwaitsYield));
        Assert.Contains("YieldAwaiter", e.Message, StringComparison.Ordinal);
        Assert.True(job.IsNull);
        Assert.Equal(-1, ret);
        // The job was released: with max_size 1 the next start can only succeed by reusing it.
        TestThreads.AssertThreadStillWorks();
    });

    private static async Task<int> TaskHelperThatPauses()
    {
        await Async.PauseJob();
        return 1;
    }

    private static async JobTask<int> CallsTaskHelper(byte[]? args)
    {
        _ = TaskHelperThatPauses();
        await Async.PauseJob();
        return 1;
    }

    [Fact]
    public void ForeignAwait_ByTaskMethodAwaitingPause_IsRejected() => TestThreads.Run(() =>
    {
        AsyncJob job = default;
        int ret = 0;
        TestThreads.AssertUb(UbRules.ForeignAwait, () => Async.StartJob(ref job, AsyncWaitCtx.New(), ref ret, CallsTaskHelper));
        Assert.True(job.IsNull);
        TestThreads.AssertThreadStillWorks();
    });

    private static async JobTask<int> Helper()
    {
        await Async.PauseJob();
        return 5;
    }

    private static async JobTask<int> ForgetsToAwait(byte[]? args)
    {
        _ = Helper();
        return await new ValueTask<int>(3);
    }

    [Fact]
    public void DanglingPause_IsRejected() => TestThreads.Run(() =>
    {
        AsyncJob job = default;
        int ret = 0;
        TestThreads.AssertUb(UbRules.DanglingPause, () => Async.StartJob(ref job, AsyncWaitCtx.New(), ref ret, ForgetsToAwait));
        Assert.True(job.IsNull);
        Assert.Equal(0, ret);
        TestThreads.AssertThreadStillWorks();
    });

    private static int Recurse(int depth)
    {
        Span<byte> frame = stackalloc byte[256];
        frame[depth % 256] = (byte)depth;
        return depth == 0 ? frame[0] : Recurse(depth - 1) + frame[depth % 256] - (byte)depth + 1;
    }

    private static async JobTask<int> DeepJob(byte[]? args)
    {
        int before = Recurse(1000);
        await Async.PauseJob();
        return before + Recurse(1000);
    }

    [Fact]
    public void DeepRecursionInJob_Works() => TestThreads.Run(() =>
    {
        // ~300 KiB of stack inside the job, ten times OpenSSL's 32 KiB fibre stack (facts UB7, E13).
        AsyncWaitCtx ctx = AsyncWaitCtx.New();
        AsyncJob job = default;
        int ret = 0;
        Assert.Equal(AsyncResult.Pause, Async.StartJob(ref job, ctx, ref ret, DeepJob));
        Assert.Equal(AsyncResult.Finish, Async.StartJob(ref job, ctx, ref ret, DeepJob));
        Assert.Equal(2000, ret);
    });

    private sealed class JobFailure : Exception
    {
    }

    private static async JobTask<int> ThrowsAfterPause(byte[]? args)
    {
        await Async.PauseJob();
        throw new JobFailure();
    }

    [Fact]
    public void JobFunctionThrows_JobIsReleasedRetUntouchedAndExceptionPropagates() => TestThreads.Run(() =>
    {
        Async.InitThread(1, 0);
        AsyncWaitCtx ctx = AsyncWaitCtx.New();
        AsyncJob job = default;
        int ret = 9;
        Assert.Equal(AsyncResult.Pause, Async.StartJob(ref job, ctx, ref ret, ThrowsAfterPause));
        long objectId = job.ObjectId;
        Assert.Throws<JobFailure>(() => Async.StartJob(ref job, ctx, ref ret, ThrowsAfterPause));
        Assert.True(job.IsNull);
        Assert.Equal(9, ret);
        Assert.Equal(AsyncResult.Pause, Async.StartJob(ref job, ctx, ref ret, Jobs.OnlyPause));
        Assert.Equal(objectId, job.ObjectId);
    });

    private static async JobTask<int> AwaitsCompletedTask(byte[]? args)
    {
        int a = await Task.FromResult(20);
        await Async.PauseJob();
        return a + await new ValueTask<int>(1);
    }

    [Fact]
    public void AwaitingAlreadyCompletedTasks_DoesNotSuspend() => TestThreads.Run(() =>
    {
        AsyncWaitCtx ctx = AsyncWaitCtx.New();
        AsyncJob job = default;
        int ret = 0;
        Assert.Equal(AsyncResult.Pause, Async.StartJob(ref job, ctx, ref ret, AwaitsCompletedTask));
        Assert.Equal(AsyncResult.Finish, Async.StartJob(ref job, ctx, ref ret, AwaitsCompletedTask));
        Assert.Equal(21, ret);
    });

    [Fact]
    public void ErrorQueue_DropsTheOldestBeyond15() => TestThreads.Run(() =>
    {
        // ERR_NUM_ERRORS is 16 and the ring keeps one slot empty: 15 errors, the newest.
        Async.ThreadProfile = AsyncProfile.OpenSsl111;
        AsyncJob job = default;
        int ret = 0;
        Assert.Equal(AsyncResult.Err, Async.StartJob(ref job, AsyncWaitCtx.New(), ref ret, Jobs.Return42, [], 0));
        for (int i = 0; i < 15; i++)
        {
            Assert.Equal(0, Async.InitThread(0, 1));
        }

        Assert.Equal(15, Async.DescribeThread().QueuedErrors);
        IReadOnlyList<AsyncError> errors = Async.DrainErrors();
        Assert.Equal(15, errors.Count);
        Assert.All(errors, e => Assert.Equal(AsyncError.InvalidPoolSize, e.Reason));
        Assert.Empty(Async.DrainErrors());
    });

    private static async JobTask<int> RaisesThenPauses(byte[]? args)
    {
        Async.RaiseError(new AsyncError(AsyncError.LibAsync, AsyncError.InitFailed));
        await Async.PauseJob();
        return 1;
    }

    [Fact]
    public void RaiseError_InsideAJob_IsSeenByItsThreadAfterThePause_AndByNoOtherThread() => TestThreads.Run(() =>
    {
        // The queue is the thread's, shared with its jobs: the caller sees the job's error right after PAUSE (E9).
        AsyncJob job = default;
        int ret = 0;
        Assert.Equal(AsyncResult.Pause, Async.StartJob(ref job, AsyncWaitCtx.New(), ref ret, RaisesThenPauses));
        IReadOnlyList<AsyncError> other = [];
        var thread = new Thread(() => other = Async.DrainErrors());
        thread.Start();
        thread.Join();
        Assert.Empty(other);
        Assert.Equal([new AsyncError(AsyncError.LibAsync, AsyncError.InitFailed)], Async.DrainErrors());
        Assert.Equal(AsyncResult.Finish, Async.StartJob(ref job, null, ref ret, null));
    });

    [Fact]
    public void PauseJob_OutsideJob_CompletesAtOnceWithOne()
    {
        PauseAwaiter awaiter = Async.PauseJob().GetAwaiter();
        Assert.True(awaiter.IsCompleted);
        Assert.Equal(1, awaiter.GetResult());
    }

    private static async JobTask<int> AwaitsTwice(byte[]? args)
    {
        JobTask<int> helper = Helper();
        int a = await helper;
        return a + await helper;
    }

    [Fact]
    public void JobTask_AwaitedTwice_Throws() => TestThreads.Run(() =>
    {
        AsyncWaitCtx ctx = AsyncWaitCtx.New();
        AsyncJob job = default;
        int ret = 0;
        Assert.Equal(AsyncResult.Pause, Async.StartJob(ref job, ctx, ref ret, AwaitsTwice));
        Assert.Throws<InvalidOperationException>(() => Async.StartJob(ref job, ctx, ref ret, AwaitsTwice));
        Assert.True(job.IsNull);
    });

    [Fact]
    public void CheckedMode_IsOnInTestRuns() => Assert.True(Async.CheckedMode);

    [Fact]
    public void JobTaskMethod_WithoutSuspension_CompletesSynchronously()
    {
        // A method that never suspends completes in the struct itself.
        JobTask<int> task = Jobs.Return42(null);
        Assert.True(task.IsCompleted);
        Assert.Equal(42, task.GetAwaiter().GetResult());
    }
}
