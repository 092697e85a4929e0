using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;

namespace AsyncRef;

/// <summary>
/// The async method builder of <see cref="JobTask{TResult}"/>. It runs the method synchronously, boxes the state
/// machine only at its first suspension, and accepts exactly two kinds of suspension: the runtime's pause point and
/// a pending <c>JobTask</c> of the running job. Anything else throws <see cref="UbRules.ForeignAwait"/> inside the method.
/// </summary>
/// <typeparam name="TResult">The result type.</typeparam>
[EditorBrowsable(EditorBrowsableState.Never)]
public struct JobTaskMethodBuilder<TResult>
{
    /// <summary>
    /// Null, or the method's <see cref="JobBox{TResult}"/> once it has suspended; after a synchronous failure, its
    /// <see cref="ExceptionDispatchInfo"/>. One field for both keeps the state machine small: it is copied into its box
    /// at every first suspension, and each reference in it is copied through the GC's write barrier.
    /// </summary>
    private object? _source;

    /// <summary>The result of a synchronous completion.</summary>
    private TResult _result;

    /// <summary>Creates a builder; called by compiler-generated code.</summary>
    public static JobTaskMethodBuilder<TResult> Create() => default;

    /// <summary>The task handed to the caller.</summary>
    public JobTask<TResult> Task =>
        _source is null ? new JobTask<TResult>(_result)
        : _source is ExceptionDispatchInfo error ? new JobTask<TResult>(error)
        : new JobTask<TResult>(RunningBox);

    /// <summary>
    /// The box while the method runs after a suspension: before the method completes <see cref="_source"/> is never
    /// an <see cref="ExceptionDispatchInfo"/>, so it is the box (no type check needed).
    /// </summary>
    private readonly JobBox<TResult> RunningBox => Unsafe.As<JobBox<TResult>>(_source!);

    /// <summary>Runs the method up to its first suspension; called by compiler-generated code.</summary>
    /// <typeparam name="TStateMachine">The state machine type.</typeparam>
    /// <param name="stateMachine">The state machine.</param>
    public void Start<TStateMachine>(ref TStateMachine stateMachine)
        where TStateMachine : IAsyncStateMachine => stateMachine.MoveNext();

    /// <summary>Not used: the builder boxes the state machine itself.</summary>
    /// <param name="stateMachine">Ignored.</param>
    public void SetStateMachine(IAsyncStateMachine stateMachine)
    {
    }

    /// <summary>Completes the method with a result; called by compiler-generated code.</summary>
    /// <param name="result">The result.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void SetResult(TResult result)
    {
        if (_source is null)
        {
            _result = result;
        }
        else
        {
            RunningBox.SetResult(result);
        }
    }

    /// <summary>Completes the method with an exception; called by compiler-generated code.</summary>
    /// <param name="exception">The exception.</param>
    public void SetException(Exception exception)
    {
        if (_source is null)
        {
            _source = ExceptionDispatchInfo.Capture(exception);
        }
        else
        {
            RunningBox.SetException(exception);
        }
    }

    /// <summary>Suspends the method on <paramref name="awaiter"/>; called by compiler-generated code.</summary>
    /// <typeparam name="TAwaiter">The awaiter type.</typeparam>
    /// <typeparam name="TStateMachine">The state machine type.</typeparam>
    /// <param name="awaiter">The awaiter.</param>
    /// <param name="stateMachine">The state machine.</param>
    public void AwaitOnCompleted<TAwaiter, TStateMachine>(ref TAwaiter awaiter, ref TStateMachine stateMachine)
        where TAwaiter : INotifyCompletion
        where TStateMachine : IAsyncStateMachine => Suspend(ref awaiter, ref stateMachine);

    /// <summary>Suspends the method on <paramref name="awaiter"/>; called by compiler-generated code.</summary>
    /// <typeparam name="TAwaiter">The awaiter type.</typeparam>
    /// <typeparam name="TStateMachine">The state machine type.</typeparam>
    /// <param name="awaiter">The awaiter.</param>
    /// <param name="stateMachine">The state machine.</param>
    public void AwaitUnsafeOnCompleted<TAwaiter, TStateMachine>(ref TAwaiter awaiter, ref TStateMachine stateMachine)
        where TAwaiter : ICriticalNotifyCompletion
        where TStateMachine : IAsyncStateMachine => Suspend(ref awaiter, ref stateMachine);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Suspend<TAwaiter, TStateMachine>(ref TAwaiter awaiter, ref TStateMachine stateMachine)
        where TStateMachine : IAsyncStateMachine
    {
        // Both tests are resolved by the JIT per awaiter type; the interface calls on a struct awaiter are not boxed.
        if (typeof(TAwaiter) == typeof(PauseAwaiter))
        {
            // The type test above makes this reinterpretation exact (and keeps the struct unboxed).
            JobCore? job = JobRuntime.PausingJob(Unsafe.As<TAwaiter, PauseAwaiter>(ref awaiter).Job);
            // A running job's owner is the thread it runs on: the box comes from that thread state's free list.
            JobRuntime.RegisterPause(job, GetBox(ref stateMachine, job?.Owner, job));
        }
        else if (awaiter is IJobTaskAwaiter)
        {
            // The pending child was boxed on its job's thread: the parent's box comes from the same thread state.
            // (Cast at each use: the JIT then calls the struct's methods directly, without boxing it.)
            // The child's box is read once: its home thread, the chain test and the link all use it.
            JobStep child = ((IJobTaskAwaiter)awaiter).Child;
            AsyncThreadState home = child.Home;
            // A child of the job running there is on the chain from that job's pause point (one compare for a helper
            // awaited directly). Any other pending task belongs to another job, or to none: linking it would make
            // that job's restart run this method. Refused before linking, inside MoveNext's try block.
            JobCore? running = home.CurrentJob;
            if (!child.IsOnChainFrom(running?.ResumePoint))
            {
                JobRuntime.RejectForeignTask();
            }

            if (Async.CheckedMode)
            {
                // A task of a job running on another thread passes the test above; only checked mode pays for the
                // thread-static read that tells.
                JobRuntime.CheckAwaitingThread(home, "a pending JobTask of a job running on one thread was awaited on another thread");
            }

            child.SetContinuation(GetBox(ref stateMachine, home, running), ((IJobTaskAwaiter)awaiter).Version);
        }
        else
        {
            // Thrown inside MoveNext's try block, so it becomes this method's exception.
            throw new UndefinedBehaviorException(
                UbRules.ForeignAwait,
                $"a job function awaited '{typeof(TAwaiter)}'; only Async.PauseJob() and JobTask methods may suspend a job");
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private JobBox<TResult> GetBox<TStateMachine>(ref TStateMachine stateMachine, AsyncThreadState? thread, JobCore? job)
        where TStateMachine : IAsyncStateMachine
    {
        if (_source is not null)
        {
            return RunningBox;
        }

        JobBox<TStateMachine, TResult> box = JobBox<TStateMachine, TResult>.Rent(thread ?? AsyncThreadState.Current, job);
        // Set the field first: the copy below must carry it, so the boxed builder completes through the box.
        _source = box;
        box.StateMachine = stateMachine;
        return box;
    }
}
