using AsyncRef.Model;

namespace AsyncRef.Conformance;

/// <summary>
/// The Stateless machines as the single authority: the runtime's state writers are checked against the machines on
/// the objects' real state and real guards, so a transition from a wrong state is caught (checked mode is on in test
/// runs).
/// </summary>
public sealed class ModelAuthorityTests
{
    [Fact]
    public void JobTransition_FromTheWrongRealState_IsAViolation() => TestThreads.Run(() =>
    {
        AsyncThreadState thread = AsyncThreadState.Current;
        var job = new JobCore();
        Assert.Throws<InvariantViolationException>(() => job.Transition(JobTrigger.Release, thread));
        Assert.Equal(AsyncJobState.Unallocated, job.State);

        job.Transition(JobTrigger.Create, thread);
        Assert.Equal(AsyncJobState.Running, job.State);
        Assert.Throws<InvariantViolationException>(() => job.Transition(JobTrigger.Resume, thread));
        Assert.Throws<InvariantViolationException>(() => job.Transition(JobTrigger.Reuse, thread));
        job.Transition(JobTrigger.Return, thread);
        Assert.Throws<InvariantViolationException>(() => job.Transition(JobTrigger.Free, thread));
        job.Transition(JobTrigger.Release, thread);
        Assert.Equal(AsyncJobState.Pooled, job.State);
    });

    [Fact]
    public void JobTransition_WithAFalseRealGuard_IsAViolation() => TestThreads.Run(() =>
    {
        AsyncThreadState thread = AsyncThreadState.Current;

        // A pool of max_size 1 with its one job pre-created has no budget left: no creation is permitted into it.
        var full = new JobPool(1, 1, thread);
        Assert.Throws<InvariantViolationException>(() => new JobCore().Transition(JobTrigger.Create, thread, full));
        Assert.Throws<InvariantViolationException>(() => new JobCore().Transition(JobTrigger.PreCreate, thread, full));

        // A paused job without a wait context, or owned by another thread, cannot be resumed.
        var job = new JobCore();
        job.Transition(JobTrigger.Create, thread);
        job.Transition(JobTrigger.Pause, thread);
        Assert.Equal(AsyncJobState.Paused, job.State);
        job.Owner = thread;
        Assert.Throws<InvariantViolationException>(() => job.Transition(JobTrigger.Resume, thread));
        job.WaitCtx = AsyncWaitCtx.New();
        job.Owner = new AsyncThreadState();
        Assert.Throws<InvariantViolationException>(() => job.Transition(JobTrigger.Resume, thread));
        job.Owner = thread;
        job.Transition(JobTrigger.Resume, thread);
        Assert.Equal(AsyncJobState.Running, job.State);
    });

    [Fact]
    public void BlockedPause_IsIgnoredByTheMachine_AndTheJobKeepsRunning() => TestThreads.Run(() =>
    {
        AsyncThreadState thread = AsyncThreadState.Current;
        var job = new JobCore();
        job.Transition(JobTrigger.Create, thread);
        thread.Blocked = 1;
        job.Transition(JobTrigger.Pause, thread);
        Assert.Equal(AsyncJobState.Running, job.State);
        thread.Blocked = 0;
        job.Transition(JobTrigger.Pause, thread);
        Assert.Equal(AsyncJobState.Paused, job.State);
    });

    [Fact]
    public void InitThread_PreCreatesJobsThroughTheModelledEdge() => TestThreads.Run(() =>
    {
        Assert.Equal(1, Async.InitThread(3, 2));
        AsyncThreadSnapshot snapshot = Async.DescribeThread();
        Assert.Equal((nuint)2, snapshot.PoolCreated);
        Assert.Equal(2, snapshot.IdleJobObjectIds.Count);
        Async.CleanupThread();
    });

    [Fact]
    public void SetCallback_OnAFreedContext_IsUndefinedBeforeTheMachineIsAsked() => TestThreads.Run(() =>
    {
        AsyncWaitCtx ctx = AsyncWaitCtx.New();
        Assert.Equal(1, AsyncWaitCtx.SetCallback(ctx, _ => 1, null));
        Assert.Equal(WaitCtxState.CallbackSet, ctx.State);
        Assert.Equal(1, AsyncWaitCtx.SetCallback(ctx, null, null));
        Assert.Equal(WaitCtxState.NoCallback, ctx.State);
        AsyncWaitCtx.Free(ctx);
        Assert.Equal(WaitCtxState.Freed, ctx.State);
        TestThreads.AssertUb(UbRules.CtxUseAfterFree, () => AsyncWaitCtx.SetCallback(ctx, _ => 1, null));
    });

    [Fact]
    public void LargePool_ChecksWhatEachChangeTouched_AndSweepsTheRest() => TestThreads.Run(() =>
    {
        AsyncThreadState thread = AsyncThreadState.Current;
        JobPool pool = null!;
        JobCore Pooled()
        {
            var job = new JobCore();
            job.Transition(JobTrigger.PreCreate, thread, pool);
            return job;
        }

        JobPool Filled()
        {
            pool = new JobPool(0, 0, thread);
            for (int i = 0; i < 100; i++)
            {
                pool.Push(Pooled());
            }

            return pool;
        }

        // The touched job is checked at once.
        var running = new JobCore();
        running.Transition(JobTrigger.Create, thread);
        Assert.Throws<InvariantViolationException>(() => Filled().Push(running));

        // A job pushed twice is found by a full sweep within as many changes as the pool holds.
        pool = Filled();
        JobCore twice = Pooled();
        pool.Push(twice);
        pool.Push(twice);
        int changes = 2 * pool.IdleCount;
        Assert.Throws<InvariantViolationException>(() =>
        {
            for (int i = 0; i < changes; i++)
            {
                pool.Push(Pooled());
            }
        });
    });
}
