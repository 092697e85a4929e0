namespace AsyncRef.Conformance;

public sealed class RuntimeTests
{
    private static async JobTask<int> PauseOnce(byte[]? args)
    {
        int r = await Async.PauseJob();
        return r + 6;
    }

    [Fact]
    public void StartJob_PauseThenResume_FinishesWithRet()
    {
        RunOnFreshThread(() =>
        {
            using var ctxScope = new CtxScope();
            AsyncJob job = default;
            int ret = 42;
            Assert.Equal(AsyncResult.Pause, Async.StartJob(ref job, ctxScope.Ctx, ref ret, PauseOnce));
            Assert.False(job.IsNull);
            Assert.Equal(42, ret);
            Assert.Equal(AsyncResult.Finish, Async.StartJob(ref job, ctxScope.Ctx, ref ret, PauseOnce));
            Assert.True(job.IsNull);
            Assert.Equal(7, ret);
        });
    }

    internal static void RunOnFreshThread(Action body)
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
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(failure).Throw();
        }
    }

    internal sealed class CtxScope : IDisposable
    {
        public AsyncWaitCtx Ctx { get; } = AsyncWaitCtx.New();

        public void Dispose() => AsyncWaitCtx.Free(Ctx);
    }
}
