using System.Globalization;
using System.Text;
using AsyncRef.Testing.Recording;

namespace AsyncRef.Testing.Reporting;

/// <summary>
/// Writes the ASYNC calls of a failing schedule as a v1 scenario: one function per job holding the calls the job
/// made, in order, and the application's calls on their logical threads in the order they ran, so that
/// <c>asyncref run</c>/<c>explain</c> (or any other implementation's adapter) replays them. What is not an ASYNC
/// call (locks, fds, the device's work) is not part of it.
/// </summary>
internal static class ScenarioWriter
{
    /// <summary>The scenario, or null when a call cannot be expressed (a wait ctx not made by <see cref="TracedAsync.NewWaitCtx"/>, for one).</summary>
    internal static string? TryWrite(Iteration it, string name)
    {
        List<Step> calls = [.. it.Steps.Where(s => s.WakeFd < 0)];
        if (calls.Count == 0 || it.Contexts.Any(c => !c.Created) || calls.Any(s => s.Inexpressible || (s.Statement is null && s.Target is null && !s.Call.StartsWith("start_job", StringComparison.Ordinal))))
        {
            return null;
        }

        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"# The failing schedule of hunt '{name}' (iteration {it.Number}): its ASYNC calls in the order they ran.");
        text.AppendLine("# Written by AsyncRef.Testing; run it with `asyncref explain FILE` to see the state after every call.");
        text.AppendLine();
        var defined = new HashSet<JobRecord>();
        foreach (JobRecord job in it.Jobs)
        {
            defined.Add(job);
            text.AppendLine(CultureInfo.InvariantCulture, $"func F{job.Number}");
            foreach (Step step in job.Body.Where(s => s.WakeFd < 0))
            {
                text.AppendLine("  " + Statement(step, defined, it));
            }

            if (job.Result is { } result)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"  return {result}");
            }

            text.AppendLine("end");
        }

        text.AppendLine("func F0").AppendLine("  return 0").AppendLine("end");
        foreach (Step step in calls.Where(s => s.Job is null))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"@{ThreadName(step.Thread.Name)} {Statement(step, defined, it)}");
        }

        return text.ToString();
    }

    private static string Statement(Step step, HashSet<JobRecord> defined, Iteration it)
    {
        if (step.Target is not { } job)
        {
            // A new start the monitors stopped before it took a job: F0 on its wait ctx.
            return step.Statement ?? $"start J0 {step.Call["start_job ctx=".Length..]} F0 -";
        }

        // A start that took no job (NO_JOBS) has no function of its own: F0 with a job variable that stays NULL.
        int n = defined.Contains(job) ? job.Number : 0;
        string ctx = job.Ctx is null ? "-" : it.Context(job.Ctx).Name;
        return $"start J{n} {ctx} F{n} -";
    }

    private static string ThreadName(string name)
    {
        var text = new StringBuilder(name.Length);
        foreach (char c in name)
        {
            text.Append(char.IsAsciiLetterOrDigit(c) || c == '_' ? c : '_');
        }

        return text.Length == 0 || char.IsAsciiDigit(text[0]) ? "T" + text : text.ToString();
    }
}
