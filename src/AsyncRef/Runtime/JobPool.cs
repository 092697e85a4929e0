using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace AsyncRef;

/// <summary>A thread's job pool (<c>struct async_pool_st</c>): a LIFO stack of idle jobs and a creation budget.</summary>
internal sealed class JobPool
{
    /// <summary>Idle jobs; the top of the stack is at <c>_idle[_idleCount - 1]</c>.</summary>
    private JobCore[] _idle;

    /// <summary>Number of idle jobs.</summary>
    private int _idleCount;

    /// <summary>Pushes and pops since the last full invariant check (checked mode).</summary>
    private int _changesSinceSweep;

    /// <summary>Changes between two full invariant checks: the pool's size at the last one.</summary>
    private int _sweepInterval;

    /// <summary>Pools of at most this many idle jobs are checked in full after every change.</summary>
    private const int FullCheckLimit = 8;

    /// <summary>
    /// Jobs pre-created at most. OpenSSL stops pre-creating silently at the first allocation failure and still
    /// succeeds (spec POOL-09); the reference makes that point deterministic instead of exhausting memory.
    /// </summary>
    internal const int MaxPreCreated = 1 << 20;

    /// <summary>Creates a thread's pool with <paramref name="initSize"/> jobs pre-created.</summary>
    /// <param name="maxSize"><c>max_size</c>.</param>
    /// <param name="initSize"><c>init_size</c> (at most <paramref name="maxSize"/> unless that is 0; checked by the caller).</param>
    /// <param name="thread">The thread the pool is for.</param>
    internal JobPool(nuint maxSize, nuint initSize, AsyncThreadState thread)
    {
        MaxSize = maxSize;
        int preCreate = (int)Math.Min(initSize, (nuint)MaxPreCreated);
        _idle = new JobCore[Math.Max(preCreate, 16)];
        for (int i = 0; i < preCreate; i++)
        {
            // Pre-creation stops silently at the first stack that cannot be allocated, as in OpenSSL.
            if (thread.StackMemory.AllocateStack() is not { } stack)
            {
                // Stryker disable once Statement: without this break 'stack' is unassigned below, a compile error
                // that would make Stryker drop every mutant of this file.
                break;
            }

            // Pre-created jobs are pushed in creation order, so the last one created is handed out first.
            var job = new JobCore { Stack = stack };
            job.Transition(Model.JobTrigger.PreCreate, thread, this);
            _idle[_idleCount++] = job;
            CreatedCount++;
        }

        AssertInvariants();
    }

    /// <summary><c>max_size</c>: 0 means unlimited.</summary>
    internal nuint MaxSize { get; }

    /// <summary><c>curr_size</c>: jobs this pool created, in use or not; it never goes down.</summary>
    internal nuint CreatedCount { get; private set; }

    /// <summary>Idle jobs (for <c>explain</c> and tests).</summary>
    internal int IdleCount => _idleCount;

    /// <summary>Whether a new job may be created (<c>max_size == 0 || curr_size &lt; max_size</c>).</summary>
    internal bool HasBudget => MaxSize == 0 || CreatedCount < MaxSize;

    /// <summary>Idle jobs from the top of the stack down (for <c>explain</c> and tests).</summary>
    internal IEnumerable<JobCore> IdleTopFirst()
    {
        for (int i = _idleCount - 1; i >= 0; i--)
        {
            yield return _idle[i];
        }
    }

    /// <summary>Pops the most recently pushed idle job.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal bool TryPop(out JobCore job)
    {
        if (_idleCount == 0)
        {
            job = null!;
            return false;
        }

        job = _idle[--_idleCount];
        _idle[_idleCount] = null!;
        if (Async.CheckedMode)
        {
            CheckAfterChange(job);
        }

        return true;
    }

    /// <summary>
    /// Creates a running job for a start and counts it against the budget; the caller checked <see cref="HasBudget"/>.
    /// False, with nothing counted, when the thread's stack allocator gives no stack.
    /// </summary>
    internal bool TryCreate(AsyncThreadState thread, out JobCore job)
    {
        Debug.Assert(HasBudget, "the caller checks the budget");
        if (thread.StackMemory.AllocateStack() is not { } stack)
        {
            job = null!;
            return false;
        }

        job = new JobCore { Stack = stack };
        job.Transition(Model.JobTrigger.Create, thread, this);
        CreatedCount++;
        return true;
    }

    /// <summary>Pushes a finished job; it need not have been created by this pool (after a re-init it was not).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void Push(JobCore job)
    {
        if (_idleCount == _idle.Length)
        {
            Array.Resize(ref _idle, _idle.Length * 2);
        }

        _idle[_idleCount++] = job;
        if (Async.CheckedMode)
        {
            CheckAfterChange(job);
        }
    }

    /// <summary>Frees every idle job (<c>ASYNC_cleanup_thread</c>).</summary>
    internal void FreeIdleJobs(AsyncThreadState thread)
    {
        for (int i = 0; i < _idleCount; i++)
        {
            JobCore job = _idle[i];
            // No generation bump: the release that made the job idle already ended its last use.
            job.Transition(Model.JobTrigger.Free, thread);
            thread.StackMemory.FreeStack(job.Stack);
            job.Stack = null;
            _idle[i] = null!;
        }

        _idleCount = 0;
        AssertInvariants();
    }

    /// <summary>Checks all the pool's invariants in checked mode.</summary>
    internal void AssertInvariants()
    {
        if (Async.CheckedMode)
        {
            CheckInvariants();
        }
    }

    /// <summary>
    /// After a push or pop: the whole pool while it is small, else what the operation touched (the job and the top of
    /// the stack) plus a full sweep after as many operations as the pool held at the previous sweep, so checking costs O(1) amortised.
    /// </summary>
    private void CheckAfterChange(JobCore touched)
    {
        if (_idleCount <= FullCheckLimit || ++_changesSinceSweep >= _sweepInterval)
        {
            // The next sweep comes after as many changes as the pool holds now: O(1) amortised, growing or not.
            _changesSinceSweep = 0;
            _sweepInterval = _idleCount;
            CheckInvariants();
        }

        CheckIdle(touched);
        Invariant.Check(_idleCount <= _idle.Length && (_idleCount == _idle.Length || _idle[_idleCount] is null), "idle count within the stack, nothing above its top");
    }

    private static void CheckIdle(JobCore job)
    {
        Invariant.Check(job.State == AsyncJobState.Pooled, "every idle job is in state Pooled");
        Invariant.Check(job.WaitCtx is null && job.Args is null, "an idle job holds no wait ctx and no args");
    }

    private void CheckInvariants()
    {
        Invariant.Check(_idleCount >= 0 && _idleCount <= _idle.Length, "idle count within the stack");
        for (int i = 0; i < _idleCount; i++)
        {
            Invariant.Check(_idle[i] is not null, "no hole below the top of the stack");
            CheckIdle(_idle[i]);
        }

        // Pairwise while small (no allocation on the common path), through a set beyond.
        if (_idleCount <= FullCheckLimit)
        {
            for (int i = 0; i < _idleCount; i++)
            {
                for (int j = i + 1; j < _idleCount; j++)
                {
                    Invariant.Check(!ReferenceEquals(_idle[i], _idle[j]), "no job is on the idle stack twice");
                }
            }
        }
        else
        {
            var seen = new HashSet<JobCore>(ReferenceEqualityComparer.Instance);
            for (int i = 0; i < _idleCount; i++)
            {
                Invariant.Check(seen.Add(_idle[i]), "no job is on the idle stack twice");
            }
        }

        Invariant.Check(MaxSize == 0 || CreatedCount <= MaxSize, "curr_size never exceeds max_size");
    }
}
