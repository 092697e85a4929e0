using System.Runtime.CompilerServices;

namespace AsyncRef;

/// <summary>The awaitable returned by <see cref="Async.PauseJob"/>: <c>ASYNC_pause_job()</c>.</summary>
public readonly struct PauseAwaitable
{
    /// <summary>Gets the awaiter; used by <c>await</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public PauseAwaiter GetAwaiter() => new(AsyncThreadState.CurrentOrNull?.CurrentJob);
}

/// <summary>
/// Awaits <c>ASYNC_pause_job()</c>. It completes at once (returning 1, no side effect) outside a job or while pausing
/// is blocked; inside a job it suspends the job, and returns 1 once a restart (which resets the counts of the job's
/// start-time wait context) has resumed it.
/// </summary>
public readonly struct PauseAwaiter : ICriticalNotifyCompletion
{
    /// <summary>
    /// The job running when the awaiter was made, or null. It saves the thread-static look-up in both
    /// IsCompleted and the builder's suspend: the job cannot change in between, because a paused job
    /// resumes only as itself. Null (outside a job, or a default awaiter), or a job no longer running (an awaiter kept
    /// past its await), falls back to the thread's current job.
    /// </summary>
    private readonly JobCore? _job;

    internal PauseAwaiter(JobCore? job) => _job = job;

    /// <summary>True when the pause is a no-op: no job is running on this thread, or pausing is blocked.</summary>
    public bool IsCompleted
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => JobRuntime.PauseIsNoOp(_job);
    }

    /// <summary>Returns 1 (the restart that resumed the job has already reset the counts of its wait context).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int GetResult() => 1;

    /// <summary>The job this awaiter suspends (see <see cref="_job"/>).</summary>
    internal JobCore? Job => _job;

    /// <summary>Called only by builders other than <see cref="JobTaskMethodBuilder{TResult}"/>: misuse, recorded on the job.</summary>
    /// <param name="continuation">Ignored.</param>
    public void OnCompleted(Action continuation) => JobRuntime.RecordForeignAwaiter(typeof(PauseAwaiter));

    /// <summary>Called only by builders other than <see cref="JobTaskMethodBuilder{TResult}"/>: misuse, recorded on the job.</summary>
    /// <param name="continuation">Ignored.</param>
    public void UnsafeOnCompleted(Action continuation) => JobRuntime.RecordForeignAwaiter(typeof(PauseAwaiter));
}
