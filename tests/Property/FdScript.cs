using System.Text;

namespace AsyncRef.Property;

/// <summary>What a step does to the wait context: set a key's fd, or clear a key.</summary>
public enum FdOpKind
{
    Set,
    Clear,
}

/// <summary>
/// One wait-context call. <see cref="Key"/> indexes a small key set so that calls interact; every set stores its own
/// unique <see cref="Fd"/>, so every report names exactly one call.
/// </summary>
public sealed record FdOp(FdOpKind Kind, int Key, int Fd = 0)
{
    public override string ToString() => Kind == FdOpKind.Set ? $"set K{Key}={Fd}" : $"clear K{Key}";
}

/// <summary>
/// One stretch of a job: the calls the job makes, then (if it is not the last segment) a pause, then the calls the
/// application makes while the job is paused (after the last segment: after FINISH).
/// </summary>
public sealed record Segment(IReadOnlyList<FdOp> JobOps, IReadOnlyList<FdOp> AppOps)
{
    public override string ToString() => $"[job: {string.Join(", ", JobOps)} | app: {string.Join(", ", AppOps)}]";
}

/// <summary>Jobs run one after another on one wait context (so stale counts left by a finished job are seen by the next).</summary>
public sealed record FdScript(IReadOnlyList<IReadOnlyList<Segment>> Jobs)
{
    public const int KeyCount = 3;

    public override string ToString() =>
        string.Join(" ; ", Jobs.Select((segments, i) => $"job {i + 1}: " + string.Join(" pause ", segments)));

    public FdScript WithJob(int job, IReadOnlyList<Segment> segments) =>
        new(Jobs.Select((s, i) => i == job ? segments : s).ToArray());

    public FdScript WithSegment(int job, int segment, Segment replacement) =>
        WithJob(job, Jobs[job].Select((s, i) => i == segment ? replacement : s).ToArray());

    /// <summary>Gives every set a unique fd, in execution order.</summary>
    public FdScript Numbered()
    {
        int fd = 100;
        FdOp Number(FdOp op) => op.Kind == FdOpKind.Set ? op with { Fd = ++fd } : op;
        return new FdScript(Jobs
            .Select(job => (IReadOnlyList<Segment>)job
                .Select(seg => new Segment(seg.JobOps.Select(Number).ToArray(), seg.AppOps.Select(Number).ToArray()))
                .ToArray())
            .ToArray());
    }

    /// <summary>
    /// The script as a v1 scenario that every implementation can replay: the counterexample format of the project.
    /// Each job is its own function; its body makes the job's calls and pauses; the top level makes the
    /// application's calls and observes after every return of <c>start</c>.
    /// </summary>
    public string ToScenario(string title)
    {
        var text = new StringBuilder();
        text.Append("# ").Append(title).Append('\n');
        text.Append("# script: ").Append(ToString()).Append('\n');
        var functions = new StringBuilder();
        var main = new StringBuilder();
        main.Append("ctx_new C1\n");
        for (int j = 0; j < Jobs.Count; j++)
        {
            IReadOnlyList<Segment> segments = Jobs[j];
            functions.Append($"func F{j + 1}\n");
            for (int s = 0; s < segments.Count; s++)
            {
                foreach (FdOp op in segments[s].JobOps)
                {
                    functions.Append("  ").Append(Call(op, ".")).Append('\n');
                }

                functions.Append("  get_changed_fds .\n");
                if (s < segments.Count - 1)
                {
                    functions.Append("  pause\n  get_changed_fds .\n");
                }
            }

            functions.Append("  return ").Append(j + 1).Append("\nend\n");
            for (int s = 0; s < segments.Count; s++)
            {
                main.Append($"start J1 C1 F{j + 1} -\n");
                main.Append("get_all_fds C1\nget_changed_fds C1\n");
                foreach (FdOp op in segments[s].AppOps)
                {
                    main.Append(Call(op, "C1")).Append('\n');
                }

                if (segments[s].AppOps.Count > 0)
                {
                    main.Append("get_all_fds C1\nget_changed_fds C1\n");
                }
            }
        }

        main.Append("ctx_free C1\n");
        return text.Append(functions).Append(main).ToString();
    }

    private static string Call(FdOp op, string ctx) =>
        op.Kind == FdOpKind.Set ? $"set_wait_fd {ctx} K{op.Key} {op.Fd} D{op.Key} cleanup" : $"clear_fd {ctx} K{op.Key}";
}
