using System.Globalization;
using System.Text;
using AsyncRef.Testing.Recording;

namespace AsyncRef.Testing.Reporting;

/// <summary>The readable report of a failing execution: the bug, the schedule call by call, and the ASYNC state.</summary>
internal static class FailureReport
{
    internal static string Render(string name, string bug, string coyoteMessage, Iteration? it, int iteration, string? foundBy, string replayCommand)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"BUG in hunt '{name}' (iteration {iteration}): {bug}");
        text.AppendLine(CultureInfo.InvariantCulture, $"Coyote: {coyoteMessage}");
        if (foundBy is not null)
        {
            text.AppendLine(foundBy);
        }

        text.AppendLine(CultureInfo.InvariantCulture, $"Replay: {replayCommand}");
        if (it is null)
        {
            return text.AppendLine("(the recording replay did not reproduce the bug: no schedule to show)").ToString();
        }

        text.AppendLine().AppendLine("Threads:");
        foreach (ThreadRecord thread in it.Threads.Where(t => t.Name != "main" || it.Steps.Any(s => s.Thread == t)))
        {
            Step? last = it.Steps.LastOrDefault(s => s.Thread == thread);
            string where = last is null ? "made no ASYNC call" : $"last call: {last.Call} at {last.Site}";
            text.AppendLine(CultureInfo.InvariantCulture, $"  {thread.Name,-12} {(thread.Done ? "returned" : "did not return"),-15} {where}");
        }

        text.AppendLine().AppendLine("Jobs:");
        foreach (JobRecord job in it.Jobs)
        {
            string ctx = job.Ctx is null ? "-" : it.Context(job.Ctx).Name;
            string state = job.Phase switch
            {
                JobPhase.Finished => $"finished at {job.FinishSite} (returned {job.Result})",
                JobPhase.Paused => $"PAUSED at {job.PauseSite}",
                _ => "running",
            };
            text.AppendLine(CultureInfo.InvariantCulture, $"  {job.Label,-4} thread {job.Owner.Name,-10} ctx {ctx,-4} started at {job.StartSite}, {job.Pauses} pause(s), {state}");
        }

        text.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"Failing schedule ({it.Steps.Count} calls, in the order they ran):");
        text.AppendLine("  step  thread       job   call                                      result        at");
        foreach (Step step in it.Steps)
        {
            string job = step.Job?.Label ?? "-";
            text.AppendLine(CultureInfo.InvariantCulture, $"  {step.Index,4}  {step.Thread.Name,-12} {job,-5} {step.Call,-41} {step.Result,-13} {step.Site}");
        }

        text.AppendLine().AppendLine("ASYNC state at the failure:");
        foreach (CtxRecord ctx in it.Contexts)
        {
            text.AppendLine("  " + DescribeContext(it, ctx));
        }

        text.AppendLine("  jobs: " + (it.Jobs.Count == 0 ? "none" : string.Join(", ", it.Jobs.Select(j => $"{j.Label} {j.Phase}"))));
        foreach (ThreadRecord thread in it.Threads.Where(t => t.LastSnapshot is not null))
        {
            text.AppendLine("  " + DescribeThread(it, thread));
        }

        List<JobRecord> paused = [.. it.Jobs.Where(j => j.Phase == JobPhase.Paused)];
        if (paused.Count > 0)
        {
            text.AppendLine().AppendLine("Paused jobs wait for:");
            foreach (JobRecord job in paused)
            {
                text.AppendLine("  " + FailureAnalysis.Waiting(it, job));
            }
        }

        return text.ToString();
    }

    private static string DescribeContext(Iteration it, CtxRecord ctx)
    {
        AsyncWaitCtxSnapshot s = ctx.Ctx.Describe();
        if (s.Freed)
        {
            return $"ctx {ctx.Name}: freed at {ctx.FreedSite}";
        }

        var text = new StringBuilder($"ctx {ctx.Name}: fds [");
        for (int i = 0; i < s.EntriesNewestFirst.Count; i++)
        {
            AsyncWaitFdEntry e = s.EntriesNewestFirst[i];
            text.Append(i == 0 ? "" : ", ")
                .Append(CultureInfo.InvariantCulture, $"{it.NameOf(e.Key, "K")} {e.Fd} {it.NameOf(e.CustomData, "D")}")
                .Append(e.HasCleanup ? " cleanup" : "")
                .Append(e.Added ? " +add" : "")
                .Append(e.Deleted ? " +del" : "");
        }

        text.Append(CultureInfo.InvariantCulture, $"] numadd={s.NumAdd} numdel={s.NumDel}");
        if (ctx.Ctx.Profile != AsyncProfile.OpenSsl111)
        {
            text.Append(s.HasCallback ? " callback=set" : " callback=-").Append(CultureInfo.InvariantCulture, $" status={s.Status}");
        }

        return text.Append(CultureInfo.InvariantCulture, $" jobs-using={s.ActiveJobs}").ToString();
    }

    private static string DescribeThread(Iteration it, ThreadRecord thread)
    {
        AsyncThreadSnapshot s = thread.LastSnapshot!;
        string current = s.CurrentJob.IsNull ? "NULL" : Label(it, s.CurrentJob.ObjectId);
        string pool = s.HasPool
            ? string.Create(
                CultureInfo.InvariantCulture,
                $"max={(s.PoolMaxSize == 0 ? "unlimited" : s.PoolMaxSize.ToString(CultureInfo.InvariantCulture))} created={s.PoolCreated} idle=[{string.Join(' ', s.IdleJobObjectIds.Select(id => Label(it, id)))}]")
            : "none";
        return string.Create(
            CultureInfo.InvariantCulture,
            $"thread {thread.Name}: current={current} block={s.BlockCounter} paused={s.PausedJobs} errors={s.QueuedErrors} pool: {pool} (after its last call)");
    }

    /// <summary>A job object by the label of its latest use, or <c>~ID</c> for one no start has returned.</summary>
    private static string Label(Iteration it, long objectId) => it.JobByObject(objectId)?.Label ?? "~" + objectId.ToString(CultureInfo.InvariantCulture);
}
