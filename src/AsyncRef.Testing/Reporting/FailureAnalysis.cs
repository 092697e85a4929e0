using AsyncRef.Testing.Recording;

namespace AsyncRef.Testing.Reporting;

/// <summary>Turns a recorded failing execution into one readable line, and explains what each paused job waits for.</summary>
internal static class FailureAnalysis
{
    /// <summary>The bug in one line: a monitor's or thread's own message, else a deadlock explained job by job.</summary>
    internal static string Headline(Iteration it, string coyoteMessage, AsyncMonitors monitors)
    {
        if (it.Failure is not null)
        {
            return it.Failure;
        }

        if (!coyoteMessage.Contains("eadlock", StringComparison.Ordinal))
        {
            return coyoteMessage;
        }

        List<string> waits = [.. it.Jobs.Where(j => j.Phase == JobPhase.Paused).Select(j => Waiting(it, j))];
        string blocked = string.Join(", ", it.Threads.Where(t => !t.Done && t.Name != "main").Select(t => $"'{t.Name}'"));
        string kind = monitors.HasFlag(AsyncMonitors.NoLostWakeUp) && waits.Any(w => w.Contains("lost wake-up", StringComparison.Ordinal)
            || w.Contains("too early", StringComparison.Ordinal) || w.Contains("no callback will come", StringComparison.Ordinal))
            ? "lost wake-up"
            : "deadlock";
        return $"{kind}: threads {blocked} are all blocked; " + (waits.Count == 0 ? "no job is paused" : string.Join("; ", waits));
    }

    /// <summary>What <paramref name="job"/> waits for, and whether that wake already came.</summary>
    internal static string Waiting(Iteration it, JobRecord job)
    {
        string who = $"job {job.Label} (thread '{job.Owner.Name}') paused at {job.PauseSite}";
        if (job.Ctx is null)
        {
            return who + " without a wait ctx: nothing can tell the application when to resume it";
        }

        CtxRecord ctx = it.Context(job.Ctx);
        if (ctx.Freed)
        {
            return who + $" uses wait ctx {ctx.Name}, freed at {ctx.FreedSite}";
        }

        int pausedAt = LastPauseStep(it, job);
        AsyncWaitCtxSnapshot state = job.Ctx.Describe();
        if (state.HasCallback && job.Ctx.Profile != AsyncProfile.OpenSsl111)
        {
            if (state.Status == AsyncWaitStatus.EAgain)
            {
                return who + $" with status EAGAIN in wait ctx {ctx.Name}: no callback will come, yet the application waits for one instead of resuming the job itself";
            }

            Step? fired = it.Steps.LastOrDefault(s => s.CallbackCtx == ctx && s.Index > pausedAt);
            return fired is null
                ? who + $" waits for the callback of wait ctx {ctx.Name}, which has not fired"
                : who + $" waits for the callback of wait ctx {ctx.Name}, which fired at step {fired.Index} ({fired.Site}, thread '{fired.Thread.Name}'), yet nothing resumed the job: a lost wake-up";
        }

        // An entry marked deleted is only waiting to be reported by get_changed_fds: the job does not wait for it.
        int[] fds = [.. state.EntriesNewestFirst.Where(e => !e.Deleted).Select(e => e.Fd).Distinct()];
        if (fds.Length == 0)
        {
            return who + $" with no fd in wait ctx {ctx.Name}: nothing can wake it";
        }

        return who + " " + string.Join(" and ", fds.Select(fd => WaitingForFd(it, fd, pausedAt)));
    }

    private static string WaitingForFd(Iteration it, int fd, int pausedAt)
    {
        Step? wake = it.Steps.LastOrDefault(s => s.WakeFd == fd && !s.IsWakeConsumed);
        Step? consumed = wake is null ? null : it.Steps.LastOrDefault(s => s.WakeFd == fd && s.IsWakeConsumed && s.Index > wake.Index);
        if (wake is null)
        {
            return $"waits for fd {fd}, which was never signalled";
        }

        if (consumed is null)
        {
            return $"waits for fd {fd}, signalled at step {wake.Index} ({wake.Site}, thread '{wake.Thread.Name}') and still readable, yet nothing resumed the job: a lost wake-up";
        }

        return consumed.Index < pausedAt
            ? $"waits for fd {fd}: it was signalled at step {wake.Index} ({wake.Site}) but the wake was consumed at step {consumed.Index} ({consumed.Site}, thread '{consumed.Thread.Name}') before the pause at step {pausedAt}: the wake signal was cleared too early"
            : $"waits for fd {fd}: it was signalled at step {wake.Index} ({wake.Site}) and the wake consumed at step {consumed.Index} ({consumed.Site}, thread '{consumed.Thread.Name}') without resuming the job: a lost wake-up";
    }

    /// <summary>The step of the job's last pause call.</summary>
    private static int LastPauseStep(Iteration it, JobRecord job) =>
        it.Steps.LastOrDefault(s => s.Job == job && s.Statement == "pause")?.Index ?? 0;
}
