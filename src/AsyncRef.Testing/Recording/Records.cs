namespace AsyncRef.Testing.Recording;

/// <summary>Where a job is in its life, as the application has observed it through the façade.</summary>
internal enum JobPhase
{
    /// <summary>Started or resumed; the start call has not returned yet.</summary>
    Running,

    /// <summary>A start call returned <c>PAUSE</c> for it.</summary>
    Paused,

    /// <summary>A start call returned <c>FINISH</c> for it.</summary>
    Finished,
}

/// <summary>A logical thread of one iteration.</summary>
internal sealed class ThreadRecord(string name)
{
    public string Name { get; } = name;

    /// <summary>The job the thread is inside (between a start call and its return).</summary>
    public JobRecord? Running { get; set; }

    /// <summary>The block counter as the façade counts it (block_pause minus unblock_pause).</summary>
    public uint Blocked { get; set; }

    /// <summary>The last block_pause that is not yet balanced.</summary>
    public Site LastBlockSite { get; set; }

    /// <summary>The thread's ASYNC state after its latest call (recording only).</summary>
    public AsyncThreadSnapshot? LastSnapshot { get; set; }

    /// <summary>Whether the thread's body returned.</summary>
    public bool Done { get; set; }

    /// <summary>The wait ctx whose callback the thread is firing now (<see cref="TracedAsync.InvokeCallback"/>), or null.</summary>
    public CtxRecord? InCallback { get; set; }

    /// <summary>The errors raised through the façade on this thread since its last drain, oldest first.</summary>
    public List<ErrorCredit> Errors { get; } = [];
}

/// <summary>
/// Who an error raised on <paramref name="RaisedOn"/> belongs to: <paramref name="Owner"/>, the thread it was raised for.
/// </summary>
/// <param name="RaisedOn">The thread whose queue got it.</param>
/// <param name="Owner">The thread it was raised for.</param>
/// <param name="Job">The job the thread was running, or the job whose callback it was firing, if any.</param>
/// <param name="Callback">The wait ctx whose callback raised it, if any.</param>
/// <param name="Site">Where it was raised.</param>
/// <param name="Position">The queue's length right after the raise: the error's place in the next drain, from 1.</param>
internal sealed record ErrorCredit(ThreadRecord RaisedOn, ThreadRecord Owner, JobRecord? Job, CtxRecord? Callback, Site Site, int Position)
{
    /// <summary>How it came to be raised, for reports.</summary>
    public string Describe()
    {
        string job = Job is null ? "" : $" for job {Job.Label} of thread '{Job.Owner.Name}' (started at {Job.StartSite})";
        return Callback is not null
            ? $"on thread '{RaisedOn.Name}' inside the callback of wait ctx {Callback.Name}{job}"
            : Job is not null
                ? $"by job {Job.Label} of thread '{Job.Owner.Name}' (started at {Job.StartSite}) while it ran on thread '{RaisedOn.Name}'"
                : $"on thread '{RaisedOn.Name}'";
    }
}

/// <summary>One use of a job object, from the start call that created it to its finish.</summary>
internal sealed class JobRecord(int number, ThreadRecord owner, AsyncWaitCtx? ctx, Site startSite)
{
    /// <summary>The job's label number, <c>#N</c>, in order of starts.</summary>
    public int Number { get; } = number;

    public ThreadRecord Owner { get; } = owner;

    public AsyncWaitCtx? Ctx { get; } = ctx;

    public Site StartSite { get; } = startSite;

    public AsyncJob Handle { get; set; }

    public JobPhase Phase { get; set; } = JobPhase.Running;

    /// <summary>The last pause call inside the job.</summary>
    public Site PauseSite { get; set; }

    /// <summary>The start call that last resumed or finished it.</summary>
    public Site LastResumeSite { get; set; }

    public Site FinishSite { get; set; }

    public int Pauses { get; set; }

    /// <summary>Pauses in a row with the wait ctx's status at <c>EAGAIN</c>.</summary>
    public int EAgainStreak { get; set; }

    /// <summary>The thread's block counter when the job was last entered.</summary>
    public uint BlockedOnEntry { get; set; }

    /// <summary>The job's step index of its first statement (recording), for the scenario's function.</summary>
    public List<Step> Body { get; } = [];

    public int? Result { get; set; }

    public string Label => "#" + Number;
}

/// <summary>A wait context the iteration has seen.</summary>
internal sealed class CtxRecord(string name, AsyncWaitCtx ctx)
{
    public string Name { get; } = name;

    public AsyncWaitCtx Ctx { get; } = ctx;

    public bool Freed { get; set; }

    public Site FreedSite { get; set; }

    public bool CallbackSet { get; set; }

    /// <summary>Whether <see cref="TracedAsync.NewWaitCtx"/> created it (so a scenario can create it too).</summary>
    public bool Created { get; set; }

    /// <summary>The thread that created it through <see cref="TracedAsync.NewWaitCtx"/>, if it did.</summary>
    public ThreadRecord? Creator { get; set; }
}

/// <summary>One recorded call of the failing schedule.</summary>
internal sealed class Step(int index, ThreadRecord thread, JobRecord? job, string call, Site site)
{
    public int Index { get; } = index;

    public ThreadRecord Thread { get; } = thread;

    /// <summary>The job the call ran inside, or null for a call by the application.</summary>
    public JobRecord? Job { get; } = job;

    public string Call { get; } = call;

    public Site Site { get; } = site;

    public string Result { get; set; } = "";

    /// <summary>The call as a scenario statement, or null when the scenario language cannot express it.</summary>
    public string? Statement { get; set; }

    /// <summary>Whether the scenario language cannot express the call.</summary>
    public bool Inexpressible { get; set; }

    /// <summary>The job a start call started or resumed.</summary>
    public JobRecord? Target { get; set; }

    /// <summary>An fd a wake note names.</summary>
    public int WakeFd { get; set; } = -1;

    public bool IsWakeConsumed { get; set; }

    /// <summary>The context a callback step fired for.</summary>
    public CtxRecord? CallbackCtx { get; set; }
}
