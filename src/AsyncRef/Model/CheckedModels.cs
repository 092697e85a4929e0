using Stateless;

namespace AsyncRef.Model;

/// <summary>
/// One thread's instances of the machines (Stateless machines are not thread-safe), fired by the runtime's state
/// writers in checked mode and while <see cref="ModelCoverage"/> records. Each machine reads the real state of the
/// object it is fired for (the job, the context, the status mailbox) and evaluates its guards on the real objects;
/// it never writes that state: the runtime's writer does, after the machine has reached the same target.
/// </summary>
internal sealed class CheckedModels
{
    private readonly StateMachine<AsyncJobState, JobTrigger> _job;
    private readonly StateMachine<WaitCtxState, WaitCtxTrigger> _waitCtx;
    private readonly StateMachine<WaitStatusState, WaitStatusTrigger> _status;
    private readonly StateMachine<WaitStatusState, WaitStatusTrigger>.TriggerWithParameters<int> _setStatus;
    private readonly StateMachine<FdEntryState, FdEntryTrigger> _fdEntry;

    /// <summary>The job being transitioned, or null for a job not created yet (a refused creation).</summary>
    private JobCore? _jobSubject;

    /// <summary>The thread doing the transition.</summary>
    private AsyncThreadState? _thread;

    /// <summary>The pool the job is created into; null means the thread's pool.</summary>
    private JobPool? _pool;

    /// <summary>The context whose machine (wait-ctx or status) is fired.</summary>
    private AsyncWaitCtx? _ctx;

    /// <summary>The fd entry's real state, read from its flags by the caller.</summary>
    private FdEntryState _entry;

    /// <summary>Whether the last fire took a transition (false: the trigger was ignored).</summary>
    private bool _fired;
    private AsyncJobState _jobReached;
    private WaitCtxState _waitCtxReached;
    private WaitStatusState _statusReached;
    private FdEntryState _entryReached;

    internal CheckedModels()
    {
        _job = Machines.Job(() => _jobSubject?.State ?? AsyncJobState.Unallocated, s => _jobReached = s, JobGuards);
        // Stateless reads the state once when constructed, before any subject is set.
        _waitCtx = Machines.WaitCtx(() => _ctx?.State ?? WaitCtxState.NoCallback, s => _waitCtxReached = s, () => _ctx!.ActiveJobs);
        _status = Machines.WaitStatus(() => Machines.StatusOf(_ctx?.Status ?? 0), s => _statusReached = s, out _setStatus);
        _fdEntry = Machines.FdEntry(() => _entry, s => _entryReached = s);
        _job.OnTransitioned(_ => _fired = true);
        _waitCtx.OnTransitioned(_ => _fired = true);
        _status.OnTransitioned(_ => _fired = true);
        _fdEntry.OnTransitioned(_ => _fired = true);

        // A trigger the machine does not permit fails the fire itself (one handler look-up, no CanFire first).
        _job.OnUnhandledTrigger((from, trigger, unmet) => Violation($"job: {trigger} is not permitted in {from}{Unmet(unmet)}"));
        _waitCtx.OnUnhandledTrigger((from, trigger, unmet) => Violation($"wait ctx: {trigger} is not permitted in {from}{Unmet(unmet)}"));
        _status.OnUnhandledTrigger((from, trigger, unmet) => Violation($"status: {trigger} is not permitted in {from}{Unmet(unmet)}"));
        _fdEntry.OnUnhandledTrigger((from, trigger, unmet) => Violation($"fd entry: {trigger} is not permitted in {from}{Unmet(unmet)}"));
    }

    /// <summary>Fires the job machine for <paramref name="job"/> and requires it to reach <paramref name="target"/>.</summary>
    /// <param name="job">The job, in its real current state.</param>
    /// <param name="trigger">The trigger.</param>
    /// <param name="thread">The thread taking the transition (its block counter and pool are guards).</param>
    /// <param name="pool">The pool a job is created into, when not yet the thread's pool; null otherwise.</param>
    /// <param name="target">The state the runtime is about to write.</param>
    internal void Job(JobCore job, JobTrigger trigger, AsyncThreadState thread, JobPool? pool, AsyncJobState target)
    {
        AsyncJobState from = job.State;
        (_jobSubject, _thread, _pool, _fired) = (job, thread, pool, false);
        try
        {
            _job.Fire(trigger);
            AsyncJobState reached = _fired ? _jobReached : from;
            Require(reached == target, $"job: {trigger} from {from} leads to {reached}, the runtime goes to {target}");
            ModelCoverage.RecordJob(from, trigger, _fired ? reached : null);
        }
        finally
        {
            (_jobSubject, _thread, _pool) = (null, null, null);
        }
    }

    /// <summary>Requires the job machine to refuse <paramref name="trigger"/>, as the runtime just did.</summary>
    /// <param name="job">The job, or null for a creation.</param>
    /// <param name="trigger">The refused trigger.</param>
    /// <param name="thread">The thread.</param>
    internal void JobRefused(JobCore? job, JobTrigger trigger, AsyncThreadState thread)
    {
        (_jobSubject, _thread, _pool) = (job, thread, null);
        try
        {
            Require(!_job.CanFire(trigger), $"job: the runtime refused {trigger} in {job?.State ?? AsyncJobState.Unallocated}, the model permits it");
        }
        finally
        {
            (_jobSubject, _thread) = (null, null);
        }
    }

    /// <summary>Fires the wait-context machine for <paramref name="ctx"/> and requires it to reach <paramref name="target"/>.</summary>
    /// <param name="ctx">The context, in its real current state.</param>
    /// <param name="trigger">The trigger.</param>
    /// <param name="target">The state the runtime is about to write.</param>
    internal void WaitCtx(AsyncWaitCtx ctx, WaitCtxTrigger trigger, WaitCtxState target)
    {
        WaitCtxState from = ctx.State;
        (_ctx, _fired) = (ctx, false);
        try
        {
            _waitCtx.Fire(trigger);
            WaitCtxState reached = _fired ? _waitCtxReached : from;
            Require(reached == target, $"wait ctx: {trigger} from {from} leads to {reached}, the runtime goes to {target}");
            ModelCoverage.RecordWaitCtx(from, trigger, _fired ? reached : null);
        }
        finally
        {
            _ctx = null;
        }
    }

    /// <summary>Fires the status machine for <paramref name="ctx"/>'s mailbox with <c>set_status(value)</c>.</summary>
    /// <param name="ctx">The context, holding its real current status.</param>
    /// <param name="value">The status being stored.</param>
    internal void Status(AsyncWaitCtx ctx, int value)
    {
        WaitStatusState from = Machines.StatusOf(ctx.Status);
        (_ctx, _fired) = (ctx, false);
        try
        {
            _status.Fire(_setStatus, value);
            Require(_fired && _statusReached == Machines.StatusOf(value), $"status: set_status({value}) from {from} leads to {_statusReached}");
            ModelCoverage.RecordStatus(from, _statusReached);
        }
        finally
        {
            _ctx = null;
        }
    }

    /// <summary>Fires the fd-entry machine for an entry and requires it to reach <paramref name="target"/>.</summary>
    /// <param name="from">The entry's state, read from its flags.</param>
    /// <param name="trigger">The trigger.</param>
    /// <param name="target">The state the runtime is about to give the entry.</param>
    internal void FdEntry(FdEntryState from, FdEntryTrigger trigger, FdEntryState target)
    {
        (_entry, _fired) = (from, false);
        _fdEntry.Fire(trigger);
        FdEntryState reached = _fired ? _entryReached : from;
        Require(reached == target, $"fd entry: {trigger} from {from} leads to {reached}, the runtime goes to {target}");
        ModelCoverage.RecordFdEntry(from, trigger, _fired ? reached : null);
    }

    private JobGuards JobGuards()
    {
        AsyncThreadState thread = _thread!;
        JobCore? job = _jobSubject;
        return new((_pool ?? thread.Pool)?.HasBudget ?? true, thread.Blocked, job?.Owner is null || job.Owner == thread, job?.WaitCtx is not null);
    }

    private static string Unmet(ICollection<string>? unmet) => unmet is null || unmet.Count == 0 ? string.Empty : $" (unmet: {string.Join(", ", unmet)})";

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            Violation(message);
        }
    }

    private static void Violation(string message) => throw new InvariantViolationException("model violation: " + message);
}
