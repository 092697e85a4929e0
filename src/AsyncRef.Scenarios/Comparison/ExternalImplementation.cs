using System.Diagnostics;
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

    /// <summary>
    /// Runs <c>CMD FILE.scn</c> (CMD split by <see cref="SplitCommand"/>) with no standard input and collects its
    /// output. A process still running after <paramref name="timeout"/> is killed with all its descendants.
    /// </summary>
    /// <param name="command">The implementation's command line.</param>
    /// <param name="scenarioPath">The scenario file, passed as the last argument.</param>
    /// <param name="timeout">The time limit.</param>
    /// <returns>What the implementation did.</returns>
    /// <exception cref="ArgumentException">The command cannot be split.</exception>
    /// <exception cref="System.ComponentModel.Win32Exception">The program cannot be started (not found, not executable).</exception>
    public static ImplementationRun Run(string command, string scenarioPath, TimeSpan timeout)
    {
        IReadOnlyList<string> words = SplitCommand(command);
        var start = new ProcessStartInfo(words[0])
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = ScenarioText.Utf8,
            StandardErrorEncoding = ScenarioText.Utf8,
        };
        foreach (string word in words.Skip(1))
        {
            start.ArgumentList.Add(word);
        }

        start.ArgumentList.Add(scenarioPath);
        using Process process = Process.Start(start) ?? throw new InvalidOperationException("the process did not start");
        process.StandardInput.Close();
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        bool timedOut = !process.WaitForExit(timeout);
        if (timedOut)
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // It exited in the meantime.
            }

            process.WaitForExit();
        }

        // The streams end when every process holding them has exited; do not wait forever on a leaked descendant.
        Task.WaitAll([stdout, stderr], TimeSpan.FromSeconds(5));
        return new ImplementationRun(
            timedOut ? -1 : process.ExitCode,
            stdout.IsCompletedSuccessfully ? stdout.Result : "",
            stderr.IsCompletedSuccessfully ? stderr.Result : "",
            timedOut);
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
