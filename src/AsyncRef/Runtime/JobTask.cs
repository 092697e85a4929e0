using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;

namespace AsyncRef;

/// <summary>
/// The task-like type of job functions and of every helper that may pause a job. A method declared
/// <c>async JobTask&lt;T&gt;</c> runs synchronously until it completes or until it (or a <c>JobTask</c> it awaits)
/// awaits <see cref="Async.PauseJob"/>; the runtime then keeps its continuation and <see cref="Async.StartJob(ref AsyncJob, AsyncWaitCtx, ref int, AsyncJobFunc, byte[], int)"/>
/// returns <see cref="AsyncResult.Pause"/>. Awaiting anything else that is not yet complete is misuse
/// (<see cref="UbRules.ForeignAwait"/>). Await a <c>JobTask</c> exactly once, inside its own job and on that job's thread
/// (<see cref="UbRules.CrossThreadAwait"/>).
/// </summary>
/// <typeparam name="TResult">The result type.</typeparam>
[AsyncMethodBuilder(typeof(JobTaskMethodBuilder<>))]
public readonly struct JobTask<TResult>
{
    /// <summary>A <see cref="JobBox{TResult}"/> while pending or completed after a suspension; an <see cref="ExceptionDispatchInfo"/> for a synchronous failure; otherwise null.</summary>
    private readonly object? _source;

    /// <summary>The result of a synchronous completion.</summary>
    private readonly TResult _result;

    /// <summary>The box version this task refers to; a recycled box has moved on.</summary>
    private readonly short _version;

    internal JobTask(TResult result)
    {
        _source = null;
        _result = result;
        _version = 0;
    }

    internal JobTask(ExceptionDispatchInfo error)
    {
        _source = error;
        _result = default!;
        _version = 0;
    }

    internal JobTask(JobBox<TResult> box)
    {
        _source = box;
        _result = default!;
        _version = box.Version;
    }

    /// <summary>Whether the method has completed (successfully or not).</summary>
    public bool IsCompleted
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Box is not { } box || box.IsCompletedAt(_version);
    }

    /// <summary>Gets the awaiter; used by <c>await</c>.</summary>
    public JobTaskAwaiter<TResult> GetAwaiter() => new(this);

    /// <summary>
    /// The box, or null when the task completed synchronously. <see cref="_source"/> only ever holds null, an
    /// <see cref="ExceptionDispatchInfo"/> or a <see cref="JobBox{TResult}"/>, so two exact tests (the first class is
    /// sealed) identify the box without the runtime's cast helper, which a test for the abstract box class would call.
    /// </summary>
    internal JobBox<TResult>? Box =>
        _source is null or ExceptionDispatchInfo ? null : Unsafe.As<JobBox<TResult>>(_source);

    /// <summary>
    /// Reads the result (or rethrows the failure) and recycles the box: onto its free list, or, for the task of a job
    /// function, onto the job (<paramref name="parkOn"/>, see <see cref="JobCore.SpareBox"/>). Call once, after completion.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal TResult ConsumeResult(JobCore? parkOn = null)
    {
        if (Box is { } box)
        {
            return box.ConsumeResult(_version, parkOn);
        }

        if (_source is ExceptionDispatchInfo error)
        {
            error.Throw();
        }

        return _result;
    }

    /// <summary>The box version this task refers to.</summary>
    internal short Version => _version;
}

/// <summary>Awaits a <see cref="JobTask{TResult}"/> from another <c>JobTask</c> method.</summary>
/// <typeparam name="TResult">The result type.</typeparam>
public readonly struct JobTaskAwaiter<TResult> : ICriticalNotifyCompletion, IJobTaskAwaiter
{
    private readonly JobTask<TResult> _task;

    internal JobTaskAwaiter(JobTask<TResult> task) => _task = task;

    /// <summary>Whether the awaited method has completed.</summary>
    public bool IsCompleted => _task.IsCompleted;

    /// <summary>Returns the result or rethrows the method's exception.</summary>
    public TResult GetResult() => _task.ConsumeResult();

    /// <summary>Called only by builders other than <see cref="JobTaskMethodBuilder{TResult}"/>: misuse, recorded on the job.</summary>
    /// <param name="continuation">Ignored.</param>
    public void OnCompleted(Action continuation) => JobRuntime.RecordForeignAwaiter(typeof(JobTaskAwaiter<TResult>));

    /// <summary>Called only by builders other than <see cref="JobTaskMethodBuilder{TResult}"/>: misuse, recorded on the job.</summary>
    /// <param name="continuation">Ignored.</param>
    public void UnsafeOnCompleted(Action continuation) => JobRuntime.RecordForeignAwaiter(typeof(JobTaskAwaiter<TResult>));

    JobStep IJobTaskAwaiter.Child => _task.Box!;

    short IJobTaskAwaiter.Version => _task.Version;
}

/// <summary>Implemented by awaiters of job tasks so the builder can chain a parent to a pending child without boxing.</summary>
internal interface IJobTaskAwaiter
{
    /// <summary>The pending child's box.</summary>
    JobStep Child { get; }

    /// <summary>The use of <see cref="Child"/> the awaited task refers to (see <see cref="JobStep.Version"/>).</summary>
    short Version { get; }
}
