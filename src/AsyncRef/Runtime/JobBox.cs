using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;

namespace AsyncRef;

/// <summary>
/// The heap home of a job-function state machine after its first suspension. Boxes are recycled through a
/// per-thread free list when their result is consumed, so a steady-state job cycle allocates nothing.
/// </summary>
/// <typeparam name="TResult">The result type of the method.</typeparam>
internal abstract class JobBox<TResult> : IJobStep
{
    /// <summary>The result once completed.</summary>
    private TResult _result = default!;

    /// <summary>The failure once completed, if the method threw.</summary>
    private ExceptionDispatchInfo? _error;

    /// <summary>Whether the method has completed.</summary>
    private bool _completed;

    /// <summary>The awaiting parent's box, resumed when this one completes.</summary>
    private IJobStep? _continuation;

    /// <summary>Incremented on every recycle so stale <see cref="JobTask{TResult}"/> copies are detected.</summary>
    internal short Version { get; private set; }

    public abstract void MoveNext();

    /// <summary>Clears the state machine and puts the box back on its free list.</summary>
    protected abstract void ReturnToFreeList();

    internal bool IsCompletedAt(short version)
    {
        CheckVersion(version);
        return _completed;
    }

    internal void SetResult(TResult result)
    {
        _result = result;
        Complete();
    }

    internal void SetException(Exception exception)
    {
        _error = ExceptionDispatchInfo.Capture(exception);
        Complete();
    }

    internal void SetContinuation(IJobStep continuation, short version)
    {
        CheckVersion(version);
        if (_continuation is not null)
        {
            throw new InvalidOperationException("A JobTask was awaited twice.");
        }

        _continuation = continuation;
    }

    internal TResult ConsumeResult(short version)
    {
        CheckVersion(version);
        if (!_completed)
        {
            throw new InvalidOperationException("A JobTask result was read before the method completed.");
        }

        ExceptionDispatchInfo? error = _error;
        TResult result = _result;
        _result = default!;
        _error = null;
        _completed = false;
        Version++;
        ReturnToFreeList();
        error?.Throw();
        return result;
    }

    private void Complete()
    {
        _completed = true;
        if (_continuation is { } parent)
        {
            _continuation = null;
            // Run the parent from the job's trampoline, not from inside this MoveNext: this box may be recycled
            // by the parent before our own frame has unwound.
            JobRuntime.ScheduleContinuation(parent);
        }
    }

    private void CheckVersion(short version)
    {
        if (version != Version)
        {
            throw new InvalidOperationException("A JobTask was used after its result had been consumed.");
        }
    }
}

/// <summary>A box for one state-machine type.</summary>
/// <typeparam name="TStateMachine">The compiler-generated state machine.</typeparam>
/// <typeparam name="TResult">The result type.</typeparam>
internal sealed class JobBox<TStateMachine, TResult> : JobBox<TResult>
    where TStateMachine : IAsyncStateMachine
{
    /// <summary>Free boxes are kept per thread up to this count; beyond it they are left to the GC.</summary>
    private const int MaxFreePerThread = 1024;

    /// <summary>This thread's free list (one thread-static read per rent or return; the count lives beside the head).</summary>
    [ThreadStatic]
    private static FreeList? t_free;

    /// <summary>The boxed state machine.</summary>
    internal TStateMachine StateMachine = default!;

    /// <summary>Next box on the free list.</summary>
    private JobBox<TStateMachine, TResult>? _nextFree;

    internal static JobBox<TStateMachine, TResult> Rent()
    {
        FreeList? free = t_free;
        JobBox<TStateMachine, TResult>? box = free?.Head;
        if (box is null)
        {
            return new JobBox<TStateMachine, TResult>();
        }

        free!.Head = box._nextFree;
        free.Count--;
        box._nextFree = null;
        return box;
    }

    public override void MoveNext() => StateMachine.MoveNext();

    protected override void ReturnToFreeList()
    {
        StateMachine = default!;
        FreeList free = t_free ??= new FreeList();
        if (free.Count < MaxFreePerThread)
        {
            _nextFree = free.Head;
            free.Head = this;
            free.Count++;
        }
    }

    /// <summary>A thread's free boxes of this state-machine type.</summary>
    private sealed class FreeList
    {
        internal JobBox<TStateMachine, TResult>? Head;
        internal int Count;
    }
}
