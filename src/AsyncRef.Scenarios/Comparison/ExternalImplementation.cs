using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace AsyncRef.Scenarios;

/// <summary>Runs another implementation of the contract as <c>CMD FILE.scn</c>, without a shell.</summary>
public static class ExternalImplementation
{
    /// <summary>
    /// Splits a command line into words as a POSIX shell would, without running one: blanks separate words,
    /// <c>'…'</c> is literal, <c>"…"</c> keeps blanks and honours <c>\"</c>, <c>\\</c>, <c>\$</c> and <c>\`</c>, and a
    /// backslash outside quotes escapes the next character. No variables, globs or <c>~</c> are expanded.
    /// </summary>
    /// <param name="command">The command line.</param>
    /// <returns>The words (at least one).</returns>
    /// <exception cref="ArgumentException">The command is empty or has an unterminated quote or a trailing backslash.</exception>
    public static IReadOnlyList<string> SplitCommand(string command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var words = new List<string>();
        var word = new StringBuilder();
        bool inWord = false;
        for (int i = 0; i < command.Length; i++)
        {
            char c = command[i];
            switch (c)
            {
                case ' ' or '\t' or '\n' or '\r':
                    if (inWord)
                    {
                        words.Add(word.ToString());
                        word.Clear();
                        inWord = false;
                    }

                    break;
                case '\'':
                    int close = command.IndexOf('\'', i + 1);
                    if (close < 0)
                    {
                        throw new ArgumentException("unterminated ' in the command", nameof(command));
                    }

                    word.Append(command, i + 1, close - i - 1);
                    i = close;
                    inWord = true;
                    break;
                case '"':
                    i = ReadDoubleQuoted(command, i + 1, word);
                    inWord = true;
                    break;
                case '\\':
                    if (++i == command.Length)
                    {
                        throw new ArgumentException("trailing \\ in the command", nameof(command));
                    }

                    if (command[i] != '\n')
                    {
                        word.Append(command[i]);
                        inWord = true;
                    }

                    break;
                default:
                    word.Append(c);
                    inWord = true;
                    break;
            }
        }

        if (inWord)
        {
            words.Add(word.ToString());
        }

        return words.Count > 0 ? words : throw new ArgumentException("the command is empty", nameof(command));
    }

    /// <summary>The default cap on what an implementation may print on standard output (64 MiB).</summary>
    public const long DefaultOutputLimit = 64L << 20;

    /// <summary>The longest time limit <see cref="Run"/> accepts (the longest wait .NET supports, about 24.8 days).</summary>
    public static readonly TimeSpan MaxTimeout = TimeSpan.FromMilliseconds(int.MaxValue);

    /// <summary>How much of standard error is kept (the rest is read and dropped).</summary>
    private const int StderrLimit = 64 << 10;

    /// <summary>How long to wait, once every process of the run is gone, for the pipes to report their end.</summary>
    private static readonly TimeSpan s_drainGrace = TimeSpan.FromSeconds(2);

    /// <summary><c>setsid</c>, if it is on PATH: it runs each implementation as the leader of a session of its own.</summary>
    private static readonly string? s_setsid = FindOnPath("setsid");

    /// <summary>
    /// The process groups of the runs in progress. A session of its own does not get the terminal's Ctrl-C, so they
    /// are killed if this process ends (normally, or on SIGINT/SIGTERM) while a run is in progress.
    /// </summary>
    private static readonly HashSet<int> s_activeGroups = [];

    static ExternalImplementation() => AppDomain.CurrentDomain.ProcessExit += (_, _) =>
    {
        lock (s_activeGroups)
        {
            foreach (int group in s_activeGroups)
            {
                _ = NativeMethods.Kill(-group, NativeMethods.Sigkill);
            }
        }
    };

    /// <summary>
    /// Runs <c>CMD FILE.scn</c> (CMD split by <see cref="SplitCommand"/>) with no standard input and collects its
    /// output. Where <c>setsid</c> is available the implementation leads a session and process group of its own, and
    /// when the run ends (it exited, ran out of time, or printed more than <paramref name="outputLimit"/> bytes) that
    /// whole group and session are killed, so nothing it started is left running; the output read so far is kept. A
    /// process that escaped the session and still holds the output open is reported as
    /// <see cref="ImplementationRun.LeftRunning"/> instead of being waited for.
    /// </summary>
    /// <param name="command">The implementation's command line.</param>
    /// <param name="scenarioPath">The scenario file, passed as the last argument.</param>
    /// <param name="timeout">The time limit: positive, at most <see cref="MaxTimeout"/>.</param>
    /// <param name="outputLimit">The most bytes kept from standard output; printing more kills the run.</param>
    /// <returns>What the implementation did.</returns>
    /// <exception cref="ArgumentException">The command cannot be split.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The time limit or the output limit is out of range.</exception>
    /// <exception cref="System.ComponentModel.Win32Exception">The program cannot be started (not found, not executable).</exception>
    public static ImplementationRun Run(string command, string scenarioPath, TimeSpan timeout, long outputLimit = DefaultOutputLimit)
    {
        ArgumentNullException.ThrowIfNull(scenarioPath);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(timeout, MaxTimeout);
        ArgumentOutOfRangeException.ThrowIfLessThan(outputLimit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(outputLimit, (long)Array.MaxLength);
        IReadOnlyList<string> words = SplitCommand(command);
        ProcessStartInfo start = StartInfo(words, scenarioPath);
        using Process process = Process.Start(start) ?? throw new InvalidOperationException("the process did not start");
        bool ownSession = s_setsid is not null;
        if (ownSession)
        {
            lock (s_activeGroups)
            {
                s_activeGroups.Add(process.Id);
            }
        }

        var stdout = new Capture(process.StandardOutput.BaseStream, (int)outputLimit, killWhenFull: true);
        var stderr = new Capture(process.StandardError.BaseStream, StderrLimit, killWhenFull: false);
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
            KillEverything(process, ownSession);
            lock (s_activeGroups)
            {
                s_activeGroups.Remove(process.Id);
            }
        }

        bool drained = Task.WaitAll([stdout.Done, stderr.Done], s_drainGrace);
        return new ImplementationRun(exited ? process.ExitCode : -1, stdout.Snapshot(), ScenarioText.Lenient.GetString(stderr.Snapshot()), timedOut)
        {
            OutputLimitExceeded = stdout.Overflowed,
            LeftRunning = !drained,
        };
    }

    private static ProcessStartInfo StartInfo(IReadOnlyList<string> words, string scenarioPath)
    {
        ProcessStartInfo start;
        if (s_setsid is not null)
        {
            // setsid execs the program in place (a child of ours never leads a process group, so it does not fork):
            // the implementation's pid is then also its session and process group id. The program is resolved
            // first so that a missing one is reported as such, not as setsid's exit status.
            start = new ProcessStartInfo(s_setsid);
            start.ArgumentList.Add(ResolveProgram(words[0]));
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

    /// <summary>Kills the run: its session and process group when it has its own, else the process tree while it lives.</summary>
    private static void KillEverything(Process process, bool ownSession)
    {
        if (ownSession)
        {
            // The group first (one system call for the usual case), then any other member of the session: a process
            // that moved to another group of it. Repeat while something was found: one may have forked meanwhile.
            int id = process.Id;
            _ = NativeMethods.Kill(-id, NativeMethods.Sigkill);
            for (int round = 0; round < 10 && KillSessionMembers(id) > 0; round++)
            {
            }
        }

        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
        {
            // It exited in the meantime.
        }

        process.WaitForExit();
    }

    /// <summary>Kills every process (Linux: read from /proc) whose session id is <paramref name="session"/>; returns how many.</summary>
    private static int KillSessionMembers(int session)
    {
        int killed = 0;
        string[] entries;
        try
        {
            entries = Directory.GetDirectories("/proc");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 0;
        }

        foreach (string entry in entries)
        {
            if (!int.TryParse(Path.GetFileName(entry), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int pid))
            {
                continue;
            }

            string stat;
            try
            {
                stat = File.ReadAllText(Path.Combine(entry, "stat"));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue; // gone meanwhile, or not ours
            }

            // "pid (comm) state ppid pgrp session ...": comm may hold anything, so count fields after its last ')'.
            string[] fields = stat[(stat.LastIndexOf(')') + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length > 3 && fields[0] != "Z" && fields[3] == session.ToString(System.Globalization.CultureInfo.InvariantCulture)
                && NativeMethods.Kill(pid, NativeMethods.Sigkill) == 0)
            {
                killed++;
            }
        }

        return killed;
    }

    /// <summary>The full path of a program as <c>execvp</c> would find it.</summary>
    /// <exception cref="System.ComponentModel.Win32Exception">Not found (ENOENT) or not an executable file (EACCES).</exception>
    private static string ResolveProgram(string program)
    {
        if (program.Contains('/', StringComparison.Ordinal))
        {
            return IsExecutableFile(program) ? Path.GetFullPath(program)
                : File.Exists(program) || Directory.Exists(program) ? throw new System.ComponentModel.Win32Exception(13, "Permission denied")
                : throw new System.ComponentModel.Win32Exception(2, "No such file or directory");
        }

        return (program.Length > 0 ? FindOnPath(program) : null) ?? throw new System.ComponentModel.Win32Exception(2, "No such file or directory");
    }

    private static string? FindOnPath(string name)
    {
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':'))
        {
            string candidate = Path.Combine(dir.Length == 0 ? "." : dir, name);
            if (IsExecutableFile(candidate))
            {
                return Path.GetFullPath(candidate);
            }
        }

        return null;
    }

    private static bool IsExecutableFile(string path)
    {
        const UnixFileMode anyExecute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        try
        {
            return File.Exists(path) && (OperatingSystem.IsWindows() || (File.GetUnixFileMode(path) & anyExecute) != 0);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return false;
        }
    }

    /// <summary>Reads a stream to its end in the background, keeping at most a limit of bytes.</summary>
    private sealed class Capture(Stream stream, int limit, bool killWhenFull)
    {
        private readonly object _lock = new();
        private readonly TaskCompletionSource _full = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private byte[] _buffer = new byte[Math.Min(limit, 64 << 10)];
        private int _length;

        /// <summary>Completes when the limit is exceeded and <c>killWhenFull</c>: the run must end.</summary>
        public Task Full => _full.Task;

        /// <summary>Completes when the stream ends (or when reading stops after an overflow).</summary>
        public Task Done { get; private set; } = Task.CompletedTask;

        public bool Overflowed { get; private set; }

        public void Start() => Done = Task.Run(Pump);

        /// <summary>What was kept so far (safe while reading goes on).</summary>
        public byte[] Snapshot()
        {
            lock (_lock)
            {
                return _buffer.AsSpan(0, _length).ToArray();
            }
        }

        private async Task Pump()
        {
            byte[] chunk = new byte[64 << 10];
            try
            {
                int read;
                while ((read = await stream.ReadAsync(chunk).ConfigureAwait(false)) > 0)
                {
                    lock (_lock)
                    {
                        int keep = Math.Min(read, limit - _length);
                        if (keep > 0)
                        {
                            if (_length + keep > _buffer.Length)
                            {
                                Array.Resize(ref _buffer, (int)Math.Min(limit, Math.Max(_length + keep, 2L * _buffer.Length)));
                            }

                            chunk.AsSpan(0, keep).CopyTo(_buffer.AsSpan(_length));
                            _length += keep;
                        }

                        if (keep < read && killWhenFull)
                        {
                            Overflowed = true;
                        }
                    }

                    if (Overflowed)
                    {
                        _full.TrySetResult();
                        return; // the run is being killed; stop reading
                    }
                }
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException)
            {
                // The pipe broke: what was read is kept.
            }
        }
    }

    private static class NativeMethods
    {
        public const int Sigkill = 9;

        /// <summary>kill(2): a negative pid names a process group.</summary>
        [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int Kill(int pid, int signal);
    }

    private static int ReadDoubleQuoted(string command, int i, StringBuilder word)
    {
        for (; i < command.Length; i++)
        {
            char c = command[i];
            if (c == '"')
            {
                return i;
            }

            if (c == '\\' && i + 1 < command.Length && command[i + 1] is '"' or '\\' or '$' or '`' or '\n')
            {
                i++;
                if (command[i] != '\n')
                {
                    word.Append(command[i]);
                }
            }
            else
            {
                word.Append(c);
            }
        }

        throw new ArgumentException("unterminated \" in the command", nameof(command));
    }
}
