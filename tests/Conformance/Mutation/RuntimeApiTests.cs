namespace AsyncRef.Conformance.Mutation;

/// <summary>
/// Runtime behaviour the corpus does not pin down, written to kill mutants `make mutation` found alive: the private
/// copy of the start arguments (evidence §2.3: copied only when <c>args != NULL &amp;&amp; size &gt; 0</c>, <c>func</c>
/// gets the copy or NULL), the C# API's argument checks, handles of finished uses, the paused-job count, and a job
/// function that throws before returning a task.
/// </summary>
public sealed class RuntimeApiTests
{
    [Fact]
    public void StartJob_GivesTheFunctionACopyOfTheFirstSizeBytes_OrNull() => TestThreads.Run(() =>
    {
        byte[]? seen = null;
        bool called = false;
        AsyncJobFunc record = args =>
        {
            called = true;
            seen = args;
            return Jobs.Return42(args);
        };
        byte[] args = [1, 2, 3, 4];
        AsyncJob job = default;
        int ret = 0;

        Assert.Equal(AsyncResult.Finish, Async.StartJob(ref job, null, ref ret, record, args, 2));
        Assert.Equal(new byte[] { 1, 2 }, seen);
        Assert.NotSame(args, seen);

        Assert.Equal(AsyncResult.Finish, Async.StartJob(ref job, null, ref ret, record, args, 4));
        Assert.Equal(args, seen);
        Assert.NotSame(args, seen);

        // 3.0.19 has the Dec-2025 fix: args with size 0 behave as NULL args.
        Assert.Equal(AsyncResult.Finish, Async.StartJob(ref job, null, ref ret, record, args, 0));
        Assert.True(called);
        Assert.Null(seen);
        seen = [9];
        Assert.Equal(AsyncResult.Finish, Async.StartJob(ref job, null, ref ret, record, null, 0));
        Assert.Null(seen);
        Assert.Equal(42, ret);
    });

    [Fact]
    public void StartJob_SizeOutsideTheArgs_IsRejectedBeforeAnythingChanges() => TestThreads.Run(() =>
    {
        AsyncJob job = default;
        int ret = 0;
        byte[] args = [1, 2, 3, 4];
        Assert.Throws<ArgumentOutOfRangeException>(() => Async.StartJob(ref job, null, ref ret, Jobs.Return42, args, 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => Async.StartJob(ref job, null, ref ret, Jobs.Return42, args, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Async.StartJob(ref job, null, ref ret, Jobs.Return42, null, -1));
        Assert.False(Async.DescribeThread().HasPool);
        Assert.Equal(AsyncResult.Finish, Async.StartJob(ref job, null, ref ret, Jobs.Return42, null, 3));
    });

    [Fact]
    public void Handles_NameOneUseOfAJobObject() => TestThreads.Run(() =>
    {
        AsyncJob none = default;
        Assert.True(none.IsNull);
        Assert.Equal(0, none.ObjectId);
        Assert.Equal(AsyncJobState.Unallocated, none.ObjectState);
        Assert.False(none.IsCurrentUse);
        Assert.Equal("NULL", none.ToString());

        AsyncWaitCtx ctx = AsyncWaitCtx.New();
        AsyncJob job = default;
        int ret = 0;
        Assert.Equal(AsyncResult.Pause, Async.StartJob(ref job, ctx, ref ret, Jobs.PauseOnceReturn7));
        AsyncJob first = job;
        Assert.False(first.IsNull);
        Assert.NotEqual(0, first.ObjectId);
        Assert.Equal(AsyncJobState.Paused, first.ObjectState);
        Assert.True(first.IsCurrentUse);
        Assert.StartsWith($"job {first.ObjectId} (use ", first.ToString(), StringComparison.Ordinal);
        Assert.True(first == job && !(first != job) && first.Equals((object)job));
        Assert.Equal(first.GetHashCode(), job.GetHashCode());
        Assert.False(first.Equals("a job"));
        Assert.Same(ctx, Async.GetWaitCtx(first));

        Assert.Equal(AsyncResult.Finish, Async.StartJob(ref job, ctx, ref ret, Jobs.PauseOnceReturn7));
        Assert.False(first.IsCurrentUse);
        Assert.Equal(AsyncJobState.Pooled, first.ObjectState);
        Assert.Null(Async.GetWaitCtx(first));

        // The pool hands the same object out again (LIFO): a new use, a different handle.
        Assert.Equal(AsyncResult.Pause, Async.StartJob(ref job, ctx, ref ret, Jobs.PauseOnceReturn7));
        Assert.Equal(first.ObjectId, job.ObjectId);
        Assert.True(first != job);
        Assert.False(first.Equals((object)job));
        Assert.NotEqual(first.ToString(), job.ToString());
        Assert.Equal(AsyncResult.Finish, Async.StartJob(ref job, ctx, ref ret, Jobs.PauseOnceReturn7));
        AsyncWaitCtx.Free(ctx);
    });

    [Fact]
    public void PausedJobs_CountsTheThreadsPausedJobs() => TestThreads.Run(() =>
    {
        AsyncWaitCtx ctx = AsyncWaitCtx.New();
        AsyncJob a = default, b = default;
        int ret = 0;
        Assert.Equal(0, Async.DescribeThread().PausedJobs);
        Assert.Equal(AsyncResult.Pause, Async.StartJob(ref a, ctx, ref ret, Jobs.PauseTwiceReturn5));
        Assert.Equal(AsyncResult.Pause, Async.StartJob(ref b, ctx, ref ret, Jobs.PauseOnceReturn7));
        Assert.Equal(2, Async.DescribeThread().PausedJobs);
        Assert.Equal(AsyncResult.Pause, Async.StartJob(ref a, ctx, ref ret, Jobs.PauseTwiceReturn5));
        Assert.Equal(2, Async.DescribeThread().PausedJobs);
        Assert.Equal(AsyncResult.Finish, Async.StartJob(ref b, ctx, ref ret, Jobs.PauseOnceReturn7));
        Assert.Equal(1, Async.DescribeThread().PausedJobs);
        Assert.Equal(AsyncResult.Finish, Async.StartJob(ref a, ctx, ref ret, Jobs.PauseTwiceReturn5));
        Assert.Equal(0, Async.DescribeThread().PausedJobs);
        Assert.Equal(2, Async.DescribeThread().IdleJobObjectIds.Count);
    });

    [Fact]
    public void AFunctionThatThrowsBeforeReturningATask_IsReleasedAndItsExceptionPropagates() => TestThreads.Run(() =>
    {
        AsyncJob job = default;
        int ret = 9;
        var e = Assert.Throws<InvalidOperationException>(() =>
            Async.StartJob(ref job, null, ref ret, _ => throw new InvalidOperationException("not an async method")));
        Assert.Equal("not an async method", e.Message);
        Assert.True(job.IsNull);
        Assert.Equal(9, ret);
        AsyncThreadSnapshot thread = Async.DescribeThread();
        Assert.True(thread.CurrentJob.IsNull);
        Assert.Single(thread.IdleJobObjectIds);
        TestThreads.AssertThreadStillWorks();
    });
}
