using AsyncRef.Traces.Format;

namespace AsyncRef.Traces.Synthesis;

/// <summary>
/// A conforming trace of any length, shaped like <c>openssl speed -engine dasync -async_jobs 8</c>: eight wait
/// contexts, each job looks up its ctx and wait fd (setting it on first use), pauses, is polled with
/// <c>get_all_fds</c>, resumed and finished; the ctxs are freed at the end (cleanups called). The job objects and
/// fds repeat, as in a real run, so checking it needs bounded memory however long it is.
/// </summary>
internal static class SyntheticTrace
{
    private const int Slots = 8;
    private const ulong JobFunction = 0x401000, Args = 0x7ff000, Key = 0x402000, Cleanup = 0x403000, Site = 0x404000;

    internal static void Write(Stream stream, long calls)
    {
        using var w = new TraceWriter(stream, $"synthetic trace of {calls} calls");
        var fdSet = new bool[Slots];
        long made = 0;
        for (int i = 0; i < Slots; i++)
        {
            w.Call(0, TraceFunction.CtxNew, Site);
            w.Return(0, TraceFunction.CtxNew, Ctx(i));
            made++;
        }

        // First round: every slot starts a job that pauses (pool creates jobs 1..8 at addresses Job(i)).
        for (int i = 0; i < Slots; i++)
        {
            made += StartAndPause(w, i, jobIn: 0, ref fdSet[i]);
        }

        for (int i = 0; made < calls; i = (i + 1) % Slots)
        {
            // Poll, resume to FINISH, then start the slot's next job (the pool hands back the same object).
            w.Call(0, TraceFunction.GetAllFds, Site, Ctx(i), 0, 0x7fe000);
            w.Return(0, TraceFunction.GetAllFds, 1, 1);
            w.Call(0, TraceFunction.GetAllFds, Site, Ctx(i), 0x7fd000, 0x7fe000);
            w.Return(0, TraceFunction.GetAllFds, 1, 1, (ulong)Fd(i));
            w.Call(0, TraceFunction.StartJob, Site, Slot(i), Job(i), Ctx(i), 0x7fc000, JobFunction, Args, 8);
            w.Return(0, TraceFunction.PauseJob, 1);
            w.Write(RecordKind.BodyReturn, TraceFunction.None, 0, [1]);
            w.Return(0, TraceFunction.StartJob, (ulong)AsyncResult.Finish, 0, 1);
            made += 3;
            made += StartAndPause(w, i, jobIn: 0, ref fdSet[i]);
        }

        // Drain: finish every paused job, then free the contexts (each has one fd entry with a cleanup).
        for (int i = 0; i < Slots; i++)
        {
            w.Call(0, TraceFunction.StartJob, Site, Slot(i), Job(i), Ctx(i), 0x7fc000, JobFunction, Args, 8);
            w.Return(0, TraceFunction.PauseJob, 1);
            w.Write(RecordKind.BodyReturn, TraceFunction.None, 0, [1]);
            w.Return(0, TraceFunction.StartJob, (ulong)AsyncResult.Finish, 0, 1);
            w.Call(0, TraceFunction.CtxFree, Site, Ctx(i));
            w.Write(RecordKind.CleanupEnter, TraceFunction.None, 0, [Ctx(i), Key, (ulong)Fd(i), Data(i)]);
            w.Write(RecordKind.CleanupReturn, TraceFunction.None, 0, []);
            w.Return(0, TraceFunction.CtxFree, 0);
        }

        w.End();
    }

    private static long StartAndPause(TraceWriter w, int i, ulong jobIn, ref bool fdSet)
    {
        w.Call(0, TraceFunction.StartJob, Site, Slot(i), jobIn, Ctx(i), 0x7fc000, JobFunction, Args, 8);
        w.Write(RecordKind.BodyEnter, TraceFunction.None, 0, [JobFunction, 0x7fb000]);
        w.Call(0, TraceFunction.GetCurrentJob, Site);
        w.Return(0, TraceFunction.GetCurrentJob, Job(i));
        w.Call(0, TraceFunction.GetWaitCtx, Site, Job(i));
        w.Return(0, TraceFunction.GetWaitCtx, Ctx(i));
        w.Call(0, TraceFunction.GetFd, Site, Ctx(i), Key, 0x7fa000, 0x7f9000);
        long calls = 5;
        if (fdSet)
        {
            w.Return(0, TraceFunction.GetFd, 1, (ulong)Fd(i), Data(i));
        }
        else
        {
            w.Return(0, TraceFunction.GetFd, 0, 0, 0);
            w.Call(0, TraceFunction.SetWaitFd, Site, Ctx(i), Key, (ulong)Fd(i), Data(i), Cleanup);
            w.Return(0, TraceFunction.SetWaitFd, 1);
            fdSet = true;
            calls++;
        }

        w.Call(0, TraceFunction.PauseJob, Site);
        w.Return(0, TraceFunction.StartJob, (ulong)AsyncResult.Pause, Job(i), 0);
        return calls;
    }

    private static ulong Ctx(int i) => 0x5550000 + ((ulong)i * 0x100);

    private static ulong Job(int i) => 0x6660000 + ((ulong)i * 0x100);

    private static ulong Slot(int i) => 0x7770000 + ((ulong)i * 8);

    private static ulong Data(int i) => 0x8880000 + ((ulong)i * 0x10);

    private static int Fd(int i) => 10 + i;
}
