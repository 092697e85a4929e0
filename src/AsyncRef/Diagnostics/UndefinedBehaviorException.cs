namespace AsyncRef;

/// <summary>
/// Thrown when a call sequence is undefined in C (OpenSSL crashes, corrupts memory or misbehaves silently).
/// The reference detects it before changing any state, so the caller gets a clear failure and every other job
/// and wait context keeps working. <see cref="RuleId"/> names the rule in <c>spec/semantics.md</c>.
/// </summary>
public sealed class UndefinedBehaviorException : InvalidOperationException
{
    /// <summary>Creates the exception for <paramref name="ruleId"/>.</summary>
    /// <param name="ruleId">The stable rule id, e.g. <c>UB-NESTED-START</c>.</param>
    /// <param name="explanation">One short sentence saying what was undefined.</param>
    public UndefinedBehaviorException(string ruleId, string explanation)
        : base($"{ruleId}: {explanation}")
    {
        RuleId = ruleId;
        Explanation = explanation;
    }

    /// <summary>The stable rule id, e.g. <c>UB-NESTED-START</c>.</summary>
    public string RuleId { get; }

    /// <summary>The explanation without the rule id.</summary>
    public string Explanation { get; }
}

/// <summary>The stable ids of the undefined-behaviour and misuse rules (group UB of <c>spec/semantics.md</c>).</summary>
public static class UbRules
{
    /// <summary><c>ASYNC_start_job</c> called while a job is running on the thread.</summary>
    public const string NestedStart = "UB-NESTED-START";

    /// <summary>The handle passed to <c>ASYNC_start_job</c> is not a job paused by its last start.</summary>
    public const string StaleHandle = "UB-STALE-HANDLE";

    /// <summary>A paused job restarted on a thread other than the one it runs on.</summary>
    public const string CrossThreadResume = "UB-CROSS-THREAD-RESUME";

    /// <summary>
    /// The function of a job that was paused when its thread called <c>ASYNC_cleanup_thread</c> returned after a
    /// restart (the cleanup itself only leaks the job).
    /// </summary>
    public const string CleanupWhilePaused = "UB-CLEANUP-WHILE-PAUSED";

    /// <summary><c>ASYNC_cleanup_thread</c> called from inside a running job.</summary>
    public const string CleanupInJob = "UB-CLEANUP-IN-JOB";

    /// <summary>Restarting a paused job that was started with a null wait context.</summary>
    public const string NullWaitCtx = "UB-NULL-WAIT-CTX";

    /// <summary>A job finished while the <c>ret</c> reference passed to the finishing call was null.</summary>
    public const string NullRet = "UB-NULL-RET";

    /// <summary><c>ASYNC_WAIT_CTX_free</c> of a context an unfinished job was started with.</summary>
    public const string CtxFreedInUse = "UB-CTX-FREED-IN-USE";

    /// <summary>Any use of a wait context after it was freed.</summary>
    public const string CtxUseAfterFree = "UB-CTX-USE-AFTER-FREE";

    /// <summary>A start that creates a new job would call a NULL job function.</summary>
    public const string NullFunc = "UB-NULL-FUNC";

    /// <summary>
    /// <c>ASYNC_pause_job</c> before the process's first initialising ASYNC call. Only a scenario run, which is one
    /// process, can express it: the managed runtime needs no process-wide initialisation.
    /// </summary>
    public const string PauseBeforeInit = "UB-PAUSE-BEFORE-INIT";

    /// <summary><c>ASYNC_get_wait_ctx(NULL)</c>.</summary>
    public const string NullJob = "UB-NULL-JOB";

    /// <summary>An fd array passed to a wait-context listing is shorter than the count it must hold.</summary>
    public const string FdArrayTooSmall = "UB-FD-ARRAY-TOO-SMALL";

    /// <summary>A job function awaited something other than the runtime's pause point.</summary>
    public const string ForeignAwait = "MISUSE-FOREIGN-AWAIT";

    /// <summary>A job function completed while a pause it started was still pending.</summary>
    public const string DanglingPause = "MISUSE-DANGLING-PAUSE";

    /// <summary>
    /// A pause awaiter, or a pending <c>JobTask</c>, of a job running on one thread was awaited on another thread.
    /// Checked mode only: unchecked mode does not detect it.
    /// </summary>
    public const string CrossThreadAwait = "MISUSE-CROSS-THREAD-AWAIT";
}
