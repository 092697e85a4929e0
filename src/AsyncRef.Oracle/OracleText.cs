using AsyncRef.Scenarios;
using System.Globalization;
using System.Text;

namespace AsyncRef.Oracle;

/// <summary>Text conventions of every report: what an implementation or a file name holds never reaches a terminal raw.</summary>
public static class OracleText
{
    /// <summary>UTF-8 that decodes invalid bytes to U+FFFD: only for text that is shown, never compared (standard error).</summary>
    internal static readonly UTF8Encoding Lenient = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>
    /// Escapes control characters so that the text stays one inert line: C0 controls and DEL become <c>\xHH</c> (as
    /// the parsers show them), C1 controls <c>\u0085</c>-style, and a backslash that could be read as the start of
    /// such an escape stays as it is (escapes are for reading, not for round trips).
    /// </summary>
    /// <param name="text">Any text.</param>
    /// <returns>The text without control characters.</returns>
    public static string Escape(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        int first = IndexOfControl(text);
        if (first < 0)
        {
            return text;
        }

        var escaped = new StringBuilder(text.Length + 16);
        escaped.Append(text, 0, first);
        for (int i = first; i < text.Length; i++)
        {
            char c = text[i];
            if (c < 0x20 || c == 0x7F)
            {
                escaped.Append(CultureInfo.InvariantCulture, $"\\x{(int)c:X2}");
            }
            else if (c is >= '\u0080' and <= '\u009F')
            {
                escaped.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}");
            }
            else
            {
                escaped.Append(c);
            }
        }

        return escaped.ToString();
    }

    /// <summary>A message (an exception's, say) as one escaped line: line breaks become spaces.</summary>
    /// <param name="text">The message.</param>
    /// <returns>One line.</returns>
    public static string OneLine(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Escape(text.ReplaceLineEndings(" ").Trim());
    }

    /// <summary>A profile as scenarios and reports write it: <c>3.0</c>, <c>3.2</c> or <c>1.1.1</c>.</summary>
    /// <param name="profile">The profile.</param>
    /// <returns>Its name.</returns>
    public static string ProfileName(AsyncProfile profile) => profile switch
    {
        AsyncProfile.OpenSsl111 => "1.1.1",
        AsyncProfile.OpenSsl32 => "3.2",
        _ => "3.0",
    };

    private static int IndexOfControl(string text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c < 0x20 || c is >= '\u007F' and <= '\u009F')
            {
                return i;
            }
        }

        return -1;
    }
}
