using System.Globalization;
using System.Text;

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

    /// <summary>The other implementation printed more than the output limit on standard output and was killed.</summary>
    OutputTooLarge,

    /// <summary>
    /// The log compared well, but after the implementation exited a process it started still held its output open and
    /// could not be killed (it had left the implementation's session): something was left running.
    /// </summary>
    LeftRunning,
}

/// <summary>What another implementation did with a scenario (<c>ADAPTER FILE.scn</c>).</summary>
/// <param name="ExitCode">Its exit status (on Unix, 128 + N for a process killed by signal N); meaningless when <paramref name="TimedOut"/>.</param>
/// <param name="Stdout">
/// What it printed on standard output, as text; bytes that are not UTF-8 show as U+FFFD here, so comparisons use
/// <see cref="StdoutBytes"/> when it is set.
/// </param>
/// <param name="Stderr">What it printed on standard error (decoded leniently; only shown in messages).</param>
/// <param name="TimedOut">Whether it was killed for exceeding the time limit.</param>
public sealed record ImplementationRun(int ExitCode, string Stdout, string Stderr, bool TimedOut)
{
    /// <summary>Describes a run from the exact bytes it printed on standard output.</summary>
    /// <param name="ExitCode">Its exit status.</param>
    /// <param name="Stdout">The bytes it printed on standard output.</param>
    /// <param name="Stderr">What it printed on standard error.</param>
    /// <param name="TimedOut">Whether it was killed for exceeding the time limit.</param>
    public ImplementationRun(int ExitCode, byte[] Stdout, string Stderr, bool TimedOut)
        : this(ExitCode, ScenarioText.Lenient.GetString(Stdout ?? throw new ArgumentNullException(nameof(Stdout))), Stderr, TimedOut)
    {
        StdoutBytes = Stdout;
    }

    /// <summary>
    /// The exact bytes printed on standard output (all of them, or the first ones up to the output limit), which
    /// <see cref="LogComparer.Compare"/> compares as UTF-8 lines; null when the run was described by text only
    /// (then its UTF-8 form is compared).
    /// </summary>
    public byte[]? StdoutBytes { get; init; }

    /// <summary>Whether it was killed for printing more than the output limit (the output then holds the first bytes).</summary>
    public bool OutputLimitExceeded { get; init; }

    /// <summary>Whether, after it exited, a process it started kept its output open and could not be killed.</summary>
    public bool LeftRunning { get; init; }
}

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
    /// is defined, and a crash there is expected, but the implementation must reach it). Status 2 is
    /// <see cref="ComparisonVerdict.OtherParseError"/>, status 3 <see cref="ComparisonVerdict.SkippedProfile"/>; a crash
    /// outranks a timeout, which outranks a <see cref="ComparisonVerdict.Divergence"/> (the difference is then in the
    /// message). Lines
    /// are compared as bytes: a line that is not valid UTF-8 equals no reference line. Too much output is
    /// <see cref="ComparisonVerdict.OutputTooLarge"/>; a good comparison of a run that left a process running is
    /// <see cref="ComparisonVerdict.LeftRunning"/>.
    /// </summary>
    /// <param name="reference">The reference's log.</param>
    /// <param name="other">What the other implementation did.</param>
    /// <returns>The verdict.</returns>
    public static LogComparison Compare(ScenarioLog reference, ImplementationRun other)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(other);
        if (other.OutputLimitExceeded)
        {
            return new(
                ComparisonVerdict.OutputTooLarge,
                null,
                null,
                null,
                string.Create(CultureInfo.InvariantCulture, $"printed more than {Output(other).Length} bytes on standard output and was killed"));
        }

        LogComparison result = CompareRun(reference, other);
        if (!other.LeftRunning)
        {
            return result;
        }

        const string note = "after it exited, a process it started kept its output open and could not be killed (it left the session)";
        return result.IsSuccess
            ? new(ComparisonVerdict.LeftRunning, null, null, null, note)
            : result with { Message = result.Message + "; " + note };
    }

    private static LogComparison CompareRun(ScenarioLog reference, ImplementationRun other)
    {
        if (!other.TimedOut && other.ExitCode == 2)
        {
            return new(ComparisonVerdict.OtherParseError, null, null, null, "rejected by the implementation: " + FirstLine(other.Stderr));
        }

        if (!other.TimedOut && other.ExitCode == 3)
        {
            return new(ComparisonVerdict.SkippedProfile, null, null, null, "profile not supported by the implementation: " + FirstLine(other.Stderr));
        }

        (List<OutputLine> lines, bool unterminated) = SplitLines(Output(other));
        bool abnormal = other.TimedOut || other.ExitCode != 0;
        IReadOnlyList<string> expected = reference.Lines;
        int limit = reference.UbLineIndex ?? expected.Count;
        for (int i = 0; i < limit; i++)
        {
            if (i >= lines.Count)
            {
                return abnormal
                    ? Abnormal(other, i + 1, expected[i], null, i, limit, null)
                    : Divergence(i + 1, expected[i], null, "the output ends early");
            }

            if (!lines[i].Is(expected[i]))
            {
                // A crash or a timeout outranks the difference (crash > timeout > divergence): it is the more serious
                // finding, and a line cut off by the kill is no difference at all. The difference stays in the message.
                if (abnormal)
                {
                    string? difference = unterminated && i == lines.Count - 1 ? null : $"line {i + 1} differs";
                    return Abnormal(other, i + 1, expected[i], lines[i].Shown, i, limit, difference);
                }

                return Divergence(i + 1, expected[i], lines[i].Shown, lines[i].Valid ? "the lines differ" : "the implementation's line is not valid UTF-8");
            }
        }

        string? otherAt = limit < lines.Count ? lines[limit].Shown : null;
        if (reference.StoppedAtUb)
        {
            return AtUb(reference, other, otherAt, limit);
        }

        if (abnormal)
        {
            return Abnormal(other, limit + 1, null, otherAt, limit, limit, null);
        }

        if (otherAt is not null)
        {
            return Divergence(limit + 1, null, otherAt, "the output has more lines than the reference");
        }

        return unterminated
            ? Divergence(limit, expected[limit - 1], lines[limit - 1].Shown, "the last line is not terminated by a newline")
            : new(ComparisonVerdict.Match, null, null, null, "match");
    }

    /// <summary>
    /// Every line before the reference's <c>UB</c> line matched. The case passes only if the implementation reached the
    /// undefined call: there it printed a log line of the same logical thread (the call's result, an event, or a line of
    /// a job the call resumed), whatever followed, or it printed nothing more and then exited normally or died of a
    /// signal (libcrypto may crash at the call). Hanging before printing such a line, another exit status (a failure to
    /// start, say), or a line of another thread or no log line at all there, is a failure.
    /// </summary>
    private static LogComparison AtUb(ScenarioLog reference, ImplementationRun other, string? otherAt, int limit)
    {
        string ubLine = reference.Lines[limit];
        bool abnormal = other.TimedOut || other.ExitCode != 0;
        if (otherAt is not null && !SameThread(ubLine, otherAt))
        {
            const string what = "at the reference's UB line, the implementation printed no log line of that thread";
            return abnormal
                ? Abnormal(other, limit + 1, ubLine, otherAt, limit, limit, string.Create(CultureInfo.InvariantCulture, $"line {limit + 1}: {what}"))
                : Divergence(limit + 1, ubLine, otherAt, what);
        }

        bool reached = otherAt is not null || (!other.TimedOut && (other.ExitCode == 0 || other.ExitCode > 128));
        if (!reached)
        {
            return Abnormal(other, limit + 1, ubLine, otherAt, limit, limit, "before it reached the undefined call");
        }

        return new(
            ComparisonVerdict.StoppedAtUb,
            limit + 1,
            ubLine,
            otherAt,
            string.Create(CultureInfo.InvariantCulture, $"all {limit} lines before the reference's UB line match; nothing after it is defined"));
    }

    /// <summary>Whether <paramref name="line"/> is a log line (<c>NUMBER THREAD …</c>) of the thread of <paramref name="ubLine"/>.</summary>
    private static bool SameThread(string ubLine, string line)
    {
        string[] ub = ubLine.Split(' ', 3);
        string[] other = line.Split(' ', 3);
        return other.Length == 3 && other[0].Length > 0 && other[0].All(char.IsAsciiDigit) && other[1] == ub[1];
    }

    /// <summary>Compares the reference's whole log (its <c>UB</c> line included) with a golden log, byte for byte.</summary>
    /// <param name="reference">The reference's log.</param>
    /// <param name="golden">The expected text (a <c>.out</c> file).</param>
    /// <returns><see cref="ComparisonVerdict.Match"/> or <see cref="ComparisonVerdict.Divergence"/>; <see cref="LogComparison.OtherLine"/> is the golden line.</returns>
    public static LogComparison CompareWithGolden(ScenarioLog reference, string golden)
    {
        ArgumentNullException.ThrowIfNull(golden);
        return CompareWithGolden(reference, Encoding.UTF8.GetBytes(golden));
    }

    /// <summary>
    /// Compares the reference's whole log (its <c>UB</c> line included) with the bytes of a golden log: equal only if
    /// the golden file is exactly the UTF-8 of the log (no byte-order mark, LF line ends, final LF).
    /// </summary>
    /// <param name="reference">The reference's log.</param>
    /// <param name="golden">The bytes of a <c>.out</c> file.</param>
    /// <returns><see cref="ComparisonVerdict.Match"/> or <see cref="ComparisonVerdict.Divergence"/>; <see cref="LogComparison.OtherLine"/> is the golden line.</returns>
    public static LogComparison CompareWithGolden(ScenarioLog reference, ReadOnlySpan<byte> golden)
    {
        ArgumentNullException.ThrowIfNull(reference);
        (List<OutputLine> lines, bool unterminated) = SplitLines(golden);
        IReadOnlyList<string> actual = reference.Lines;
        int count = Math.Max(lines.Count, actual.Count);
        for (int i = 0; i < count; i++)
        {
            string? mine = i < actual.Count ? actual[i] : null;
            OutputLine? theirs = i < lines.Count ? lines[i] : null;
            if (mine is null || theirs is null || !theirs.Value.Is(mine))
            {
                string what = mine is null ? "the reference's log ends early"
                    : theirs is null ? "the reference's log has more lines"
                    : theirs.Value.Valid ? "the lines differ"
                    : "the golden line is not valid UTF-8";
                return Divergence(i + 1, mine, theirs?.Shown, what);
            }
        }

        return unterminated
            ? Divergence(lines.Count, actual[^1], lines[^1].Shown, "the golden log's last line is not terminated by a newline")
            : new(ComparisonVerdict.Match, null, null, null, "match");
    }

    private static byte[] Output(ImplementationRun run) => run.StdoutBytes ?? Encoding.UTF8.GetBytes(run.Stdout);

    private static LogComparison Divergence(int line, string? referenceLine, string? otherLine, string what) =>
        new(ComparisonVerdict.Divergence, line, referenceLine, otherLine, string.Create(CultureInfo.InvariantCulture, $"line {line}: {what}"));

    private static LogComparison Abnormal(ImplementationRun other, int line, string? referenceLine, string? otherLine, int matched, int expected, string? note)
    {
        string progress = string.Create(CultureInfo.InvariantCulture, $"after {matched} of {expected} lines") + (note is null ? "" : " (" + note + ")");
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

    /// <summary>Splits bytes at LF; a final LF ends the last line, bytes after the last LF are an unterminated line.</summary>
    private static (List<OutputLine> Lines, bool Unterminated) SplitLines(ReadOnlySpan<byte> text)
    {
        var lines = new List<OutputLine>();
        while (true)
        {
            int nl = text.IndexOf((byte)'\n');
            if (nl < 0)
            {
                if (text.IsEmpty)
                {
                    return (lines, false);
                }

                lines.Add(OutputLine.From(text));
                return (lines, true);
            }

            lines.Add(OutputLine.From(text[..nl]));
            text = text[(nl + 1)..];
        }
    }

    /// <summary>
    /// One line of output: its text when it is valid UTF-8 (then equal to a reference line exactly when its bytes are),
    /// or, when it is not, its bytes shown with each invalid byte as <c>\xHH</c>.
    /// </summary>
    private readonly record struct OutputLine(string Shown, bool Valid)
    {
        public static OutputLine From(ReadOnlySpan<byte> bytes)
        {
            if (System.Text.Unicode.Utf8.IsValid(bytes))
            {
                return new(ScenarioText.Utf8.GetString(bytes), true);
            }

            var shown = new StringBuilder(bytes.Length + 8);
            while (!bytes.IsEmpty)
            {
                if (Rune.DecodeFromUtf8(bytes, out Rune rune, out int used) == System.Buffers.OperationStatus.Done)
                {
                    shown.Append(rune.ToString());
                }
                else
                {
                    for (int i = 0; i < used; i++)
                    {
                        shown.Append(CultureInfo.InvariantCulture, $"\\x{bytes[i]:X2}");
                    }
                }

                bytes = bytes[Math.Max(used, 1)..];
            }

            return new(shown.ToString(), false);
        }

        public bool Is(string referenceLine) => Valid && string.Equals(Shown, referenceLine, StringComparison.Ordinal);
    }
}
