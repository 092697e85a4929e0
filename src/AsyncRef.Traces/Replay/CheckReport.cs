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

    /// <summary>Why checking stopped early (first divergence, first UB, crash), or empty.</summary>
    internal string StoppedBecause { get; set; } = "";

    /// <summary>The bad-trace message (<c>FILE:RECORD: message</c>), or empty.</summary>
    internal string BadTrace { get; set; } = "";

    internal double Seconds { get; set; }

    internal List<Finding> Findings { get; } = [];

    internal int Divergences => Findings.Count(f => f.Kind == FindingKind.Divergence);

    internal int Undefined => Findings.Count(f => f.Kind == FindingKind.Undefined);

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
}
