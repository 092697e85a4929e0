using AsyncRef.Traces.Conversion;
using AsyncRef.Traces.Format;
using AsyncRef.Traces.Replay;
using AsyncRef.Traces.Synthesis;
using AsyncRef.Traces.Reporting;

namespace AsyncRef.Traces;

/// <summary>Options of <see cref="TraceTools.Check"/>.</summary>
public sealed class TraceCheckOptions
{
    /// <summary>Print one JSON document instead of text.</summary>
    public bool Json { get; init; }

    /// <summary>
    /// Run the reference in checked mode (every transition validated against its model): true or false, or null to
    /// keep <see cref="Async.CheckedMode"/> as it is.
    /// </summary>
    public bool? CheckedMode { get; init; }

    /// <summary>List every call's recorded and predicted values before the report (text mode).</summary>
    public bool ListCalls { get; init; }
}

/// <summary>
/// The trace commands: checking a recorded trace against the reference and converting it to a scenario.
/// Every method returns the process exit status and never throws for bad input: a malformed trace is reported as
/// <c>FILE:RECORD: message</c> on <c>stderr</c> with status 2.
/// </summary>
public static class TraceTools
{
    /// <summary>Exit status: the trace conforms (advisories may be listed).</summary>
    public const int Conforming = 0;

    /// <summary>Exit status: a divergence or an undefined use was found.</summary>
    public const int Failed = 1;

    /// <summary>Exit status: the file is not a well-formed trace (or cannot be read).</summary>
    public const int BadTrace = 2;

    /// <summary><c>trace check TRACE</c>: replays the recorded calls on the reference and reports.</summary>
    /// <param name="path">The trace file.</param>
    /// <param name="options">Output and checking options.</param>
    /// <param name="stdout">Where the report goes.</param>
    /// <param name="stderr">Where a bad-trace message goes.</param>
    /// <returns><see cref="Conforming"/>, <see cref="Failed"/> or <see cref="BadTrace"/>.</returns>
    public static int Check(string path, TraceCheckOptions options, TextWriter stdout, TextWriter stderr)
    {
        if (CannotRead(path, stderr))
        {
            return BadTrace;
        }

        CheckReport report = TraceChecker.Check(path, options.CheckedMode ?? Async.CheckedMode, options.ListCalls && !options.Json ? stdout : null);
        if (options.Json)
        {
            CheckOutput.WriteJson(report, stdout);
        }
        else if (report.Records > 0 || report.BadTrace.Length == 0)
        {
            CheckOutput.WriteText(report, stdout);
        }

        if (report.BadTrace.Length > 0)
        {
            stderr.Write(report.BadTrace + "\n");
        }

        return report.ExitCode;
    }

    /// <summary><c>trace to-scn TRACE</c>: writes the equivalent scenario to <paramref name="stdout"/>.</summary>
    /// <param name="path">The trace file.</param>
    /// <param name="stdout">Where the scenario goes.</param>
    /// <param name="stderr">Where a bad-trace message or a limit note goes.</param>
    /// <returns>0, or <see cref="BadTrace"/>.</returns>
    public static int ToScenario(string path, TextWriter stdout, TextWriter stderr) => Convert(path, stderr, () =>
    {
        // Written to a buffer first: a trace found malformed in the second pass must leave stdout empty.
        var scenario = new StringWriter();
        string? note = ScenarioConverter.Convert(path, scenario);
        stdout.Write(scenario.ToString());
        return note;
    });

    /// <summary>
    /// <c>trace to-scn TRACE --split DIR</c>: writes the equivalent scenario as <c>part-001.scn</c>, ... in
    /// <paramref name="directory"/>, each within the scenario language's 64-function limit, split where the program
    /// was quiescent (no job paused or running, no wait ctx alive); lists the files on <paramref name="stdout"/>.
    /// </summary>
    /// <param name="path">The trace file.</param>
    /// <param name="directory">The directory for the parts (created if missing).</param>
    /// <param name="stdout">Where the file names go, one a line.</param>
    /// <param name="stderr">Where a bad-trace message or a limit note goes.</param>
    /// <returns>0, or <see cref="BadTrace"/>.</returns>
    public static int SplitToScenarios(string path, string directory, TextWriter stdout, TextWriter stderr)
    {
        try
        {
            return Convert(path, stderr, () =>
            {
                (List<string> files, string? note) = ScenarioConverter.Split(path, directory);
                foreach (string file in files)
                {
                    stdout.Write(file + "\n");
                }

                return note;
            });
        }
        catch (IOException e)
        {
            stderr.Write($"{directory}: {e.Message}\n");
            return BadTrace;
        }
    }

    /// <summary>
    /// A conversion of the trace at <paramref name="path"/>: its note (a limit the scenario meets) goes to
    /// <paramref name="stderr"/>, and so does the message of a trace that cannot be read or is malformed.
    /// </summary>
    private static int Convert(string path, TextWriter stderr, Func<string?> convert)
    {
        if (CannotRead(path, stderr))
        {
            return BadTrace;
        }

        try
        {
            if (convert() is { } note)
            {
                stderr.Write(note + "\n");
            }

            return Conforming;
        }
        catch (TraceFormatException e)
        {
            stderr.Write(e.Message + "\n");
            return BadTrace;
        }
    }

    /// <summary><c>trace reduce TRACE OUT</c>: the first calls of a trace, cut where nothing is running, as a complete trace.</summary>
    /// <param name="path">The trace file.</param>
    /// <param name="output">The reduced trace to write.</param>
    /// <param name="calls">How many calls to keep at least.</param>
    /// <param name="stderr">Where a bad-trace message goes.</param>
    /// <returns>0, or <see cref="BadTrace"/>.</returns>
    public static int Reduce(string path, string output, long calls, TextWriter stderr)
    {
        if (CannotRead(path, stderr))
        {
            return BadTrace;
        }

        try
        {
            TraceReducer.Reduce(path, output, calls);
            return Conforming;
        }
        catch (TraceFormatException e)
        {
            stderr.Write(e.Message + "\n");
            return BadTrace;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            stderr.Write($"{output}:0: cannot write the trace: {e.Message}\n");
            return BadTrace;
        }
    }

    /// <summary><c>trace synthesize FILE</c>: writes a conforming synthetic trace of about <paramref name="calls"/> calls.</summary>
    /// <param name="path">The file to write (a FIFO works: the trace is streamed).</param>
    /// <param name="calls">How many API calls to record.</param>
    /// <param name="stderr">Where an I/O error goes.</param>
    /// <returns>0, or <see cref="BadTrace"/> when the file cannot be written.</returns>
    public static int Synthesize(string path, long calls, TextWriter stderr)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16);
            SyntheticTrace.Write(stream, calls);
            return Conforming;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            stderr.Write($"{path}:0: cannot write the trace: {e.Message}\n");
            return BadTrace;
        }
    }

    /// <summary>Reports a path that cannot be opened as a file, in the bad-trace form.</summary>
    internal static bool CannotRead(string path, TextWriter stderr)
    {
        string? problem = path.Length == 0 ? "the file name is empty"
            : Directory.Exists(path) ? "it is a directory"
            : !File.Exists(path) ? "no such file"
            : null;
        if (problem is null)
        {
            try
            {
                using FileStream probe = File.OpenRead(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                problem = e.Message;
            }
        }

        if (problem is not null)
        {
            stderr.Write($"{path}:0: cannot read the trace: {problem}\n");
            return true;
        }

        return false;
    }
}
