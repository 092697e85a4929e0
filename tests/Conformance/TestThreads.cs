using System.Runtime.ExceptionServices;

namespace AsyncRef.Conformance;

/// <summary>Runs test bodies on fresh OS threads, so each starts with empty ASYNC thread state.</summary>
internal static class TestThreads
{
    /// <summary>
    /// <see cref="Run"/> with checked mode off, restored afterwards. Checked mode is process-wide: only tests in the
    /// collection that runs alone may use this.
    /// </summary>
    internal static void RunUnchecked(Action body)
    {
        bool wasChecked = Async.CheckedMode;
        Async.CheckedMode = false;
        try
        {
            Run(body);
        }
        finally
        {
            Async.CheckedMode = wasChecked;
        }
    }

    internal static void Run(Action body)
    {
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                body();
            }
            catch (Exception e)
            {
                failure = e;
            }
        });
        thread.Start();
        thread.Join();
        if (failure is not null)
        {
            ExceptionDispatchInfo.Capture(failure).Throw();
        }
    }

    /// <summary>Asserts that <paramref name="call"/> throws <see cref="UndefinedBehaviorException"/> with <paramref name="ruleId"/>.</summary>
    internal static UndefinedBehaviorException AssertUb(string ruleId, Action call)
    {
        var e = Assert.Throws<UndefinedBehaviorException>(call);
        Assert.Equal(ruleId, e.RuleId);
        return e;
    }

    /// <summary>Starts and finishes one pausing job with a fresh wait ctx: proof that the thread still works.</summary>
    internal static void AssertThreadStillWorks()
    {
        AsyncWaitCtx ctx = AsyncWaitCtx.New();
        AsyncJob job = default;
        int ret = 0;
        Assert.Equal(AsyncResult.Pause, Async.StartJob(ref job, ctx, ref ret, Jobs.PauseOnceReturn7));
        Assert.Equal(AsyncResult.Finish, Async.StartJob(ref job, ctx, ref ret, Jobs.PauseOnceReturn7));
        Assert.Equal(7, ret);
        AsyncWaitCtx.Free(ctx);
    }
}

/// <summary>Job functions shared by the tests.</summary>
internal static class Jobs
{
    internal static async JobTask<int> PauseOnceReturn7(byte[]? args)
    {
        await Async.PauseJob();
        return 7;
    }

    internal static async JobTask<int> PauseTwiceReturn5(byte[]? args)
    {
        await Async.PauseJob();
        await Async.PauseJob();
        return 5;
    }

    internal static async JobTask<int> OnlyPause(byte[]? args)
    {
        await Async.PauseJob();
        return 1;
    }

#pragma warning disable CS1998 // A job function that never awaits is still a JobTask method.
    internal static async JobTask<int> Return42(byte[]? args) => 42;
#pragma warning restore CS1998
}
