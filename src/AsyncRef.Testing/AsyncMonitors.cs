namespace AsyncRef.Testing;

/// <summary>
/// The ready monitors a hunt attaches. They watch the calls made through <see cref="TracedAsync"/> and stop the
/// execution with a readable bug at the first call that breaks their rule, before the runtime acts on it.
/// </summary>
[Flags]
public enum AsyncMonitors
{
    /// <summary>No monitor: only the test's own assertions, exceptions, deadlocks and hangs are bugs.</summary>
    None = 0,

    /// <summary>
    /// No lost wake-up: when every thread is blocked, each paused job is explained (which fd or callback it waits
    /// for, and whether that wake already came and was lost or consumed too early).
    /// </summary>
    NoLostWakeUp = 1,

    /// <summary>
    /// Liveness: every started job finishes before the test body returns, and no job pauses with status
    /// <c>EAGAIN</c> more than the liveness bound in a row.
    /// </summary>
    JobsFinish = 2,

    /// <summary>A job is resumed only after its <c>PAUSE</c> was observed, and each pause is resumed once.</summary>
    ResumeAfterPause = 4,

    /// <summary>A wait ctx is shared only as defined: by successive jobs, never by two unfinished jobs at once.</summary>
    WaitCtxSharing = 8,

    /// <summary>
    /// Threads never see each other's jobs: a job is resumed only on the thread that started it, and no other thread
    /// gets it from <c>get_current_job</c> or passes it to <c>get_wait_ctx</c>.
    /// </summary>
    ThreadIsolation = 16,

    /// <summary>
    /// Teardown: no wait ctx is freed and no thread is cleaned up while a job using it is paused, no job is started
    /// with a freed wait ctx, and no wait ctx's callback fires after the ctx was freed.
    /// </summary>
    Teardown = 32,

    /// <summary>A job returns (pauses or finishes) with the thread's block counter as it found it.</summary>
    BalancedBlockPause = 64,

    /// <summary>
    /// Threads never see each other's errors: an error raised through <see cref="TracedAsync"/> belongs to the thread it
    /// is raised for (the raising thread; inside a wait ctx's callback, the thread of the job using that ctx; inside a
    /// job, the job's thread), and a thread that drains its error queue must get only its own errors.
    /// </summary>
    ErrorIsolation = 128,

    /// <summary>Every monitor.</summary>
    All = NoLostWakeUp | JobsFinish | ResumeAfterPause | WaitCtxSharing | ThreadIsolation | Teardown | BalancedBlockPause | ErrorIsolation,
}
