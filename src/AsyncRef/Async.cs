using System.Runtime.CompilerServices;

namespace AsyncRef;

/// <summary>A job function: <c>int (*func)(void *)</c>. It receives the job's private copy of the start arguments, or null.</summary>
/// <param name="args">The copy made at start (null when <c>args</c> was null or <c>size</c> was 0).</param>
/// <returns>The value <see cref="Async.StartJob(ref AsyncJob, AsyncWaitCtx, ref int, AsyncJobFunc, byte[], int)"/> writes to <c>ret</c> at finish.</returns>
public delegate JobTask<int> AsyncJobFunc(byte[]? args);

/// <summary>
/// OpenSSL's ASYNC job API (<c>ASYNC_*</c>), one method per C function, with C's results and in/out parameters.
/// All state is per thread, as in OpenSSL: the pool, the current job, the block counter and the error queue.
/// A job runs on the thread that starts it and can only be restarted there.
/// </summary>
public static class Async
{
    /// <summary>The environment variable that sets <see cref="DefaultCheckedMode"/>: <c>1</c> on, <c>0</c> off.</summary>
    public const string CheckedModeVariable = "ASYNCREF_CHECKED";

    /// <summary>Whether checked mode is on (see <see cref="CheckedMode"/>).</summary>
    private static volatile bool s_checkedMode = DefaultCheckedMode;

    /// <summary>
    /// The one place that decides checked mode's default, for every build and every program (the <c>asyncref</c>
    /// CLI included): on, unless the environment variable <see cref="CheckedModeVariable"/> is <c>0</c>
    /// (<c>1</c> also means on; other values are ignored). A reference implementation checks itself unless told not to.
    /// </summary>
    public static bool DefaultCheckedMode => Environment.GetEnvironmentVariable(CheckedModeVariable) != "0";

    /// <summary>
    /// Checked mode validates every job and wait-ctx transition against the Stateless models and checks the pool
    /// and wait-ctx invariants after every mutation; a violation throws <see cref="InvariantViolationException"/>.
    /// It starts as <see cref="DefaultCheckedMode"/>.
    /// </summary>
    public static bool CheckedMode
    {
        get => s_checkedMode;
        set
        {
            s_checkedMode = value;
            RefreshModelling();
        }
    }

    /// <summary>Whether the runtime fires the Stateless machines on its transitions (the one flag its hot path tests).</summary>
    internal static bool Modelling => s_modelling;

    /// <summary>Whether transitions go through the Stateless machines: checked mode, or coverage being recorded.</summary>
    private static volatile bool s_modelling = s_checkedMode;

    /// <summary>Recomputes <see cref="Modelling"/> after checked mode or coverage recording changed.</summary>
    internal static void RefreshModelling() => s_modelling = s_checkedMode || Model.ModelCoverage.Recording is not null;

    /// <summary>The behaviour the calling thread reproduces (<see cref="AsyncProfile.OpenSsl30"/> unless set).</summary>
    public static AsyncProfile ThreadProfile
    {
        get => AsyncThreadState.Current.Profile;
        set => AsyncThreadState.Current.Profile = value;
    }

    /// <summary>
    /// The process-wide stack functions the calling thread shares (<see cref="AsyncStackMemory.Process"/> unless set).
    /// Threads that stand for one process share one instance.
    /// </summary>
    public static AsyncStackMemory ThreadStackMemory
    {
        get => AsyncThreadState.Current.StackMemory;
        set => AsyncThreadState.Current.StackMemory = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>
    /// <c>ASYNC_set_mem_functions(alloc_fn, free_fn)</c> (3.2+): replaces the functions that allocate and free job
    /// stacks, for every thread of the process (<see cref="ThreadStackMemory"/>).
    /// </summary>
    /// <param name="alloc">The new allocator; null keeps the current one.</param>
    /// <param name="free">The new free function; null keeps the current one.</param>
    /// <returns>1; 0, changing nothing and queuing no error, once any job of the process has been created (even
    /// if its stack allocation failed, and even after every stack was freed again).</returns>
    /// <exception cref="NotSupportedException">The thread's profile is not <see cref="AsyncProfile.OpenSsl32"/>: older releases lack the function.</exception>
    public static int SetMemFunctions(AsyncStackAlloc? alloc, AsyncStackFree? free) =>
        StackMemoryFor("ASYNC_set_mem_functions").Set(alloc, free);

    /// <summary><c>ASYNC_get_mem_functions(&amp;alloc_fn, &amp;free_fn)</c> (3.2+): the current stack functions.</summary>
    /// <param name="alloc">The allocator (<see cref="AsyncStackMemory.DefaultAlloc"/> before any set).</param>
    /// <param name="free">The free function (<see cref="AsyncStackMemory.DefaultFree"/> before any set).</param>
    /// <exception cref="NotSupportedException">The thread's profile is not <see cref="AsyncProfile.OpenSsl32"/>.</exception>
    public static void GetMemFunctions(out AsyncStackAlloc alloc, out AsyncStackFree free) =>
        (alloc, free) = StackMemoryFor("ASYNC_get_mem_functions").Get();

    private static AsyncStackMemory StackMemoryFor(string function)
    {
        AsyncThreadState thread = AsyncThreadState.Current;
        return thread.Profile == AsyncProfile.OpenSsl32
            ? thread.StackMemory
            : throw new NotSupportedException($"{function} exists only in OpenSSL 3.2 and later (profile {thread.Profile})");
    }

    /// <summary><c>ASYNC_init_thread(max_size, init_size)</c>: gives the thread a new pool, replacing any previous one.</summary>
    /// <param name="maxSize">The most jobs the pool may ever create; 0 means no limit.</param>
    /// <param name="initSize">Jobs created at once; must not exceed <paramref name="maxSize"/> (so 0 when it is 0).</param>
    /// <returns>1, or 0 with <c>INVALID_POOL_SIZE</c> queued when <paramref name="initSize"/> &gt; <paramref name="maxSize"/>.</returns>
    public static int InitThread(nuint maxSize, nuint initSize)
    {
        AsyncThreadState thread = AsyncThreadState.Current;
        if (initSize > maxSize)
        {
            thread.Errors.Enqueue(new AsyncError(AsyncError.LibAsync, AsyncError.InvalidPoolSize));
            return 0;
        }

        // Jobs out of the old pool join this one when they finish; its idle jobs are dropped, as OpenSSL leaks them.
        thread.Pool = new JobPool(maxSize, initSize, thread);
        return 1;
    }

    /// <summary>
    /// <c>ASYNC_cleanup_thread()</c>: frees the pool's idle jobs and the thread's async state (the block counter too).
    /// Jobs of the thread that are paused leak, as documented; one may still be restarted, but its function returning
    /// is <see cref="UbRules.CleanupWhilePaused"/> (C switches to the freed thread state).
    /// </summary>
    /// <exception cref="UndefinedBehaviorException"><see cref="UbRules.CleanupInJob"/> inside a job. Nothing is changed.</exception>
    public static void CleanupThread()
    {
        if (AsyncThreadState.CurrentOrNull is not { } thread)
        {
            return;
        }

        if (thread.CurrentJob is not null)
        {
            throw new UndefinedBehaviorException(UbRules.CleanupInJob, "ASYNC_cleanup_thread was called inside a running job");
        }

        // Paused jobs of the thread leak, as documented; their functions must not return any more.
        thread.Cleanups++;
        thread.Pool?.FreeIdleJobs(thread);
        thread.Pool = null;
        thread.Blocked = 0;
    }

    /// <summary><c>ASYNC_start_job(job, ctx, ret, func, args, size)</c>: starts a new job, or restarts the paused job in <paramref name="job"/>.</summary>
    /// <param name="job">In: null for a new job, or the handle of a paused job. Out: the handle on <see cref="AsyncResult.Pause"/>, null on <see cref="AsyncResult.Finish"/>, unchanged otherwise.</param>
    /// <param name="ctx">The wait context of a new job (may be null if the job never pauses); ignored on restart.</param>
    /// <param name="ret">Written only on <see cref="AsyncResult.Finish"/>, with the job function's value.</param>
    /// <param name="func">The job function of a new job (null is undefined once a job is obtained); ignored on restart.</param>
    /// <param name="args">The arguments of a new job; copied when non-null and <paramref name="size"/> &gt; 0; ignored on restart.</param>
    /// <param name="size">How many bytes of <paramref name="args"/> to copy.</param>
    /// <returns><see cref="AsyncResult.Pause"/>, <see cref="AsyncResult.Finish"/>, <see cref="AsyncResult.NoJobs"/> or <see cref="AsyncResult.Err"/>.</returns>
    /// <exception cref="UndefinedBehaviorException">The call is undefined in C (nested start, stale or foreign-thread handle, restart without a wait context, a new job with a null <paramref name="func"/>, NULL <c>ret</c> at finish, job-function misuse). Nothing is changed, except that a job whose own function misbehaved is released.</exception>
    /// <remarks>A job function that throws finishes the job: it is released, <paramref name="ret"/> is untouched, <paramref name="job"/> becomes null, and the exception propagates from this call.</remarks>
    public static AsyncResult StartJob(ref AsyncJob job, AsyncWaitCtx? ctx, ref int ret, AsyncJobFunc? func, byte[]? args, int size) =>
        JobRuntime.Start(ref job, ctx, ref ret, func, args, size);

    /// <summary><c>ASYNC_start_job(job, ctx, ret, func, NULL, 0)</c>.</summary>
    /// <param name="job">See <see cref="StartJob(ref AsyncJob, AsyncWaitCtx, ref int, AsyncJobFunc, byte[], int)"/>.</param>
    /// <param name="ctx">The wait context of a new job; ignored on restart.</param>
    /// <param name="ret">Written only on <see cref="AsyncResult.Finish"/>.</param>
    /// <param name="func">The job function of a new job; ignored on restart.</param>
    /// <returns>The start result.</returns>
    public static AsyncResult StartJob(ref AsyncJob job, AsyncWaitCtx? ctx, ref int ret, AsyncJobFunc? func) =>
        JobRuntime.Start(ref job, ctx, ref ret, func, null, 0);

    /// <summary><c>ASYNC_pause_job()</c>: <c>await</c> it inside a job function (or a <see cref="JobTask{TResult}"/> helper it awaits).</summary>
    /// <returns>
    /// An awaitable whose result is 1. Outside a job or while pausing is blocked it completes at once. Await it where it
    /// was made: its awaiter belongs to the job running there (<see cref="UbRules.CrossThreadAwait"/>).
    /// </returns>
    public static PauseAwaitable PauseJob() => default;

    /// <summary><c>ASYNC_get_current_job()</c>.</summary>
    /// <returns>The handle of the job running on this thread, or the null handle.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static AsyncJob GetCurrentJob() =>
        AsyncThreadState.CurrentOrNull?.CurrentJob is { } job ? new AsyncJob(job) : default;

    /// <summary><c>ASYNC_get_wait_ctx(job)</c>.</summary>
    /// <param name="job">A job handle.</param>
    /// <returns>
    /// The wait context the job object's current use was started with: null if none, or while a finished job's object
    /// is idle in the pool; a stale handle of an object that was reused sees the new use's context, as in C.
    /// </returns>
    /// <exception cref="UndefinedBehaviorException"><see cref="UbRules.NullJob"/> for the null handle.</exception>
    public static AsyncWaitCtx? GetWaitCtx(AsyncJob job) => JobRuntime.GetWaitCtx(job);

    /// <summary><c>ASYNC_block_pause()</c>: inside a job, increments the thread's block counter; outside, does nothing.</summary>
    public static void BlockPause()
    {
        if (AsyncThreadState.CurrentOrNull is { CurrentJob: not null } thread)
        {
            thread.Blocked++;
        }
    }

    /// <summary><c>ASYNC_unblock_pause()</c>: inside a job, decrements the thread's block counter if positive; outside, does nothing.</summary>
    public static void UnblockPause()
    {
        if (AsyncThreadState.CurrentOrNull is { CurrentJob: not null, Blocked: > 0 } thread)
        {
            thread.Blocked--;
        }
    }

    /// <summary><c>ASYNC_is_capable()</c>: always 1; continuations need no platform support.</summary>
    /// <returns>1.</returns>
    public static int IsCapable() => 1;

    /// <summary>
    /// <c>ERR_raise(lib, reason)</c>: queues <paramref name="error"/> on the calling thread's error queue, as libcrypto
    /// code running on the thread (an engine or provider, inside a job or not) reports a failure.
    /// </summary>
    /// <param name="error">The error.</param>
    public static void RaiseError(AsyncError error) => AsyncThreadState.Current.Errors.Enqueue(error);

    /// <summary>Drains the calling thread's error queue (<c>ERR_get_error</c> until 0), oldest first.</summary>
    /// <returns>The queued errors.</returns>
    public static IReadOnlyList<AsyncError> DrainErrors()
    {
        if (AsyncThreadState.CurrentOrNull is not { } thread || thread.Errors.Count == 0)
        {
            return [];
        }

        AsyncError[] errors = thread.Errors.ToArray();
        thread.Errors.Clear();
        return errors;
    }

    /// <summary>A snapshot of the calling thread's ASYNC state, for explanations and tests.</summary>
    /// <returns>The snapshot.</returns>
    public static AsyncThreadSnapshot DescribeThread()
    {
        AsyncThreadState? thread = AsyncThreadState.CurrentOrNull;
        JobPool? pool = thread?.Pool;
        return new AsyncThreadSnapshot(
            thread?.CurrentJob is { } job ? new AsyncJob(job) : default,
            thread?.Blocked ?? 0,
            thread?.PausedJobs ?? 0,
            pool is not null,
            pool?.MaxSize ?? 0,
            pool?.CreatedCount ?? 0,
            pool is null ? [] : pool.IdleTopFirst().Select(j => j.ObjectId).ToArray(),
            thread?.Errors.Count ?? 0);
    }
}

/// <summary>The calling thread's ASYNC state at one moment.</summary>
/// <param name="CurrentJob">The running job, or the null handle.</param>
/// <param name="BlockCounter">The <c>ASYNC_block_pause</c> counter.</param>
/// <param name="PausedJobs">Jobs started on this thread that are paused.</param>
/// <param name="HasPool">Whether the thread has a pool.</param>
/// <param name="PoolMaxSize">The pool's <c>max_size</c> (0 = unlimited).</param>
/// <param name="PoolCreated">The pool's <c>curr_size</c>: jobs it created.</param>
/// <param name="IdleJobObjectIds">Idle jobs, top of the LIFO stack first.</param>
/// <param name="QueuedErrors">Errors in the thread's queue.</param>
public sealed record AsyncThreadSnapshot(
    AsyncJob CurrentJob,
    uint BlockCounter,
    int PausedJobs,
    bool HasPool,
    nuint PoolMaxSize,
    nuint PoolCreated,
    IReadOnlyList<long> IdleJobObjectIds,
    int QueuedErrors);
