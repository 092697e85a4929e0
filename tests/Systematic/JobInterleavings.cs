using Microsoft.Coyote.Specifications;

namespace AsyncRef.Systematic;

/// <summary>
/// Jobs on several threads that share state across a pause: the classic mistake of code built on ASYNC (a value
/// read before <c>ASYNC_pause_job</c> and written back after it). Coyote interleaves the job segments of different
/// threads; the lost update must be found, the correct version must pass.
/// </summary>
public sealed class JobInterleavings
{
    private sealed class Account
    {
        public readonly object Gate = new();
        public int Balance;
    }

    private static Func<Task> Deposits(bool readBeforePause) => () =>
    {
        var account = new Account();
        var threads = new Thread[3];
        for (int t = 0; t < threads.Length; t++)
        {
            threads[t] = CoyoteHarness.StartGuarded($"thread {t}", () =>
            {
                AsyncWaitCtx ctx = AsyncWaitCtx.New();
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

                    await Async.PauseJob();
                    if (readBeforePause)
                    {
                        lock (account.Gate)
                        {
                            account.Balance = seen + 1;
                        }
                    }

                    return 1;
                };
                while (Async.StartJob(ref job, ctx, ref ret, deposit) == AsyncResult.Pause)
                {
                    Thread.Yield();
                }

                AsyncWaitCtx.Free(ctx);
                Async.CleanupThread();
            });
        }

        foreach (Thread thread in threads)
        {
            thread.Join();
        }

        Specification.Assert(account.Balance == threads.Length, $"lost update: balance {account.Balance} after {threads.Length} deposits");
        return Task.CompletedTask;
    };

    [Fact]
    public void ValueCarriedAcrossAPause_LosesAnUpdate_IsFound()
    {
        CoyoteOutcome outcome = CoyoteHarness.Run("lost-update-across-pause", Deposits(readBeforePause: true), 300);
        Assert.True(outcome.Bugs > 0, outcome.Report);
        Assert.Contains(outcome.BugReports, r => r.Contains("lost update", StringComparison.Ordinal));
        CoyoteOutcome replay = CoyoteHarness.Replay("lost-update-across-pause", outcome.TracePath!, Deposits(readBeforePause: true));
        Assert.Equal(outcome.BugReports[0], replay.BugReports[0]);
    }

    [Fact]
    public void UpdateCompletedBeforeThePause_NeverLosesAnUpdate()
    {
        CoyoteOutcome outcome = CoyoteHarness.Run("update-before-pause", Deposits(readBeforePause: false), 300);
        Assert.True(outcome.Bugs == 0, string.Join("\n", outcome.BugReports));
    }
}
