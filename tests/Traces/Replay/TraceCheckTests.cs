using System.Text.RegularExpressions;
using AsyncRef.Traces.Format;
using AsyncRef.Traces.Replay;

namespace AsyncRef.Traces.Tests.Replay;

/// <summary>
/// <c>trace check</c> on traces built by hand. The recorded values are what OpenSSL 3.0 does (facts: a job pauses
/// until restarted, <c>get_all_fds</c> lists the ctx's fds, <c>ASYNC_WAIT_CTX_free</c> calls each entry's cleanup,
/// a finished job returns to the pool and is reused LIFO, a job restarts only on the thread that started it).
/// </summary>
public sealed class TraceCheckTests
{
    private const ulong Site = 0x1000, Ctx = 0x5000, Job = 0x6000, Slot = 0x7000, Key = 0x8000;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ConformingRun_ExitsZero_WithTheSummaryLineLast(bool checkedMode)
    {
        (int exit, string stdout, _) = TraceFiles.Check(TraceFiles.Write(TraceFiles.PauseOnce), checkedMode: checkedMode);
        Assert.Equal(0, exit);
        string last = stdout.TrimEnd('\n').Split('\n')[^1];
        Assert.Matches(new Regex(@"^7 calls, 0 divergences, 0 undefined, [0-9]+ calls/s$"), last);
        Assert.Contains("jobs 1, pauses 1, threads 1", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Json_CarriesTheCountsAndVerdict()
    {
        (int exit, string stdout, _) = TraceFiles.Check(TraceFiles.Write(TraceFiles.PauseOnce), json: true);
        Assert.Equal(0, exit);
        Assert.Contains("\"verdict\": \"conforming\"", stdout, StringComparison.Ordinal);
        Assert.Contains("\"calls\": 7", stdout, StringComparison.Ordinal);
        Assert.Contains("\"complete\": true", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void WrongFdList_IsADivergence_WithRecordedPredictedAndState()
    {
        string path = TraceFiles.Write(w =>
        {
            StartPausedJobWithFd(w, fd: 9);
            w.Call(0, TraceFunction.GetAllFds, Site, Ctx, 0x7200, 0x7300);
            w.Return(0, TraceFunction.GetAllFds, 1, 1, 8);
        });
        (int exit, string stdout, _) = TraceFiles.Check(path);
        Assert.Equal(1, exit);
        Assert.Contains("divergence at record", stdout, StringComparison.Ordinal);
        Assert.Contains("ASYNC_WAIT_CTX_get_all_fds", stdout, StringComparison.Ordinal);
        Assert.Contains("recorded:  [8]", stdout, StringComparison.Ordinal);
        Assert.Contains("predicted: [9]", stdout, StringComparison.Ordinal);
        Assert.Contains("ctx W1 (0x5000): fds [0x8000 9 0x0 +add]", stdout, StringComparison.Ordinal);
        Assert.Contains("1 divergences", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void StartReturningWhileTheReferenceStillRunsTheJob_IsACourseDivergence()
    {
        // The program's start returned PAUSE although its job never called ASYNC_pause_job.
        string path = TraceFiles.Write(w =>
        {
            w.Call(0, TraceFunction.CtxNew, Site);
            w.Return(0, TraceFunction.CtxNew, Ctx);
            w.Call(0, TraceFunction.StartJob, Site, Slot, 0, Ctx, 0x7100, 0x400, 0, 0);
            w.Write(RecordKind.BodyEnter, TraceFunction.None, 0, [0x400, 0]);
            w.Return(0, TraceFunction.StartJob, 2, Job, 0);
        });
        (int exit, string stdout, _) = TraceFiles.Check(path);
        Assert.Equal(1, exit);
        Assert.Contains("the program's course differs from the reference's", stdout, StringComparison.Ordinal);
        Assert.Contains("recorded:  the return of ASYNC_start_job => 2", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void RecycledJobAtAnotherAddress_IsADivergence()
    {
        // OpenSSL hands the job that just finished back out (LIFO pool): a new object would be a different pool.
        string path = TraceFiles.Write(w =>
        {
            StartPausedJobWithFd(w, fd: 9);
            FinishJob(w, Job);
            w.Call(0, TraceFunction.StartJob, Site, Slot, 0, Ctx, 0x7100, 0x400, 0, 0);
            w.Write(RecordKind.BodyEnter, TraceFunction.None, 0, [0x400, 0]);
            w.Call(0, TraceFunction.PauseJob, Site);
            w.Return(0, TraceFunction.StartJob, 2, Job + 0x100, 0);
        });
        (int exit, string stdout, _) = TraceFiles.Check(path);
        Assert.Equal(1, exit);
        Assert.Contains("the pools recycle jobs differently", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void CrashedProgram_IsCheckedUpToItsLastRecord_AndSaysWhichCallNeverReturned()
    {
        string path = TraceFiles.Write(
            w =>
            {
                w.Call(0, TraceFunction.CtxNew, Site);
                w.Return(0, TraceFunction.CtxNew, Ctx);
                w.Call(0, TraceFunction.StartJob, Site, Slot, 0, Ctx, 0x7100, 0x400, 0, 0);
                w.Write(RecordKind.BodyEnter, TraceFunction.None, 0, [0x400, 0]);
                w.Call(0, TraceFunction.SetWaitFd, Site, Ctx, Key, 9, 0, 0);
            },
            end: false);
        (int exit, string stdout, _) = TraceFiles.Check(path);
        Assert.True(exit == 0, stdout);
        Assert.Contains("the program stopped during ASYNC_WAIT_CTX_set_wait_fd (record 7, thread 0)", stdout, StringComparison.Ordinal);
        Assert.Contains("checked up to the last complete record, 7", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void PausedJobAndLiveCtxAtExit_AreAdvisoriesNotFailures()
    {
        string path = TraceFiles.Write(w => StartPausedJobWithFd(w, fd: 9));
        (int exit, string stdout, _) = TraceFiles.Check(path);
        Assert.Equal(0, exit);
        Assert.Contains("advisory", stdout, StringComparison.Ordinal);
        Assert.Contains("1 job(s) still paused on thread 0 at exit", stdout, StringComparison.Ordinal);
        Assert.Contains("wait ctx W1 (0x5000) was never freed", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void TwoThreads_EachWithItsOwnJob_Conform()
    {
        string path = TraceFiles.Write(w =>
        {
            StartPausedJobWithFd(w, fd: 9);
            // Thread 1 runs a job to FINISH while thread 0's job is paused: it gets a pool and a job of its own.
            w.Call(1, TraceFunction.StartJob, Site, Slot + 8, 0, 0, 0x7108, 0x400, 0, 0);
            w.Write(RecordKind.BodyEnter, TraceFunction.None, 1, [0x400, 0]);
            w.Write(RecordKind.BodyReturn, TraceFunction.None, 1, [5]);
            w.Return(1, TraceFunction.StartJob, 3, 0, 5);
            FinishJob(w, Job);
        });
        (int exit, string stdout, _) = TraceFiles.Check(path);
        Assert.Equal(0, exit);
        Assert.Contains("threads 2", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void RestartOnAnotherThread_IsUndefined_AtThatCall()
    {
        string path = TraceFiles.Write(w =>
        {
            StartPausedJobWithFd(w, fd: 9);
            w.Call(1, TraceFunction.StartJob, 0x2222, Slot, Job, Ctx, 0x7100, 0x400, 0, 0);
        });
        (int exit, string stdout, _) = TraceFiles.Check(path);
        Assert.Equal(1, exit);
        Assert.Matches(new Regex(@"undefined at record \d+ \(thread 1\) ASYNC_start_job, called at 0x2222: UB-CROSS-THREAD-RESUME"), stdout);
        Assert.Contains("0 divergences, 1 undefined", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryValueDivergence_IsReported_AndTheReplayGoesOnToTheEnd()
    {
        // The ctx holds fd 9 (the job set it); the program recorded three wrong listings, then finished normally.
        string path = TraceFiles.Write(w =>
        {
            StartPausedJobWithFd(w, fd: 9);
            foreach (int wrong in new[] { 8, 7, 6 })
            {
                w.Call(0, TraceFunction.GetAllFds, Site, Ctx, 0x7200, 0x7300);
                w.Return(0, TraceFunction.GetAllFds, 1, 1, (ulong)wrong);
            }

            FinishJob(w, Job);
        });
        (int exit, string stdout, _) = TraceFiles.Check(path);
        Assert.Equal(1, exit);
        Assert.Equal(3, Regex.Count(stdout, "divergence at record"));
        foreach (int wrong in new[] { 8, 7, 6 })
        {
            Assert.Contains($"recorded:  [{wrong}]", stdout, StringComparison.Ordinal);
        }

        // Every call was replayed: 4 up to the pause, 3 listings, the restart.
        Assert.True(Regex.IsMatch(stdout, @"\n8 calls, 3 divergences, 0 undefined, [0-9]+ calls/s\n$"), stdout);
        Assert.DoesNotContain("stopped at", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void DivergencesBeyondTheCap_AreCountedNotListed()
    {
        const int wrongListings = CheckReport.ListedPerKind + 50;
        string path = TraceFiles.Write(w =>
        {
            StartPausedJobWithFd(w, fd: 9);
            for (int i = 0; i < wrongListings; i++)
            {
                w.Call(0, TraceFunction.GetAllFds, Site, Ctx, 0x7200, 0x7300);
                w.Return(0, TraceFunction.GetAllFds, 1, 1, 8);
            }
        });
        (int exit, string stdout, _) = TraceFiles.Check(path);
        Assert.Equal(1, exit);
        Assert.Equal(CheckReport.ListedPerKind, Regex.Count(stdout, "divergence at record"));
        Assert.Contains($"{wrongListings} divergences", stdout, StringComparison.Ordinal);
        Assert.Contains("note: 50 more findings not listed", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryUndefinedUse_IsNamed_WithItsRuleAndCallSite_AndLaterDivergencesToo()
    {
        // ASYNC_get_wait_ctx dereferences its job: an address no start or current_job returned is undefined, twice.
        string path = TraceFiles.Write(w =>
        {
            StartPausedJobWithFd(w, fd: 9);
            w.Call(0, TraceFunction.GetWaitCtx, 0x3331, 0x9990);
            w.Return(0, TraceFunction.GetWaitCtx, 0);
            w.Call(0, TraceFunction.GetWaitCtx, 0x3332, 0x9998);
            w.Return(0, TraceFunction.GetWaitCtx, 0);
            w.Call(0, TraceFunction.GetAllFds, 0x3333, Ctx, 0x7200, 0x7300);
            w.Return(0, TraceFunction.GetAllFds, 1, 1, 8);
            FinishJob(w, Job);
        });
        (int exit, string stdout, _) = TraceFiles.Check(path);
        Assert.Equal(1, exit);
        Assert.True(Regex.IsMatch(stdout, @"undefined at record 11 \(thread 0\) ASYNC_get_wait_ctx, called at 0x3331: UB-STALE-HANDLE"), stdout);
        Assert.True(Regex.IsMatch(stdout, @"undefined at record 13 \(thread 0\) ASYNC_get_wait_ctx, called at 0x3332: UB-STALE-HANDLE"), stdout);
        Assert.True(Regex.IsMatch(stdout, @"divergence at record 15 \(thread 0\) ASYNC_WAIT_CTX_get_all_fds, called at 0x3333"), stdout);
        Assert.Contains("findings after the first undefined use (record 11) may follow from it", stdout, StringComparison.Ordinal);
        Assert.Contains("8 calls, 1 divergences, 2 undefined", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void ACourseDivergence_EndsTheCheck_AndSaysWhere()
    {
        // The program's job returned where the reference's job is paused (the restart was never made).
        string path = TraceFiles.Write(w =>
        {
            StartPausedJobWithFd(w, fd: 9);
            w.Call(0, TraceFunction.GetAllFds, Site, Ctx, 0x7200, 0x7300);
            w.Write(RecordKind.BodyReturn, TraceFunction.None, 0, [1]);
            w.Call(0, TraceFunction.GetAllFds, Site, Ctx, 0x7200, 0x7300);
            w.Return(0, TraceFunction.GetAllFds, 1, 1, 8);
        });
        (int exit, string stdout, _) = TraceFiles.Check(path);
        Assert.Equal(1, exit);
        Assert.Equal(1, Regex.Count(stdout, "divergence at record"));
        Assert.True(stdout.Contains("note: stopped at record 12: the program's course of events leaves the reference's there", StringComparison.Ordinal), stdout);
    }

    private static void StartPausedJobWithFd(TraceWriter w, int fd)
    {
        w.Call(0, TraceFunction.CtxNew, Site);
        w.Return(0, TraceFunction.CtxNew, Ctx);
        w.Call(0, TraceFunction.StartJob, Site, Slot, 0, Ctx, 0x7100, 0x400, 0, 0);
        w.Write(RecordKind.BodyEnter, TraceFunction.None, 0, [0x400, 0]);
        w.Call(0, TraceFunction.SetWaitFd, Site, Ctx, Key, (ulong)fd, 0, 0);
        w.Return(0, TraceFunction.SetWaitFd, 1);
        w.Call(0, TraceFunction.PauseJob, Site);
        w.Return(0, TraceFunction.StartJob, 2, Job, 0);
    }

    private static void FinishJob(TraceWriter w, ulong job)
    {
        w.Call(0, TraceFunction.StartJob, Site, Slot, job, Ctx, 0x7100, 0x400, 0, 0);
        w.Return(0, TraceFunction.PauseJob, 1);
        w.Write(RecordKind.BodyReturn, TraceFunction.None, 0, [1]);
        w.Return(0, TraceFunction.StartJob, 3, 0, 1);
    }
}
