using System.Runtime.CompilerServices;

namespace AsyncRef.Conformance.Mutation;

/// <summary>
/// Misuse of <see cref="JobTask{TResult}"/> and of the pause awaiter, written to kill the mutants the Runtime run of
/// `make mutation` left alive: a task used after its result was consumed, read before it completed or awaited
/// twice is refused with a message saying so; a second pause while one is pending is refused; a pause awaiter made
/// outside the job still pauses the job that awaits it; a pause that is a no-op (blocked) does not reset the wait
/// context's counts (spec/evidence.md §2.3: the reset follows a resume only).
/// </summary>
public sealed class JobTaskMisuseTests
{
    [Fact]
    public void ATaskUsedAfterItsResultWasConsumed_IsRefused() => TestThreads.Run(() =>
    {
        string[] messages = [];
        AsyncJobFunc func = async args =>
        {
            JobTask<int> task = PausingHelper();
            int first = await task;
            // The box went back to its free list: every later use of the task is stale.
            messages =
            [
                Assert.Throws<InvalidOperationException>(() => task.IsCompleted).Message,
                Assert.Throws<InvalidOperationException>(() => task.GetAwaiter().GetResult()).Message,
            ];
            return first;
        };
        AsyncJob job = default;
        int ret = 0;
        AsyncWaitCtx ctx = AsyncWaitCtx.New();
        Assert.Equal(AsyncResult.Pause, Async.StartJob(ref job, ctx, ref ret, func));
        Assert.Equal(AsyncResult.Finish, Async.StartJob(ref job, ctx, ref ret, func));
        Assert.Equal(5, ret);
        Assert.All(messages, m => Assert.Equal("A JobTask was used after its result had been consumed.", m));
    });

    [Fact]
    public void ATaskReadBeforeItCompleted_OrAwaitedTwice_IsRefused() => TestThreads.Run(() =>
    {
        string? early = null, twice = null;
        AsyncJobFunc func = async args =>
        {
            JobTask<int> task = PausingHelper();
            early = Assert.Throws<InvalidOperationException>(() => task.GetAwaiter().GetResult()).Message;
            JobTask<int> parent = Awaits(task);
            try
            {
                await task;
            }
            catch (InvalidOperationException e)
            {
                twice = e.Message;
            }

            return await parent;
        };
        AsyncJob job = default;
        int ret = 0;
        AsyncWaitCtx ctx = AsyncWaitCtx.New();
        Assert.Equal(AsyncResult.Pause, Async.StartJob(ref job, ctx, ref ret, func));
        Assert.Equal(AsyncResult.Finish, Async.StartJob(ref job, ctx, ref ret, func));
        Assert.Equal(6, ret);
        Assert.Equal("A JobTask result was read before the method completed.", early);
        Assert.Equal("A JobTask was awaited twice.", twice);
    });

    [Fact]
    public void ASecondPauseWhileOneIsPending_IsRefused() => TestThreads.Run(() =>
    {
        UndefinedBehaviorException? second = null;
        AsyncJobFunc func = async args =>
        {
            _ = PausingHelper();
            try
            {
                await PausingHelper();
            }
            catch (UndefinedBehaviorException e)
            {
                second = e;
            }

            return 1;
        };
        AsyncJob job = default;
        int ret = 0;
        // The function then returns with the first pause pending: refused in turn.
        TestThreads.AssertUb(UbRules.DanglingPause, () => Async.StartJob(ref job, AsyncWaitCtx.New(), ref ret, func));
        Assert.NotNull(second);
        Assert.Equal(UbRules.DanglingPause, second.RuleId);
        Assert.Contains("paused again while an earlier pause of the job was still pending", second.Explanation, StringComparison.Ordinal);
    });

    [Fact]
    public void APauseAwaiterMadeOutsideTheJob_PausesTheJobThatAwaitsIt() => TestThreads.Run(() =>
    {
        var stored = new StoredPause(Async.PauseJob().GetAwaiter());
        AsyncJobFunc func = async args =>
        {
            await stored;
            return 3;
        };
        AsyncWaitCtx ctx = AsyncWaitCtx.New();
        AsyncJob job = default;
        int ret = 0;
        Assert.Equal(AsyncResult.Pause, Async.StartJob(ref job, ctx, ref ret, func));
        Assert.Equal(AsyncResult.Finish, Async.StartJob(ref job, ctx, ref ret, func));
        Assert.Equal(3, ret);
    });

    [Fact]
    public void ABlockedPauseAfterAResume_DoesNotResetTheCountsAgain() => TestThreads.Run(() =>
    {
        (int Added, int Deleted) afterBlockedPause = (-1, -1);
        AsyncWaitCtx ctx = AsyncWaitCtx.New();
        AsyncJobFunc func = async args =>
        {
            await Async.PauseJob();
            ctx.SetWaitFd(new object(), 8, null, null);
            Async.BlockPause();
            Assert.Equal(1, await Async.PauseJob());
            Async.UnblockPause();
            ctx.GetChangedFds([], out int added, [], out int deleted);
            afterBlockedPause = (added, deleted);
            return 2;
        };
        AsyncJob job = default;
        int ret = 0;
        Assert.Equal(AsyncResult.Pause, Async.StartJob(ref job, ctx, ref ret, func));
        Assert.Equal(AsyncResult.Finish, Async.StartJob(ref job, ctx, ref ret, func));
        Assert.Equal((1, 0), afterBlockedPause);
    });

    [Fact]
    public void AFaultedJob_GoesBackToThePool_AndLeavesItsWaitCtx() => TestThreads.Run(() =>
    {
        // max_size 1: the next start can only succeed by reusing the faulted job.
        Assert.Equal(1, Async.InitThread(1, 0));
        AsyncWaitCtx ctx = AsyncWaitCtx.New();
        AsyncJob job = default;
        int ret = 0;
        TestThreads.AssertUb(UbRules.DanglingPause, () => Async.StartJob(ref job, ctx, ref ret, ForgetsToAwait));
        Assert.Equal(0, ctx.Describe().ActiveJobs);
        Assert.Single(Async.DescribeThread().IdleJobObjectIds);
        Assert.Equal(AsyncResult.Finish, Async.StartJob(ref job, ctx, ref ret, Jobs.Return42));
        Assert.Equal(42, ret);
    });

    [Fact]
    public void AJobAwaitingThePendingTaskOfAnotherJob_IsAForeignAwait() => TestThreads.Run(() =>
    {
        // Job A's function is the pausing helper itself: after A's pause its task is pending, with nothing awaiting
        // it. Job B awaits that task: B would suspend without pausing (A's pause is A's) and go on only when A's
        // restart completes the task, outside B's own start. That is the foreign await of spec MISUSE-FOREIGN-AWAIT:
        // the await itself is refused, so it is B's function's exception, B's start reports it and B's job goes back
        // to the pool. A method awaiting it outside any job is refused the same way. Nothing was linked to A's task:
        // A's restart finishes A with A's own result (before the fix, it ran the refused awaiters' continuations,
        // which consumed A's result, and A's start threw with A left running).
        JobTask<int> rootOfA = default;
        AsyncJobFunc a = args => rootOfA = PausingHelper();
        AsyncJobFunc b = async args => await rootOfA;
        AsyncWaitCtx ctxA = AsyncWaitCtx.New(), ctxB = AsyncWaitCtx.New();
        AsyncJob jobA = default, jobB = default;
        int ret = 0;
        Assert.Equal(AsyncResult.Pause, Async.StartJob(ref jobA, ctxA, ref ret, a));
        UndefinedBehaviorException e = TestThreads.AssertUb(UbRules.ForeignAwait, () => Async.StartJob(ref jobB, ctxB, ref ret, b));
        Assert.Equal(ForeignTaskExplanation, e.Explanation);
        Assert.True(jobB.IsNull);
        Assert.Equal(0, ctxB.Describe().ActiveJobs);
        Assert.Equal(1, ctxA.Describe().ActiveJobs);
        Assert.Single(Async.DescribeThread().IdleJobObjectIds);

        JobTask<int> outsideAnyJob = Awaits(rootOfA);
        Assert.True(outsideAnyJob.IsCompleted);
        e = TestThreads.AssertUb(UbRules.ForeignAwait, () => outsideAnyJob.GetAwaiter().GetResult());
        Assert.Equal(ForeignTaskExplanation, e.Explanation);

        Assert.Equal(AsyncResult.Finish, Async.StartJob(ref jobA, ctxA, ref ret, a));
        Assert.Equal(5, ret);
        Assert.True(jobA.IsNull);
        Assert.Equal(0, ctxA.Describe().ActiveJobs);
        Assert.Equal(2, Async.DescribeThread().IdleJobObjectIds.Count);
        TestThreads.AssertThreadStillWorks();
    });

    [Fact]
    public void AJobAwaitingAnotherJobsTask_AfterPausingItself_IsAForeignAwaitToo() => TestThreads.Run(() =>
    {
        // Job B has a pause of its own pending when it awaits A's pending task: B's pause does not make A's task B's.
        // The refused await is B's function's exception, and B's function then returns with its own pause pending.
        JobTask<int> rootOfA = default;
        UndefinedBehaviorException? refused = null;
        AsyncJobFunc a = args => rootOfA = PausingHelper();
        AsyncJobFunc b = async args =>
        {
            _ = PausingHelper();
            try
            {
                return await rootOfA;
            }
            catch (UndefinedBehaviorException ub)
            {
                refused = ub;
                return 0;
            }
        };
        AsyncWaitCtx ctxA = AsyncWaitCtx.New();
        AsyncJob jobA = default, jobB = default;
        int ret = 0;
        Assert.Equal(AsyncResult.Pause, Async.StartJob(ref jobA, ctxA, ref ret, a));
        TestThreads.AssertUb(UbRules.DanglingPause, () => Async.StartJob(ref jobB, AsyncWaitCtx.New(), ref ret, b));
        Assert.NotNull(refused);
        Assert.Equal(UbRules.ForeignAwait, refused.RuleId);
        Assert.Equal(AsyncResult.Finish, Async.StartJob(ref jobA, ctxA, ref ret, a));
        Assert.Equal(5, ret);
    });

    [Fact]
    public void APauseAwaiterAwaitedOnAnotherThread_IsACrossThreadAwait_AndItsJobIsUntouched() => TestThreads.Run(() =>
    {
        // A pause awaiter made in job A belongs to A's thread. Another thread awaits it while A runs here (this thread
        // waits in Join, the only hand-off: nothing races). C has no counterpart (its pause is one call, and on a
        // thread with no job it returns 1 at once); unchecked, the awaiter would pause A from the other thread.
        // Checked mode refuses the await, outside a job and inside one, and A goes on to pause and finish.
        Assert.True(Async.CheckedMode);
        Exception? outsideAJob = null, inAJob = null;
        AsyncJob jobB = default;
        int activeJobsOfB = -1;
        AsyncJobFunc a = async args =>
        {
            var carried = new StoredPause(Async.PauseJob().GetAwaiter());
            TestThreads.Run(() =>
            {
                outsideAJob = Record.Exception(() => AwaitsPause(carried).GetAwaiter().GetResult());
                AsyncWaitCtx ctxB = AsyncWaitCtx.New();
                int retB = 0;
                inAJob = Record.Exception(() => Async.StartJob(ref jobB, ctxB, ref retB, _ => AwaitsPause(carried)));
                activeJobsOfB = ctxB.Describe().ActiveJobs;
            });
            await Async.PauseJob();
            return 9;
        };
        AsyncWaitCtx ctxA = AsyncWaitCtx.New();
        AsyncJob jobA = default;
        int ret = 0;
        Assert.Equal(AsyncResult.Pause, Async.StartJob(ref jobA, ctxA, ref ret, a));
        Assert.Equal(AsyncResult.Finish, Async.StartJob(ref jobA, ctxA, ref ret, a));
        Assert.Equal(9, ret);
        Assert.Single(Async.DescribeThread().IdleJobObjectIds);
        foreach (Exception? refused in new[] { outsideAJob, inAJob })
        {
            var e = Assert.IsType<UndefinedBehaviorException>(refused);
            Assert.Equal(UbRules.CrossThreadAwait, e.RuleId);
            Assert.Equal("a pause awaiter made in a job running on one thread was awaited on another thread", e.Explanation);
        }

        Assert.True(jobB.IsNull);
        Assert.Equal(0, activeJobsOfB);
    });

    [Fact]
    public void APendingTaskAwaitedOnAnotherThreadWhileItsJobRuns_IsACrossThreadAwait_AndItsJobIsUntouched() => TestThreads.Run(() =>
    {
        // Job A's pending task is on A's chain, so the builder's test of the job running on the task's thread passes;
        // the awaiting thread is another one. Checked mode refuses the await (outside a job and in job B), nothing is
        // linked, and A awaits its own task and finishes with its result.
        Assert.True(Async.CheckedMode);
        Exception? outsideAJob = null, inAJob = null;
        AsyncJobFunc a = async args =>
        {
            JobTask<int> task = PausingHelper();
            TestThreads.Run(() =>
            {
                outsideAJob = Record.Exception(() => Awaits(task).GetAwaiter().GetResult());
                AsyncJob jobB = default;
                int retB = 0;
                inAJob = Record.Exception(() => Async.StartJob(ref jobB, AsyncWaitCtx.New(), ref retB, async _ => await task));
            });
            return await task + 1;
        };
        AsyncWaitCtx ctxA = AsyncWaitCtx.New();
        AsyncJob jobA = default;
        int ret = 0;
        Assert.Equal(AsyncResult.Pause, Async.StartJob(ref jobA, ctxA, ref ret, a));
        Assert.Equal(AsyncResult.Finish, Async.StartJob(ref jobA, ctxA, ref ret, a));
        Assert.Equal(6, ret);
        foreach (Exception? refused in new[] { outsideAJob, inAJob })
        {
            var e = Assert.IsType<UndefinedBehaviorException>(refused);
            Assert.Equal(UbRules.CrossThreadAwait, e.RuleId);
            Assert.Equal("a pending JobTask of a job running on one thread was awaited on another thread", e.Explanation);
        }
    });

    [Fact]
    public void AContinuationThatThrows_IsAForeignAwait_AndAnEarlierMisuseIsTheOneReported() => TestThreads.Run(() =>
    {
        // Compiler-generated state machines catch every exception of their method, so only a state machine written
        // by hand against the public builder can throw out of a resume. The runtime reports it as misuse at that
        // restart; a misuse recorded before it in the same segment stays the one reported.
        AsyncJob job = default;
        int ret = 0;
        AsyncWaitCtx ctx = AsyncWaitCtx.New();
        Assert.Equal(AsyncResult.Pause, Async.StartJob(ref job, ctx, ref ret, _ => ThrowsOnResume.Run(recordMisuseFirst: false)));
        UndefinedBehaviorException e = TestThreads.AssertUb(UbRules.ForeignAwait, () => Async.StartJob(ref job, ctx, ref ret, null));
        Assert.Equal("the job's continuation failed: thrown out of a resume", e.Explanation);
        Assert.True(job.IsNull);

        Assert.Equal(AsyncResult.Pause, Async.StartJob(ref job, ctx, ref ret, _ => ThrowsOnResume.Run(recordMisuseFirst: true)));
        e = TestThreads.AssertUb(UbRules.ForeignAwait, () => Async.StartJob(ref job, ctx, ref ret, null));
        Assert.Equal("a method that is not a JobTask method awaited 'PauseAwaiter' inside a job", e.Explanation);
        TestThreads.AssertThreadStillWorks();
    });

    [Fact]
    public void APauseRegisteredOutsideAJob_IsRefused() => TestThreads.Run(() =>
    {
        // Compiled code asks the pause awaiter's IsCompleted first, which is true outside a job (the pause is a no-op);
        // a state machine written by hand can suspend on it anyway. No job is there to pause: a plain API misuse.
        var e = Assert.Throws<InvalidOperationException>(() => ThrowsOnResume.Run(recordMisuseFirst: false));
        Assert.Equal("a pause was registered outside a job", e.Message);
        TestThreads.AssertThreadStillWorks();
    });

    private const string ForeignTaskExplanation =
        "a JobTask method awaited a pending JobTask of another job, or outside a job (only that job's restart can complete it)";

    private static async JobTask<int> PausingHelper()
    {
        await Async.PauseJob();
        return 5;
    }

    private static async JobTask<int> Awaits(JobTask<int> task) => await task + 1;

    private static async JobTask<int> AwaitsPause(StoredPause pause) => await pause;

    private static async JobTask<int> ForgetsToAwait(byte[]? args)
    {
        _ = PausingHelper();
        return await new ValueTask<int>(3);
    }

    /// <summary>
    /// A job function's state machine written by hand: it suspends on the pause awaiter through the public builder as
    /// compiled code would, but without asking the awaiter's IsCompleted first, and on its resume throws (after handing
    /// a pause awaiter to a foreign builder, when asked).
    /// </summary>
    private struct ThrowsOnResume : IAsyncStateMachine
    {
        private JobTaskMethodBuilder<int> _builder;
        private bool _paused;
        private bool _recordMisuseFirst;

        internal static JobTask<int> Run(bool recordMisuseFirst)
        {
            var machine = new ThrowsOnResume { _builder = JobTaskMethodBuilder<int>.Create(), _recordMisuseFirst = recordMisuseFirst };
            machine._builder.Start(ref machine);
            return machine._builder.Task;
        }

        public void MoveNext()
        {
            if (!_paused)
            {
                _paused = true;
                PauseAwaiter awaiter = Async.PauseJob().GetAwaiter();
                _builder.AwaitUnsafeOnCompleted(ref awaiter, ref this);
                return;
            }

            if (_recordMisuseFirst)
            {
                Async.PauseJob().GetAwaiter().OnCompleted(() => { });
            }

            throw new InvalidOperationException("thrown out of a resume");
        }

        public readonly void SetStateMachine(IAsyncStateMachine stateMachine)
        {
        }
    }

    /// <summary>An awaitable that hands out a pause awaiter made earlier, outside any job.</summary>
    private readonly struct StoredPause(PauseAwaiter awaiter)
    {
        public PauseAwaiter GetAwaiter() => awaiter;
    }
}
