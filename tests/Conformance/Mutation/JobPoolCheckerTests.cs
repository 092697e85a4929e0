using System.Reflection;

namespace AsyncRef.Conformance.Mutation;

/// <summary>
/// Checked mode's pool invariants, written to kill the mutants the Runtime run of `make mutation` left alive: each
/// test plants one inconsistency in a thread's pool (through reflection, as a broken runtime would) and requires
/// the checker to name it at the next pool operation, or at an explicit check.
/// </summary>
public sealed class JobPoolCheckerTests
{
    [Fact]
    public void APoppedJobHoldingArgs_IsFoundWhenTheNextStartTakesIt() => TestThreads.Run(() =>
    {
        JobPool pool = PoolWithIdle(1);
        pool.IdleTopFirst().First().Args = [1];
        AssertViolation("an idle job holds no wait ctx and no args", StartOne);
    });

    [Fact]
    public void APoppedJobNotPooled_IsFoundWhenTheNextStartTakesIt() => TestThreads.Run(() =>
    {
        JobPool pool = PoolWithIdle(1);
        SetState(pool.IdleTopFirst().First(), AsyncJobState.Running);
        AssertViolation("every idle job is in state Pooled", StartOne);
    });

    [Fact]
    public void AJobAboveTheTop_IsFoundWhenAJobIsPushed() => TestThreads.Run(() =>
    {
        // A job is pushed at index 0 when the paused job finishes: index 1 must be empty.
        AsyncWaitCtx ctx = AsyncWaitCtx.New();
        AsyncJob job = default;
        int ret = 0;
        Assert.Equal(AsyncResult.Pause, Async.StartJob(ref job, ctx, ref ret, Jobs.PauseOnceReturn7));
        JobPool pool = AsyncThreadState.Current.Pool!;
        Assert.Equal(0, pool.IdleCount);
        Idle(pool)[1] = new JobCore();
        AssertViolation("idle count within the stack, nothing above its top", () => Async.StartJob(ref job, ctx, ref ret, null));
    });

    [Fact]
    public void ACountOutsideTheStack_IsFound() => TestThreads.Run(() =>
    {
        JobPool pool = PoolWithIdle(0);
        SetField(pool, "_idleCount", -1);
        AssertViolation("idle count within the stack", pool.AssertInvariants);
    });

    [Fact]
    public void AHoleBelowTheTop_IsFound() => TestThreads.Run(() =>
    {
        JobPool pool = PoolWithIdle(2);
        Idle(pool)[0] = null;
        AssertViolation("no hole below the top of the stack", pool.AssertInvariants);
    });

    [Fact]
    public void AnIdleJobHoldingAWaitCtx_BelowTheTop_IsFound() => TestThreads.Run(() =>
    {
        JobPool pool = PoolWithIdle(2);
        Idle(pool)[0]!.WaitCtx = AsyncWaitCtx.New();
        AssertViolation("an idle job holds no wait ctx and no args", pool.AssertInvariants);
    });

    [Theory]
    [InlineData(3)]
    [InlineData(12)]
    public void AJobIdleTwice_IsFound_InSmallAndLargePools(int idle) => TestThreads.Run(() =>
    {
        // Up to 8 idle jobs are compared pairwise, more go through a set: both must find the duplicate.
        JobPool pool = PoolWithIdle(idle);
        JobCore?[] jobs = Idle(pool);
        jobs[idle - 1] = jobs[idle - 2];
        AssertViolation("no job is on the idle stack twice", pool.AssertInvariants);
    });

    [Fact]
    public void ALargePool_FindsADuplicateBelowTheTop_AtTheScheduledSweep() => TestThreads.Run(() =>
    {
        // 40 pre-created idle jobs. The first pop sweeps (nothing was counted yet) and schedules the next sweep
        // after 39 changes, the pool's size then. Each start that finishes pops and pushes: 2 changes.
        JobPool pool = PoolWithIdle(40);
        StartOne();
        JobCore?[] jobs = Idle(pool);
        jobs[0] = jobs[1];
        int starts = 0;
        var e = Assert.Throws<InvariantViolationException>(() =>
        {
            for (; starts < 100; starts++)
            {
                StartOne();
            }
        });
        Assert.Equal("invariant violated: no job is on the idle stack twice", e.Message);
        // The first start's push was change 1; start n pops at change 2n and pushes at 2n + 1: the 39th change
        // is the push of start 19, so 18 starts complete.
        Assert.Equal(18, starts);
    });

    [Fact]
    public void APoolOfExactlyEightIdleJobs_IsCheckedInFull_BeforeItsScheduledSweep() => TestThreads.Run(() =>
    {
        // 10 pre-created idle jobs. The first start's pop sweeps (nothing was counted yet) and schedules the next
        // sweep after 9 changes; its push is change 1.
        JobPool pool = PoolWithIdle(10);
        StartOne();
        JobCore?[] jobs = Idle(pool);
        jobs[0] = jobs[1];
        AsyncWaitCtx ctx = AsyncWaitCtx.New();
        AsyncJob first = default, second = default;
        int ret = 0;
        // 9 idle after this pop (change 2): only the touched job and the top are checked.
        Assert.Equal(AsyncResult.Pause, Async.StartJob(ref first, ctx, ref ret, Jobs.PauseOnceReturn7));
        // 8 idle after this pop (change 3): a pool this small is checked in full after every change.
        AssertViolation("no job is on the idle stack twice", () => Async.StartJob(ref second, ctx, ref ret, Jobs.PauseOnceReturn7));
    });

    [Fact]
    public void MoreJobsCreatedThanMaxSize_IsFoundByCleanupThread() => TestThreads.Run(() =>
    {
        Assert.Equal(1, Async.InitThread(2, 1));
        JobPool pool = AsyncThreadState.Current.Pool!;
        typeof(JobPool).GetField("<CreatedCount>k__BackingField", BindingFlags.NonPublic | BindingFlags.Instance)!.SetValue(pool, (nuint)3);
        AssertViolation("curr_size never exceeds max_size", Async.CleanupThread);
    });

    [Fact]
    public void CleanupThread_EndsNoUseAgain_AHandleOfAFreedJobStaysStale() => TestThreads.Run(() =>
    {
        AsyncWaitCtx ctx = AsyncWaitCtx.New();
        AsyncJob job = default;
        int ret = 0;
        Assert.Equal(AsyncResult.Pause, Async.StartJob(ref job, ctx, ref ret, Jobs.PauseOnceReturn7));
        AsyncJob old = job;
        Assert.Equal(AsyncResult.Finish, Async.StartJob(ref job, ctx, ref ret, Jobs.PauseOnceReturn7));
        Async.CleanupThread();
        Assert.Equal(AsyncJobState.Freed, old.ObjectState);
        Assert.False(old.IsCurrentUse);
        AsyncWaitCtx.Free(ctx);
    });

    [Fact]
    public void CleanupThread_FreesTheStackAStartCreatedItsJobWith() => TestThreads.Run(() =>
    {
        // 3.2's stack functions: the free function gets back what the allocator gave (spec/evidence.md, E15).
        Async.ThreadProfile = AsyncProfile.OpenSsl32;
        Async.ThreadStackMemory = new AsyncStackMemory();
        var allocated = new List<object?>();
        var freed = new List<object?>();
        Assert.Equal(1, Async.SetMemFunctions(
            (ref nuint size) =>
            {
                var stack = new object();
                allocated.Add(stack);
                return stack;
            },
            freed.Add));
        AsyncJob job = default;
        int ret = 0;
        Assert.Equal(AsyncResult.Finish, Async.StartJob(ref job, null, ref ret, Jobs.Return42));
        Async.CleanupThread();
        Assert.Single(allocated);
        Assert.Equal(allocated, freed);
    });

    /// <summary>A pool of <paramref name="idle"/> idle jobs, pre-created by <c>ASYNC_init_thread</c>.</summary>
    private static JobPool PoolWithIdle(int idle)
    {
        Assert.Equal(1, Async.InitThread(64, (nuint)idle));
        JobPool pool = AsyncThreadState.Current.Pool!;
        Assert.Equal(idle, pool.IdleCount);
        return pool;
    }

    private static void StartOne()
    {
        AsyncJob job = default;
        int ret = 0;
        Async.StartJob(ref job, null, ref ret, Jobs.Return42);
    }

    private static void AssertViolation(string invariant, Action call)
    {
        var e = Assert.Throws<InvariantViolationException>(call);
        Assert.Equal("invariant violated: " + invariant, e.Message);
    }

    private static JobCore?[] Idle(JobPool pool) =>
        (JobCore?[])typeof(JobPool).GetField("_idle", BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(pool)!;

    private static void SetField(JobPool pool, string field, object value) =>
        typeof(JobPool).GetField(field, BindingFlags.NonPublic | BindingFlags.Instance)!.SetValue(pool, value);

    private static void SetState(JobCore job, AsyncJobState state) =>
        typeof(JobCore).GetField("<State>k__BackingField", BindingFlags.NonPublic | BindingFlags.Instance)!.SetValue(job, state);
}
