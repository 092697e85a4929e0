using System.Globalization;
using System.Runtime.CompilerServices;
using AsyncRef.Testing.Recording;
using Microsoft.Coyote.Runtime;

namespace AsyncRef.Testing;

/// <summary>
/// The ASYNC API as engines and event loops call it under a hunt: every method forwards to <see cref="Async"/> or
/// <see cref="AsyncWaitCtx"/>, and, inside <see cref="Hunt.Explore"/>, first lets the attached monitors check the
/// call and (when a failing schedule is replayed for its report) records it with its source line. Outside a hunt
/// it only forwards. Call it the way C calls <c>ASYNC_*</c>; the caller-information parameters fill themselves in.
/// </summary>
public static class TracedAsync
{
    /// <summary><c>ASYNC_init_thread</c>.</summary>
    /// <param name="maxSize">The pool's <c>max_size</c> (0 = unlimited).</param>
    /// <param name="initSize">Jobs created now.</param>
    /// <param name="file">Filled in by the compiler.</param>
    /// <param name="line">Filled in by the compiler.</param>
    /// <returns>1 on success, 0 on failure.</returns>
    public static int InitThread(nuint maxSize, nuint initSize, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0)
    {
        Iteration? it = Iteration.Current;
        int queuedBefore = it is null ? 0 : Async.DescribeThread().QueuedErrors;
        int result = Async.InitThread(maxSize, initSize);
        if (it is not null)
        {
            ThreadRecord thread = it.CurrentThread;
            var site = new Site(file, line);
            if (result == 0)
            {
                it.CreditError(thread, site, queuedBefore, Async.DescribeThread().QueuedErrors);
            }

            if (it.Recording)
            {
                Done(it, thread, $"init_thread {maxSize} {initSize}", site, $"init_thread {maxSize} {initSize}", Int(result));
            }
        }

        return result;
    }

    /// <summary><c>ASYNC_cleanup_thread</c>.</summary>
    /// <param name="file">Filled in by the compiler.</param>
    /// <param name="line">Filled in by the compiler.</param>
    public static void CleanupThread([CallerFilePath] string file = "", [CallerLineNumber] int line = 0)
    {
        Iteration? it = Iteration.Current;
        if (it is not null)
        {
            ThreadRecord thread = it.CurrentThread;
            var site = new Site(file, line);
            Done(it, thread, "cleanup_thread", site, "cleanup_thread", "");
            it.BeforeCleanupThread(thread, site);
        }

        Async.CleanupThread();
    }

    /// <summary><c>ASYNC_start_job</c> without arguments: starts a new job when <paramref name="job"/> is null, else resumes it.</summary>
    /// <param name="job">The job variable, written back as C writes <c>*job</c>.</param>
    /// <param name="ctx">The wait ctx of a new job (ignored on a resume).</param>
    /// <param name="ret">Written with the job's return value at <c>FINISH</c>.</param>
    /// <param name="func">The job function of a new job.</param>
    /// <param name="file">Filled in by the compiler.</param>
    /// <param name="line">Filled in by the compiler.</param>
    /// <returns>What <see cref="Async.StartJob(ref AsyncJob, AsyncWaitCtx?, ref int, AsyncJobFunc?)"/> returns.</returns>
    public static AsyncResult StartJob(ref AsyncJob job, AsyncWaitCtx? ctx, ref int ret, AsyncJobFunc? func, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0)
    {
        Iteration? it = Iteration.Current;
        if (it is null)
        {
            return Async.StartJob(ref job, ctx, ref ret, func);
        }

        ThreadRecord thread = it.CurrentThread;
        var site = new Site(file, line);
        Step? step = null;
        if (it.Recording)
        {
            // Recorded before the monitors look at it, so that a call they reject is the schedule's last step.
            JobRecord? resumed = job.IsNull ? null : it.Job(job);
            string ctxName = ctx is null ? "-" : it.Context(ctx).Name;
            step = it.Record(thread, job.IsNull ? $"start_job ctx={ctxName}" : $"start_job (resume {resumed?.Label ?? "an unknown job"})", site, null)!;
            step.Target = resumed;

            // A scenario's job variable is NULL after FINISH: it cannot name a finished job (or a handle never returned).
            step.Inexpressible = !job.IsNull && resumed is not { Phase: JobPhase.Paused };
        }

        JobRecord record = it.BeforeStart(thread, job, ctx, site);
        if (step is not null)
        {
            step.Target = record;
        }

        AsyncResult result;
        try
        {
            result = Async.StartJob(ref job, ctx, ref ret, func);
        }
        catch (Exception e)
        {
            it.Abandon(thread, record);
            if (step is not null)
            {
                step.Result = e is UndefinedBehaviorException ub ? "UB " + ub.RuleId : e.GetType().Name;
            }

            throw;
        }

        it.AfterStart(thread, record, job, result, ret, site);
        if (step is not null)
        {
            step.Result = result switch
            {
                AsyncResult.Pause => "PAUSE " + record.Label,
                AsyncResult.Finish => "FINISH " + Int(ret),
                AsyncResult.NoJobs => "NO_JOBS",
                _ => "ERR",
            };
            thread.LastSnapshot = Async.DescribeThread();
        }

        return result;
    }

    /// <summary><c>ASYNC_pause_job</c>: <c>await TracedAsync.PauseJob();</c> inside a job.</summary>
    /// <param name="file">Filled in by the compiler.</param>
    /// <param name="line">Filled in by the compiler.</param>
    /// <returns>The awaitable of <see cref="Async.PauseJob"/>.</returns>
    public static PauseAwaitable PauseJob([CallerFilePath] string file = "", [CallerLineNumber] int line = 0)
    {
        Iteration? it = Iteration.Current;
        if (it is not null)
        {
            ThreadRecord thread = it.CurrentThread;
            var site = new Site(file, line);
            if (thread.Running is { } job)
            {
                job.PauseSite = site;
            }

            it.Record(thread, thread.Blocked > 0 ? "pause_job (blocked: returns at once)" : "pause_job", site, "pause");
        }

        return Async.PauseJob();
    }

    /// <summary><c>ASYNC_get_current_job</c>.</summary>
    /// <param name="file">Filled in by the compiler.</param>
    /// <param name="line">Filled in by the compiler.</param>
    /// <returns>The running job, or the null handle.</returns>
    public static AsyncJob GetCurrentJob([CallerFilePath] string file = "", [CallerLineNumber] int line = 0)
    {
        AsyncJob job = Async.GetCurrentJob();
        if (Iteration.Current is { } it)
        {
            ThreadRecord thread = it.CurrentThread;
            var site = new Site(file, line);
            if (it.Recording)
            {
                Done(it, thread, "get_current_job", site, "current_job", thread.Running?.Label ?? (job.IsNull ? "NULL" : "?"));
            }

            it.SeeJob(thread, job, "get_current_job", site);
        }

        return job;
    }

    /// <summary><c>ASYNC_get_wait_ctx</c>.</summary>
    /// <param name="job">A job.</param>
    /// <param name="file">Filled in by the compiler.</param>
    /// <param name="line">Filled in by the compiler.</param>
    /// <returns>The job's wait ctx, or null.</returns>
    public static AsyncWaitCtx? GetWaitCtx(AsyncJob job, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0)
    {
        AsyncWaitCtx? ctx = Async.GetWaitCtx(job);
        if (Iteration.Current is { } it)
        {
            ThreadRecord thread = it.CurrentThread;
            var site = new Site(file, line);
            Done(it, thread, "get_wait_ctx", site, thread.Running is null ? null : "wait_ctx", ctx is null ? "NULL" : it.Context(ctx).Name);
            it.SeeJob(thread, job, "get_wait_ctx", site);
        }

        return ctx;
    }

    /// <summary><c>ASYNC_block_pause</c>.</summary>
    /// <param name="file">Filled in by the compiler.</param>
    /// <param name="line">Filled in by the compiler.</param>
    public static void BlockPause([CallerFilePath] string file = "", [CallerLineNumber] int line = 0)
    {
        Async.BlockPause();
        if (Iteration.Current is { } it)
        {
            ThreadRecord thread = it.CurrentThread;
            thread.Blocked++;
            thread.LastBlockSite = new Site(file, line);
            Done(it, thread, "block_pause", thread.LastBlockSite, "block_pause", "");
        }
    }

    /// <summary><c>ASYNC_unblock_pause</c>.</summary>
    /// <param name="file">Filled in by the compiler.</param>
    /// <param name="line">Filled in by the compiler.</param>
    public static void UnblockPause([CallerFilePath] string file = "", [CallerLineNumber] int line = 0)
    {
        Async.UnblockPause();
        if (Iteration.Current is { } it)
        {
            ThreadRecord thread = it.CurrentThread;
            if (thread.Blocked > 0)
            {
                thread.Blocked--;
            }

            Done(it, thread, "unblock_pause", new Site(file, line), "unblock_pause", "");
        }
    }

    /// <summary><c>ASYNC_WAIT_CTX_new</c>, with a name for reports (<c>C1</c>, <c>C2</c>, … when none is given).</summary>
    /// <param name="name">The name reports use, a scenario name (<c>[A-Za-z_][A-Za-z0-9_]*</c>).</param>
    /// <param name="file">Filled in by the compiler.</param>
    /// <param name="line">Filled in by the compiler.</param>
    /// <returns>The new wait ctx.</returns>
    public static AsyncWaitCtx NewWaitCtx(string? name = null, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0)
    {
        AsyncWaitCtx ctx = AsyncWaitCtx.New();
        if (Iteration.Current is { } it)
        {
            CtxRecord record = it.NewContext(ctx, name);
            if (it.Recording)
            {
                Done(it, it.CurrentThread, "wait_ctx_new " + record.Name, new Site(file, line), "ctx_new " + record.Name, record.Name);
            }
        }

        return ctx;
    }

    /// <summary><c>ASYNC_WAIT_CTX_free</c>.</summary>
    /// <param name="ctx">The wait ctx, or null.</param>
    /// <param name="file">Filled in by the compiler.</param>
    /// <param name="line">Filled in by the compiler.</param>
    public static void FreeWaitCtx(AsyncWaitCtx? ctx, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0)
    {
        if (Iteration.Current is { } it && ctx is not null)
        {
            ThreadRecord thread = it.CurrentThread;
            CtxRecord record = it.Context(ctx);
            var site = new Site(file, line);
            if (it.Recording)
            {
                Done(it, thread, "wait_ctx_free " + record.Name, site, "ctx_free " + record.Name, "");
            }

            it.BeforeCtxFree(thread, record, site);
            AsyncWaitCtx.Free(ctx);
            record.Freed = true;
            record.FreedSite = site;
            return;
        }

        AsyncWaitCtx.Free(ctx);
    }

    /// <summary><c>ASYNC_WAIT_CTX_set_wait_fd</c>.</summary>
    /// <param name="ctx">The wait ctx.</param>
    /// <param name="key">The engine's key.</param>
    /// <param name="fd">The fd.</param>
    /// <param name="customData">The engine's data.</param>
    /// <param name="cleanup">Called when the ctx is freed (not by clear).</param>
    /// <param name="file">Filled in by the compiler.</param>
    /// <param name="line">Filled in by the compiler.</param>
    /// <returns>1 on success.</returns>
    public static int SetWaitFd(AsyncWaitCtx ctx, object? key, int fd, object? customData, AsyncWaitFdCleanup? cleanup, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0)
    {
        int result = ctx.SetWaitFd(key, fd, customData, cleanup);
        if (Iteration.Current is { Recording: true } it)
        {
            string c = CtxArg(it, ctx);
            string k = it.NameOf(key, "K");
            string d = it.NameOf(customData, "D");
            Done(it, it.CurrentThread, $"set_wait_fd {c} {k} fd={Int(fd)}", new Site(file, line), $"set_wait_fd {c} {k} {Int(fd)} {d} {(cleanup is null ? "-" : "cleanup")}", Int(result));
        }

        return result;
    }

    /// <summary><c>ASYNC_WAIT_CTX_get_fd</c>.</summary>
    /// <param name="ctx">The wait ctx.</param>
    /// <param name="key">The key.</param>
    /// <param name="fd">Written with the fd when found.</param>
    /// <param name="customData">Written with the data when found.</param>
    /// <param name="file">Filled in by the compiler.</param>
    /// <param name="line">Filled in by the compiler.</param>
    /// <returns>1 when found.</returns>
    public static int GetFd(AsyncWaitCtx ctx, object? key, ref int fd, ref object? customData, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0)
    {
        int result = ctx.GetFd(key, ref fd, ref customData);
        if (Iteration.Current is { Recording: true } it)
        {
            string c = CtxArg(it, ctx);
            string k = it.NameOf(key, "K");
            Done(it, it.CurrentThread, $"get_fd {c} {k}", new Site(file, line), $"get_fd {c} {k}", result == 1 ? $"1 fd={Int(fd)}" : "0");
        }

        return result;
    }

    /// <summary><c>ASYNC_WAIT_CTX_clear_fd</c> (it never calls the cleanup: whoever clears an fd closes it).</summary>
    /// <param name="ctx">The wait ctx.</param>
    /// <param name="key">The key.</param>
    /// <param name="file">Filled in by the compiler.</param>
    /// <param name="line">Filled in by the compiler.</param>
    /// <returns>1 when the key was found.</returns>
    public static int ClearFd(AsyncWaitCtx ctx, object? key, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0)
    {
        int result = ctx.ClearFd(key);
        if (Iteration.Current is { Recording: true } it)
        {
            string c = CtxArg(it, ctx);
            string k = it.NameOf(key, "K");
            Done(it, it.CurrentThread, $"clear_fd {c} {k}", new Site(file, line), $"clear_fd {c} {k}", Int(result));
        }

        return result;
    }

    /// <summary><c>ASYNC_WAIT_CTX_get_all_fds</c>, returning the fds as an array.</summary>
    /// <param name="ctx">The wait ctx.</param>
    /// <param name="file">Filled in by the compiler.</param>
    /// <param name="line">Filled in by the compiler.</param>
    /// <returns>Every fd of the ctx, oldest first.</returns>
    public static int[] GetAllFds(AsyncWaitCtx ctx, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0)
    {
        ctx.GetAllFds([], out int count);
        int[] fds = new int[count];
        ctx.GetAllFds(fds, out _);
        if (Iteration.Current is { Recording: true } it)
        {
            string c = CtxArg(it, ctx);
            Done(it, it.CurrentThread, $"get_all_fds {c}", new Site(file, line), $"get_all_fds {c}", $"[{string.Join(' ', fds)}]");
        }

        return fds;
    }

    /// <summary><c>ASYNC_WAIT_CTX_get_changed_fds</c>, returning the added and deleted fds as arrays.</summary>
    /// <param name="ctx">The wait ctx.</param>
    /// <param name="file">Filled in by the compiler.</param>
    /// <param name="line">Filled in by the compiler.</param>
    /// <returns>The fds added and deleted since the job was last resumed.</returns>
    public static (int[] Added, int[] Deleted) GetChangedFds(AsyncWaitCtx ctx, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0)
    {
        ctx.GetChangedFds([], out int numAdd, [], out int numDel);
        int[] added = new int[numAdd];
        int[] deleted = new int[numDel];
        ctx.GetChangedFds(added, out _, deleted, out _);
        if (Iteration.Current is { Recording: true } it)
        {
            string c = CtxArg(it, ctx);
            Done(it, it.CurrentThread, $"get_changed_fds {c}", new Site(file, line), $"get_changed_fds {c}", $"add=[{string.Join(' ', added)}] del=[{string.Join(' ', deleted)}]");
        }

        return (added, deleted);
    }

    /// <summary><c>ASYNC_WAIT_CTX_set_callback</c>.</summary>
    /// <param name="ctx">The wait ctx.</param>
    /// <param name="callback">The callback.</param>
    /// <param name="callbackArg">Its argument.</param>
    /// <param name="file">Filled in by the compiler.</param>
    /// <param name="line">Filled in by the compiler.</param>
    /// <returns>1 on success.</returns>
    public static int SetCallback(AsyncWaitCtx ctx, AsyncWaitCallback? callback, object? callbackArg, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0)
    {
        int result = AsyncWaitCtx.SetCallback(ctx, callback, callbackArg);
        if (Iteration.Current is { } it)
        {
            CtxRecord record = it.Context(ctx);
            record.CallbackSet = callback is not null;
            if (it.Recording)
            {
                string cb = it.NameOf(callback, "CB");
                string arg = it.NameOf(callbackArg, "A");
                Done(it, it.CurrentThread, $"set_callback {record.Name} {cb}({arg})", new Site(file, line), $"set_callback {CtxArg(it, ctx)} {cb} {arg}", Int(result));
            }
        }

        return result;
    }

    /// <summary><c>ASYNC_WAIT_CTX_get_callback</c>.</summary>
    /// <param name="ctx">The wait ctx.</param>
    /// <param name="callback">Written with the callback when one is set.</param>
    /// <param name="callbackArg">Written with its argument.</param>
    /// <param name="file">Filled in by the compiler.</param>
    /// <param name="line">Filled in by the compiler.</param>
    /// <returns>1 when a callback is set.</returns>
    public static int GetCallback(AsyncWaitCtx ctx, ref AsyncWaitCallback? callback, ref object? callbackArg, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0)
    {
        int result = ctx.GetCallback(ref callback, ref callbackArg);
        if (Iteration.Current is { Recording: true } it)
        {
            string c = CtxArg(it, ctx);
            Done(it, it.CurrentThread, $"get_callback {c}", new Site(file, line), $"get_callback {c}", result == 1 ? $"1 {it.NameOf(callback, "CB")}({it.NameOf(callbackArg, "A")})" : "0");
        }

        return result;
    }

    /// <summary><c>ASYNC_WAIT_CTX_set_status</c>.</summary>
    /// <param name="ctx">The wait ctx.</param>
    /// <param name="status">A <see cref="AsyncWaitStatus"/> value.</param>
    /// <param name="file">Filled in by the compiler.</param>
    /// <param name="line">Filled in by the compiler.</param>
    /// <returns>1 on success.</returns>
    public static int SetStatus(AsyncWaitCtx ctx, int status, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0)
    {
        int result = ctx.SetStatus(status);
        if (Iteration.Current is { Recording: true } it)
        {
            string c = CtxArg(it, ctx);
            Done(it, it.CurrentThread, $"set_status {c} {StatusName(status)}", new Site(file, line), $"set_status {c} {StatusName(status)}", Int(result));
        }

        return result;
    }

    /// <summary><c>ASYNC_WAIT_CTX_get_status</c>.</summary>
    /// <param name="ctx">The wait ctx.</param>
    /// <param name="file">Filled in by the compiler.</param>
    /// <param name="line">Filled in by the compiler.</param>
    /// <returns>The status.</returns>
    public static int GetStatus(AsyncWaitCtx ctx, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0)
    {
        int status = ctx.GetStatus();
        if (Iteration.Current is { Recording: true } it)
        {
            string c = CtxArg(it, ctx);
            Done(it, it.CurrentThread, $"get_status {c}", new Site(file, line), $"get_status {c}", StatusName(status));
        }

        return status;
    }

    /// <summary>
    /// An engine or device fires the callback it read from <paramref name="ctx"/> (what a completion interrupt does):
    /// the <see cref="AsyncMonitors.Teardown"/> monitor checks that the ctx is still alive first.
    /// </summary>
    /// <param name="ctx">The wait ctx the callback was read from.</param>
    /// <param name="callback">The callback.</param>
    /// <param name="callbackArg">Its argument.</param>
    /// <param name="file">Filled in by the compiler.</param>
    /// <param name="line">Filled in by the compiler.</param>
    /// <returns>What the callback returns.</returns>
    public static int InvokeCallback(AsyncWaitCtx ctx, AsyncWaitCallback callback, object? callbackArg, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0)
    {
        if (Iteration.Current is { } it)
        {
            // A completion interrupt can be delayed arbitrarily: let every other thread run before it fires.
            SchedulingPoint.Interleave();
            ThreadRecord thread = it.CurrentThread;
            CtxRecord record = it.Context(ctx);
            var site = new Site(file, line);
            if (it.Recording)
            {
                Step step = it.Record(thread, $"callback of {record.Name} fired", site, "call_callback " + record.Name)!;
                step.CallbackCtx = record;
            }

            it.BeforeCallback(thread, record, site);
            CtxRecord? outer = thread.InCallback;
            thread.InCallback = record;
            try
            {
                return callback(callbackArg);
            }
            finally
            {
                thread.InCallback = outer;
            }
        }

        return callback(callbackArg);
    }

    /// <summary>
    /// <c>ERR_raise(lib, reason)</c>: queues <paramref name="error"/> on the calling thread's error queue, as engine code
    /// reports a failure. The <see cref="AsyncMonitors.ErrorIsolation"/> monitor credits it to the thread it is raised
    /// for (inside a wait ctx's callback: the thread of the job using that ctx).
    /// </summary>
    /// <param name="error">The error.</param>
    /// <param name="file">Filled in by the compiler.</param>
    /// <param name="line">Filled in by the compiler.</param>
    public static void RaiseError(AsyncError error, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0)
    {
        Iteration? it = Iteration.Current;
        int queuedBefore = it is null ? 0 : Async.DescribeThread().QueuedErrors;
        Async.RaiseError(error);
        if (it is not null)
        {
            ThreadRecord thread = it.CurrentThread;
            var site = new Site(file, line);
            it.CreditError(thread, site, queuedBefore, Async.DescribeThread().QueuedErrors);
            if (it.Recording)
            {
                it.Record(thread, "raise_error " + error.Name, site, null)!.Inexpressible = true;
            }
        }
    }

    /// <summary>
    /// Drains the calling thread's error queue (<c>ERR_get_error</c> until 0), oldest first. The
    /// <see cref="AsyncMonitors.ErrorIsolation"/> monitor checks that every error raised through this façade and drained
    /// here belongs to the calling thread.
    /// </summary>
    /// <param name="file">Filled in by the compiler.</param>
    /// <param name="line">Filled in by the compiler.</param>
    /// <returns>The queued errors.</returns>
    public static IReadOnlyList<AsyncError> DrainErrors([CallerFilePath] string file = "", [CallerLineNumber] int line = 0)
    {
        IReadOnlyList<AsyncError> errors = Async.DrainErrors();
        if (Iteration.Current is { } it)
        {
            ThreadRecord thread = it.CurrentThread;
            var site = new Site(file, line);
            if (it.Recording)
            {
                Done(it, thread, "errors", site, "errors", "[" + string.Join(' ', errors.Select(e => e.Name)) + "]");
            }

            it.ErrorsDrained(thread, errors, site);
        }

        return errors;
    }

    /// <summary>
    /// Notes that the wake of <paramref name="fd"/> was signalled (an eventfd written, a pipe made readable), so a
    /// deadlock report can tell a lost wake-up from one that never came. Not an ASYNC call.
    /// </summary>
    /// <param name="fd">The fd.</param>
    /// <param name="file">Filled in by the compiler.</param>
    /// <param name="line">Filled in by the compiler.</param>
    public static void NoteWake(int fd, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0)
    {
        if (Iteration.Current is { Recording: true } it)
        {
            it.Record(it.CurrentThread, $"wake fd {Int(fd)}", new Site(file, line), null)!.WakeFd = fd;
        }
    }

    /// <summary>Notes that the wake of <paramref name="fd"/> was consumed (the eventfd read). Not an ASYNC call.</summary>
    /// <param name="fd">The fd.</param>
    /// <param name="file">Filled in by the compiler.</param>
    /// <param name="line">Filled in by the compiler.</param>
    public static void NoteWakeConsumed(int fd, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0)
    {
        if (Iteration.Current is { Recording: true } it)
        {
            Step step = it.Record(it.CurrentThread, $"consume wake fd {Int(fd)}", new Site(file, line), null)!;
            step.WakeFd = fd;
            step.IsWakeConsumed = true;
        }
    }

    /// <summary>Records a finished call when recording; callers that build strings for it check <see cref="Iteration.Recording"/> first.</summary>
    private static void Done(Iteration it, ThreadRecord thread, string call, Site site, string? statement, string result)
    {
        if (it.Recording && it.Record(thread, call, site, statement) is { } step)
        {
            step.Result = result;
            if (thread.Running is null)
            {
                thread.LastSnapshot = Async.DescribeThread();
            }
        }
    }

    /// <summary>The ctx as a scenario argument: <c>.</c> inside a job for the job's own ctx, else its name.</summary>
    private static string CtxArg(Iteration it, AsyncWaitCtx ctx) =>
        it.CurrentThread.Running is { } job && ReferenceEquals(job.Ctx, ctx) ? "." : it.Context(ctx).Name;

    private static string StatusName(int status) => status switch
    {
        AsyncWaitStatus.Unsupported => "UNSUPPORTED",
        AsyncWaitStatus.Err => "ERR",
        AsyncWaitStatus.Ok => "OK",
        AsyncWaitStatus.EAgain => "EAGAIN",
        _ => Int(status),
    };

    private static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Int(nuint value) => value.ToString(CultureInfo.InvariantCulture);
}
