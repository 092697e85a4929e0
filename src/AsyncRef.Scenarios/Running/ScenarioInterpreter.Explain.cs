using System.Globalization;
using System.Text;

namespace AsyncRef.Scenarios;

/// <summary>The explainer: the state behind each log line, taken right after the line is printed.</summary>
internal sealed partial class ScenarioInterpreter
{
    /// <summary>Labels of job objects the log has not numbered (yet): <c>~1</c>, <c>~2</c>, … in order of discovery.</summary>
    private readonly Dictionary<long, int> _unnumbered = [];

    /// <summary>
    /// Describes every live wait context object (in creation order; one whose variable now holds a newer context is
    /// labelled <c>C (overwritten)</c>), every job object seen, and every logical thread's ASYNC state. Each thread's
    /// state is read on that thread (the others are idle: statements are strictly sequential).
    /// </summary>
    private string[] DescribeState()
    {
        var state = new List<string>();
        foreach ((string variable, AsyncWaitCtx ctx) in _createdContexts)
        {
            AsyncWaitCtxSnapshot snapshot = ctx.Describe();
            if (!snapshot.Freed)
            {
                string label = ReferenceEquals(_contexts[variable], ctx) ? variable : variable + " (overwritten)";
                state.Add(DescribeContext(label, ctx, snapshot));
            }
        }

        var threads = new List<(string Name, AsyncThreadSnapshot Snapshot)>();
        foreach (LogicalThread thread in _threadOrder)
        {
            AsyncThreadSnapshot? snapshot = null;
            thread.Invoke(() => snapshot = Async.DescribeThread());
            threads.Add((thread.Name, snapshot!));
        }

        var jobs = new List<string>();
        var listed = new HashSet<long>();
        foreach (long id in _jobOrder)
        {
            listed.Add(id);
            jobs.Add($"{JobLabel(id)} {_jobsSeen[id].ObjectState}");
        }

        foreach ((string _, AsyncThreadSnapshot snapshot) in threads)
        {
            foreach (long id in snapshot.IdleJobObjectIds)
            {
                if (listed.Add(id))
                {
                    jobs.Add($"{JobLabel(id)} {AsyncJobState.Pooled}");
                }
            }
        }

        state.Add("jobs: " + (jobs.Count == 0 ? "none" : string.Join(", ", jobs)));
        foreach ((string name, AsyncThreadSnapshot snapshot) in threads)
        {
            state.Add(DescribeThread(name, snapshot));
        }

        return [.. state];
    }

    private string DescribeContext(string name, AsyncWaitCtx ctx, AsyncWaitCtxSnapshot snapshot)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"ctx {name}: fds [");
        for (int i = 0; i < snapshot.EntriesNewestFirst.Count; i++)
        {
            AsyncWaitFdEntry e = snapshot.EntriesNewestFirst[i];
            text.Append(i == 0 ? "" : ", ")
                .Append(CultureInfo.InvariantCulture, $"{PointerName(e.Key)} {e.Fd} {PointerName(e.CustomData)}")
                .Append(e.HasCleanup ? " cleanup" : "")
                .Append(e.Added ? " +add" : "")
                .Append(e.Deleted ? " +del" : "");
        }

        text.Append(CultureInfo.InvariantCulture, $"] numadd={snapshot.NumAdd} numdel={snapshot.NumDel}");
        if (ctx.Profile != AsyncProfile.OpenSsl111)
        {
            AsyncWaitCallback? callback = null;
            object? arg = null;
            text.Append(ctx.GetCallback(ref callback, ref arg) == 1 ? $" callback={CallbackName(callback)}({PointerName(arg)})" : " callback=-")
                .Append(CultureInfo.InvariantCulture, $" status={snapshot.Status}");
        }

        return text.Append(CultureInfo.InvariantCulture, $" jobs-using={snapshot.ActiveJobs}").ToString();
    }

    private string DescribeThread(string name, AsyncThreadSnapshot s)
    {
        string current = s.CurrentJob.IsNull ? "NULL" : JobLabel(s.CurrentJob.ObjectId);
        string pool = s.HasPool
            ? string.Create(
                CultureInfo.InvariantCulture,
                $"max={(s.PoolMaxSize == 0 ? "unlimited" : s.PoolMaxSize.ToString(CultureInfo.InvariantCulture))} created={s.PoolCreated} idle=[{string.Join(' ', s.IdleJobObjectIds.Select(JobLabel))}]")
            : "none";
        return string.Create(
            CultureInfo.InvariantCulture,
            $"thread {name}: current={current} block={s.BlockCounter} paused={s.PausedJobs} errors={s.QueuedErrors} pool: {pool}");
    }

    /// <summary>
    /// The advisory of a <c>ctx_free</c> whose context unfinished jobs were started with: the point where C's
    /// behaviour would become undefined if one of them were restarted or used it (UB-CTX-FREED-IN-USE is reported
    /// there, not here), or null when no unfinished job holds it.
    /// </summary>
    private string? FreedInUseAdvisory(AsyncWaitCtx freed)
    {
        if (freed.Describe().ActiveJobs == 0)
        {
            return null;
        }

        var holders = new List<string>();
        foreach (long id in _jobOrder)
        {
            AsyncJob job = _jobsSeen[id];
            if (job.IsCurrentUse && job.ObjectState is AsyncJobState.Paused or AsyncJobState.Running
                && ReferenceEquals(Async.GetWaitCtx(job), freed))
            {
                holders.Add($"{JobLabel(id)} {job.ObjectState}");
            }
        }

        string jobs = holders.Count == 0 ? "an unfinished job" : string.Join(", ", holders);
        return $"advisory: UB-CTX-FREED-IN-USE early point: ctx {ContextName(freed)} was freed while {jobs} still holds it; "
            + "defined while that job is never restarted and never uses it again (a leak), undefined from its next restart or use";
    }

    /// <summary><c>#N</c> for a job the log has numbered; otherwise <c>~K</c>, a label of the explanation only.</summary>
    private string JobLabel(long objectId)
    {
        if (_jobNumbers.TryGetValue(objectId, out int number))
        {
            return "#" + Int(number);
        }

        if (!_unnumbered.TryGetValue(objectId, out int label))
        {
            label = _unnumbered.Count + 1;
            _unnumbered.Add(objectId, label);
        }

        return "~" + Int(label);
    }
}
