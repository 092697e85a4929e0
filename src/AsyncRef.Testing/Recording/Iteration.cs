using AsyncRef.Testing.Monitors;
using Microsoft.Coyote.Specifications;

namespace AsyncRef.Testing.Recording;

/// <summary>
/// The state of one explored execution as the façade sees it: logical threads, jobs (<c>#N</c>), wait contexts, and,
/// when recording (the replay of a failing trace), every call with its source line. Coyote runs one controlled
/// operation at a time, so the state needs no lock.
/// </summary>
internal sealed class Iteration
{
    /// <summary>
    /// The execution being explored by the calling thread's hunt worker, or null outside a hunt (the façade then only
    /// forwards). Set by the execution's first thread; every thread and task it starts inherits it (an async local
    /// flows with the execution context), so concurrent workers each see their own.
    /// </summary>
    private static readonly AsyncLocal<Iteration?> s_current = new();

    internal static Iteration? Current
    {
        get => s_current.Value;
        set => s_current.Value = value;
    }

    [ThreadStatic]
    private static ThreadRecord? t_thread;

    [ThreadStatic]
    private static Iteration? t_threadOwner;

    private readonly IAsyncMonitor[] _monitors;
    private readonly Dictionary<AsyncJob, JobRecord> _jobsByHandle = [];
    private readonly Dictionary<AsyncWaitCtx, CtxRecord> _ctxs = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<object, string> _names = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<string, int> _nameCounters = [];
    private int _lastJobNumber;

    internal Iteration(int number, bool recording, IAsyncMonitor[] monitors, int livenessBound)
    {
        Number = number;
        Recording = recording;
        _monitors = monitors;
        LivenessBound = livenessBound;
    }

    public int Number { get; }

    public bool Recording { get; }

    public int LivenessBound { get; }

    public List<ThreadRecord> Threads { get; } = [];

    public List<JobRecord> Jobs { get; } = [];

    public List<CtxRecord> Contexts { get; } = [];

    public List<Step> Steps { get; } = [];

    /// <summary>The first failure a monitor or a guarded thread reported (Coyote stops the iteration there).</summary>
    public string? Failure { get; private set; }

    /// <summary>The logical thread of the calling OS thread in this iteration; unnamed threads get <c>thread-N</c>.</summary>
    public ThreadRecord CurrentThread
    {
        get
        {
            if (t_threadOwner == this && t_thread is not null)
            {
                return t_thread;
            }

            return Adopt(Threads.Count == 0 ? "main" : "thread-" + Threads.Count);
        }
    }

    /// <summary>Makes the calling OS thread the logical thread <paramref name="name"/>.</summary>
    public ThreadRecord Adopt(string name)
    {
        var thread = new ThreadRecord(name);
        Threads.Add(thread);
        t_thread = thread;
        t_threadOwner = this;
        return thread;
    }

    /// <summary>Reports a bug: the first one is kept for the report, and Coyote stops the iteration.</summary>
    public void Fail(string message)
    {
        Failure ??= message;
        Specification.Assert(false, message);
    }

    public CtxRecord Context(AsyncWaitCtx ctx)
    {
        if (!_ctxs.TryGetValue(ctx, out CtxRecord? record))
        {
            record = new CtxRecord("C" + (Contexts.Count + 1), ctx);
            _ctxs.Add(ctx, record);
            Contexts.Add(record);
        }

        return record;
    }

    public CtxRecord NewContext(AsyncWaitCtx ctx, string? name)
    {
        var record = new CtxRecord(name ?? "C" + (Contexts.Count + 1), ctx) { Created = true, Creator = CurrentThread };
        _ctxs[ctx] = record;
        Contexts.Add(record);
        return record;
    }

    public JobRecord? Job(AsyncJob handle) => _jobsByHandle.GetValueOrDefault(handle);

    /// <summary>The job whose object is <paramref name="objectId"/> now (its latest use), for state descriptions.</summary>
    public JobRecord? JobByObject(long objectId)
    {
        for (int i = Jobs.Count - 1; i >= 0; i--)
        {
            if (Jobs[i].Handle.ObjectId == objectId)
            {
                return Jobs[i];
            }
        }

        return null;
    }

    /// <summary>A short stable name for an object (a key, data or callback argument): <paramref name="prefix"/>N.</summary>
    public string NameOf(object? value, string prefix)
    {
        if (value is null)
        {
            return "-";
        }

        if (!_names.TryGetValue(value, out string? name))
        {
            int n = _nameCounters.GetValueOrDefault(prefix) + 1;
            _nameCounters[prefix] = n;
            name = prefix + n;
            _names.Add(value, name);
        }

        return name;
    }

    public Step? Record(ThreadRecord thread, string call, Site site, string? statement)
    {
        if (!Recording)
        {
            return null;
        }

        var step = new Step(Steps.Count + 1, thread, thread.Running, call, site) { Statement = statement };
        Steps.Add(step);
        thread.Running?.Body.Add(step);
        return step;
    }

    // ---- events from the façade, each checked by the monitors before the runtime sees the call ----

    public JobRecord BeforeStart(ThreadRecord thread, AsyncJob handle, AsyncWaitCtx? ctx, Site site)
    {
        JobRecord? job = null;
        if (!handle.IsNull)
        {
            job = Job(handle);
            foreach (IAsyncMonitor monitor in _monitors)
            {
                monitor.BeforeResume(this, thread, handle, job, site);
            }
        }

        if (job is null)
        {
            foreach (IAsyncMonitor monitor in _monitors)
            {
                monitor.BeforeNewJob(this, thread, ctx, site);
            }

            job = new JobRecord(++_lastJobNumber, thread, ctx, site);
            Jobs.Add(job);
        }

        job.Phase = JobPhase.Running;
        job.LastResumeSite = site;
        job.BlockedOnEntry = thread.Blocked;
        thread.Running = job;
        return job;
    }

    public void AfterStart(ThreadRecord thread, JobRecord job, AsyncJob handle, AsyncResult result, int ret, Site site)
    {
        thread.Running = null;
        switch (result)
        {
            case AsyncResult.Pause:
                if (job.Handle.IsNull)
                {
                    job.Handle = handle;
                    _jobsByHandle[handle] = job;
                }

                job.Phase = JobPhase.Paused;
                job.Pauses++;
                job.EAgainStreak = job.Ctx is { Profile: not AsyncProfile.OpenSsl111 } ctx && !Context(ctx).Freed && ctx.GetStatus() == AsyncWaitStatus.EAgain
                    ? job.EAgainStreak + 1
                    : 0;
                break;
            case AsyncResult.Finish:
                job.Phase = JobPhase.Finished;
                job.FinishSite = site;
                job.Result = ret;
                break;
            default:
                // NO_JOBS or ERR: no job ran; a resume that failed leaves the job as it was.
                if (job.Handle.IsNull)
                {
                    Abandon(thread, job);
                }
                else
                {
                    job.Phase = JobPhase.Paused;
                }

                return;
        }

        foreach (IAsyncMonitor monitor in _monitors)
        {
            monitor.AfterStart(this, thread, job, result, site);
        }
    }

    /// <summary>Puts the numbering right when a new start took no job (NO_JOBS, ERR, or an exception).</summary>
    public void Abandon(ThreadRecord thread, JobRecord job)
    {
        thread.Running = null;
        if (job.Handle.IsNull && job.Phase == JobPhase.Running)
        {
            Jobs.Remove(job);
            if (job.Number == _lastJobNumber)
            {
                _lastJobNumber--;
            }
        }
    }

    /// <summary>A call on <paramref name="thread"/> handed it <paramref name="handle"/> or took it as an argument.</summary>
    public void SeeJob(ThreadRecord thread, AsyncJob handle, string call, Site site)
    {
        if (handle.IsNull || Job(handle) is not { } job)
        {
            return;
        }

        foreach (IAsyncMonitor monitor in _monitors)
        {
            monitor.OnJobSeen(this, thread, job, call, site);
        }
    }

    public void BeforeCtxFree(ThreadRecord thread, CtxRecord ctx, Site site)
    {
        foreach (IAsyncMonitor monitor in _monitors)
        {
            monitor.BeforeCtxFree(this, thread, ctx, site);
        }
    }

    public void BeforeCleanupThread(ThreadRecord thread, Site site)
    {
        foreach (IAsyncMonitor monitor in _monitors)
        {
            monitor.BeforeCleanupThread(this, thread, site);
        }
    }

    public void BeforeCallback(ThreadRecord thread, CtxRecord ctx, Site site)
    {
        foreach (IAsyncMonitor monitor in _monitors)
        {
            monitor.BeforeCallback(this, thread, ctx, site);
        }
    }

    /// <summary>
    /// Credits an error just raised on <paramref name="thread"/> (its queue held <paramref name="queuedBefore"/> errors
    /// before the raise and <paramref name="queuedAfter"/> after it, the new one last) to the thread it was raised for:
    /// inside a job, the job's thread; inside a callback, the thread of the unfinished job using the callback's ctx
    /// (else the ctx's creator); otherwise the raising thread.
    /// </summary>
    public void CreditError(ThreadRecord thread, Site site, int queuedBefore, int queuedAfter)
    {
        // The queue is a ring that keeps the newest errors: a raise into a full one pushes the oldest out, and every
        // earlier credit's place in the next drain moves up with it.
        int dropped = queuedBefore + 1 - queuedAfter;
        if (dropped > 0)
        {
            thread.Errors.RemoveAll(c => c.Position <= dropped);
            for (int i = 0; i < thread.Errors.Count; i++)
            {
                thread.Errors[i] = thread.Errors[i] with { Position = thread.Errors[i].Position - dropped };
            }
        }

        JobRecord? job = thread.Running;
        CtxRecord? callback = job is null ? thread.InCallback : null;
        if (callback is not null)
        {
            for (int i = Jobs.Count - 1; i >= 0; i--)
            {
                if (ReferenceEquals(Jobs[i].Ctx, callback.Ctx) && Jobs[i].Phase != JobPhase.Finished)
                {
                    job = Jobs[i];
                    break;
                }
            }
        }

        ThreadRecord owner = job?.Owner ?? callback?.Creator ?? thread;
        thread.Errors.Add(new ErrorCredit(thread, owner, job, callback, site, queuedAfter));
    }

    /// <summary>
    /// <paramref name="thread"/> drained <paramref name="drained"/>: pairs each credited error with the entry at its
    /// position (errors raised without the façade have none), lets the monitors judge, and forgets the credits.
    /// </summary>
    public void ErrorsDrained(ThreadRecord thread, IReadOnlyList<AsyncError> drained, Site site)
    {
        if (thread.Errors.Count == 0)
        {
            return;
        }

        var credited = new List<(AsyncError, ErrorCredit)>();
        foreach (ErrorCredit credit in thread.Errors)
        {
            if (credit.Position >= 1 && credit.Position <= drained.Count)
            {
                credited.Add((drained[credit.Position - 1], credit));
            }
        }

        thread.Errors.Clear();
        foreach (IAsyncMonitor monitor in _monitors)
        {
            monitor.OnErrorsDrained(this, thread, credited, site);
        }
    }

    /// <summary>Runs the end-of-execution checks, once every thread of the test body has returned.</summary>
    public void End()
    {
        foreach (IAsyncMonitor monitor in _monitors)
        {
            monitor.AtEnd(this);
        }
    }
}
