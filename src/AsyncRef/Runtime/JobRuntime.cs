using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using AsyncRef.Model;

namespace AsyncRef;

/// <summary>
/// The job driver: <c>ASYNC_start_job</c> and the hooks the builder and awaiters call. A job's function runs inline
/// on the calling thread; a pause leaves its state machine in <see cref="JobCore.ResumePoint"/> and the next start
/// on the same thread resumes it there.
/// </summary>
internal static class JobRuntime
{
    internal static AsyncResult Start(ref AsyncJob job, AsyncWaitCtx? ctx, ref int ret, AsyncJobFunc? func, byte[]? args, int size)
    {
        AsyncThreadState thread = AsyncThreadState.Current;
        if (thread.CurrentJob is { } running)
        {
            if (job.IsNull && running.Resumed && thread.Profile != AsyncProfile.OpenSsl111)
            {
                // 3.x: after a resume the running job's hidden status is "paused", and with a NULL handle that branch
                // returns ERR before touching anything (1.1.1 lacks the check and crashes).
                return AsyncResult.Err;
            }

            throw new UndefinedBehaviorException(
                UbRules.NestedStart, "ASYNC_start_job was called while a job is running on this thread");
        }

        if (job.Core is { } paused)
        {
            // The restart's preconditions in one inlined test; the out-of-line check finds which one failed and throws.
            if (paused.Generation != job.Generation || paused.State != AsyncJobState.Paused || paused.Owner != thread
                || paused.WaitCtx is not { IsFreed: false })
            {
                RejectRestart(thread, job, paused);
            }

            Resume(thread, paused);
            return Conclude(thread, paused, in paused.Root, ref job, ref ret);
        }

        return StartNew(thread, ref job, ctx, ref ret, func, args, size);
    }

    /// <summary>
    /// The job a pause awaiter suspends: the one it captured while that job is running (the normal case, saving a
    /// thread-static read), else the thread's current job (an awaiter made outside a job, or kept past its job).
    /// A running captured job runs on the thread that made the awaiter: awaiting it on another thread is
    /// <see cref="UbRules.CrossThreadAwait"/>, which only checked mode detects (the check needs the thread-static read
    /// the capture saves; unchecked, the awaiter suspends the captured job from the other thread).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static JobCore? PausingJob(JobCore? captured) =>
        captured is { State: AsyncJobState.Running }
            ? (Async.CheckedMode ? OnAwaitingThread(captured) : captured)
            : AsyncThreadState.CurrentOrNull?.CurrentJob;

    /// <summary>Checked mode: <paramref name="job"/>, a running job a pause awaiter captured, runs on the awaiting thread.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static JobCore OnAwaitingThread(JobCore job)
    {
        CheckAwaitingThread(job.Owner, "a pause awaiter made in a job running on one thread was awaited on another thread");
        return job;
    }

    /// <summary>
    /// Checked mode: the awaiting thread is <paramref name="home"/>, the thread of the job whose pause awaiter or pending
    /// JobTask is awaited (see the builder; unchecked, the await goes through, and the awaiting start reports a
    /// suspension without a pause); otherwise throws <see cref="UbRules.CrossThreadAwait"/> with <paramref name="message"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static void CheckAwaitingThread(AsyncThreadState? home, string message)
    {
        if (home != AsyncThreadState.CurrentOrNull)
        {
            throw new UndefinedBehaviorException(UbRules.CrossThreadAwait, message);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool PauseIsNoOp(JobCore? captured)
    {
        if (PausingJob(captured) is not { } job)
        {
            return true;
        }

        // A running job's owner is the thread it runs on.
        AsyncThreadState thread = job.Owner!;
        if (thread.Blocked == 0)
        {
            return false;
        }

        // Pausing is blocked: the machine ignores the pause, the job stays running.
        job.Transition(JobTrigger.Pause, thread);
        return true;
    }

    /// <summary>Records the suspension of <paramref name="job"/> (see <see cref="PausingJob"/>) at <paramref name="resumePoint"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void RegisterPause(JobCore? job, JobStep resumePoint)
    {
        if (job is not { PausePending: false })
        {
            RejectPause(job);
        }

        job.PausePending = true;
        job.ResumePoint = resumePoint;
    }

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void RejectPause(JobCore? job) =>
        throw (job is null
            ? new InvalidOperationException("a pause was registered outside a job")
            : new UndefinedBehaviorException(
                UbRules.DanglingPause, "a job function paused again while an earlier pause of the job was still pending"));

    /// <summary>Throws for a JobTask method awaiting a pending task that is not its running job's (see the builder).</summary>
    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static void RejectForeignTask() =>
        throw new UndefinedBehaviorException(
            UbRules.ForeignAwait,
            "a JobTask method awaited a pending JobTask of another job, or outside a job (only that job's restart can complete it)");

    internal static void RecordForeignAwaiter(Type awaiterType)
    {
        if (AsyncThreadState.CurrentOrNull?.CurrentJob is { } job)
        {
            job.Misuse ??= $"a method that is not a JobTask method awaited '{awaiterType.Name}' inside a job";
        }
    }

    internal static AsyncWaitCtx? GetWaitCtx(AsyncJob job)
    {
        if (job.Core is not { } core)
        {
            throw new UndefinedBehaviorException(UbRules.NullJob, "ASYNC_get_wait_ctx was called with a NULL job");
        }

        // C reads the job object's field without checking the handle: FINISH cleared it, so a stale handle gives NULL
        // while the object is idle, and the new use's context once the pool has handed the object out again.
        return core.WaitCtx;
    }

    private static AsyncResult StartNew(
        AsyncThreadState thread, ref AsyncJob job, AsyncWaitCtx? ctx, ref int ret, AsyncJobFunc? func, byte[]? args, int size)
    {
        if (size < 0 || (args is not null && size > args.Length))
        {
            throw new ArgumentOutOfRangeException(nameof(size), "size must lie between 0 and the length of args");
        }

        // Checked before a job leaves the pool, so a rejected call changes nothing.
        ctx?.EnsureLive("ASYNC_start_job");
        bool argsCopyFails = args is not null && size == 0 && thread.Profile == AsyncProfile.OpenSsl111;
        if (func is null && !argsCopyFails && (thread.Pool is not { } existing || existing.IdleCount > 0 || existing.HasBudget))
        {
            // C calls through the NULL pointer only once it has a job and the args copy succeeded: NO_JOBS and the
            // 1.1.1 copy failure below stay defined.
            throw new UndefinedBehaviorException(UbRules.NullFunc, "ASYNC_start_job would call a NULL job function in a new job");
        }

        JobPool pool = thread.Pool ??= new JobPool(0, 0, thread);
        if (!TryTakeJob(thread, pool, out JobCore core))
        {
            return AsyncResult.NoJobs;
        }

        if (argsCopyFails)
        {
            // 1.1.1 asks OPENSSL_malloc for 0 bytes, which always fails: the job goes straight back to the pool.
            Finish(thread, core);
            Release(thread, core);
            thread.Errors.Enqueue(new AsyncError(AsyncError.LibAsync, AsyncError.MallocFailure));
            return AsyncResult.Err;
        }

        // A pooled job keeps its owner (only the owner releases it, into the owner's pool), so the common start
        // writes no reference here.
        if (core.Owner != thread)
        {
            core.Owner = thread;
        }

        core.OwnerCleanups = thread.Cleanups;
        core.WaitCtx = ctx;
        ctx?.AttachJob();
        if (args is not null && size > 0)
        {
            // An idle job holds no args (a pool invariant), so the common case, no args, writes nothing.
            core.Args = args.AsSpan(0, size).ToArray();
        }

        thread.CurrentJob = core;
        JobTask<int> root;
        try
        {
            root = func!(core.Args);
        }
        catch (Exception e)
        {
            // A delegate that is not an async method can throw before returning a task.
            root = new JobTask<int>(ExceptionDispatchInfo.Capture(e));
        }

        if (!root.IsCompleted)
        {
            // Only a job that did not finish in its first segment needs its task again (at its restarts).
            core.Root = root;
        }

        return Conclude(thread, core, in root, ref job, ref ret);
    }

    /// <summary>Throws for a restart whose preconditions do not hold (the caller found one that fails).</summary>
    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void RejectRestart(AsyncThreadState thread, AsyncJob handle, JobCore core)
    {
        if (core.Generation != handle.Generation || core.State != AsyncJobState.Paused)
        {
            if (core.State != AsyncJobState.Paused)
            {
                ModelRefusal(thread, core, JobTrigger.Resume);
            }

            throw new UndefinedBehaviorException(
                UbRules.StaleHandle, "the job handle does not hold a paused job (it finished or was reused)");
        }

        if (core.Owner != thread)
        {
            ModelRefusal(thread, core, JobTrigger.Resume);
            throw new UndefinedBehaviorException(
                UbRules.CrossThreadResume, "a paused job was restarted on a thread other than the one that started it");
        }

        if (core.WaitCtx is null)
        {
            ModelRefusal(thread, core, JobTrigger.Resume);
            throw new UndefinedBehaviorException(
                UbRules.NullWaitCtx, "a job started with a NULL wait context cannot be restarted (its reset would dereference NULL)");
        }

        // Freeing it was defined (a job that is never restarted only leaks); the reset of this restart is not.
        throw new UndefinedBehaviorException(
            UbRules.CtxFreedInUse, "a job whose wait context was freed was restarted (its reset would write into the freed context)");
    }

    private static bool TryTakeJob(AsyncThreadState thread, JobPool pool, out JobCore core)
    {
        if (pool.TryPop(out core))
        {
            core.Transition(JobTrigger.Reuse, thread);
            return true;
        }

        if (pool.HasBudget)
        {
            // A stack allocator that fails makes the start return NO_JOBS, budget untouched (E15).
            return pool.TryCreate(thread, out core);
        }

        ModelRefusal(thread, null, JobTrigger.Create);
        return false;
    }

    private static void Resume(AsyncThreadState thread, JobCore core)
    {
        core.Transition(JobTrigger.Resume, thread);
        thread.PausedJobs--;
        thread.CurrentJob = core;
        core.Resumed = true;
        core.PausePending = false;
        JobStep step = core.ResumePoint!;
        core.ResumePoint = null;
        // The reset belongs to the restart, on the context the job was started with (spec WCTX-13). In C the resumed
        // fibre does it first thing on returning from its pause; here the resume point is always the state machine
        // that awaited the pause, and the first thing it runs is that await's result, so nothing can observe the
        // reset happening just before it runs rather than inside it.
        core.WaitCtx!.ResetCounts();
        try
        {
            step.MoveNext();
        }
        catch (Exception e)
        {
            // Compiler-generated MoveNext catches user exceptions; anything escaping is a runtime fault.
            core.Misuse ??= "the job's continuation failed: " + e.Message;
        }

        // Parents whose awaited child completed, one after another (a trampoline, not recursion). Only a resume can
        // complete a box: a box exists only after a suspension, and only the runtime runs one.
        while (step.TakeContinuationIfCompleted() is { } parent)
        {
            step = parent;
            parent.MoveNext();
        }
    }

    /// <summary>Ends a segment of <paramref name="core"/>, whose task is <paramref name="root"/>.</summary>
    private static AsyncResult Conclude(AsyncThreadState thread, JobCore core, in JobTask<int> root, ref AsyncJob job, ref int ret)
    {
        thread.CurrentJob = null;
        if (core.Misuse is { } misuse)
        {
            throw Fault(thread, core, ref job, new UndefinedBehaviorException(UbRules.ForeignAwait, misuse));
        }

        if (root.IsCompleted)
        {
            if (core.PausePending)
            {
                throw Fault(thread, core, ref job, new UndefinedBehaviorException(
                    UbRules.DanglingPause, "the job function returned while a pause it started was still pending"));
            }

            // A job paused across its thread's cleanup_thread: C's fibre returns to the freed thread state it captured.
            bool outlivedThreadState = core.OwnerCleanups != thread.Cleanups;
            Finish(thread, core);
            // The job is released whether its function returned or threw; ret stays untouched on a throw. (A catch
            // that rethrows rather than a finally: the JIT inlines no finally here, it calls it as a funclet.)
            int result;
            try
            {
                result = root.ConsumeResult(core);
            }
            catch
            {
                Release(thread, core);
                job = default;
                throw;
            }

            Release(thread, core);
            job = default;

            if (outlivedThreadState)
            {
                throw new UndefinedBehaviorException(
                    UbRules.CleanupWhilePaused, "the function of a job paused across ASYNC_cleanup_thread returned (C returns to the freed thread state)");
            }

            if (Unsafe.IsNullRef(ref ret))
            {
                throw new UndefinedBehaviorException(UbRules.NullRet, "the job finished but ret is NULL (C writes *ret unchecked)");
            }

            ret = result;
            return AsyncResult.Finish;
        }

        if (core.PausePending)
        {
            core.Transition(JobTrigger.Pause, thread);
            thread.PausedJobs++;
            job = new AsyncJob(core);
            return AsyncResult.Pause;
        }

        throw Fault(thread, core, ref job, new UndefinedBehaviorException(
            UbRules.ForeignAwait, "the job function suspended on something other than Async.PauseJob()"));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Finish(AsyncThreadState thread, JobCore core) => core.Transition(JobTrigger.Return, thread);

    /// <summary>In checked mode, requires the job machine to refuse what the runtime refuses.</summary>
    private static void ModelRefusal(AsyncThreadState thread, JobCore? core, JobTrigger trigger)
    {
        if (Async.Modelling)
        {
            AsyncThreadState.CheckedModels.JobRefused(core, trigger, thread);
        }
    }

    private static Exception Fault(AsyncThreadState thread, JobCore core, ref AsyncJob job, Exception error)
    {
        Finish(thread, core);
        Release(thread, core);
        job = default;
        return error;
    }

    private static void Release(AsyncThreadState thread, JobCore core)
    {
        core.Transition(JobTrigger.Release, thread);
        core.WaitCtx?.DetachJob();
        core.WaitCtx = null;
        core.Args = null;
        core.Root = default;
        core.ResumePoint = null;
        core.PausePending = false;
        core.Resumed = false;
        core.Misuse = null;
        core.Generation++;
        // The job joins the calling thread's current pool, which may be a newer pool than the one it came from.
        (thread.Pool ??= new JobPool(0, 0, thread)).Push(core);
    }
}
