using Stateless;

namespace AsyncRef.Model;

/// <summary>
/// One thread's instances of the machines (Stateless machines are not thread-safe), fired by the runtime's state
/// writers in checked mode and while <see cref="ModelCoverage"/> records. Each machine reads the real state of the
/// object it is fired for (the job, the context, the status mailbox) and evaluates its guards on the real objects;
/// it never writes that state: the runtime's writer does, after the machine has reached the same target.
/// </summary>
/// <remarks>
/// A machine's outcome is a function of its state, the trigger and its guard inputs (the guards read nothing else),
/// so each distinct (state, trigger, guard inputs) is fired through Stateless once per thread and its outcome kept in
/// a small table; later transitions in the same situation are checked against that table. This keeps checked mode a
/// constant factor over unchecked, however many jobs, entries or contexts a run holds.
/// </remarks>
internal sealed class CheckedModels
{
    private static readonly int s_jobTriggers = Enum.GetValues<JobTrigger>().Length;
    private static readonly int s_waitCtxTriggers = Enum.GetValues<WaitCtxTrigger>().Length;
    private static readonly int s_statusStates = Enum.GetValues<WaitStatusState>().Length;
    private static readonly int s_fdEntryTriggers = Enum.GetValues<FdEntryTrigger>().Length;

    private readonly StateMachine<AsyncJobState, JobTrigger> _job;
    private readonly StateMachine<WaitCtxState, WaitCtxTrigger> _waitCtx;
    private readonly StateMachine<WaitStatusState, WaitStatusTrigger> _status;
    private readonly StateMachine<WaitStatusState, WaitStatusTrigger>.TriggerWithParameters<int> _setStatus;
    private readonly StateMachine<FdEntryState, FdEntryTrigger> _fdEntry;

    /// <summary>Outcomes already fired, by (from, trigger, guard bits); see <see cref="Encode"/>. 0: not fired yet.</summary>
    private readonly byte[] _jobOutcomes = new byte[Enum.GetValues<AsyncJobState>().Length * s_jobTriggers * 16];
    private readonly byte[] _waitCtxOutcomes = new byte[Enum.GetValues<WaitCtxState>().Length * s_waitCtxTriggers];
    private readonly byte[] _statusOutcomes = new byte[s_statusStates * s_statusStates];
    private readonly byte[] _fdEntryOutcomes = new byte[Enum.GetValues<FdEntryState>().Length * s_fdEntryTriggers];

    /// <summary>The state the machine being fired reads (the subject's real state, read by the caller of the fire).</summary>
    private AsyncJobState _jobFrom;
    private WaitCtxState _waitCtxFrom;
    private WaitStatusState _statusFrom;
    private FdEntryState _entryFrom;

    /// <summary>The guard inputs the machine being fired reads (computed from the real objects).</summary>
    private JobGuards _jobGuards;

    /// <summary>Whether the last fire took a transition (false: the trigger was ignored), and where to.</summary>
    private bool _fired;
    private AsyncJobState _jobReached;
    private WaitCtxState _waitCtxReached;
    private WaitStatusState _statusReached;
    private FdEntryState _entryReached;

    /// <summary>Builds one thread's machines.</summary>
    /// <param name="jobMachine">
    /// Builds the job machine from its state accessors and guard inputs; <see cref="Machines.Job"/> when null. Only
    /// tests pass one: a machine that permits what the runtime refuses, to show that checked mode reports the
    /// disagreement at each of the runtime's refusals (no real input makes the two disagree).
    /// </param>
    internal CheckedModels(
        Func<Func<AsyncJobState>, Action<AsyncJobState>, Func<JobGuards>, StateMachine<AsyncJobState, JobTrigger>>? jobMachine = null)
    {
        _job = (jobMachine ?? Machines.Job)(() => _jobFrom, s => _jobReached = s, () => _jobGuards);
        _waitCtx = Machines.WaitCtx(() => _waitCtxFrom, s => _waitCtxReached = s);
        _status = Machines.WaitStatus(() => _statusFrom, s => _statusReached = s, out _setStatus);
        _fdEntry = Machines.FdEntry(() => _entryFrom, s => _entryReached = s);
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
        JobGuards guards = GuardsOf(job, thread, pool);
        ref byte outcome = ref _jobOutcomes[((((int)from * s_jobTriggers) + (int)trigger) * 16) + guards.Bits];
        if (outcome == 0)
        {
            (_jobFrom, _jobGuards, _fired) = (from, guards, false);
            _job.Fire(trigger);
            outcome = Encode((int)(_fired ? _jobReached : from), _fired);
        }

        var reached = (AsyncJobState)Reached(outcome);
        if (reached != target)
        {
            Violation($"job: {trigger} from {from} ({guards}) leads to {reached}, the runtime goes to {target}");
        }
        ModelCoverage.RecordJob(from, trigger, Fired(outcome) ? reached : null);
    }

    /// <summary>Requires the job machine to refuse <paramref name="trigger"/>, as the runtime just did.</summary>
    /// <param name="job">The job, or null for a creation.</param>
    /// <param name="trigger">The refused trigger.</param>
    /// <param name="thread">The thread.</param>
    internal void JobRefused(JobCore? job, JobTrigger trigger, AsyncThreadState thread)
    {
        (_jobFrom, _jobGuards) = (job?.State ?? AsyncJobState.Unallocated, GuardsOf(job, thread, null));
        if (_job.CanFire(trigger))
        {
            Violation($"job: the runtime refused {trigger} in {_jobFrom} ({_jobGuards}), the model permits it");
        }
    }

    /// <summary>Fires the wait-context machine for <paramref name="ctx"/> and requires it to reach <paramref name="target"/>.</summary>
    /// <param name="ctx">The context, in its real current state.</param>
    /// <param name="trigger">The trigger.</param>
    /// <param name="target">The state the runtime is about to write.</param>
    internal void WaitCtx(AsyncWaitCtx ctx, WaitCtxTrigger trigger, WaitCtxState target)
    {
        // The machine has no guards (a context in use may be freed too), so (state, trigger) is the whole key.
        WaitCtxState from = ctx.State;
        ref byte outcome = ref _waitCtxOutcomes[((int)from * s_waitCtxTriggers) + (int)trigger];
        if (outcome == 0)
        {
            (_waitCtxFrom, _fired) = (from, false);
            _waitCtx.Fire(trigger);
            outcome = Encode((int)(_fired ? _waitCtxReached : from), _fired);
        }

        var reached = (WaitCtxState)Reached(outcome);
        if (reached != target)
        {
            Violation($"wait ctx: {trigger} from {from} (active jobs {ctx.ActiveJobs}) leads to {reached}, the runtime goes to {target}");
        }
        ModelCoverage.RecordWaitCtx(from, trigger, Fired(outcome) ? reached : null);
    }

    /// <summary>Fires the status machine for <paramref name="ctx"/>'s mailbox with <c>set_status(value)</c>.</summary>
    /// <param name="ctx">The context, holding its real current status.</param>
    /// <param name="value">The status being stored.</param>
    /// <remarks>The machine's guards read the value only through <see cref="Machines.StatusOf"/>, which is the table's key.</remarks>
    internal void Status(AsyncWaitCtx ctx, int value)
    {
        WaitStatusState from = Machines.StatusOf(ctx.Status);
        WaitStatusState to = Machines.StatusOf(value);
        ref byte outcome = ref _statusOutcomes[((int)from * s_statusStates) + (int)to];
        if (outcome == 0)
        {
            (_statusFrom, _fired) = (from, false);
            _status.Fire(_setStatus, value);
            outcome = Encode((int)(_fired ? _statusReached : from), _fired);
        }

        var reached = (WaitStatusState)Reached(outcome);
        if (!Fired(outcome) || reached != to)
        {
            Violation($"status: set_status({value}) from {from} leads to {reached}");
        }
        ModelCoverage.RecordStatus(from, reached);
    }

    /// <summary>Fires the fd-entry machine for an entry and requires it to reach <paramref name="target"/>.</summary>
    /// <param name="from">The entry's state, read from its flags.</param>
    /// <param name="trigger">The trigger.</param>
    /// <param name="target">The state the runtime is about to give the entry.</param>
    internal void FdEntry(FdEntryState from, FdEntryTrigger trigger, FdEntryState target)
    {
        ref byte outcome = ref _fdEntryOutcomes[((int)from * s_fdEntryTriggers) + (int)trigger];
        if (outcome == 0)
        {
            (_entryFrom, _fired) = (from, false);
            _fdEntry.Fire(trigger);
            outcome = Encode((int)(_fired ? _entryReached : from), _fired);
        }

        var reached = (FdEntryState)Reached(outcome);
        if (reached != target)
        {
            Violation($"fd entry: {trigger} from {from} leads to {reached}, the runtime goes to {target}");
        }
        ModelCoverage.RecordFdEntry(from, trigger, Fired(outcome) ? reached : null);
    }

    /// <summary>The job machine's guard inputs, read from the real job, thread and pool.</summary>
    private static JobGuards GuardsOf(JobCore? job, AsyncThreadState thread, JobPool? pool) =>
        new((pool ?? thread.Pool)?.HasBudget ?? true, thread.Blocked != 0, job?.Owner is null || job.Owner == thread, job?.WaitCtx is not null);

    /// <summary>An outcome as a non-zero byte: the reached state and whether a transition fired (or the trigger was ignored).</summary>
    private static byte Encode(int reached, bool fired) => (byte)(1 + (reached << 1) + (fired ? 1 : 0));

    private static int Reached(byte outcome) => (outcome - 1) >> 1;

    private static bool Fired(byte outcome) => ((outcome - 1) & 1) != 0;

    private static string Unmet(ICollection<string>? unmet) => unmet is null || unmet.Count == 0 ? string.Empty : $" (unmet: {string.Join(", ", unmet)})";

    private static void Violation(string message) => throw new InvariantViolationException("model violation: " + message);
}
