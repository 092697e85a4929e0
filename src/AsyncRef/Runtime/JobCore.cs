using System.Runtime.CompilerServices;

namespace AsyncRef;

/// <summary>The states of a job object; the job lifecycle machine of the spec is their specification.</summary>
public enum AsyncJobState
{
    /// <summary>Not created yet: a slot of the pool's <c>max_size</c> budget.</summary>
    Unallocated,

    /// <summary>Idle in a thread's pool.</summary>
    Pooled,

    /// <summary>Its function is executing on the owner thread; it is the thread's current job.</summary>
    Running,

    /// <summary>Suspended in <c>ASYNC_pause_job</c>; the application holds the handle.</summary>
    Paused,

    /// <summary>Its function returned (or threw); it is being released to the pool.</summary>
    Finishing,

    /// <summary>Freed by <c>ASYNC_cleanup_thread</c>.</summary>
    Freed,
}

/// <summary>A job object (<c>struct async_job_st</c>): reused from the pool, one use after another.</summary>
internal sealed class JobCore
{
    /// <summary>Source of <see cref="ObjectId"/>.</summary>
    private static long s_lastObjectId;

    /// <summary>Process-unique id of this object.</summary>
    internal readonly long ObjectId = Interlocked.Increment(ref s_lastObjectId);

    /// <summary>The current state; written only by <see cref="Transition"/>.</summary>
    internal AsyncJobState State { get; private set; } = AsyncJobState.Unallocated;

    /// <summary>Incremented when a use ends, so handles of earlier uses are stale.</summary>
    internal uint Generation;

    /// <summary>The stack its thread's <see cref="AsyncStackMemory"/> allocated when the job was created.</summary>
    internal object? Stack;

    /// <summary>The thread that started the current use (or the last one: an idle job stays in its owner's pool); only it may restart the job.</summary>
    internal AsyncThreadState? Owner;

    /// <summary>The owner's <see cref="AsyncThreadState.Cleanups"/> when the current use started.</summary>
    internal uint OwnerCleanups;

    /// <summary>The wait context given when the current use started (ignored on restart).</summary>
    internal AsyncWaitCtx? WaitCtx;

    /// <summary>The private copy of the start arguments, or null.</summary>
    internal byte[]? Args;

    /// <summary>The job function's task; pending while the job is paused.</summary>
    internal JobTask<int> Root;

    /// <summary>The state machine that awaited the pause point; resumed by the next start.</summary>
    internal JobStep? ResumePoint;

    /// <summary>
    /// The box of the last job function that finished after suspending, kept for the next use: a root state machine of
    /// the same type takes it instead of renting from the thread's free list (null while that use holds it). An idle
    /// job keeps it; C's idle job keeps its whole fibre stack.
    /// </summary>
    internal JobStep? SpareBox;

    /// <summary>The job function awaited the pause point during the current segment.</summary>
    internal bool PausePending;

    /// <summary>Restarted at least once in the current use: OpenSSL's hidden job status is then "paused" (a nested start sees it).</summary>
    internal bool Resumed;

    /// <summary>Misuse recorded by an awaiter that a foreign builder used.</summary>
    internal string? Misuse;

    /// <summary>
    /// The only writer of <see cref="State"/>: takes <paramref name="trigger"/> from the current state. The runtime
    /// has checked the guards; in checked mode (and while coverage records) the job machine is fired first on the
    /// real state and the real guards and must reach the same target.
    /// </summary>
    /// <param name="trigger">The trigger.</param>
    /// <param name="thread">The thread taking the transition.</param>
    /// <param name="pool">The pool a job is being created into, when it is not the thread's pool yet; null otherwise.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void Transition(Model.JobTrigger trigger, AsyncThreadState thread, JobPool? pool = null)
    {
        AsyncJobState target = Model.Machines.JobTarget(trigger, thread.Blocked);
        if (Async.Modelling)
        {
            CheckWithModel(trigger, thread, pool, target);
        }

        State = target;
    }

    /// <summary>Checked mode: fires the job machine (out of line, so the transition stays small enough to inline).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void CheckWithModel(Model.JobTrigger trigger, AsyncThreadState thread, JobPool? pool, AsyncJobState target) =>
        AsyncThreadState.CheckedModels.Job(this, trigger, thread, pool, target);
}
