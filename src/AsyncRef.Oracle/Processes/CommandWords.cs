using System.Text;

namespace AsyncRef.Oracle.Processes;

/// <summary>
/// The POSIX shell's word splitting, without a shell (a library would bring a dependency for 80 lines, and none of
/// the well-kept ones splits exactly like <c>sh</c> without also expanding).
/// </summary>
internal static class CommandWords
{
    /// <summary>
    /// Splits a command line into words as a POSIX shell would, without running one: blanks separate words,
    /// <c>'…'</c> is literal, <c>"…"</c> keeps blanks and honours <c>\"</c>, <c>\\</c>, <c>\$</c> and <c>\`</c>, and a
    /// backslash outside quotes escapes the next character. No variables, globs or <c>~</c> are expanded.
    /// </summary>
    /// <param name="command">The command line.</param>
    /// <returns>The words (at least one).</returns>
    /// <exception cref="ArgumentException">The command is empty or has an unterminated quote or a trailing backslash.</exception>
    internal static IReadOnlyList<string> Split(string command)
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
