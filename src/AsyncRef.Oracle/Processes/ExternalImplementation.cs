using System.ComponentModel;
using System.Diagnostics;
using AsyncRef.Oracle.Processes;
using AsyncRef.Scenarios;

namespace AsyncRef.Oracle;

/// <summary>Runs another implementation of the contract as <c>CMD FILE.scn</c>, without a shell, under supervision.</summary>
public static class ExternalImplementation
{
    /// <summary>The default cap on what an implementation may print on standard output (64 MiB).</summary>
    public const long DefaultOutputLimit = 64L << 20;

    /// <summary>How much of standard error is kept (the rest is read and dropped).</summary>
    public const int StderrLimit = 64 << 10;

    /// <summary>The longest time limit <see cref="Run"/> accepts (the longest wait .NET supports, about 24.8 days).</summary>
    public static readonly TimeSpan MaxTimeout = TimeSpan.FromMilliseconds(int.MaxValue);

    /// <summary>How long to wait, once every process of the run is gone, for the pipes to report their end.</summary>
    private static readonly TimeSpan s_drainGrace = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Splits a command line into words as a POSIX shell would, without running one: blanks separate words,
    /// <c>'…'</c> is literal, <c>"…"</c> keeps blanks and honours <c>\"</c>, <c>\\</c>, <c>\$</c> and <c>\`</c>, and a
    /// backslash outside quotes escapes the next character. No variables, globs or <c>~</c> are expanded.
    /// </summary>
    /// <param name="command">The command line.</param>
    /// <returns>The words (at least one).</returns>
    /// <exception cref="ArgumentException">The command is empty or has an unterminated quote or a trailing backslash.</exception>
    public static IReadOnlyList<string> SplitCommand(string command) => CommandWords.Split(command);

    /// <summary>
    /// Runs <c>CMD FILE.scn</c> (CMD split by <see cref="SplitCommand"/>) with no standard input and collects its
    /// output. Where <c>setsid</c> is available the implementation leads a session and process group of its own, and
    /// when the run ends (it exited, ran out of time, or printed more than <paramref name="outputLimit"/> bytes) that
    /// whole group and session are killed, so nothing it started is left running; the output read so far is kept. A
    /// process that escaped the session and still holds the output open is reported as
    /// <see cref="ImplementationRun.LeftRunning"/> instead of being waited for. Memory is bounded by
    /// <paramref name="outputLimit"/> plus <see cref="StderrLimit"/> however much the implementation prints.
    /// </summary>
    /// <param name="command">The implementation's command line.</param>
    /// <param name="scenarioPath">The scenario file, passed as the last argument.</param>
    /// <param name="timeout">The time limit: positive, at most <see cref="MaxTimeout"/>.</param>
    /// <param name="outputLimit">The most bytes kept from standard output; printing more kills the run.</param>
    /// <returns>What the implementation did.</returns>
    /// <exception cref="ArgumentException">The command cannot be split.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The time limit or the output limit is out of range.</exception>
    /// <exception cref="Win32Exception">The program cannot be started (not found, not executable).</exception>
    public static ImplementationRun Run(string command, string scenarioPath, TimeSpan timeout, long outputLimit = DefaultOutputLimit)
    {
        ArgumentNullException.ThrowIfNull(scenarioPath);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(timeout, MaxTimeout);
        ArgumentOutOfRangeException.ThrowIfLessThan(outputLimit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(outputLimit, (long)Array.MaxLength);
        IReadOnlyList<string> words = CommandWords.Split(command);
        ProcessStartInfo start = StartInfo(words, scenarioPath);
        using Process process = Process.Start(start) ?? throw new InvalidOperationException("the process did not start");
        bool ownSession = ProcessSession.Available;
        if (ownSession)
        {
            ProcessSession.Track(process.Id);
        }

        var stdout = new OutputCapture(process.StandardOutput.BaseStream, (int)outputLimit, killWhenFull: true);
        var stderr = new OutputCapture(process.StandardError.BaseStream, StderrLimit, killWhenFull: false);
        bool timedOut = false;
        bool exited = false;
        try
        {
            process.StandardInput.Close();
            stdout.Start();
            stderr.Start();
            int first = Task.WaitAny([process.WaitForExitAsync(), stdout.Full], timeout);
            exited = first == 0;
            timedOut = first < 0;
        }
        finally
        {
            // Whatever happened (even an exception here), nothing the run started may survive it.
            ProcessSession.KillEverything(process, ownSession);
            if (ownSession)
            {
                ProcessSession.Untrack(process.Id);
            }
        }

        bool drained = Task.WaitAll([stdout.Done, stderr.Done], s_drainGrace);
        return new ImplementationRun(exited ? process.ExitCode : -1, stdout.Snapshot(), OracleText.Lenient.GetString(stderr.Snapshot()), timedOut)
        {
            OutputLimitExceeded = stdout.Overflowed,
            LeftRunning = !drained,
        };
    }

    /// <summary>Checks, before any run, that the command splits and that its program can be found and executed.</summary>
    /// <param name="command">The implementation's command line.</param>
    /// <exception cref="ArgumentException">The command cannot be split.</exception>
    /// <exception cref="Win32Exception">The program cannot be found, or is not executable.</exception>
    public static void Probe(string command) => ProgramPath.Resolve(CommandWords.Split(command)[0]);

    private static ProcessStartInfo StartInfo(IReadOnlyList<string> words, string scenarioPath)
    {
        ProcessStartInfo start;
        if (ProcessSession.Setsid is { } setsid)
        {
            // setsid execs the program in place (a child of ours never leads a process group, so it does not fork):
            // the implementation's pid is then also its session and process group id. The program is resolved
            // first so that a missing one is reported as such, not as setsid's exit status.
            start = new ProcessStartInfo(setsid);
            start.ArgumentList.Add(ProgramPath.Resolve(words[0]));
        }
        else
        {
            start = new ProcessStartInfo(words[0]);
        }

        start.UseShellExecute = false;
        start.RedirectStandardInput = true;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        foreach (string word in words.Skip(1))
        {
            start.ArgumentList.Add(word);
        }

        start.ArgumentList.Add(scenarioPath);
        return start;
    }
}
