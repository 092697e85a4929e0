using System.Collections.ObjectModel;

namespace AsyncRef.Scenarios;

/// <summary>
/// A parsed v1 scenario (<c>spec/scenario-language.md</c>): its profile, its job functions and its top-level
/// statements in file order. Immutable; every parse error has been ruled out, so any scenario can be run.
/// </summary>
public sealed class Scenario
{
    internal Scenario(string fileName, AsyncProfile profile, IList<ScenarioFunction> functions, IList<ScenarioStatement> statements, ScenarioLimits limits)
    {
        FileName = fileName;
        Limits = limits;
        Profile = profile;
        Functions = new ReadOnlyCollection<ScenarioFunction>(functions);
        Statements = new ReadOnlyCollection<ScenarioStatement>(statements);
    }

    /// <summary>The file name used in messages (as given on the command line).</summary>
    public string FileName { get; }

    /// <summary>The behaviour the scenario is written for: <c>profile 3.0</c> (the default) or <c>profile 1.1.1</c>.</summary>
    public AsyncProfile Profile { get; }

    /// <summary>The job functions (<c>func</c> … <c>end</c>), in definition order.</summary>
    public IReadOnlyList<ScenarioFunction> Functions { get; }

    /// <summary>The top-level statements, in file order.</summary>
    public IReadOnlyList<ScenarioStatement> Statements { get; }

    /// <summary>The limits the scenario was parsed under; a run applies their <see cref="ScenarioLimits.MaxLogBytes"/>.</summary>
    internal ScenarioLimits Limits { get; }

    /// <summary>
    /// Parses scenario text (one leading U+FEFF is skipped; a line holding a lone surrogate is a parse error), under the
    /// count bounds of <see cref="ScenarioLimits.Current"/>.
    /// </summary>
    /// <param name="text">The text of a <c>.scn</c> file.</param>
    /// <param name="fileName">The name to use in error messages.</param>
    /// <returns>The scenario.</returns>
    /// <exception cref="ScenarioParseException">The first parse error in file order.</exception>
    public static Scenario Parse(string text, string fileName) => ScenarioParser.Parse(text, fileName, ScenarioLimits.Current);

    /// <summary>
    /// Parses the bytes of a <c>.scn</c> file: exactly one UTF-8 byte-order mark at the start is skipped, and a line
    /// that is not well-formed UTF-8 is a parse error at that line (no other encoding is recognised). The bounds of
    /// <see cref="ScenarioLimits.Current"/> apply; the size bounds are checked first.
    /// </summary>
    /// <param name="utf8">The file's bytes.</param>
    /// <param name="fileName">The name to use in error messages.</param>
    /// <returns>The scenario.</returns>
    /// <exception cref="ScenarioParseException">The first parse error in file order.</exception>
    public static Scenario ParseUtf8(ReadOnlySpan<byte> utf8, string fileName) => ParseUtf8(utf8, fileName, ScenarioLimits.Current);

    /// <summary>Parses the bytes of a <c>.scn</c> file as <see cref="ParseUtf8(ReadOnlySpan{byte}, string)"/> does, under the given limits.</summary>
    /// <param name="utf8">The file's bytes.</param>
    /// <param name="fileName">The name to use in error messages.</param>
    /// <param name="limits">The bounds to apply, here and when the scenario runs (its log bound).</param>
    /// <returns>The scenario.</returns>
    /// <exception cref="ScenarioParseException">The first parse error in file order.</exception>
    public static Scenario ParseUtf8(ReadOnlySpan<byte> utf8, string fileName, ScenarioLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        limits.Check(utf8, fileName);
        return ScenarioParser.Parse(utf8, fileName, limits);
    }

    /// <summary>Reads and parses a <c>.scn</c> file, as <see cref="ParseUtf8(ReadOnlySpan{byte}, string)"/> does, never reading past <see cref="ScenarioLimits.MaxFileBytes"/>.</summary>
    /// <param name="path">The file; it is also the name used in error messages.</param>
    /// <returns>The scenario.</returns>
    /// <exception cref="ScenarioParseException">The first parse error in file order.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    /// <exception cref="UnauthorizedAccessException">The file cannot be read.</exception>
    public static Scenario Load(string path)
    {
        using FileStream file = File.OpenRead(path);
        return ParseUtf8(ScenarioLimits.Current.ReadBounded(file), path);
    }

    /// <summary>
    /// Runs the scenario on the reference runtime, on the calling thread. Each logical thread has its own fresh
    /// runtime thread state, as its own OS thread would, so runs share no runtime thread state, and the calling
    /// thread's own state is left as it was; statements run strictly one after another. Undefined behaviour ends the
    /// run with a <c>UB</c> line; the log is complete either way.
    /// </summary>
    /// <returns>The log.</returns>
    /// <exception cref="InvariantViolationException">The runtime broke one of its own invariants (checked mode): a bug in AsyncRef.</exception>
    /// <exception cref="ScenarioParseException">The log went over <see cref="ScenarioLimits.MaxLogBytes"/>: the run stopped at that line.</exception>
    public ScenarioLog Run() => ScenarioInterpreter.Run(this, null);

    /// <summary>
    /// Runs the scenario like <see cref="Run()"/>, handing each log line to <paramref name="onLine"/> as soon as it is
    /// printed (before the next statement runs), so that a caller can stream the log and keep what was printed even
    /// if the run then fails.
    /// </summary>
    /// <param name="onLine">Called with each line (without its newline), in log order, on the calling thread.</param>
    /// <returns>The log.</returns>
    /// <exception cref="InvariantViolationException">The runtime broke one of its own invariants (checked mode): a bug in AsyncRef.</exception>
    /// <exception cref="ScenarioParseException">The log went over <see cref="ScenarioLimits.MaxLogBytes"/>: the run stopped at that line.</exception>
    public ScenarioLog Run(Action<string> onLine)
    {
        ArgumentNullException.ThrowIfNull(onLine);
        return ScenarioInterpreter.Run(this, onLine);
    }

    /// <summary>Runs the scenario like <see cref="Run()"/> and records, after every log line, the runtime state that explains it.</summary>
    /// <returns>The log with its explanation.</returns>
    /// <exception cref="InvariantViolationException">The runtime broke one of its own invariants (checked mode): a bug in AsyncRef.</exception>
    /// <exception cref="ScenarioParseException">The log went over <see cref="ScenarioLimits.MaxLogBytes"/>: the run stopped at that line.</exception>
    public ScenarioExplanation Explain() => ScenarioInterpreter.Explain(this);
}

/// <summary>A job function: <c>func NAME</c> … <c>end</c>.</summary>
public sealed class ScenarioFunction
{
    internal ScenarioFunction(string name, int line, IList<ScenarioStatement> body)
    {
        Name = name;
        Line = line;
        Body = new ReadOnlyCollection<ScenarioStatement>(body);
    }

    /// <summary>The function's name.</summary>
    public string Name { get; }

    /// <summary>The line of its <c>func</c> statement.</summary>
    public int Line { get; }

    /// <summary>The body statements in order (a <c>return</c> among them ends the job).</summary>
    public IReadOnlyList<ScenarioStatement> Body { get; }
}

/// <summary>One statement: a call of the ASYNC API (or <c>return</c> inside a body).</summary>
public sealed class ScenarioStatement
{
    internal ScenarioStatement(int line, string? thread, ScenarioOp op, string opName, IList<ScenarioValue> arguments)
    {
        Line = line;
        Thread = thread;
        Op = op;
        OpName = opName;
        Arguments = new ReadOnlyCollection<ScenarioValue>(arguments);
    }

    /// <summary>The physical line number in the file (1-based).</summary>
    public int Line { get; }

    /// <summary>The logical thread of a top-level statement (<c>main</c> unless prefixed with <c>@THREAD</c>); null inside a body.</summary>
    public string? Thread { get; }

    /// <summary>What the statement does.</summary>
    public ScenarioOp Op { get; }

    /// <summary>The statement's first word, as the log prints it.</summary>
    public string OpName { get; }

    /// <summary>The arguments in order, as the statement table of the language defines them.</summary>
    public IReadOnlyList<ScenarioValue> Arguments { get; }

    /// <inheritdoc/>
    public override string ToString() =>
        $"{Line}: {(Thread is null ? "" : "@" + Thread + " ")}{OpName}{string.Concat(Arguments.Select(a => " " + a))}";
}

/// <summary>The statements of the language.</summary>
public enum ScenarioOp
{
    /// <summary><c>init_thread MAX INIT</c>.</summary>
    InitThread,

    /// <summary><c>cleanup_thread</c>.</summary>
    CleanupThread,

    /// <summary><c>is_capable</c>.</summary>
    IsCapable,

    /// <summary><c>ctx_new C</c>.</summary>
    CtxNew,

    /// <summary><c>ctx_free C</c>.</summary>
    CtxFree,

    /// <summary><c>start J C F ARG</c>.</summary>
    Start,

    /// <summary><c>pause</c>.</summary>
    Pause,

    /// <summary><c>block_pause</c>.</summary>
    BlockPause,

    /// <summary><c>unblock_pause</c>.</summary>
    UnblockPause,

    /// <summary><c>current_job</c>.</summary>
    CurrentJob,

    /// <summary><c>wait_ctx</c> (body only).</summary>
    WaitCtx,

    /// <summary><c>arg</c> (body only).</summary>
    Arg,

    /// <summary><c>return R</c> (body only).</summary>
    Return,

    /// <summary><c>set_wait_fd C KEY FD DATA CLEANUP</c>.</summary>
    SetWaitFd,

    /// <summary><c>get_fd C KEY</c>.</summary>
    GetFd,

    /// <summary><c>get_all_fds C</c>.</summary>
    GetAllFds,

    /// <summary><c>get_changed_fds C</c>.</summary>
    GetChangedFds,

    /// <summary><c>clear_fd C KEY</c>.</summary>
    ClearFd,

    /// <summary><c>set_callback C CB ARG</c> (profile 3.0).</summary>
    SetCallback,

    /// <summary><c>get_callback C</c> (profile 3.0).</summary>
    GetCallback,

    /// <summary><c>call_callback C</c> (profile 3.0).</summary>
    CallCallback,

    /// <summary><c>set_status C S</c> (profile 3.0).</summary>
    SetStatus,

    /// <summary><c>get_status C</c> (profile 3.0).</summary>
    GetStatus,

    /// <summary><c>errors</c>.</summary>
    Errors,

    /// <summary><c>set_mem_functions ALLOC FREE</c> (profile 3.2).</summary>
    SetMemFunctions,

    /// <summary><c>get_mem_functions</c> (profile 3.2).</summary>
    GetMemFunctions,
}

/// <summary>What kind of value an argument is.</summary>
public enum ScenarioValueKind
{
    /// <summary>A name (<see cref="ScenarioValue.Text"/>) in the namespace the argument position implies.</summary>
    Name,

    /// <summary><c>-</c>: NULL.</summary>
    Null,

    /// <summary><c>.</c>: <c>ASYNC_get_wait_ctx(ASYNC_get_current_job())</c>.</summary>
    Dot,

    /// <summary>An integer (<see cref="ScenarioValue.Number"/>); statuses given by name are stored as their value.</summary>
    Integer,

    /// <summary>A double-quoted string (<see cref="ScenarioValue.Text"/>, without the quotes).</summary>
    Text,

    /// <summary><c>ptr0</c>: a non-NULL pointer with size 0.</summary>
    Ptr0,

    /// <summary><c>cleanup</c>: the recording cleanup.</summary>
    Cleanup,

    /// <summary><c>default</c>: OpenSSL's own stack allocator or free function.</summary>
    Default,
}

/// <summary>One argument of a statement.</summary>
/// <param name="Kind">The kind of value.</param>
/// <param name="Text">The name or the string (empty for the other kinds).</param>
/// <param name="Number">The integer (0 for the other kinds).</param>
public readonly record struct ScenarioValue(ScenarioValueKind Kind, string Text, int Number)
{
    /// <summary>The argument as it could be written in a scenario.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => Kind switch
    {
        ScenarioValueKind.Name => Text,
        ScenarioValueKind.Null => "-",
        ScenarioValueKind.Dot => ".",
        ScenarioValueKind.Integer => Number.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ScenarioValueKind.Text => "\"" + Text + "\"",
        ScenarioValueKind.Ptr0 => "ptr0",
        ScenarioValueKind.Default => "default",
        _ => "cleanup",
    };
}

/// <summary>
/// A scenario file could not be parsed, or broke a bound of <see cref="ScenarioLimits"/> (the log bound, at run time).
/// <see cref="Exception.Message"/> is <c>FILE:LINE: message</c>.
/// </summary>
public sealed class ScenarioParseException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="fileName">The file name as given.</param>
    /// <param name="line">The 1-based line of the error.</param>
    /// <param name="reason">What is wrong, without the location.</param>
    public ScenarioParseException(string fileName, int line, string reason)
        : base($"{fileName}:{line}: {reason}")
    {
        FileName = fileName;
        Line = line;
        Reason = reason;
    }

    /// <summary>The file name as given.</summary>
    public string FileName { get; }

    /// <summary>The 1-based line of the error.</summary>
    public int Line { get; }

    /// <summary>What is wrong, without the location.</summary>
    public string Reason { get; }
}

/// <summary>Text conventions shared by the parser, the interpreter and the comparer.</summary>
internal static class ScenarioText
{
    /// <summary>
    /// Strict UTF-8 without a byte-order mark, only used on text known to be well formed (checked bytes, strings
    /// without lone surrogates): it never substitutes anything.
    /// </summary>
    internal static readonly System.Text.UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>UTF-8 that decodes invalid bytes to U+FFFD: only for text that is shown, never compared (standard error).</summary>
    internal static readonly System.Text.UTF8Encoding Lenient = new(encoderShouldEmitUTF8Identifier: false);
}
