using AsyncRef.Oracle.Verdicts;

namespace AsyncRef.Oracle.Checking;

/// <summary>The verdict on one case, with what explains it.</summary>
/// <param name="File">The scenario file, as found.</param>
/// <param name="Verdict">The verdict.</param>
/// <param name="Message">One line saying what happened (<c>FILE:LINE: message</c> for a rejected case).</param>
public sealed record CaseResult(string File, Verdict Verdict, string Message)
{
    /// <summary>The 1-based log line the verdict is about, if any.</summary>
    public int? Line { get; init; }

    /// <summary>The reference's line at <see cref="Line"/>, if any.</summary>
    public string? ReferenceLine { get; init; }

    /// <summary>The other log's line at <see cref="Line"/> (the implementation's, or the golden log's), if any.</summary>
    public string? OtherLine { get; init; }

    /// <summary>The implementation's exit status, when it exited by itself.</summary>
    public int? ExitCode { get; init; }

    /// <summary>The scenario's profile (<c>3.0</c> or <c>1.1.1</c>), when it was parsed.</summary>
    public string? Profile { get; init; }

    /// <summary>The spec rules the case exercises: its <c># rules:</c> comment, and the rule of the reference's <c>UB</c> line.</summary>
    public IReadOnlyList<string> Rules { get; init; } = [];

    /// <summary>How long the case took, in seconds (reference and implementation).</summary>
    public double Seconds { get; init; }

    /// <summary>Whether the case counts as passed.</summary>
    public bool IsSuccess => VerdictTable.Of(Verdict).IsSuccess;
}
