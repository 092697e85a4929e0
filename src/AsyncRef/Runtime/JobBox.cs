using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;

namespace AsyncRef;

/// <summary>
/// A suspended job-function state machine the runtime can resume: the part of a box that does not depend on the
/// result type. An abstract class rather than an interface, so resuming one is a virtual call, not an interface dispatch.
/// </summary>
internal abstract class JobStep
{
    /// <summary>Whether the method has completed.</summary>
    private bool _completed;

    /// <summary>The awaiting parent's box, which the runtime resumes once this one has completed.</summary>
    private JobStep? _continuation;

    /// <summary>Incremented on every recycle so stale <see cref="JobTask{TResult}"/> copies are detected.</summary>
    internal short Version { get; private set; }

    /// <summary>Runs the state machine from where it suspended.</summary>
    internal abstract void MoveNext();

    internal bool IsCompletedAt(short version)
    {
        CheckVersion(version);
        return _completed;
    }

    internal void SetContinuation(JobStep continuation, short version)
    {
        CheckVersion(version);
        if (_continuation is not null)
        {
            throw new InvalidOperationException("A JobTask was awaited twice.");
        }

        _continuation = continuation;
    }

    /// <summary>
    /// After the runtime ran <see cref="MoveNext"/>: the parent to run next, when this method completed and a parent
    /// awaits it (the link is cleared), else null. The runtime runs that parent itself, after this method's frame has
    /// unwound (the parent consumes this box's result and recycles the box), so a chain of nested helpers completes
    /// one after another in a loop, not by recursion.
    /// </summary>
    internal JobStep? TakeContinuationIfCompleted()
    {
        if (!_completed || _continuation is not { } parent)
        {
            return null;
        }

        _continuation = null;
        return parent;
    }

    private protected void MarkCompleted() => _completed = true;

    /// <summary>Checks that <paramref name="version"/> names a completed use, and ends that use (the box may be recycled).</summary>
    private protected void EndUse(short version)
    {
        CheckVersion(version);
        if (!_completed)
        {
            throw new InvalidOperationException("A JobTask result was read before the method completed.");
        }

        _completed = false;
        _continuation = null;
        Version++;
    }

    private void CheckVersion(short version)
    {
        if (version != Version)
        {
            throw new InvalidOperationException("A JobTask was used after its result had been consumed.");
        }
    }
}

/// <summary>
/// The heap home of a job-function state machine after its first suspension. Boxes are recycled through a free list
/// of the thread state that rented them when their result is consumed, so a steady-state job cycle allocates nothing.
/// </summary>
/// <typeparam name="TResult">The result type of the method.</typeparam>
internal abstract class JobBox<TResult> : JobStep
{
    /// <summary>The result once completed.</summary>
    private TResult _result = default!;

    /// <summary>The failure once completed, if the method threw.</summary>
    private ExceptionDispatchInfo? _error;

    /// <summary>The thread state whose free list this box returns to (the one a parent awaiting it rents from).</summary>
    internal abstract AsyncThreadState Home { get; }

    /// <summary>Clears the state machine and puts the box back on its free list.</summary>
    protected abstract void ReturnToFreeList();

    internal void SetResult(TResult result)
    {
        _result = result;
        MarkCompleted();
    }

    internal void SetException(Exception exception)
    {
        _error = ExceptionDispatchInfo.Capture(exception);
        MarkCompleted();
    }

    internal TResult ConsumeResult(short version)
    {
        EndUse(version);
        ExceptionDispatchInfo? error = _error;
        TResult result = _result;
        _result = default!;
        _error = null;
        ReturnToFreeList();
        error?.Throw();
        return result;
    }
}

/// <summary>A box for one state-machine type.</summary>
/// <typeparam name="TStateMachine">The compiler-generated state machine.</typeparam>
/// <typeparam name="TResult">The result type.</typeparam>
internal sealed class JobBox<TStateMachine, TResult> : JobBox<TResult>
    where TStateMachine : IAsyncStateMachine
{
    /// <summary>Free boxes are kept per thread state up to this count; beyond it they are left to the GC.</summary>
    private const int MaxFreePerThread = 1024;

    /// <summary>This box type's slot in every thread state's free lists (a constant in optimised code).</summary>
    private static readonly int s_freeListSlot = AsyncThreadState.NewBoxFreeListSlot();

    /// <summary>The boxed state machine.</summary>
    internal TStateMachine StateMachine = default!;

    /// <summary>The free list this box belongs to (of the thread state that created it).</summary>
    private readonly FreeList _home;

    /// <summary>Next box on the free list.</summary>
    private JobBox<TStateMachine, TResult>? _nextFree;

    private JobBox(FreeList home) => _home = home;

    internal override AsyncThreadState Home => _home.Thread;

    /// <summary>
    /// A free box of <paramref name="thread"/>, or a new one. The caller passes the thread state it already holds
    /// (the running job's owner), which saves a thread-static look-up on every rent.
    /// </summary>
    internal static JobBox<TStateMachine, TResult> Rent(AsyncThreadState thread)
    {
        if (thread.BoxFreeList(s_freeListSlot) is FreeList { Head: { } box } free)
        {
            free.Head = box._nextFree;
            free.Count--;
            box._nextFree = null;
            return box;
        }

        return Create(thread);
    }

    internal override void MoveNext() => StateMachine.MoveNext();

    protected override void ReturnToFreeList()
    {
        StateMachine = default!;
        FreeList free = _home;
        if (free.Count < MaxFreePerThread)
        {
            _nextFree = free.Head;
            free.Head = this;
            free.Count++;
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static JobBox<TStateMachine, TResult> Create(AsyncThreadState thread)
    {
        if (thread.BoxFreeList(s_freeListSlot) is not FreeList free)
        {
            free = new FreeList(thread);
            thread.SetBoxFreeList(s_freeListSlot, free);
        }

        return new JobBox<TStateMachine, TResult>(free);
    }

    /// <summary>A thread state's free boxes of this state-machine type.</summary>
    /// <param name="thread">The thread state that owns the list.</param>
    private sealed class FreeList(AsyncThreadState thread)
    {
        internal readonly AsyncThreadState Thread = thread;
        internal JobBox<TStateMachine, TResult>? Head;
        internal int Count;
    }
}
