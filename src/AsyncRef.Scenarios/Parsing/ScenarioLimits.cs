using System.Globalization;

namespace AsyncRef.Scenarios;

/// <summary>
/// The bounds every implementation applies to a scenario, with the same messages (the C adapter checks them the same
/// way; spec/scenario-language.md §13). The size bounds are checked before parsing: a file over
/// <see cref="MaxFileBytes"/> bytes, or a line over <see cref="MaxLineBytes"/> bytes (without its LF), is rejected, and
/// a file is never read past its bound. The parser rejects the line that goes over <see cref="MaxStatements"/>,
/// <see cref="MaxThreads"/>, <see cref="MaxJobs"/> or <see cref="MaxContexts"/>; a run stops at the log line that
/// would take the log over <see cref="MaxLogBytes"/>. Each violation is <c>FILE:LINE: message</c>. Each bound is set
/// by an environment variable, so an oracle and the implementations it runs agree.
/// </summary>
public sealed record ScenarioLimits
{
    /// <summary>The default of <see cref="MaxFileBytes"/>: 16 MiB.</summary>
    public const long DefaultMaxFileBytes = 16L << 20;

    /// <summary>The default of <see cref="MaxLineBytes"/>: 64 KiB.</summary>
    public const int DefaultMaxLineBytes = 64 << 10;

    /// <summary>The default of <see cref="MaxStatements"/>: 2^20.</summary>
    public const int DefaultMaxStatements = 1 << 20;

    /// <summary>The default of <see cref="MaxThreads"/>: 2^13 (each logical thread is an OS thread in both implementations).</summary>
    public const int DefaultMaxThreads = 1 << 13;

    /// <summary>The default of <see cref="MaxJobs"/>: 2^17 (each paused job holds a stack; libcrypto's is 32 KiB).</summary>
    public const int DefaultMaxJobs = 1 << 17;

    /// <summary>The default of <see cref="MaxContexts"/>: 2^20.</summary>
    public const int DefaultMaxContexts = 1 << 20;

    /// <summary>The default of <see cref="MaxLogBytes"/>: 256 MiB.</summary>
    public const long DefaultMaxLogBytes = 256L << 20;

    /// <summary>The variable that sets <see cref="MaxFileBytes"/> (a decimal number from 1 to 2^40; anything else means the default).</summary>
    public const string MaxFileBytesVariable = "ASYNCREF_MAX_FILE_BYTES";

    /// <summary>The variable that sets <see cref="MaxLineBytes"/> (a decimal number from 1 to 2^30; anything else means the default).</summary>
    public const string MaxLineBytesVariable = "ASYNCREF_MAX_LINE_BYTES";

    /// <summary>The variable that sets <see cref="MaxStatements"/> (a decimal number from 1 to 2^30; anything else means the default).</summary>
    public const string MaxStatementsVariable = "ASYNCREF_MAX_STATEMENTS";

    /// <summary>The variable that sets <see cref="MaxThreads"/> (a decimal number from 1 to 2^30; anything else means the default).</summary>
    public const string MaxThreadsVariable = "ASYNCREF_MAX_THREADS";

    /// <summary>The variable that sets <see cref="MaxJobs"/> (a decimal number from 1 to 2^30; anything else means the default).</summary>
    public const string MaxJobsVariable = "ASYNCREF_MAX_JOBS";

    /// <summary>The variable that sets <see cref="MaxContexts"/> (a decimal number from 1 to 2^30; anything else means the default).</summary>
    public const string MaxContextsVariable = "ASYNCREF_MAX_CONTEXTS";

    /// <summary>The variable that sets <see cref="MaxLogBytes"/> (a decimal number from 1 to 2^40; anything else means the default).</summary>
    public const string MaxLogBytesVariable = "ASYNCREF_MAX_LOG_BYTES";

    /// <summary>The largest value of the byte settings of files and logs: 2^40.</summary>
    public const long MaxBytesSetting = 1L << 40;

    /// <summary>The largest value of the other settings: 2^30.</summary>
    public const int MaxCountSetting = 1 << 30;

    /// <summary>The defaults, whatever the environment says.</summary>
    public static ScenarioLimits Default { get; } = new();

    /// <summary>The limits in force: the variables where set, the defaults elsewhere.</summary>
    public static ScenarioLimits Current => From(Environment.GetEnvironmentVariable);

    /// <summary>The largest file accepted, in bytes.</summary>
    public long MaxFileBytes { get; init; } = DefaultMaxFileBytes;

    /// <summary>The longest line accepted, in bytes, without its LF.</summary>
    public int MaxLineBytes { get; init; } = DefaultMaxLineBytes;

    /// <summary>The most statements (lines with a token, <c>profile</c>, <c>func</c> and <c>end</c> included) a file may hold.</summary>
    public int MaxStatements { get; init; } = DefaultMaxStatements;

    /// <summary>The most logical threads (distinct <c>@THREAD</c> names, <c>main</c> included) a file may name.</summary>
    public int MaxThreads { get; init; } = DefaultMaxThreads;

    /// <summary>The most distinct job variables a file may name.</summary>
    public int MaxJobs { get; init; } = DefaultMaxJobs;

    /// <summary>The most distinct context variables a file may name.</summary>
    public int MaxContexts { get; init; } = DefaultMaxContexts;

    /// <summary>The largest log a run may print, in bytes (each line with its LF).</summary>
    public long MaxLogBytes { get; init; } = DefaultMaxLogBytes;

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

    /// <summary>The message of a count bound broken: <c>more than N WHAT (the limit, set by VARIABLE)</c>.</summary>
    internal static string TooMany(long limit, string what, string variable) =>
        string.Create(CultureInfo.InvariantCulture, $"more than {limit} {what} (the limit, set by {variable})");

    /// <summary>Throws the error of the first size bound the text breaks, if any.</summary>
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

    /// <summary>The limits the variables give, as <paramref name="variables"/> reads them.</summary>
    internal static ScenarioLimits From(Func<string, string?> variables) => new()
    {
        MaxFileBytes = Setting(variables, MaxFileBytesVariable, MaxBytesSetting, DefaultMaxFileBytes),
        MaxLineBytes = (int)Setting(variables, MaxLineBytesVariable, MaxCountSetting, DefaultMaxLineBytes),
        MaxStatements = (int)Setting(variables, MaxStatementsVariable, MaxCountSetting, DefaultMaxStatements),
        MaxThreads = (int)Setting(variables, MaxThreadsVariable, MaxCountSetting, DefaultMaxThreads),
        MaxJobs = (int)Setting(variables, MaxJobsVariable, MaxCountSetting, DefaultMaxJobs),
        MaxContexts = (int)Setting(variables, MaxContextsVariable, MaxCountSetting, DefaultMaxContexts),
        MaxLogBytes = Setting(variables, MaxLogBytesVariable, MaxBytesSetting, DefaultMaxLogBytes),
    };

    private static long Setting(Func<string, string?> variables, string variable, long max, long fallback) =>
        variables(variable) is { } text
        && text.Length is > 0 and <= 13
        && text.All(char.IsAsciiDigit)
        && long.Parse(text, CultureInfo.InvariantCulture) is var value and >= 1
        && value <= max
            ? value
            : fallback;
}
