namespace AsyncRef.Conformance.Mutation;

/// <summary>
/// Misuse that only checked mode detects, run with checked mode off (process-wide, so in the collection that runs
/// alone): what unchecked mode still reports, and what it leaves undetected.
/// </summary>
[Collection(ProcessWideSwitches.Name)]
public sealed class UncheckedMisuseTests
{
    [Fact]
    public void APendingTaskAwaitedOnAnotherThreadWhileItsJobRuns_InUncheckedMode_IsReportedByTheAwaitingStart() => TestThreads.RunUnchecked(() =>
    {
        // Spec MISUSE-CROSS-THREAD-AWAIT: unchecked mode saves the thread-static read that would tell the threads apart,
        // so job B on another thread links itself to A's pending task. B then suspends without pausing, which B's own
        // start still reports (MISUSE-FOREIGN-AWAIT); A, whose task B took, is not protected: its own await of the task
        // is refused as a second await, and its start reports the pause left pending.
        Exception? inB = null;
        AsyncJobFunc a = async args =>
        {
            JobTask<int> task = PausingHelper();
            TestThreads.Run(() =>
            {
                AsyncJob jobB = default;
                int retB = 0;
                inB = Record.Exception(() => Async.StartJob(ref jobB, AsyncWaitCtx.New(), ref retB, async _ => await task));
            });
            return await task + 1;
        };
        AsyncJob jobA = default;
        int ret = 0;
        TestThreads.AssertUb(UbRules.DanglingPause, () => Async.StartJob(ref jobA, AsyncWaitCtx.New(), ref ret, a));
        var e = Assert.IsType<UndefinedBehaviorException>(inB);
        Assert.Equal(UbRules.ForeignAwait, e.RuleId);
        Assert.Equal("the job function suspended on something other than Async.PauseJob()", e.Explanation);
        Assert.True(jobA.IsNull);
        TestThreads.AssertThreadStillWorks();
    });

    [Fact]
    public void APauseAwaiterAwaitedOnAnotherThread_InUncheckedMode_PausesItsJobFromThere() => TestThreads.RunUnchecked(() =>
    {
        // Spec MISUSE-CROSS-THREAD-AWAIT, unchecked: the awaiter trusts the running job it captured (no thread-static
        // read), so job B on another thread registers a pause on job A. B suspended without pausing itself, which B's
        // start reports (MISUSE-FOREIGN-AWAIT); A finds a pause already pending at its own, and its start reports it.
        Exception? inB = null;
        AsyncJobFunc a = async args =>
        {
            var carried = new StoredPause(Async.PauseJob().GetAwaiter());
            TestThreads.Run(() =>
            {
                AsyncJob jobB = default;
                int retB = 0;
                inB = Record.Exception(() => Async.StartJob(ref jobB, AsyncWaitCtx.New(), ref retB, async _ => await carried));
            });
            await Async.PauseJob();
            return 9;
        };
        AsyncJob jobA = default;
        int ret = 0;
        TestThreads.AssertUb(UbRules.DanglingPause, () => Async.StartJob(ref jobA, AsyncWaitCtx.New(), ref ret, a));
        var e = Assert.IsType<UndefinedBehaviorException>(inB);
        Assert.Equal(UbRules.ForeignAwait, e.RuleId);
        Assert.Equal("the job function suspended on something other than Async.PauseJob()", e.Explanation);
        TestThreads.AssertThreadStillWorks();
    });

    private static async JobTask<int> PausingHelper()
    {
        await Async.PauseJob();
        return 5;
    }

    /// <summary>An awaitable that hands out a pause awaiter made earlier.</summary>
    private readonly struct StoredPause(PauseAwaiter awaiter)
    {
        public PauseAwaiter GetAwaiter() => awaiter;
    }
}
