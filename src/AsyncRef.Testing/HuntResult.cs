namespace AsyncRef.Testing;

/// <summary>What a hunt found: nothing, or one bug with its files and the command that replays it.</summary>
public sealed class HuntResult
{
    internal HuntResult(string name, int iterations, TimeSpan elapsed, TimeSpan cpuTime, double stepsPerIteration)
    {
        Name = name;
        Iterations = iterations;
        Elapsed = elapsed;
        CpuTime = cpuTime;
        StepsPerIteration = stepsPerIteration;
    }

    /// <summary>The hunt's name (by default the calling test method), which names its files.</summary>
    public string Name { get; }

    /// <summary>Executions explored by all workers together (with one worker and a bug: the execution that found it).</summary>
    public int Iterations { get; }

    /// <summary>
    /// The failing execution's number counted from the hunt's seed (what one worker explores to find it; the same for
    /// every worker count with the random and probabilistic strategies); 0 when no bug was found, 1 for a replay.
    /// </summary>
    public int BugIteration { get; internal init; }

    /// <summary>The failing execution's seed: <c>WithSeed(BugSeed).WithIterations(1)</c> explores it again; null when no bug was found or for a replay.</summary>
    public uint? BugSeed { get; internal init; }

    /// <summary>The worker that found the bug (0 with one worker or none).</summary>
    public int Worker { get; internal init; }

    /// <summary>Each worker's first seed, executions explored and rate (empty for a replay).</summary>
    public IReadOnlyList<HuntWorker> Workers { get; internal init; } = [];

    /// <summary>Wall-clock time of the exploration (not of writing the report).</summary>
    public TimeSpan Elapsed { get; }

    /// <summary>Processor time the process spent exploring (all its threads), a rate measure that a loaded machine does not skew.</summary>
    public TimeSpan CpuTime { get; }

    /// <summary>Coyote scheduling steps per execution, on average.</summary>
    public double StepsPerIteration { get; }

    /// <summary>Executions per second of wall-clock time.</summary>
    public double IterationsPerSecond => Elapsed.TotalSeconds > 0 ? Iterations / Elapsed.TotalSeconds : 0;

    /// <summary>Executions per second of processor time.</summary>
    public double IterationsPerCpuSecond => CpuTime.TotalSeconds > 0 ? Iterations / CpuTime.TotalSeconds : 0;

    /// <summary>Whether a bug was found.</summary>
    public bool BugFound => Bug is not null;

    /// <summary>The bug in one line, naming threads, jobs (<c>#N</c>) and source lines; null when none was found.</summary>
    public string? Bug { get; internal init; }

    /// <summary>Coyote's own message for the bug.</summary>
    public string? CoyoteMessage { get; internal init; }

    /// <summary>The full readable report: the failing schedule, call by call, and the ASYNC state at the failure.</summary>
    public string? Report { get; internal init; }

    /// <summary>The reproducible trace; <see cref="Hunt.Replay"/> or <see cref="ReplayCommand"/> replays it.</summary>
    public string? TracePath { get; internal init; }

    /// <summary>The report written next to the trace.</summary>
    public string? ReportPath { get; internal init; }

    /// <summary>The failing schedule's ASYNC calls as a scenario (<c>asyncref run</c>/<c>explain</c>), when the language can express them.</summary>
    public string? ScenarioPath { get; internal init; }

    /// <summary>The one-line command that replays the bug.</summary>
    public string? ReplayCommand { get; internal init; }

    /// <summary>A summary: the bug, the files and the replay command, or the iterations explored; with several workers, each one's share.</summary>
    public string Summary => Bug is null
        ? $"hunt '{Name}': no bug in {Iterations} iterations ({IterationsPerSecond:F0}/s wall, {IterationsPerCpuSecond:F0}/s of CPU, {StepsPerIteration:F0} steps each){WorkerSummary}"
        : $"hunt '{Name}': BUG at iteration {BugIteration}{(Workers.Count > 1 ? $" (worker {Worker}, seed {BugSeed})" : "")}: {Bug}\n  trace:    {TracePath}\n  report:   {ReportPath}\n"
          + (ScenarioPath is null ? "" : $"  scenario: {ScenarioPath}\n") + $"  replay:   {ReplayCommand}{WorkerSummary}";

    private string WorkerSummary => Workers.Count < 2 ? ""
        : $"\n  {Workers.Count} workers, {Iterations} iterations in all ({IterationsPerSecond:F0}/s wall): "
          + string.Join("; ", Workers.Select(w => $"worker {w.Index} from seed {w.FirstSeed}: {w.Iterations} at {w.IterationsPerSecond:F0}/s"));

    /// <summary>Throws <see cref="HuntFailedException"/> with the report when a bug was found.</summary>
    /// <returns>This result, for chaining.</returns>
    public HuntResult ThrowIfBug() => Bug is null ? this : throw new HuntFailedException(Summary + "\n\n" + Report);

    /// <inheritdoc/>
    public override string ToString() => Summary;
}

/// <summary>A hunt found a bug; the message is the summary followed by the full report.</summary>
public sealed class HuntFailedException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">The summary and report.</param>
    public HuntFailedException(string message)
        : base(message)
    {
    }
}
