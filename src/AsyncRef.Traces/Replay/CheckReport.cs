namespace AsyncRef.Traces.Replay;

/// <summary>What a finding is.</summary>
internal enum FindingKind
{
    /// <summary>A recorded result (or the recorded course of a call) differs from the reference's prediction.</summary>
    Divergence,

    /// <summary>The program's own use of the API is undefined in C at this call.</summary>
    Undefined,

    /// <summary>Not wrong, worth knowing: a job still paused or a context never freed at exit.</summary>
    Advisory,
}

/// <summary>One finding of <c>trace check</c>.</summary>
/// <param name="Kind">What it is.</param>
/// <param name="Record">The record number of the call (or of the record that diverged).</param>
/// <param name="Thread">The logical thread.</param>
/// <param name="Function">The C function, or a short description.</param>
/// <param name="Site">The call site, symbolised (file:line when debug information allows), or empty.</param>
/// <param name="Rule">The UB rule id, or empty.</param>
/// <param name="Message">What happened, one line.</param>
/// <param name="Recorded">What the program recorded (divergences), or empty.</param>
/// <param name="Predicted">What the reference predicted (divergences), or empty.</param>
/// <param name="State">The reference's state at that point, explain-style lines, or empty.</param>
internal sealed record Finding(
    FindingKind Kind,
    long Record,
    uint Thread,
    string Function,
    string Site,
    string Rule,
    string Message,
    string Recorded,
    string Predicted,
    string State);

/// <summary>The outcome of checking one trace.</summary>
internal sealed class CheckReport
{
    internal required string Trace { get; init; }

    internal string Program { get; set; } = "";

    internal long Calls { get; set; }

    internal long Jobs { get; set; }

    internal long Pauses { get; set; }

    internal int Threads { get; set; }

    internal long Records { get; set; }

    /// <summary>Whether the file ended with its END record (the program exited normally).</summary>
    internal bool Complete { get; set; }

    /// <summary>
    /// How many findings of each kind are listed; the rest are counted only, so that a trace with a divergence at
    /// every call is still checked in bounded memory.
    /// </summary>
    internal const int ListedPerKind = 100;

    private readonly int[] _counts = new int[3];

    /// <summary>Why checking stopped before the end of the trace (a course it cannot follow, a crash), or empty.</summary>
    internal string StoppedBecause { get; set; } = "";

    /// <summary>What the reader should know about the findings (for example that they follow an undefined use).</summary>
    internal List<string> Notes { get; } = [];

    /// <summary>The bad-trace message (<c>FILE:RECORD: message</c>), or empty.</summary>
    internal string BadTrace { get; set; } = "";

    internal double Seconds { get; set; }

    /// <summary>The listed findings, at most <see cref="ListedPerKind"/> of each kind, in record order per kind.</summary>
    internal List<Finding> Findings { get; } = [];

    internal int Divergences => _counts[(int)FindingKind.Divergence];

    internal int Undefined => _counts[(int)FindingKind.Undefined];

    internal int Advisories => _counts[(int)FindingKind.Advisory];

    /// <summary>Findings counted but not listed (beyond <see cref="ListedPerKind"/> of their kind).</summary>
    internal int Unlisted => Divergences + Undefined + Advisories - Findings.Count;

    internal double CallsPerSecond => Seconds > 0 ? Calls / Seconds : 0;

    /// <summary>0 conforming, 1 divergence or UB, 2 bad trace.</summary>
    internal int ExitCode => BadTrace.Length > 0 ? 2 : Divergences + Undefined > 0 ? 1 : 0;

    internal string Verdict => ExitCode switch
    {
        2 => "bad trace",
        1 when Undefined > 0 => "undefined",
        1 => "divergent",
        _ => "conforming",
    };

    internal string Summary =>
        $"{Calls} calls, {Divergences} divergences, {Undefined} undefined, {CallsPerSecond:F0} calls/s";

    /// <summary>Counts <paramref name="finding"/> and lists it unless its kind already has <see cref="ListedPerKind"/>.</summary>
    internal void Add(Finding finding)
    {
        if (++_counts[(int)finding.Kind] <= ListedPerKind)
        {
            Findings.Add(finding);
        }
    }
}
