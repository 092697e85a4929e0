using System.Diagnostics.CodeAnalysis;
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

    /// <summary>Clears the state machine and puts the box back on its free list.</summary>
    internal abstract void ReturnToFreeList();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
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
            Throw("A JobTask was awaited twice.");
        }

        _continuation = continuation;
    }

    /// <summary>
    /// Whether this box is on the chain of pending boxes that starts at <paramref name="pausePoint"/>, the running job's
    /// pause point, and goes up through the awaiting parents. A pending <c>JobTask</c> of the running job is on it: a
    /// task is pending only through the job's one pause, and each parent that awaits one joins the chain.
    /// </summary>
    /// <param name="pausePoint">The running job's <see cref="JobCore.ResumePoint"/>, or null (no job, or no pause yet).</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal bool IsOnChainFrom(JobStep? pausePoint)
    {
        for (JobStep? step = pausePoint; step is not null; step = step._continuation)
        {
            if (step == this)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// After the runtime ran <see cref="MoveNext"/>: the parent to run next, when this method completed and a parent
    /// awaits it (the link is cleared), else null. The runtime runs that parent itself, after this method's frame has
    /// unwound (the parent consumes this box's result and recycles the box), so a chain of nested helpers completes
    /// one after another in a loop, not by recursion.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
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
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private protected void EndUse(short version)
    {
        CheckVersion(version);
        if (!_completed)
        {
            Throw("A JobTask result was read before the method completed.");
        }

        _completed = false;
        _continuation = null;
        Version++;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void CheckVersion(short version)
    {
        if (version != Version)
        {
            Throw("A JobTask was used after its result had been consumed.");
        }
    }

    /// <summary>Out of line, so the checks that call it stay small enough for the JIT to inline on the hot path.</summary>
    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Throw(string message) => throw new InvalidOperationException(message);
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

    /// <summary>Clears the state machine and keeps the box as <paramref name="job"/>'s <see cref="JobCore.SpareBox"/>.</summary>
    protected abstract void ParkOn(JobCore job);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
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

    /// <summary>
    /// Reads the result (or rethrows the failure) of the use <paramref name="version"/> names and ends that use: the box
    /// goes back to its free list, or, for a job function's own box, is parked on its job (<paramref name="parkOn"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal TResult ConsumeResult(short version, JobCore? parkOn)
    {
        EndUse(version);
        ExceptionDispatchInfo? error = _error;
        TResult result = _result;
        _result = default!;
        _error = null;
        if (parkOn is null)
        {
            ReturnToFreeList();
        }
        else
        {
            ParkOn(parkOn);
        }

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

    private JobBox(FreeList home) => _home = home;

    internal override AsyncThreadState Home => _home.Thread;

    /// <summary>
    /// The spare box of <paramref name="job"/> when it is of this type, else a free box of <paramref name="thread"/>,
    /// else a new one. The caller passes the job and thread state it already holds (the running job and its owner),
    /// which saves a thread-static look-up on every rent. A job that runs the same function use after use finds its
    /// function's box on itself: no free-list traffic in the steady state.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static JobBox<TStateMachine, TResult> Rent(AsyncThreadState thread, JobCore? job)
    {
        if (job?.SpareBox is JobBox<TStateMachine, TResult> spare)
        {
            job.SpareBox = null;
            return spare;
        }

        return thread.BoxFreeList(s_freeListSlot) is FreeList free && free.TryPop() is { } box ? box : Create(thread);
    }

    internal override void MoveNext() => StateMachine.MoveNext();

    internal override void ReturnToFreeList()
    {
        StateMachine = default!;
        _home.Push(this);
    }

    protected override void ParkOn(JobCore job)
    {
        StateMachine = default!;
        if (job.SpareBox is { } previous)
        {
            // Taken by no use since it was parked (a use of another function, or one that did not suspend).
            previous.ReturnToFreeList();
        }

        job.SpareBox = this;
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

    /// <summary>
    /// A thread state's free boxes of this state-machine type: a stack in an array, so a rent writes no reference
    /// (only clears a slot) and a return writes one, where a linked list writes two and three (each through the GC's
    /// write barrier), and a box needs no link field.
    /// </summary>
    /// <param name="thread">The thread state that owns the list.</param>
    private sealed class FreeList(AsyncThreadState thread)
    {
        internal readonly AsyncThreadState Thread = thread;
        private JobBox<TStateMachine, TResult>?[] _boxes = new JobBox<TStateMachine, TResult>?[4];
        private int _count;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal JobBox<TStateMachine, TResult>? TryPop()
        {
            int count = _count - 1;
            JobBox<TStateMachine, TResult>?[] boxes = _boxes;
            if ((uint)count >= (uint)boxes.Length)
            {
                return null;
            }

            JobBox<TStateMachine, TResult>? box = boxes[count];
            boxes[count] = null;
            _count = count;
            return box;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal void Push(JobBox<TStateMachine, TResult> box)
        {
            int count = _count;
            if (count == _boxes.Length)
            {
                if (count == MaxFreePerThread)
                {
                    return;
                }

                Array.Resize(ref _boxes, count * 2);
            }

            _boxes[count] = box;
            _count = count + 1;
        }
    }
}
