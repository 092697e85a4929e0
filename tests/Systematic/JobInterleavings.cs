using AsyncRef.Testing;

namespace AsyncRef.Systematic;

/// <summary>
/// Jobs on several threads that share state across a pause: the classic mistake of code built on ASYNC (a value
/// read before <c>ASYNC_pause_job</c> and written back after it). Coyote interleaves the job segments of different
/// threads; the lost update must be found, the correct version must pass.
/// </summary>
public sealed class JobInterleavings(ITestOutputHelper output)
{
    private sealed class Account
    {
        public readonly object Gate = new();
        public int Balance;
    }

    private static Action<HuntSession> Deposits(bool readBeforePause) => session =>
    {
        var account = new Account();
        var threads = new Thread[3];
        for (int t = 0; t < threads.Length; t++)
        {
            threads[t] = session.StartThread($"T{t}", () =>
            {
                AsyncWaitCtx ctx = TracedAsync.NewWaitCtx();
                AsyncJob job = default;
                int ret = 0;
                AsyncJobFunc deposit = async _ =>
                {
                    int seen;
                    lock (account.Gate)
                    {
                        seen = account.Balance;
                        if (!readBeforePause)
                        {
                            account.Balance = seen + 1;
                        }
                    }

                    await TracedAsync.PauseJob();
                    if (readBeforePause)
                    {
                        lock (account.Gate)
                        {
                            account.Balance = seen + 1;
                        }
                    }

                    return 1;
                };
                while (TracedAsync.StartJob(ref job, ctx, ref ret, deposit) == AsyncResult.Pause)
                {
                    Thread.Yield();
                }

                TracedAsync.FreeWaitCtx(ctx);
                TracedAsync.CleanupThread();
            });
        }

        foreach (Thread thread in threads)
        {
            thread.Join();
        }

        session.Check(account.Balance == threads.Length, $"lost update: balance {account.Balance} after {threads.Length} deposits");
    };

    [Fact]
    public void Planted_ValueCarriedAcrossAPause_LosesAnUpdate_IsFound() =>
        PlantedBugs.AssertFoundAndReplays(output, Deposits(readBeforePause: true), "lost update", nameof(Planted_ValueCarriedAcrossAPause_LosesAnUpdate_IsFound));

    [Fact]
    public void Correct_UpdateCompletedBeforeThePause_NeverLosesAnUpdate()
    {
        HuntResult result = Hunts.Correct(output).Named("Correct_UpdateBeforePause").Explore(Deposits(readBeforePause: false));
        Assert.False(result.BugFound, result.Summary + "\n" + result.Report);
    }
}
