using Stateless;

namespace AsyncRef.Model;

/// <summary>Triggers of the job lifecycle machine.</summary>
internal enum JobTrigger
{
    /// <summary>A new job object is created for a start (pool empty).</summary>
    Create,

    /// <summary><c>ASYNC_init_thread</c> creates a job object straight into the new pool (<c>init_size</c>).</summary>
    PreCreate,

    /// <summary>An idle job is popped from the top of the pool for a start.</summary>
    Reuse,

    /// <summary>The job function awaits <c>ASYNC_pause_job</c>.</summary>
    Pause,

    /// <summary><c>ASYNC_start_job</c> with the paused job's handle.</summary>
    Resume,

    /// <summary>The job function returns (or throws, or misbehaves).</summary>
    Return,

    /// <summary>The finished job is pushed on the calling thread's pool.</summary>
    Release,

    /// <summary><c>ASYNC_cleanup_thread</c> frees an idle job.</summary>
    Free,
}

/// <summary>What the job machine's guards read.</summary>
/// <param name="PoolHasBudget">The pool may create a job (<c>max_size == 0 || curr_size &lt; max_size</c>).</param>
/// <param name="PauseBlocked">The thread's block counter is not 0.</param>
/// <param name="SameThread">The caller is the thread that started the job.</param>
/// <param name="HasWaitCtx">The job was started with a wait context.</param>
internal readonly record struct JobGuards(bool PoolHasBudget, bool PauseBlocked, bool SameThread, bool HasWaitCtx)
{
    /// <summary>The four guards as bits 0-3, a dense index of the 16 combinations.</summary>
    internal int Bits => (PoolHasBudget ? 1 : 0) | (PauseBlocked ? 2 : 0) | (SameThread ? 4 : 0) | (HasWaitCtx ? 8 : 0);
}

/// <summary>States of the wait-context machine.</summary>
internal enum WaitCtxState
{
    /// <summary>Allocated and usable (superstate).</summary>
    Live,

    /// <summary>Live with no callback stored: <c>get_callback</c> returns 0.</summary>
    NoCallback,

    /// <summary>Live with a callback stored.</summary>
    CallbackSet,

    /// <summary>Freed; every use is undefined.</summary>
    Freed,
}

/// <summary>Triggers of the wait-context machine.</summary>
internal enum WaitCtxTrigger
{
    /// <summary><c>set_wait_fd</c>.</summary>
    SetWaitFd,

    /// <summary><c>clear_fd</c>.</summary>
    ClearFd,

    /// <summary>The reset when a job started with the context is restarted.</summary>
    ResetCounts,

    /// <summary><c>set_callback</c> with a non-null callback.</summary>
    SetCallback,

    /// <summary><c>set_callback</c> with a null callback.</summary>
    ClearCallback,

    /// <summary><c>ASYNC_WAIT_CTX_free</c>.</summary>
    Free,
}

/// <summary>States of the status mailbox machine: the four named <c>ASYNC_STATUS_*</c> values and any other int.</summary>
internal enum WaitStatusState
{
    /// <summary>0, the default.</summary>
    Unsupported,

    /// <summary>1.</summary>
    Err,

    /// <summary>2.</summary>
    Ok,

    /// <summary>3.</summary>
    EAgain,

    /// <summary>Any other int (stored unvalidated).</summary>
    Other,
}

/// <summary>The single trigger of the status machine.</summary>
internal enum WaitStatusTrigger
{
    /// <summary><c>set_status(value)</c>.</summary>
    SetStatus,
}

/// <summary>States of one fd entry of a wait context (its <c>add</c>/<c>del</c> flags).</summary>
internal enum FdEntryState
{
    /// <summary>add = 1: set since the last reset; listed by get_all_fds and as added.</summary>
    Added,

    /// <summary>add = del = 0: set before the last reset; listed by get_all_fds only.</summary>
    Old,

    /// <summary>del = 1: cleared since the last reset; listed only as deleted.</summary>
    Deleted,

    /// <summary>No longer in the list.</summary>
    Gone,
}

/// <summary>Triggers of the fd-entry machine.</summary>
internal enum FdEntryTrigger
{
    /// <summary><c>clear_fd</c> finds the entry.</summary>
    Clear,

    /// <summary>A job started with the context is restarted.</summary>
    Reset,

    /// <summary><c>ASYNC_WAIT_CTX_free</c>.</summary>
    Free,
}

/// <summary>
/// The Stateless machines that specify the runtime's transitions. The runtime's state fields have one writer each
/// (<see cref="JobCore.Transition"/>, and the wait context's own transition methods); that writer takes its target
/// from the compact tables below and, in checked mode, first fires these machines on the real current state and the
/// real guards and requires them to reach the same target. The spec diagrams and <see cref="ModelCoverage"/>'s
/// catalogue are generated from the same definitions.
/// </summary>
internal static class Machines
{
    /// <summary>
    /// The job machine's target for <paramref name="trigger"/>, for a runtime that has already checked the guards
    /// it depends on (the block counter is the one guard that selects between two outcomes).
    /// </summary>
    internal static AsyncJobState JobTarget(JobTrigger trigger, uint blocked) => trigger switch
    {
        JobTrigger.Create or JobTrigger.Reuse or JobTrigger.Resume => AsyncJobState.Running,
        JobTrigger.PreCreate or JobTrigger.Release => AsyncJobState.Pooled,
        JobTrigger.Pause => blocked == 0 ? AsyncJobState.Paused : AsyncJobState.Running,
        JobTrigger.Return => AsyncJobState.Finishing,
        _ => AsyncJobState.Freed,
    };

    /// <summary>The wait-context machine's target for <paramref name="trigger"/> from <paramref name="from"/>.</summary>
    internal static WaitCtxState WaitCtxTarget(WaitCtxState from, WaitCtxTrigger trigger) => trigger switch
    {
        WaitCtxTrigger.SetCallback => WaitCtxState.CallbackSet,
        WaitCtxTrigger.ClearCallback => WaitCtxState.NoCallback,
        WaitCtxTrigger.Free => WaitCtxState.Freed,
        _ => from,
    };

    /// <summary>The fd-entry machine's target for <paramref name="trigger"/> from <paramref name="from"/>.</summary>
    internal static FdEntryState FdEntryTarget(FdEntryState from, FdEntryTrigger trigger) => (from, trigger) switch
    {
        (FdEntryState.Added, FdEntryTrigger.Reset) => FdEntryState.Old,
        (FdEntryState.Old, FdEntryTrigger.Clear) => FdEntryState.Deleted,
        (FdEntryState.Old, FdEntryTrigger.Reset) => FdEntryState.Old,
        _ => FdEntryState.Gone,
    };

    /// <summary>The fd-entry state its <c>add</c>/<c>del</c> flags encode.</summary>
    internal static FdEntryState FdEntryOf(bool added, bool deleted) =>
        added ? FdEntryState.Added : deleted ? FdEntryState.Deleted : FdEntryState.Old;

    internal static StateMachine<AsyncJobState, JobTrigger> Job(Func<AsyncJobState> get, Action<AsyncJobState> set, Func<JobGuards> guards)
    {
        var m = new StateMachine<AsyncJobState, JobTrigger>(get, set);
        m.Configure(AsyncJobState.Unallocated)
            .PermitIf(JobTrigger.Create, AsyncJobState.Running, () => guards().PoolHasBudget, "max_size is 0 or curr_size < max_size")
            .PermitIf(JobTrigger.PreCreate, AsyncJobState.Pooled, () => guards().PoolHasBudget, "max_size is 0 or curr_size < max_size");
        m.Configure(AsyncJobState.Pooled)
            .Permit(JobTrigger.Reuse, AsyncJobState.Running)
            .Permit(JobTrigger.Free, AsyncJobState.Freed);
        m.Configure(AsyncJobState.Running)
            .PermitIf(JobTrigger.Pause, AsyncJobState.Paused, () => !guards().PauseBlocked, "block counter is 0")
            .IgnoreIf(JobTrigger.Pause, () => guards().PauseBlocked, "block counter > 0: pause returns 1 at once")
            .Permit(JobTrigger.Return, AsyncJobState.Finishing);
        m.Configure(AsyncJobState.Paused)
            .PermitIf(
                JobTrigger.Resume,
                AsyncJobState.Running,
                new Tuple<Func<bool>, string>(() => guards().SameThread, "on the thread that started it"),
                new Tuple<Func<bool>, string>(() => guards().HasWaitCtx, "started with a wait ctx"));
        m.Configure(AsyncJobState.Finishing)
            .Permit(JobTrigger.Release, AsyncJobState.Pooled);
        return m;
    }

    internal static StateMachine<WaitCtxState, WaitCtxTrigger> WaitCtx(
        Func<WaitCtxState> get, Action<WaitCtxState> set, Func<bool> inUse)
    {
        var m = new StateMachine<WaitCtxState, WaitCtxTrigger>(get, set);
        // The fd list has its own machine (FdEntry); here these calls only require a live context.
        m.Configure(WaitCtxState.Live)
            .Ignore(WaitCtxTrigger.SetWaitFd)
            .Ignore(WaitCtxTrigger.ClearFd)
            .Ignore(WaitCtxTrigger.ResetCounts)
            .PermitIf(WaitCtxTrigger.Free, WaitCtxState.Freed, () => !inUse(), "no unfinished job was started with it");
        m.Configure(WaitCtxState.NoCallback)
            .SubstateOf(WaitCtxState.Live)
            .Permit(WaitCtxTrigger.SetCallback, WaitCtxState.CallbackSet)
            .Ignore(WaitCtxTrigger.ClearCallback);
        m.Configure(WaitCtxState.CallbackSet)
            .SubstateOf(WaitCtxState.Live)
            .Permit(WaitCtxTrigger.ClearCallback, WaitCtxState.NoCallback)
            .PermitReentry(WaitCtxTrigger.SetCallback);
        return m;
    }

    internal static StateMachine<WaitStatusState, WaitStatusTrigger> WaitStatus(
        Func<WaitStatusState> get, Action<WaitStatusState> set, out StateMachine<WaitStatusState, WaitStatusTrigger>.TriggerWithParameters<int> setStatus)
    {
        var m = new StateMachine<WaitStatusState, WaitStatusTrigger>(get, set);
        var trigger = m.SetTriggerParameters<int>(WaitStatusTrigger.SetStatus);
        foreach (WaitStatusState from in Enum.GetValues<WaitStatusState>())
        {
            var state = m.Configure(from);
            foreach (WaitStatusState to in Enum.GetValues<WaitStatusState>())
            {
                WaitStatusState target = to;
                string description = target == WaitStatusState.Other ? "any other int" : $"value {(int)target}";
                if (target == from)
                {
                    state.PermitReentryIf(trigger, value => StatusOf(value) == target, description);
                }
                else
                {
                    state.PermitIf(trigger, target, value => StatusOf(value) == target, description);
                }
            }
        }

        setStatus = trigger;
        return m;
    }

    internal static StateMachine<FdEntryState, FdEntryTrigger> FdEntry(Func<FdEntryState> get, Action<FdEntryState> set)
    {
        var m = new StateMachine<FdEntryState, FdEntryTrigger>(get, set);
        m.Configure(FdEntryState.Added)
            .PermitIf(FdEntryTrigger.Clear, FdEntryState.Gone, () => true, "unlinked at once, numadd - 1, never reported")
            .Permit(FdEntryTrigger.Reset, FdEntryState.Old)
            .PermitIf(FdEntryTrigger.Free, FdEntryState.Gone, () => true, "its cleanup is called");
        m.Configure(FdEntryState.Old)
            .PermitIf(FdEntryTrigger.Clear, FdEntryState.Deleted, () => true, "marked, numdel + 1")
            .Ignore(FdEntryTrigger.Reset)
            .PermitIf(FdEntryTrigger.Free, FdEntryState.Gone, () => true, "its cleanup is called");
        m.Configure(FdEntryState.Deleted)
            .PermitIf(FdEntryTrigger.Reset, FdEntryState.Gone, () => true, "unlinked, no cleanup")
            .PermitIf(FdEntryTrigger.Free, FdEntryState.Gone, () => true, "no cleanup");
        return m;
    }

    internal static WaitStatusState StatusOf(int value) => value switch
    {
        AsyncWaitStatus.Unsupported => WaitStatusState.Unsupported,
        AsyncWaitStatus.Err => WaitStatusState.Err,
        AsyncWaitStatus.Ok => WaitStatusState.Ok,
        AsyncWaitStatus.EAgain => WaitStatusState.EAgain,
        _ => WaitStatusState.Other,
    };
}
