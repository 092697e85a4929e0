using System.Runtime.CompilerServices;

namespace AsyncRef;

/// <summary>The awaitable returned by <see cref="Async.PauseJob"/>: <c>ASYNC_pause_job()</c>.</summary>
public readonly struct PauseAwaitable
{
    /// <summary>Gets the awaiter; used by <c>await</c>.</summary>
    public PauseAwaiter GetAwaiter() => default;
}

/// <summary>
/// Awaits <c>ASYNC_pause_job()</c>. It completes at once (returning 1, no side effect) outside a job or while pausing
/// is blocked; inside a job it suspends the job, and when the job is restarted it resets the counts of the job's
/// start-time wait context and returns 1.
/// </summary>
public readonly struct PauseAwaiter : ICriticalNotifyCompletion
{
    /// <summary>True when the pause is a no-op: no job is running on this thread, or pausing is blocked.</summary>
    public bool IsCompleted => JobRuntime.PauseIsNoOp();

    /// <summary>Returns 1, after the wait-context reset when the job is being restarted.</summary>
    public int GetResult() => JobRuntime.CompletePause();

    /// <summary>Called only by builders other than <see cref="JobTaskMethodBuilder{TResult}"/>: misuse, recorded on the job.</summary>
    /// <param name="continuation">Ignored.</param>
    public void OnCompleted(Action continuation) => JobRuntime.RecordForeignAwaiter(typeof(PauseAwaiter));

    /// <summary>Called only by builders other than <see cref="JobTaskMethodBuilder{TResult}"/>: misuse, recorded on the job.</summary>
    /// <param name="continuation">Ignored.</param>
    public void UnsafeOnCompleted(Action continuation) => JobRuntime.RecordForeignAwaiter(typeof(PauseAwaiter));
}
