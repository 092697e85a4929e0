using Stateless;

namespace AsyncRef.Model;

/// <summary>
/// One thread's instances of the machines, used in checked mode to validate each transition the runtime takes
/// (Stateless machines are not thread-safe, so every thread has its own).
/// </summary>
internal sealed class CheckedModels
{
    private readonly StateMachine<AsyncJobState, JobTrigger> _job;
    private readonly StateMachine<WaitCtxState, WaitCtxTrigger> _waitCtx;
    private readonly StateMachine<WaitStatusState, WaitStatusTrigger> _status;
    private readonly StateMachine<WaitStatusState, WaitStatusTrigger>.TriggerWithParameters<int> _setStatus;
    private readonly StateMachine<FdEntryState, FdEntryTrigger> _fdEntry;
    private AsyncJobState _jobState;
    private JobGuards _jobGuards;
    private WaitCtxState _waitCtxState;
    private int _activeJobs;
    private WaitStatusState _statusState;
    private FdEntryState _fdEntryState;

    internal CheckedModels()
    {
        _job = Machines.Job(() => _jobState, s => _jobState = s, () => _jobGuards);
        _waitCtx = Machines.WaitCtx(() => _waitCtxState, s => _waitCtxState = s, () => _activeJobs);
        _status = Machines.WaitStatus(() => _statusState, s => _statusState = s, out _setStatus);
        _fdEntry = Machines.FdEntry(() => _fdEntryState, s => _fdEntryState = s);
    }

    internal void Job(AsyncJobState from, JobTrigger trigger, AsyncJobState to, JobGuards guards)
    {
        _jobState = from;
        _jobGuards = guards;
        Require(_job.CanFire(trigger), $"job: {trigger} is not permitted in {from} ({guards})");
        _job.Fire(trigger);
        Require(_jobState == to, $"job: {trigger} from {from} leads to {_jobState}, the runtime went to {to}");
    }

    internal void JobCannot(AsyncJobState from, JobTrigger trigger, JobGuards guards)
    {
        _jobState = from;
        _jobGuards = guards;
        Require(!_job.CanFire(trigger), $"job: the runtime refused {trigger} in {from}, the model permits it ({guards})");
    }

    internal void WaitCtx(bool freed, bool hasCallback, WaitCtxTrigger trigger, int activeJobs)
    {
        WaitCtxState from = freed ? WaitCtxState.Freed : hasCallback ? WaitCtxState.CallbackSet : WaitCtxState.NoCallback;
        _waitCtxState = from;
        _activeJobs = activeJobs;
        Require(_waitCtx.CanFire(trigger), $"wait ctx: {trigger} is not permitted in {from} (active jobs {activeJobs})");
        _waitCtx.Fire(trigger);
        WaitCtxState expected = trigger switch
        {
            WaitCtxTrigger.Free => WaitCtxState.Freed,
            WaitCtxTrigger.SetCallback => WaitCtxState.CallbackSet,
            WaitCtxTrigger.ClearCallback => WaitCtxState.NoCallback,
            _ => from,
        };
        Require(_waitCtxState == expected, $"wait ctx: {trigger} from {from} leads to {_waitCtxState}, the runtime went to {expected}");
    }

    internal void Status(int from, int to)
    {
        _statusState = Machines.StatusOf(from);
        Require(_status.CanFire(_setStatus, to), $"status: set_status({to}) is not permitted in {_statusState}");
        _status.Fire(_setStatus, to);
        Require(_statusState == Machines.StatusOf(to), $"status: set_status({to}) leads to {_statusState}");
    }

    internal void FdEntry(bool added, bool deleted, FdEntryTrigger trigger)
    {
        FdEntryState from = added ? FdEntryState.Added : deleted ? FdEntryState.Deleted : FdEntryState.Old;
        _fdEntryState = from;
        Require(_fdEntry.CanFire(trigger), $"fd entry: {trigger} is not permitted in {from}");
        _fdEntry.Fire(trigger);
        FdEntryState expected = (from, trigger) switch
        {
            (FdEntryState.Added, FdEntryTrigger.Reset) => FdEntryState.Old,
            (FdEntryState.Old, FdEntryTrigger.Clear) => FdEntryState.Deleted,
            (FdEntryState.Old, FdEntryTrigger.Reset) => FdEntryState.Old,
            _ => FdEntryState.Gone,
        };
        Require(_fdEntryState == expected, $"fd entry: {trigger} from {from} leads to {_fdEntryState}, the runtime went to {expected}");
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new InvariantViolationException("model violation: " + message);
        }
    }
}
