using System.Globalization;

namespace AsyncRef.Scenarios;

/// <summary>What a comparison of the reference's log with another log found.</summary>
public enum ComparisonVerdict
{
    /// <summary>The logs are equal (byte for byte, final newline included).</summary>
    Match,

    /// <summary>A line differs, or one log has lines the other lacks, before any undefined behaviour.</summary>
    Divergence,

    /// <summary>The reference stopped at undefined behaviour and every line before its <c>UB</c> line matched; nothing after it is defined.</summary>
    StoppedAtUb,

    /// <summary>The other implementation exited abnormally (status other than 0, 2, 3, or a signal) before the log was complete.</summary>
    OtherCrashed,

    /// <summary>The other implementation did not finish in time (it was killed) before the log was complete.</summary>
    Timeout,

    /// <summary>The other implementation exited with status 3: the scenario's profile is not the behaviour of its library.</summary>
    SkippedProfile,

    /// <summary>The other implementation exited with status 2: it rejected a scenario the reference accepts.</summary>
    OtherParseError,
}

/// <summary>What another implementation did with a scenario (<c>ADAPTER FILE.scn</c>).</summary>
/// <param name="ExitCode">Its exit status (on Unix, 128 + N for a process killed by signal N); meaningless when <paramref name="TimedOut"/>.</param>
/// <param name="Stdout">Everything it printed on standard output (UTF-8).</param>
/// <param name="Stderr">Everything it printed on standard error.</param>
/// <param name="TimedOut">Whether it was killed for exceeding the time limit.</param>
public sealed record ImplementationRun(int ExitCode, string Stdout, string Stderr, bool TimedOut);

/// <summary>The result of a log comparison.</summary>
/// <param name="Verdict">The verdict.</param>
/// <param name="Line">The 1-based log line the verdict is about (first difference, the reference's <c>UB</c> line, the first line missing after a crash), or null for a match.</param>
/// <param name="ReferenceLine">The reference's line at <paramref name="Line"/>, or null if its log has none there.</param>
/// <param name="OtherLine">The other log's line at <paramref name="Line"/>, or null if it has none there.</param>
/// <param name="Message">A one-line description.</param>
public sealed record LogComparison(ComparisonVerdict Verdict, int? Line, string? ReferenceLine, string? OtherLine, string Message)
{
    /// <summary>Whether the verdict is not a failure: <see cref="ComparisonVerdict.Match"/>, <see cref="ComparisonVerdict.StoppedAtUb"/> or <see cref="ComparisonVerdict.SkippedProfile"/>.</summary>
    public bool IsSuccess => Verdict is ComparisonVerdict.Match or ComparisonVerdict.StoppedAtUb or ComparisonVerdict.SkippedProfile;
}

/// <summary>Compares the reference's log with another implementation's output or with a golden <c>.out</c> file.</summary>
public static class LogComparer
{
    /// <summary>
    /// Compares per the contract: lines are compared only up to the reference's first <c>UB</c> line (past it nothing
    /// is defined, and a crash there is expected). Status 2 is <see cref="ComparisonVerdict.OtherParseError"/>, status 3
    /// <see cref="ComparisonVerdict.SkippedProfile"/>; a different line is a <see cref="ComparisonVerdict.Divergence"/>
    /// even if the process then crashed, unless it is the unterminated last line of a crashed or killed process.
    /// </summary>
    /// <param name="reference">The reference's log.</param>
    /// <param name="other">What the other implementation did.</param>
    /// <returns>The verdict.</returns>
    public static LogComparison Compare(ScenarioLog reference, ImplementationRun other)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(other);
        if (!other.TimedOut && other.ExitCode == 2)
        {
            return new(ComparisonVerdict.OtherParseError, null, null, null, "rejected by the implementation: " + FirstLine(other.Stderr));
        }

        if (!other.TimedOut && other.ExitCode == 3)
        {
            return new(ComparisonVerdict.SkippedProfile, null, null, null, "profile not supported by the implementation: " + FirstLine(other.Stderr));
        }

        (List<string> lines, bool unterminated) = SplitLines(other.Stdout);
        bool abnormal = other.TimedOut || other.ExitCode != 0;
        IReadOnlyList<string> expected = reference.Lines;
        int limit = reference.UbLineIndex ?? expected.Count;
        for (int i = 0; i < limit; i++)
        {
            if (i >= lines.Count)
            {
                return abnormal
                    ? Abnormal(other, i + 1, expected[i], null, i, limit)
                    : Divergence(i + 1, expected[i], null, "the output ends early");
            }

            if (!string.Equals(lines[i], expected[i], StringComparison.Ordinal))
            {
                return abnormal && unterminated && i == lines.Count - 1
                    ? Abnormal(other, i + 1, expected[i], lines[i], i, limit)
                    : Divergence(i + 1, expected[i], lines[i], "the lines differ");
            }
        }

        string? otherAt = limit < lines.Count ? lines[limit] : null;
        if (reference.StoppedAtUb)
        {
            return new(
                ComparisonVerdict.StoppedAtUb,
                limit + 1,
                expected[limit],
                otherAt,
                string.Create(CultureInfo.InvariantCulture, $"all {limit} lines before the reference's UB line match; nothing after it is defined"));
        }

        if (abnormal)
        {
            return Abnormal(other, limit + 1, null, otherAt, limit, limit);
        }

        if (otherAt is not null)
        {
            return Divergence(limit + 1, null, otherAt, "the output has more lines than the reference");
        }

        return unterminated
            ? Divergence(limit, expected[limit - 1], lines[limit - 1], "the last line is not terminated by a newline")
            : new(ComparisonVerdict.Match, null, null, null, "match");
    }

    /// <summary>Compares the reference's whole log (its <c>UB</c> line included) with a golden log, byte for byte.</summary>
    /// <param name="reference">The reference's log.</param>
    /// <param name="golden">The expected text (a <c>.out</c> file).</param>
    /// <returns><see cref="ComparisonVerdict.Match"/> or <see cref="ComparisonVerdict.Divergence"/>; <see cref="LogComparison.OtherLine"/> is the golden line.</returns>
    public static LogComparison CompareWithGolden(ScenarioLog reference, string golden)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(golden);
        (List<string> lines, bool unterminated) = SplitLines(golden);
        IReadOnlyList<string> actual = reference.Lines;
        int count = Math.Max(lines.Count, actual.Count);
        for (int i = 0; i < count; i++)
        {
            string? mine = i < actual.Count ? actual[i] : null;
            string? theirs = i < lines.Count ? lines[i] : null;
            if (!string.Equals(mine, theirs, StringComparison.Ordinal))
            {
                string what = mine is null ? "the reference's log ends early" : theirs is null ? "the reference's log has more lines" : "the lines differ";
                return Divergence(i + 1, mine, theirs, what);
            }
        }

        return unterminated
            ? Divergence(lines.Count, actual[^1], lines[^1], "the golden log's last line is not terminated by a newline")
            : new(ComparisonVerdict.Match, null, null, null, "match");
    }

    private static LogComparison Divergence(int line, string? referenceLine, string? otherLine, string what) =>
        new(ComparisonVerdict.Divergence, line, referenceLine, otherLine, string.Create(CultureInfo.InvariantCulture, $"line {line}: {what}"));

    private static LogComparison Abnormal(ImplementationRun other, int line, string? referenceLine, string? otherLine, int matched, int expected)
    {
        string progress = string.Create(CultureInfo.InvariantCulture, $"after {matched} of {expected} lines");
        return other.TimedOut
            ? new(ComparisonVerdict.Timeout, line, referenceLine, otherLine, "timed out and was killed " + progress)
            : new(
                ComparisonVerdict.OtherCrashed,
                line,
                referenceLine,
                otherLine,
                string.Create(CultureInfo.InvariantCulture, $"exited with status {other.ExitCode} {progress}") + StderrNote(other.Stderr));
    }

    private static string StderrNote(string stderr) => FirstLine(stderr) is { Length: > 0 } first ? ": " + first : "";

    private static string FirstLine(string text)
    {
        int nl = text.IndexOf('\n', StringComparison.Ordinal);
        return (nl < 0 ? text : text[..nl]).TrimEnd('\r');
    }

    /// <summary>Splits at LF; a final LF ends the last line, text after the last LF is an unterminated line.</summary>
    private static (List<string> Lines, bool Unterminated) SplitLines(string text)
    {
        var lines = new List<string>(text.Split('\n'));
        bool unterminated = lines[^1].Length > 0;
        if (!unterminated)
        {
            lines.RemoveAt(lines.Count - 1);
        }

        return (lines, unterminated);
    }
}
