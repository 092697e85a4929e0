using static AsyncRef.Scenarios.Tests.TestSupport;

namespace AsyncRef.Scenarios.Tests;

/// <summary>
/// The interpreter over the reference runtime. Expected logs come from the contract
/// (spec/scenario-language.md) and the evidence (spec/evidence.md, spec/semantics.md), not from running the code.
/// </summary>
public sealed class InterpreterTests
{
    [Fact]
    public void ContractExample_PrintsTheContractsLog_ByteForByte()
    {
        ScenarioLog log = Run(ParserTests.ContractExample);

        Assert.Equal(
            "7 main ctx_new => ok\n" +
            "3 main set_wait_fd => 1\n" +
            "8 main start => PAUSE #1\n" +
            "9 main get_changed_fds => 1 add=[5] del=[]\n" +
            "4 main pause => 1\n" +
            "10 main start => FINISH 7\n" +
            "11 main ! cleanup K1 5 D1\n" +
            "11 main ctx_free => ok\n",
            log.ToText());
        Assert.False(log.StoppedAtUb);
        Assert.Null(log.UbLineIndex);
    }

    [Fact]
    public void Run_HandsEachLineToTheHook_InLogOrder_UbLineIncluded()
    {
        // The CLI streams `run` through this hook (CliTests: a failure keeps the lines printed before it).
        var lines = new List<string>();
        ScenarioLog log = Parse("func F", "  pause", "  current_job", "end", "ctx_new C", "start J C F -", "start J C F -", "get_status D", "ctx_new D")
            .Run(lines.Add);

        Assert.Equal(log.Lines, lines);
        Assert.Equal(
            ["5 main ctx_new => ok", "6 main start => PAUSE #1", "2 main pause => 1", "3 main current_job => #1", "7 main start => FINISH 0",
             "8 main get_status => UB UB-CTX-USE-AFTER-FREE context D is not live"],
            lines);
    }

    [Fact]
    public void Threads_HaveTheirOwnPoolsAndErrorQueues_AndPauseLinesComeFromTheResumingThread()
    {
        ScenarioLog log = Run(
            "func F",
            "  current_job",
            "  pause",
            "  return 1",
            "end",
            "ctx_new C",
            "init_thread 1 0",
            "@T2 init_thread 1 0",
            "start J1 C F -",
            "start J2 C F -       # main's pool is exhausted",
            "@T2 start J2 C F -   # T2 has its own",
            "@T2 init_thread 0 1",
            "errors               # the error is on T2's queue",
            "@T2 errors",
            "start J1 C F -",
            "@T2 start J2 C F -");

        Assert.Equal(
            [
                "6 main ctx_new => ok",
                "7 main init_thread => 1",
                "8 T2 init_thread => 1",
                "2 main current_job => #1",
                "9 main start => PAUSE #1",
                "10 main start => NO_JOBS",
                "2 T2 current_job => #2",
                "11 T2 start => PAUSE #2",
                "12 T2 init_thread => 0",
                "13 main errors => []",
                "14 T2 errors => [INVALID_POOL_SIZE]",
                "3 main pause => 1",
                "15 main start => FINISH 1",
                "3 T2 pause => 1",
                "16 T2 start => FINISH 1",
            ],
            log.Lines);
    }

    [Fact]
    public void RestartOnAnotherThread_IsUb_PrintedByThatThread_AndStopsTheRun()
    {
        ScenarioLog log = Run(
            "func F",
            "  pause",
            "end",
            "ctx_new C",
            "start J C F -",
            "@T2 start J C F -",
            "is_capable");

        Assert.Equal(3, log.Lines.Count);
        Assert.Equal(["4 main ctx_new => ok", "5 main start => PAUSE #1"], log.Lines.Take(2));
        Assert.StartsWith("6 T2 start => UB UB-CROSS-THREAD-RESUME ", log.Lines[2]);
        Assert.Equal(2, log.UbLineIndex);
    }

    [Fact]
    public void EveryRun_GetsFreshThreads_MainIncluded()
    {
        string[] leaksBlock = ["func B", "  block_pause", "  return 1", "end", "func P", "  pause", "end", "ctx_new C", "start J C B -", "start K C P -"];
        string[] pauses = ["func P", "  pause", "end", "ctx_new C", "start J C P -"];

        // Within a run the block counter leaks across jobs (spec PAUSE-06): the second job cannot pause.
        Assert.Equal(
            ["8 main ctx_new => ok", "2 main block_pause => ok", "9 main start => FINISH 1", "6 main pause => 1", "10 main start => FINISH 0"],
            Run(leaksBlock).Lines);

        // A later run starts on new threads: nothing leaked. Run it from a thread whose own pool is exhausted.
        ScenarioLog? second = null;
        var caller = new Thread(() =>
        {
            Async.InitThread(1, 0);
            AsyncJob job = default;
            int ret = 0;
            Async.StartJob(ref job, AsyncWaitCtx.New(), ref ret, PauseOnce);
            second = Run(pauses);
        });
        caller.Start();
        caller.Join();

        Assert.Equal(["4 main ctx_new => ok", "5 main start => PAUSE #1"], second!.Lines);
    }

    private static async JobTask<int> PauseOnce(byte[]? args)
    {
        await Async.PauseJob();
        return 0;
    }

    [Fact]
    public void UbInsideAJob_StopsEverything_TheOuterStartPrintsNothing()
    {
        ScenarioLog log = Run(
            "func Inner",
            "  return 2",
            "end",
            "func Outer",
            "  start N - Inner -",
            "  current_job",
            "  return 5",
            "end",
            "ctx_new C",
            "start J C Outer -",
            "is_capable");

        Assert.Equal(2, log.Lines.Count);
        Assert.Equal("9 main ctx_new => ok", log.Lines[0]);
        Assert.StartsWith("5 main start => UB UB-NESTED-START ", log.Lines[1]);
        Assert.Equal(1, log.UbLineIndex);
        Assert.True(log.StoppedAtUb);
    }

    [Fact]
    public void UbInsideAResumedJob_StopsEverything()
    {
        ScenarioLog log = Run(
            "func F",
            "  pause",
            "  cleanup_thread",
            "  return 1",
            "end",
            "ctx_new C",
            "start J C F -",
            "start J C F -",
            "is_capable");

        Assert.Equal(["6 main ctx_new => ok", "7 main start => PAUSE #1", "2 main pause => 1"], log.Lines.Take(3));
        Assert.StartsWith("3 main cleanup_thread => UB UB-CLEANUP-IN-JOB ", log.Lines[3]);
        Assert.Equal(4, log.Lines.Count);
    }

    [Fact]
    public void Events_CallbackThenResult_CleanupsNewestFirstSkippingEntriesWithoutCleanup()
    {
        ScenarioLog log = Run(
            "ctx_new C",
            "set_wait_fd C K1 1 D1 cleanup",
            "set_wait_fd C K2 2 - -",
            "set_wait_fd C K3 3 D3 cleanup",
            "set_callback C CB1 A1",
            "get_callback C",
            "call_callback C",
            "set_callback C CB2 -",
            "get_callback C",
            "ctx_free C");

        Assert.Equal(
            [
                "1 main ctx_new => ok",
                "2 main set_wait_fd => 1",
                "3 main set_wait_fd => 1",
                "4 main set_wait_fd => 1",
                "5 main set_callback => 1",
                "6 main get_callback => 1 CB1 A1",
                "7 main ! callback CB1 A1",
                "7 main call_callback => 1",
                "8 main set_callback => 1",
                "9 main get_callback => 1 CB2 -",
                "10 main ! cleanup K3 3 D3",
                "10 main ! cleanup K1 1 D1",
                "10 main ctx_free => ok",
            ],
            log.Lines);
    }

    [Fact]
    public void WaitCtxBookkeeping_ResetAtRestart_ClearMarksDeleted_DeletedEntriesGetNoCleanup()
    {
        ScenarioLog log = Run(
            "func F",
            "  pause",
            "end",
            "ctx_new C",
            "set_wait_fd C K1 1 D1 cleanup",
            "set_wait_fd C K2 2 D2 cleanup",
            "start J C F -",
            "get_changed_fds C",
            "start J C F -",
            "clear_fd C K1",
            "get_all_fds C",
            "get_changed_fds C",
            "get_fd C K2",
            "get_fd C K1",
            "ctx_free C");

        Assert.Equal(
            [
                "4 main ctx_new => ok",
                "5 main set_wait_fd => 1",
                "6 main set_wait_fd => 1",
                "7 main start => PAUSE #1",
                "8 main get_changed_fds => 1 add=[2 1] del=[]",
                "2 main pause => 1",
                "9 main start => FINISH 0",
                "10 main clear_fd => 1",
                "11 main get_all_fds => 1 [2]",
                "12 main get_changed_fds => 1 add=[] del=[1]",
                "13 main get_fd => 1 2 D2",
                "14 main get_fd => 0",
                "15 main ! cleanup K2 2 D2",
                "15 main ctx_free => ok",
            ],
            log.Lines);
    }

    [Fact]
    public void StartArguments_Ptr0IsNullForTheJob_StringsArePrintedInQuotes_Profile30()
    {
        ScenarioLog log = Run(
            "func F",
            "  arg",
            "  return 1",
            "end",
            "ctx_new C",
            "start J C F ptr0",
            "start J C F \"Hello # world\"",
            "start J C F -",
            "errors");

        Assert.Equal(
            [
                "5 main ctx_new => ok",
                "2 main arg => NULL",
                "6 main start => FINISH 1",
                "2 main arg => \"Hello # world\"",
                "7 main start => FINISH 1",
                "2 main arg => NULL",
                "8 main start => FINISH 1",
                "9 main errors => []",
            ],
            log.Lines);
    }

    [Fact]
    public void StartArguments_Ptr0IsErrWithMallocFailure_Profile111()
    {
        ScenarioLog log = Run(
            "profile 1.1.1",
            "func F",
            "  arg",
            "  return 1",
            "end",
            "ctx_new C",
            "start J C F ptr0",
            "errors",
            "start J C F \"x\"");

        Assert.Equal(
            [
                "6 main ctx_new => ok",
                "7 main start => ERR",
                "8 main errors => [MALLOC_FAILURE]",
                "3 main arg => \"x\"",
                "9 main start => FINISH 1",
            ],
            log.Lines);
    }

    [Fact]
    public void Restart_IgnoresCtxFuncAndArg_AndDoesNotEvaluateTheCtx()
    {
        ScenarioLog log = Run(
            "func F",
            "  arg",
            "  pause",
            "  arg",
            "  wait_ctx",
            "  return 1",
            "end",
            "func G",
            "  return 2",
            "end",
            "ctx_new C1",
            "start J C1 F \"first\"",
            "start J C3 G \"second\"   # C3 holds no context yet: ignored, not used",
            "ctx_new C3");

        Assert.Equal(
            [
                "11 main ctx_new => ok",
                "2 main arg => \"first\"",
                "12 main start => PAUSE #1",
                "3 main pause => 1",
                "4 main arg => \"first\"",
                "5 main wait_ctx => C1",
                "13 main start => FINISH 1",
                "14 main ctx_new => ok",
            ],
            log.Lines);
    }

    [Fact]
    public void CtxNeverCreatedAtRunTime_IsUbReportedByTheInterpreter()
    {
        ScenarioLog log = Run("get_status C", "ctx_new C");

        Assert.Equal(["1 main get_status => UB UB-CTX-USE-AFTER-FREE context C is not live"], log.Lines);
        Assert.Equal(0, log.UbLineIndex);
    }

    [Fact]
    public void CtxNameNoCtxNewCreates_InABodyThatNeverRuns_IsNoError_AndItsUseIsUb()
    {
        Assert.Equal(["4 main is_capable => 1"], Run("func F", "  get_status D", "end", "is_capable").Lines);

        ScenarioLog log = Run("func F", "  get_status D", "end", "ctx_new C", "start J C F -");
        Assert.Equal(["4 main ctx_new => ok", "2 main get_status => UB UB-CTX-USE-AFTER-FREE context D is not live"], log.Lines);
    }

    [Fact]
    public void FreedCtx_IsPassedToTheRuntime_WhichReportsUseAfterFree()
    {
        ScenarioLog log = Run("ctx_new C", "ctx_free C", "get_all_fds C", "is_capable");

        Assert.Equal(3, log.Lines.Count);
        Assert.StartsWith("3 main get_all_fds => UB UB-CTX-USE-AFTER-FREE ", log.Lines[2]);
    }

    [Fact]
    public void DotInAJobStartedWithoutCtx_IsNull_OnlyCtxFreeAndSetCallbackAreDefined()
    {
        ScenarioLog log = Run(
            "func F",
            "  wait_ctx",
            "  set_callback . CB1 A1",
            "  ctx_free .",
            "  get_status .",
            "  return 1",
            "end",
            "start J - F -",
            "is_capable");

        Assert.Equal(["2 main wait_ctx => NULL", "3 main set_callback => 0", "4 main ctx_free => ok"], log.Lines.Take(3));
        Assert.StartsWith("5 main get_status => UB UB-CTX-USE-AFTER-FREE ", log.Lines[3]);
        Assert.Equal(4, log.Lines.Count);
    }

    [Fact]
    public void JobNumbers_FollowFirstAppearance_LifoReuseKeepsThem_CleanupThreadGivesNewOnes()
    {
        ScenarioLog log = Run(
            "func P",
            "  pause",
            "end",
            "func Q",
            "  return 3",
            "end",
            "ctx_new C",
            "start A C Q -       # runs without being printed: no number",
            "start J1 C P -",
            "start J2 C P -",
            "start J1 C P -",
            "start J3 C P -",
            "start J2 C P -",
            "start J3 C P -",
            "cleanup_thread",
            "start J1 C P -");

        Assert.Equal(
            [
                "7 main ctx_new => ok",
                "8 main start => FINISH 3",
                "9 main start => PAUSE #1",
                "10 main start => PAUSE #2",
                "2 main pause => 1",
                "11 main start => FINISH 0",
                "12 main start => PAUSE #1",
                "2 main pause => 1",
                "13 main start => FINISH 0",
                "2 main pause => 1",
                "14 main start => FINISH 0",
                "15 main cleanup_thread => ok",
                "16 main start => PAUSE #3",
            ],
            log.Lines);
    }

    [Fact]
    public void ErrorQueue_IsDrainedOldestFirst()
    {
        ScenarioLog log = Run("init_thread 0 1", "init_thread 1 2", "errors", "errors", "init_thread 2 1", "is_capable");

        Assert.Equal(
            [
                "1 main init_thread => 0",
                "2 main init_thread => 0",
                "3 main errors => [INVALID_POOL_SIZE INVALID_POOL_SIZE]",
                "4 main errors => []",
                "5 main init_thread => 1",
                "6 main is_capable => 1",
            ],
            log.Lines);
    }

    [Fact]
    public void ErrorQueue_IsARingOf16Slots_KeepingThe15Newest()
    {
        // OpenSSL's ERR_STATE ring (ERR_NUM_ERRORS 16) drops the oldest entry when a 16th is queued; libcrypto 3.0.19
        // drains 20 queued INVALID_POOL_SIZE errors as 15. The 1.1.1 MALLOC_FAILURE tells old from new.
        var lines = new List<string> { "profile 1.1.1", "func F", "end", "ctx_new C", "start J C F ptr0" };
        lines.AddRange(Enumerable.Repeat("init_thread 1 2", 15));
        lines.Add("errors");
        lines.Add("start J C F ptr0");
        lines.AddRange(Enumerable.Repeat("init_thread 1 2", 14));
        lines.Add("errors");

        ScenarioLog log = Run([.. lines]);

        string fifteen = string.Join(' ', Enumerable.Repeat("INVALID_POOL_SIZE", 15));
        Assert.Equal("21 main errors => [" + fifteen + "]", log.Lines.Single(l => l.StartsWith("21 ", StringComparison.Ordinal)));
        Assert.Equal("37 main errors => [MALLOC_FAILURE " + string.Join(' ', Enumerable.Repeat("INVALID_POOL_SIZE", 14)) + "]", log.Lines[^1]);
    }

    [Fact]
    public void NullJobFunction_IsIgnoredOnARestart_UndefinedOnlyOnceANewJobWouldCallIt()
    {
        ScenarioLog log = Run(
            "func F",
            "  pause",
            "  return 3",
            "end",
            "init_thread 1 0",
            "ctx_new C",
            "start J C F -",
            "start K C - -       # the pool is exhausted: NO_JOBS, nothing is called",
            "start J C - -       # a restart ignores func",
            "start K C - \"x\"   # a job is available now: C would call NULL",
            "is_capable");

        Assert.Equal(
            [
                "5 main init_thread => 1",
                "6 main ctx_new => ok",
                "7 main start => PAUSE #1",
                "8 main start => NO_JOBS",
                "2 main pause => 1",
                "9 main start => FINISH 3",
                "10 main start => UB UB-NULL-FUNC ASYNC_start_job would call a NULL job function in a new job",
            ],
            log.Lines);
    }

    [Fact]
    public void NullJobFunction_Profile111ArgsCopyFailsFirst_ErrIsDefined()
    {
        ScenarioLog log = Run("profile 1.1.1", "ctx_new C", "start J C - ptr0", "errors", "start J C - -");

        Assert.Equal(
            [
                "2 main ctx_new => ok",
                "3 main start => ERR",
                "4 main errors => [MALLOC_FAILURE]",
                "5 main start => UB UB-NULL-FUNC ASYNC_start_job would call a NULL job function in a new job",
            ],
            log.Lines);
    }

    [Fact]
    public void AContextKeepsTheNameItWasCreatedUnder_WhenItsVariableIsAssignedANewOne()
    {
        ScenarioLog log = Run(
            "func F",
            "  wait_ctx",
            "  ctx_new C1        # re-bound inside the job",
            "  pause",
            "  wait_ctx",
            "  return 1",
            "end",
            "ctx_new C1",
            "start J C1 F -",
            "ctx_new C1",
            "start J C1 - -");

        Assert.Equal(
            [
                "8 main ctx_new => ok",
                "2 main wait_ctx => C1",
                "3 main ctx_new => ok",
                "9 main start => PAUSE #1",
                "10 main ctx_new => ok",
                "4 main pause => 1",
                "5 main wait_ctx => C1",
                "11 main start => FINISH 1",
            ],
            log.Lines);
    }

    [Theory]
    [InlineData("current_job")]
    [InlineData("block_pause")]
    [InlineData("unblock_pause")]
    [InlineData("cleanup_thread")]
    [InlineData("init_thread 1 1")]
    public void PauseAfterTheFirstInitialisingCall_Returns1_OnEveryThread(string initialising)
    {
        ScenarioLog log = Run("is_capable", initialising, "pause", "@T2 pause");

        Assert.False(log.StoppedAtUb);
        Assert.Equal(["3 main pause => 1", "4 T2 pause => 1"], log.Lines.Skip(2));
    }

    [Theory]
    [InlineData("is_capable")]
    [InlineData("ctx_new C")]
    [InlineData("errors")]
    [InlineData("init_thread 0 1")] // a failed init_thread returns before OpenSSL's initialisation
    public void PauseBeforeTheProcesssFirstInitialisingCall_IsUb(string notInitialising)
    {
        ScenarioLog log = Run(notInitialising, "@T2 pause", "current_job");

        Assert.Equal(1, log.UbLineIndex);
        Assert.Equal("2 T2 pause => UB UB-PAUSE-BEFORE-INIT ASYNC_pause_job before the process's first initialising ASYNC call", log.Lines[1]);
    }

    [Fact]
    public void EveryRun_IsAProcessOfItsOwn_InitialisationDoesNotCarryOver()
    {
        Assert.False(Run("current_job", "pause").StoppedAtUb);
        Assert.True(Run("pause").StoppedAtUb);
    }

    [Fact]
    public void BlockedPause_ReturnsAtOnce_AndPauseOutsideAJobReturns1()
    {
        ScenarioLog log = Run(
            "func F",
            "  block_pause",
            "  pause",
            "  unblock_pause",
            "  current_job",
            "  return 4",
            "end",
            "ctx_new C",
            "start J C F -",
            "pause",
            "current_job");

        Assert.Equal(
            [
                "8 main ctx_new => ok",
                "2 main block_pause => ok",
                "3 main pause => 1",
                "4 main unblock_pause => ok",
                "5 main current_job => #1",
                "9 main start => FINISH 4",
                "10 main pause => 1",
                "11 main current_job => NULL",
            ],
            log.Lines);
    }

    [Fact]
    public void StatusAndCallbackMailbox_SurvivesAJob()
    {
        ScenarioLog log = Run(
            "func F",
            "  set_status . EAGAIN",
            "  pause",
            "  call_callback .",
            "end",
            "ctx_new C",
            "get_status C",
            "set_callback C CB -",
            "start J C F -",
            "get_status C",
            "start J C F -",
            "get_status C",
            "get_callback C");

        Assert.Equal(
            [
                "6 main ctx_new => ok",
                "7 main get_status => 0",
                "8 main set_callback => 1",
                "2 main set_status => 1",
                "9 main start => PAUSE #1",
                "10 main get_status => 3",
                "3 main pause => 1",
                "4 main ! callback CB -",
                "4 main call_callback => 1",
                "11 main start => FINISH 0",
                "12 main get_status => 3",
                "13 main get_callback => 1 CB -",
            ],
            log.Lines);
    }
}
