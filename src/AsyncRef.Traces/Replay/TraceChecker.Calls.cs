using System.Runtime.CompilerServices;
using System.Text;
using AsyncRef.Traces.Format;
using AsyncRef.Traces.Symbols;

namespace AsyncRef.Traces.Replay;

/// <summary>The replay of each API call: the reference makes the call, then the RETURN record is compared.</summary>
internal sealed partial class TraceChecker
{
    private int[] _fds = new int[64];
    private int[] _moreFds = new int[64];

    /// <summary>Replays one CALL record of thread <paramref name="t"/> (a top-level call or one made inside a job).</summary>
    private void Step(ReplayThread t, TraceRecord r)
    {
        if (r.Kind != RecordKind.Call)
        {
            throw Fail(Sequence(t, r.Number, "a call", r));
        }

        var call = new OpenCall(r.Number, r.Function, r.Site);
        _report.Calls++;
        try
        {
            switch (r.Function)
            {
                case TraceFunction.InitThread:
                {
                    int result = Async.InitThread((nuint)r[1], (nuint)r[2]);
                    Async.DrainErrors();
                    Verify(t, call, Expect(t, call).Int(0), result, "result");
                    break;
                }

                case TraceFunction.CleanupThread:
                    Async.CleanupThread();
                    _objects.ForgetFreedJobs();
                    Expect(t, call);
                    break;
                case TraceFunction.CtxNew:
                {
                    AsyncWaitCtx ctx = AsyncWaitCtx.New();
                    ulong pointer = Expect(t, call)[0];
                    if (pointer == 0)
                    {
                        throw Fail(Divergence(t, call, "ASYNC_WAIT_CTX_new returned NULL (out of memory in the program)", "NULL", "a new ctx", ctx));
                    }

                    _objects.BindNewCtx(pointer, ctx, call.Record, t.Id, call.Site);
                    List(t, call, "ctx", pointer, pointer);
                    break;
                }

                case TraceFunction.CtxFree:
                    AsyncWaitCtx.Free(_objects.Ctx(r[1]));
                    Expect(t, call);
                    break;
                case TraceFunction.SetWaitFd:
                {
                    AsyncWaitCtx? ctx = _objects.Ctx(r[1]);
                    int result = NotNull(ctx).SetWaitFd(_objects.Key(r[2]), r.Int(3), ReplayObjects.Data(r[4]), r[5] != 0 ? t.Cleanup : null);
                    Verify(t, call, Expect(t, call).Int(0), result, "result", ctx);
                    break;
                }

                case TraceFunction.GetFd:
                    GetFd(t, call, _objects.Ctx(r[1]), r[2]);
                    break;
                case TraceFunction.GetAllFds:
                    GetAllFds(t, call, _objects.Ctx(r[1]), r[2] != 0);
                    break;
                case TraceFunction.GetChangedFds:
                    GetChangedFds(t, call, _objects.Ctx(r[1]), r[2] != 0, r[4] != 0);
                    break;
                case TraceFunction.ClearFd:
                {
                    AsyncWaitCtx? ctx = _objects.Ctx(r[1]);
                    int result = NotNull(ctx).ClearFd(_objects.Key(r[2]));
                    Verify(t, call, Expect(t, call).Int(0), result, "result", ctx);
                    break;
                }

                case TraceFunction.SetCallback:
                {
                    AsyncWaitCtx? ctx = _objects.Ctx(r[1]);
                    int result = AsyncWaitCtx.SetCallback(ctx, _objects.Callback(r[2]), ReplayObjects.Data(r[3]));
                    Verify(t, call, Expect(t, call).Int(0), result, "result", ctx);
                    break;
                }

                case TraceFunction.GetCallback:
                    GetCallback(t, call, _objects.Ctx(r[1]));
                    break;
                case TraceFunction.SetStatus:
                {
                    AsyncWaitCtx? ctx = _objects.Ctx(r[1]);
                    int result = NotNull(ctx).SetStatus(r.Int(2));
                    Verify(t, call, Expect(t, call).Int(0), result, "result", ctx);
                    break;
                }

                case TraceFunction.GetStatus:
                {
                    AsyncWaitCtx? ctx = _objects.Ctx(r[1]);
                    int result = NotNull(ctx).GetStatus();
                    Verify(t, call, Expect(t, call).Int(0), result, "result", ctx);
                    break;
                }

                case TraceFunction.IsCapable:
                    Verify(t, call, Expect(t, call).Int(0), Async.IsCapable(), "result");
                    break;
                case TraceFunction.StartJob:
                    StartJob(t, call, r[1], r[2], r[3], r[4] != 0, r[5] != 0, r[6] != 0, (int)Math.Min(r[7], int.MaxValue));
                    break;
                case TraceFunction.PauseJob:
                {
                    // Outside a job (or inside a callback the reference runs synchronously) a pause returns at once.
                    PauseAwaiter awaiter = Async.PauseJob().GetAwaiter();
                    if (!awaiter.IsCompleted)
                    {
                        throw Fail(Divergence(t, call, "ASYNC_pause_job inside an fd cleanup callback cannot be replayed", "-", "-", null));
                    }

                    Verify(t, call, Expect(t, call).Int(0), awaiter.GetResult(), "result");
                    break;
                }

                case TraceFunction.GetCurrentJob:
                {
                    AsyncJob job = Async.GetCurrentJob();
                    ulong recorded = Expect(t, call)[0];
                    VerifyJob(t, call, recorded, job);
                    break;
                }

                case TraceFunction.GetWaitCtx:
                {
                    ulong address = r[1];
                    AsyncJob job = default;
                    if (address != 0 && !_objects.TryJob(address, out job))
                    {
                        throw new UndefinedBehaviorException(UbRules.StaleHandle, $"ASYNC_get_wait_ctx of 0x{address:x}, which no start or current_job returned");
                    }

                    AsyncWaitCtx? ctx = Async.GetWaitCtx(job);
                    ulong recorded = Expect(t, call)[0];
                    VerifyPointer(t, call, "ctx", recorded, _objects.Address(ctx), ctx);
                    break;
                }

                case TraceFunction.BlockPause:
                    Async.BlockPause();
                    Expect(t, call);
                    break;
                case TraceFunction.UnblockPause:
                    Async.UnblockPause();
                    Expect(t, call);
                    break;
            }
        }
        catch (UndefinedBehaviorException e)
        {
            Report(Undefined(t, call, e.RuleId, e.Explanation));
            PassOverResult(t, call);
        }
    }

    /// <summary>
    /// After an undefined use the reference has not made the call: the program's RETURN of it, which must be the
    /// thread's next record, is passed over and the replay goes on. Anything else (the C call went on into a job
    /// function, say) is a course the reference has no counterpart of, and the check stops there.
    /// </summary>
    private void PassOverResult(ReplayThread t, OpenCall call)
    {
        t.OpenCall = call;
        TraceRecord r = Take(t) ?? throw Ended(t);
        t.OpenCall = null;
        if (r.Kind != RecordKind.Return || r.Function != call.Function)
        {
            throw StopAt($"stopped at record {r.Number}: after the undefined use at record {call.Record} the program went on with " +
                $"{Describe(r)}, which the reference cannot follow");
        }
    }

    /// <summary>A job function as the reference runs it: it replays the records the program's job made.</summary>
    private async JobTask<int> RunBody(ReplayThread t)
    {
        TraceRecord r = Take(t) ?? throw Ended(t);
        if (r.Kind != RecordKind.BodyEnter)
        {
            throw Fail(Sequence(t, r.Number, "the job function's entry (the reference started the job)", r));
        }

        _report.Jobs++;
        while (true)
        {
            r = Take(t) ?? throw Ended(t);
            if (r.Kind == RecordKind.BodyReturn)
            {
                return r.Int(0);
            }

            if (r.Kind == RecordKind.Call && r.Function == TraceFunction.PauseJob)
            {
                var call = new OpenCall(r.Number, r.Function, r.Site);
                _report.Calls++;
                int result;
                try
                {
                    result = await Async.PauseJob();
                }
                catch (UndefinedBehaviorException e)
                {
                    Report(Undefined(t, call, e.RuleId, e.Explanation));
                    PassOverResult(t, call);
                    continue;
                }

                Verify(t, call, Expect(t, call).Int(0), result, "result");
                continue;
            }

            Step(t, r);
        }
    }

    /// <summary>An fd cleanup as the reference calls it from <c>ASYNC_WAIT_CTX_free</c>: the program's must match.</summary>
    private void RunCleanup(ReplayThread t, AsyncWaitCtx ctx, object? key, int fd, object? data)
    {
        TraceRecord r = Take(t) ?? throw Ended(t);
        string predicted = $"cleanup(ctx 0x{_objects.Address(ctx):x}, key 0x{ReplayObjects.Address(key):x}, fd {fd}, data 0x{ReplayObjects.Address(data):x})";
        if (r.Kind != RecordKind.CleanupEnter)
        {
            throw Fail(Sequence(t, r.Number, predicted, r));
        }

        if (r[0] != _objects.Address(ctx) || r[1] != ReplayObjects.Address(key) || r.Int(2) != fd || r[3] != ReplayObjects.Address(data))
        {
            string recorded = $"cleanup(ctx 0x{r[0]:x}, key 0x{r[1]:x}, fd {r.Int(2)}, data 0x{r[3]:x})";
            throw Fail(new Finding(FindingKind.Divergence, r.Number, t.Id, "fd cleanup", "", "",
                "the fd cleanup was called for another entry than the reference's", recorded, predicted, State(ctx)));
        }

        while (true)
        {
            r = Take(t) ?? throw Ended(t);
            if (r.Kind == RecordKind.CleanupReturn)
            {
                return;
            }

            Step(t, r);
        }
    }

    private void StartJob(ReplayThread t, OpenCall call, ulong jobSlot, ulong jobIn, ulong ctxAddress, bool hasRet, bool hasFunc, bool hasArgs, int size)
    {
        AsyncJob job = default;
        if (jobSlot != 0 && jobIn != 0 && !_objects.TryJob(jobIn, out job))
        {
            throw new UndefinedBehaviorException(UbRules.StaleHandle, $"restart of 0x{jobIn:x}, which no start or current_job returned");
        }

        AsyncWaitCtx? ctx = _objects.Ctx(ctxAddress);
        byte[]? args = hasArgs ? new byte[Math.Min(size, 1 << 16)] : null;
        int ret = 0;
        AsyncResult result = hasRet
            ? Async.StartJob(ref job, ctx, ref ret, hasFunc ? t.Body : null, args, args is null ? 0 : size)
            : Async.StartJob(ref job, ctx, ref Unsafe.NullRef<int>(), hasFunc ? t.Body : null, args, args is null ? 0 : size);
        if (result == AsyncResult.Err)
        {
            Async.DrainErrors();
        }

        TraceRecord r = Expect(t, call);
        int recorded = r.Int(0);
        ulong recordedJob = r[1];
        int recordedRet = r.Int(2);
        Verify(t, call, recorded, (int)result, "result", ctx);
        switch (result)
        {
            case AsyncResult.Pause:
                _report.Pauses++;
                VerifyJob(t, call, recordedJob, job);
                break;
            case AsyncResult.Finish:
                Verify(t, call, recordedRet, ret, "*ret", ctx);
                break;
        }
    }

    private void GetFd(ReplayThread t, OpenCall call, AsyncWaitCtx? ctx, ulong key)
    {
        int fd = 0;
        object? data = null;
        int result = NotNull(ctx).GetFd(_objects.Key(key), ref fd, ref data);
        TraceRecord r = Expect(t, call);
        int recordedFd = r.Int(1);
        ulong recordedData = r[2];
        Verify(t, call, r.Int(0), result, "result", ctx);
        if (result == 1)
        {
            Verify(t, call, recordedFd, fd, "*fd", ctx);
            VerifyPointer(t, call, "*custom_data", recordedData, ReplayObjects.Address(data), ctx);
        }
    }

    private void GetAllFds(ReplayThread t, OpenCall call, AsyncWaitCtx? ctx, bool listed)
    {
        AsyncWaitCtx c = NotNull(ctx);
        int result = c.GetAllFds([], out int count);
        if (listed && result == 1)
        {
            Grow(ref _fds, count);
            result = c.GetAllFds(_fds.AsSpan(0, count), out count);
        }

        TraceRecord r = Expect(t, call);
        Verify(t, call, r.Int(0), result, "result", ctx);
        Verify(t, call, (int)r[1], count, "*numfds", ctx);
        if (listed && r.Count > 2)
        {
            VerifyFds(t, call, r.Values[2..], _fds.AsSpan(0, count), "fds", ctx);
        }
    }

    private void GetChangedFds(ReplayThread t, OpenCall call, AsyncWaitCtx? ctx, bool addListed, bool delListed)
    {
        AsyncWaitCtx c = NotNull(ctx);
        int result = c.GetChangedFds([], out int adds, [], out int dels);
        if (result == 1 && (addListed || delListed))
        {
            Grow(ref _fds, adds);
            Grow(ref _moreFds, dels);
            result = c.GetChangedFds(addListed ? _fds.AsSpan(0, adds) : [], out adds, delListed ? _moreFds.AsSpan(0, dels) : [], out dels);
        }

        TraceRecord r = Expect(t, call);
        Verify(t, call, r.Int(0), result, "result", ctx);
        Verify(t, call, (int)r[1], adds, "*numaddfds", ctx);
        Verify(t, call, (int)r[2], dels, "*numdelfds", ctx);
        int recordedAdds = addListed ? (int)r[1] : 0;
        if (r.Count > 3)
        {
            VerifyFds(t, call, r.Values.Slice(3, recordedAdds), addListed ? _fds.AsSpan(0, adds) : [], "addfd", ctx);
            VerifyFds(t, call, r.Values[(3 + recordedAdds)..], delListed ? _moreFds.AsSpan(0, dels) : [], "delfd", ctx);
        }
    }

    private void GetCallback(ReplayThread t, OpenCall call, AsyncWaitCtx? ctx)
    {
        AsyncWaitCallback? callback = null;
        object? arg = null;
        int result = NotNull(ctx).GetCallback(ref callback, ref arg);
        TraceRecord r = Expect(t, call);
        ulong recordedCallback = r[1];
        ulong recordedArg = r[2];
        Verify(t, call, r.Int(0), result, "result", ctx);
        if (result == 1)
        {
            VerifyPointer(t, call, "*callback", recordedCallback, _objects.Address(callback), ctx);
            VerifyPointer(t, call, "*callback_arg", recordedArg, ReplayObjects.Address(arg), ctx);
        }
    }

    /// <summary>The RETURN record of <paramref name="call"/>, which must be thread <paramref name="t"/>'s next record.</summary>
    private TraceRecord Expect(ReplayThread t, OpenCall call)
    {
        t.OpenCall = call;
        TraceRecord r = Take(t) ?? throw Ended(t);
        t.OpenCall = null;
        if (r.Kind != RecordKind.Return || r.Function != call.Function)
        {
            throw Fail(Sequence(t, r.Number, $"the return of {TraceFormat.Name(call.Function)} (record {call.Record})", r));
        }

        return r;
    }

    /// <summary>A wait-ctx function given NULL: every one of them dereferences it in C.</summary>
    private static AsyncWaitCtx NotNull(AsyncWaitCtx? ctx) =>
        ctx ?? throw new UndefinedBehaviorException(UbRules.CtxUseAfterFree, "a wait-ctx function was called with a NULL ctx");

    private void Verify(ReplayThread t, OpenCall call, int recorded, int predicted, string what, AsyncWaitCtx? ctx = null)
    {
        _callLog?.Write($"{call.Record} t{t.Id} {TraceFormat.Name(call.Function)} {what}: recorded {recorded}, predicted {predicted}\n");
        if (recorded != predicted)
        {
            Report(Divergence(t, call, $"{what} differs", recorded.ToString(), predicted.ToString(), ctx));
        }
    }

    private void VerifyPointer(ReplayThread t, OpenCall call, string what, ulong recorded, ulong predicted, AsyncWaitCtx? ctx)
    {
        _callLog?.Write($"{call.Record} t{t.Id} {TraceFormat.Name(call.Function)} {what}: recorded 0x{recorded:x}, predicted 0x{predicted:x}\n");
        if (recorded != predicted)
        {
            Report(Divergence(t, call, $"{what} differs", $"0x{recorded:x}", $"0x{predicted:x}", ctx));
        }
    }

    private void VerifyJob(ReplayThread t, OpenCall call, ulong recorded, AsyncJob job)
    {
        _callLog?.Write($"{call.Record} t{t.Id} {TraceFormat.Name(call.Function)} job: recorded 0x{recorded:x}, predicted {job}\n");
        if (job.IsNull || recorded == 0)
        {
            if (job.IsNull != (recorded == 0))
            {
                Report(Divergence(t, call, "job handle differs", recorded == 0 ? "NULL" : $"0x{recorded:x}", job.IsNull ? "NULL" : job.ToString(), null));
            }

            return;
        }

        ulong before = _objects.BindJob(recorded, job);
        if (before != 0)
        {
            Report(Divergence(t, call, $"the reference's {job} was at 0x{before:x} before: the pools recycle jobs differently",
                $"0x{recorded:x}", $"0x{before:x}", null));
        }
    }

    private void VerifyFds(ReplayThread t, OpenCall call, ReadOnlySpan<ulong> recorded, ReadOnlySpan<int> predicted, string what, AsyncWaitCtx? ctx)
    {
        bool same = recorded.Length == predicted.Length;
        for (int i = 0; same && i < recorded.Length; i++)
        {
            same = (int)recorded[i] == predicted[i];
        }

        if (_callLog is not null || !same)
        {
            string rec = "[" + string.Join(' ', recorded.ToArray().Select(v => (int)v)) + "]";
            string pre = "[" + string.Join(' ', predicted.ToArray()) + "]";
            _callLog?.Write($"{call.Record} t{t.Id} {TraceFormat.Name(call.Function)} {what}: recorded {rec}, predicted {pre}\n");
            if (!same)
            {
                Report(Divergence(t, call, $"{what} differs", rec, pre, ctx));
            }
        }
    }

    private void List(ReplayThread t, OpenCall call, string what, ulong recorded, ulong predicted) =>
        _callLog?.Write($"{call.Record} t{t.Id} {TraceFormat.Name(call.Function)} {what}: recorded 0x{recorded:x}, predicted 0x{predicted:x}\n");

    private static void Grow(ref int[] buffer, int count)
    {
        if (buffer.Length < count)
        {
            buffer = new int[Math.Max(count, buffer.Length * 2)];
        }
    }

    private Finding Divergence(ReplayThread t, OpenCall call, string message, string recorded, string predicted, AsyncWaitCtx? ctx) =>
        new(FindingKind.Divergence, call.Record, t.Id, TraceFormat.Name(call.Function), CallSites.Raw(call.Site), "",
            message, recorded, predicted, State(ctx));

    private Finding Undefined(ReplayThread t, OpenCall call, string rule, string explanation) =>
        new(FindingKind.Undefined, call.Record, t.Id, TraceFormat.Name(call.Function), CallSites.Raw(call.Site), rule,
            explanation, "", "", State(null));

    /// <summary>The program's next record on a thread is not the one the reference's course of events implies.</summary>
    private Finding Sequence(ReplayThread t, long record, string expected, TraceRecord actual) =>
        new(FindingKind.Divergence, record, t.Id, actual.Kind == RecordKind.Call || actual.Kind == RecordKind.Return ? TraceFormat.Name(actual.Function) : actual.Kind.ToString(),
            actual.Kind == RecordKind.Call ? CallSites.Raw(actual.Site) : "", "",
            "the program's course differs from the reference's", Describe(actual), expected, State(null));

    private static string Describe(TraceRecord r) => r.Kind switch
    {
        RecordKind.Call => $"a call of {TraceFormat.Name(r.Function)}",
        RecordKind.Return => $"the return of {TraceFormat.Name(r.Function)} => {r.Int(0)}",
        RecordKind.BodyEnter => "the job function's entry",
        RecordKind.BodyReturn => $"the job function's return ({r.Int(0)})",
        RecordKind.CleanupEnter => $"an fd cleanup (fd {r.Int(2)})",
        RecordKind.CleanupReturn => "the fd cleanup's return",
        _ => r.Kind.ToString(),
    };

    /// <summary>The reference's state, explain-style: the calling thread, the jobs known by address, the ctx involved.</summary>
    private string State(AsyncWaitCtx? ctx)
    {
        var text = new StringBuilder();
        if (_objects.Info(ctx) is { } info)
        {
            AsyncWaitCtxSnapshot s = info.Ctx.Describe();
            text.Append($"ctx {info.Name} (0x{info.Pointer:x}): fds [");
            text.AppendJoin(' ', s.EntriesNewestFirst.Select(e =>
                $"0x{ReplayObjects.Address(e.Key):x} {e.Fd} 0x{ReplayObjects.Address(e.CustomData):x}{(e.Added ? " +add" : "")}{(e.Deleted ? " +del" : "")}"));
            text.Append($"] numadd={s.NumAdd} numdel={s.NumDel} callback={(s.HasCallback ? "set" : "-")} status={s.Status} jobs-using={s.ActiveJobs}{(s.Freed ? " FREED" : "")}\n");
        }

        text.Append("jobs:");
        foreach (KeyValuePair<ulong, AsyncJob> job in _objects.Jobs.Take(16))
        {
            text.Append($" 0x{job.Key:x}=#{job.Value.ObjectId} {job.Value.ObjectState}");
        }

        AsyncThreadSnapshot th = Async.DescribeThread();
        text.Append($"\nthread: current={(th.CurrentJob.IsNull ? "NULL" : $"#{th.CurrentJob.ObjectId}")} block={th.BlockCounter} paused={th.PausedJobs} " +
            $"pool: max={th.PoolMaxSize} created={th.PoolCreated} idle=[{string.Join(' ', th.IdleJobObjectIds.Select(i => $"#{i}"))}]");
        return text.ToString();
    }
}
