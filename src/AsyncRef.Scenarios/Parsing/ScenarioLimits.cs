using System.Globalization;

namespace AsyncRef.Scenarios;

/// <summary>
/// The size bounds every implementation applies to a scenario file before parsing it, with the same messages (the C
/// adapter checks them the same way): a file over <see cref="MaxFileBytes"/> bytes, or a line over
/// <see cref="MaxLineBytes"/> bytes (without its LF), is rejected as <c>FILE:LINE: message</c>, and a file is never
/// read past its bound. Each is set by an environment variable, so an oracle and the implementations it runs agree.
/// </summary>
/// <param name="MaxFileBytes">The largest file accepted, in bytes.</param>
/// <param name="MaxLineBytes">The longest line accepted, in bytes, without its LF.</param>
public sealed record ScenarioLimits(long MaxFileBytes, int MaxLineBytes)
{
    /// <summary>The default of <see cref="MaxFileBytes"/>: 16 MiB.</summary>
    public const long DefaultMaxFileBytes = 16L << 20;

    /// <summary>The default of <see cref="MaxLineBytes"/>: 64 KiB.</summary>
    public const int DefaultMaxLineBytes = 64 << 10;

    /// <summary>The variable that sets <see cref="MaxFileBytes"/> (a decimal number from 1 to 2^40; anything else means the default).</summary>
    public const string MaxFileBytesVariable = "ASYNCREF_MAX_FILE_BYTES";

    /// <summary>The variable that sets <see cref="MaxLineBytes"/> (a decimal number from 1 to 2^30; anything else means the default).</summary>
    public const string MaxLineBytesVariable = "ASYNCREF_MAX_LINE_BYTES";

    private const long MaxFileBytesSetting = 1L << 40;
    private const long MaxLineBytesSetting = 1L << 30;

    /// <summary>The limits in force: the variables where set, the defaults elsewhere.</summary>
    public static ScenarioLimits Current => new(
        Setting(MaxFileBytesVariable, MaxFileBytesSetting, DefaultMaxFileBytes),
        (int)Setting(MaxLineBytesVariable, MaxLineBytesSetting, DefaultMaxLineBytes));

    /// <summary>Reads a file's bytes, but never more than one byte past <see cref="MaxFileBytes"/> (<c>/dev/zero</c> ends at once).</summary>
    /// <param name="stream">The file; it is read, not closed.</param>
    /// <returns>The bytes (longer than <see cref="MaxFileBytes"/> exactly when the file is too large).</returns>
    public byte[] ReadBounded(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        long cap = Math.Min(MaxFileBytes + 1, Array.MaxLength);
        var bytes = new MemoryStream();
        byte[] chunk = new byte[64 << 10];
        int read;
        while (bytes.Length < cap && (read = stream.Read(chunk, 0, (int)Math.Min(chunk.Length, cap - bytes.Length))) > 0)
        {
            bytes.Write(chunk, 0, read);
        }

        return bytes.ToArray();
    }

    /// <summary>Throws the error of the first bound the text breaks, if any.</summary>
    /// <exception cref="ScenarioParseException">The file or one of its lines is too long.</exception>
    internal void Check(ReadOnlySpan<byte> text, string fileName)
    {
        if (text.Length > MaxFileBytes)
        {
            int line = 1 + text[..(int)MaxFileBytes].Count((byte)'\n');
            throw new ScenarioParseException(fileName, line, string.Create(
                CultureInfo.InvariantCulture, $"the file is larger than {MaxFileBytes} bytes (the limit, set by {MaxFileBytesVariable})"));
        }

        int number = 1;
        while (!text.IsEmpty)
        {
            int end = text.IndexOf((byte)'\n');
            int length = end < 0 ? text.Length : end;
            if (length > MaxLineBytes)
            {
                throw new ScenarioParseException(fileName, number, string.Create(
                    CultureInfo.InvariantCulture, $"the line is longer than {MaxLineBytes} bytes (the limit, set by {MaxLineBytesVariable})"));
            }

            text = end < 0 ? [] : text[(end + 1)..];
            number++;
        }
    }

    private static long Setting(string variable, long max, long fallback) =>
        Environment.GetEnvironmentVariable(variable) is { } text
        && text.Length is > 0 and <= 13
        && text.All(char.IsAsciiDigit)
        && long.Parse(text, CultureInfo.InvariantCulture) is var value and >= 1
        && value <= max
            ? value
            : fallback;
}
