using System.Globalization;
using System.Text;

namespace AsyncRef.Scenarios;

/// <summary>
/// The v1 parser (project edition, <c>spec/scenario-language.md</c> §1–2): one pass over the lines that builds the
/// statements and stops at the first error in file order. Context names are variables: a name no <c>ctx_new</c>
/// assigns is not a parse error (using it is undefined at run time). The checks, their order within a line and the
/// tokenisation follow the libcrypto adapter's parser, so both accept and reject the same files.
/// </summary>
internal sealed class ScenarioParser
{
    /// <summary>
    /// Argument signatures, one letter per argument:
    /// X ctx name · C ctx, <c>.</c> or <c>-</c> · c ctx or <c>.</c> · J job variable · F defined function or <c>-</c> ·
    /// A start ARG · K key or <c>-</c> · D data or <c>-</c> · L <c>cleanup</c> or <c>-</c> · B callback or <c>-</c> ·
    /// G callback arg or <c>-</c> · I integer · N integer ≥ 0 · S status · M stack allocator, <c>default</c> or <c>-</c> ·
    /// R stack free function, <c>default</c> or <c>-</c>.
    /// </summary>
    private static readonly Dictionary<string, OpInfo> s_ops = new(StringComparer.Ordinal)
    {
        ["init_thread"] = new(ScenarioOp.InitThread, "NN", OpFlags.None),
        ["cleanup_thread"] = new(ScenarioOp.CleanupThread, "", OpFlags.None),
        ["is_capable"] = new(ScenarioOp.IsCapable, "", OpFlags.None),
        ["ctx_new"] = new(ScenarioOp.CtxNew, "X", OpFlags.None),
        ["ctx_free"] = new(ScenarioOp.CtxFree, "C", OpFlags.None),
        ["start"] = new(ScenarioOp.Start, "JCFA", OpFlags.None),
        ["pause"] = new(ScenarioOp.Pause, "", OpFlags.None),
        ["block_pause"] = new(ScenarioOp.BlockPause, "", OpFlags.None),
        ["unblock_pause"] = new(ScenarioOp.UnblockPause, "", OpFlags.None),
        ["current_job"] = new(ScenarioOp.CurrentJob, "", OpFlags.None),
        ["wait_ctx"] = new(ScenarioOp.WaitCtx, "", OpFlags.BodyOnly),
        ["arg"] = new(ScenarioOp.Arg, "", OpFlags.BodyOnly),
        ["return"] = new(ScenarioOp.Return, "I", OpFlags.BodyOnly),
        ["set_wait_fd"] = new(ScenarioOp.SetWaitFd, "cKIDL", OpFlags.None),
        ["get_fd"] = new(ScenarioOp.GetFd, "cK", OpFlags.None),
        ["get_all_fds"] = new(ScenarioOp.GetAllFds, "c", OpFlags.None),
        ["get_changed_fds"] = new(ScenarioOp.GetChangedFds, "c", OpFlags.None),
        ["clear_fd"] = new(ScenarioOp.ClearFd, "cK", OpFlags.None),
        ["set_callback"] = new(ScenarioOp.SetCallback, "CBG", OpFlags.Profile30),
        ["get_callback"] = new(ScenarioOp.GetCallback, "c", OpFlags.Profile30),
        ["call_callback"] = new(ScenarioOp.CallCallback, "c", OpFlags.Profile30),
        ["set_status"] = new(ScenarioOp.SetStatus, "cS", OpFlags.Profile30),
        ["get_status"] = new(ScenarioOp.GetStatus, "c", OpFlags.Profile30),
        ["errors"] = new(ScenarioOp.Errors, "", OpFlags.None),
        ["set_mem_functions"] = new(ScenarioOp.SetMemFunctions, "MR", OpFlags.Profile32),
        ["get_mem_functions"] = new(ScenarioOp.GetMemFunctions, "", OpFlags.Profile32),
    };

    private static readonly string[] s_statusNames = ["UNSUPPORTED", "ERR", "OK", "EAGAIN"];

    private readonly string _fileName;
    private readonly ScenarioLimits _limits;
    private readonly List<ScenarioStatement> _main = [];
    /// <summary>The most functions a scenario may define (the limit every implementation shares; spec/scenario-language.md).</summary>
    private const int MaxFunctions = 64;

    /// <summary>The most distinct callback names a scenario may use.</summary>
    private const int MaxCallbacks = 32;

    private readonly List<FunctionBuilder> _functions = [];

    /// <summary>Callback names seen so far.</summary>
    private readonly HashSet<string> _callbackNames = [];

    /// <summary>The most distinct stack allocator names, and stack free function names, a scenario may use.</summary>
    private const int MaxStackFunctions = 8;

    /// <summary>Stack allocator and stack free function names seen so far.</summary>
    private readonly HashSet<string> _allocatorNames = [];
    private readonly HashSet<string> _freeNames = [];

    /// <summary>Logical thread names seen so far; <c>main</c> always counts.</summary>
    private readonly HashSet<string> _threadNames = ["main"];
    private readonly HashSet<string> _jobNames = [];
    private readonly HashSet<string> _contextNames = [];
    private int _statementCount;
    private AsyncProfile _profile = AsyncProfile.OpenSsl30;
    private FunctionBuilder? _current;
    private bool _seenStatement;
    private int _line;

    private ScenarioParser(string fileName, ScenarioLimits limits)
    {
        _fileName = fileName;
        _limits = limits;
    }

    [Flags]
    private enum OpFlags
    {
        None = 0,
        BodyOnly = 1,
        Profile30 = 2,
        Profile32 = 4,
    }

    /// <summary>Parses text; a line holding a lone surrogate (text no UTF-8 file can hold) is a lexical error.</summary>
    internal static Scenario Parse(string text, string fileName, ScenarioLimits limits)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(fileName);
        if (text.StartsWith('\uFEFF'))
        {
            // A byte-order mark is not part of the first line.
            text = text[1..];
        }

        return Parse(SplitLines(text), fileName, limits);
    }

    /// <summary>
    /// Parses the bytes of a file: one UTF-8 byte-order mark at the start is skipped, and each line is decoded
    /// strictly; a line that is not well-formed UTF-8 is a lexical error of that line (spec/scenario-language.md §1).
    /// </summary>
    internal static Scenario Parse(ReadOnlySpan<byte> utf8, string fileName, ScenarioLimits limits)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        if (utf8.StartsWith("\uFEFF"u8))
        {
            utf8 = utf8[3..];
        }

        return Parse(SplitLines(utf8), fileName, limits);
    }

    /// <summary>Parses physical lines; a null line is one that is not valid text.</summary>
    private static Scenario Parse(string?[] lines, string fileName, ScenarioLimits limits)
    {
        var parser = new ScenarioParser(fileName, limits);
        for (int i = 0; i < lines.Length; i++)
        {
            parser._line = i + 1;
            parser.ParseLine(lines[i]);
        }

        if (parser._current is { } open)
        {
            parser._line = open.Line;
            throw parser.Error($"func '{open.Name}' is not terminated by end");
        }

        return new Scenario(
            fileName,
            parser._profile,
            parser._functions.Select(f => new ScenarioFunction(f.Name, f.Line, f.Body)).ToList(),
            parser._main,
            limits);
    }

    /// <summary>Physical lines: split at LF; a CR before the LF is dropped; a final LF does not start another line.</summary>
    private static string?[] SplitLines(string text)
    {
        var lines = new List<string?>();
        int start = 0;
        while (start < text.Length)
        {
            int nl = text.IndexOf('\n', start);
            int stop = nl < 0 ? text.Length : nl;
            int end = stop > start && text[stop - 1] == '\r' ? stop - 1 : stop;
            string line = text[start..end];
            lines.Add(IsWellFormed(line) ? line : null);
            start = nl < 0 ? text.Length : nl + 1;
        }

        return [.. lines];
    }

    /// <summary>The same split over bytes; a line that is not well-formed UTF-8 is null.</summary>
    private static string?[] SplitLines(ReadOnlySpan<byte> text)
    {
        var lines = new List<string?>();
        while (!text.IsEmpty)
        {
            int nl = text.IndexOf((byte)'\n');
            ReadOnlySpan<byte> line = nl < 0 ? text : text[..nl];
            if (!line.IsEmpty && line[^1] == (byte)'\r')
            {
                line = line[..^1];
            }

            lines.Add(System.Text.Unicode.Utf8.IsValid(line) ? ScenarioText.Utf8.GetString(line) : null);
            text = nl < 0 ? [] : text[(nl + 1)..];
        }

        return [.. lines];
    }

    /// <summary>Whether the text has no lone surrogate, i.e. has a UTF-8 form.</summary>
    private static bool IsWellFormed(string text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// A token as messages show it: each control character (U+0000–U+001F, U+007F) is written <c>\xHH</c>, everything
    /// else as is, so a message is always one printable line (spec/scenario-language.md §1).
    /// </summary>
    internal static string Show(string token)
    {
        if (!token.AsSpan().ContainsAnyInRange('\0', '\x1F') && !token.Contains('\x7F', StringComparison.Ordinal))
        {
            return token;
        }

        var shown = new StringBuilder(token.Length + 8);
        foreach (char c in token)
        {
            if (c < 0x20 || c == 0x7F)
            {
                shown.Append(CultureInfo.InvariantCulture, $"\\x{(int)c:X2}");
            }
            else
            {
                shown.Append(c);
            }
        }

        return shown.ToString();
    }

    private void ParseLine(string? line)
    {
        if (Tokenize(line, out List<Token> tokens) is { } lexError)
        {
            throw Error(lexError);
        }

        if (tokens.Count == 0)
        {
            return;
        }

        if (++_statementCount > _limits.MaxStatements)
        {
            throw Error(ScenarioLimits.TooMany(_limits.MaxStatements, "statements", ScenarioLimits.MaxStatementsVariable));
        }

        bool first = !_seenStatement;
        _seenStatement = true;
        string? thread = null;
        bool prefixed = tokens[0].IsThreadPrefix;
        if (prefixed)
        {
            Token prefix = tokens[0];
            if (_current is not null)
            {
                throw Error("@THREAD is not allowed inside a function body");
            }

            if (!Token.IsValidName(prefix.Text[1..]))
            {
                throw Error($"invalid thread name '{Show(prefix.Text)}'");
            }

            if (tokens.Count == 1)
            {
                throw Error($"missing statement after '{Show(prefix.Text)}'");
            }

            thread = prefix.Text[1..];
            if (_threadNames.Add(thread) && _threadNames.Count > _limits.MaxThreads)
            {
                throw Error(ScenarioLimits.TooMany(_limits.MaxThreads, "logical threads", ScenarioLimits.MaxThreadsVariable));
            }

            tokens.RemoveAt(0);
        }

        Token head = tokens[0];
        if (head.Is("profile"))
        {
            ParseProfile(tokens, prefixed, first);
        }
        else if (head.Is("func"))
        {
            ParseFunc(tokens, prefixed);
        }
        else if (head.Is("end"))
        {
            ParseEnd(tokens, prefixed);
        }
        else
        {
            ParseCall(tokens, _current is null ? thread ?? "main" : null);
        }
    }

    private void ParseProfile(List<Token> tokens, bool prefixed, bool first)
    {
        if (prefixed)
        {
            throw Error("profile cannot run on a thread");
        }

        if (!first)
        {
            throw Error("profile must be the first statement");
        }

        CheckCount("profile", tokens, 1);
        if (tokens[1].Is("3.0"))
        {
            _profile = AsyncProfile.OpenSsl30;
        }
        else if (tokens[1].Is("3.2"))
        {
            _profile = AsyncProfile.OpenSsl32;
        }
        else if (tokens[1].Is("1.1.1"))
        {
            _profile = AsyncProfile.OpenSsl111;
        }
        else
        {
            throw Error($"unknown profile '{Show(tokens[1].Text)}': expected 3.0, 3.2 or 1.1.1");
        }
    }

    private void ParseFunc(List<Token> tokens, bool prefixed)
    {
        if (prefixed)
        {
            throw Error("func cannot run on a thread: it is a definition");
        }

        if (_current is not null)
        {
            throw Error($"func inside func '{_current.Name}' (functions do not nest)");
        }

        CheckCount("func", tokens, 1);
        Token name = tokens[1];
        if (!name.IsName)
        {
            throw Error($"invalid function name '{Show(name.Text)}'");
        }

        if (_functions.Find(f => f.Name == name.Text) is { } existing)
        {
            throw Error($"function '{existing.Name}' is already defined at line {existing.Line}");
        }

        if (_functions.Count == MaxFunctions)
        {
            throw Error($"too many functions (at most {MaxFunctions})");
        }

        _current = new FunctionBuilder(name.Text, _line);
        _functions.Add(_current);
    }

    private void ParseEnd(List<Token> tokens, bool prefixed)
    {
        if (prefixed)
        {
            throw Error("end cannot run on a thread");
        }

        if (_current is null)
        {
            throw Error("end without func");
        }

        CheckCount("end", tokens, 0);
        _current = null;
    }

    private void ParseCall(List<Token> tokens, string? thread)
    {
        Token head = tokens[0];
        if (head.Quoted || !s_ops.TryGetValue(head.Text, out OpInfo? op))
        {
            throw Error($"unknown statement '{Show(head.Text)}'");
        }

        if ((op.Flags & OpFlags.BodyOnly) != 0 && _current is null)
        {
            throw Error($"{head.Text} is only allowed inside a function body");
        }

        if ((op.Flags & OpFlags.Profile30) != 0 && _profile == AsyncProfile.OpenSsl111)
        {
            throw Error($"{head.Text} is not available in profile 1.1.1");
        }

        if ((op.Flags & OpFlags.Profile32) != 0 && _profile != AsyncProfile.OpenSsl32)
        {
            throw Error($"{head.Text} is not available in profile {(_profile == AsyncProfile.OpenSsl111 ? "1.1.1" : "3.0")}: it needs profile 3.2");
        }

        CheckCount(head.Text, tokens, op.Signature.Length);
        var arguments = new ScenarioValue[op.Signature.Length];
        for (int i = 0; i < arguments.Length; i++)
        {
            arguments[i] = ParseArgument(op.Signature[i], tokens[i + 1]);
        }

        var statement = new ScenarioStatement(_line, thread, op.Op, head.Text, arguments);
        (_current?.Body ?? _main).Add(statement);
    }

    private void CheckCount(string what, List<Token> tokens, int expected)
    {
        int got = tokens.Count - 1;
        if (got != expected)
        {
            string plural = expected == 1 ? "" : "s";
            throw Error(expected == 0 ? $"{what} expects no arguments, got {got}" : $"{what} expects {expected} argument{plural}, got {got}");
        }
    }

    private ScenarioValue ParseArgument(char kind, Token t)
    {
        if (t.Quoted && kind != 'A')
        {
            throw Error("unexpected quoted string: only the job argument of start may be quoted");
        }

        return kind switch
        {
            'X' => ParseContext(t, allowDot: false, allowNull: false),
            'C' => ParseContext(t, allowDot: true, allowNull: true),
            'c' => ParseContext(t, allowDot: true, allowNull: false),
            'J' => ParseJob(t),
            'F' => ParseFunctionReference(t),
            'A' => ParseStartArgument(t),
            'K' => ParseSymbol(t, allowNull: true, "key"),
            'D' => ParseSymbol(t, allowNull: true, "data"),
            'B' => ParseCallback(t),
            'G' => ParseSymbol(t, allowNull: true, "callback arg"),
            'L' => t.Is("cleanup") ? new ScenarioValue(ScenarioValueKind.Cleanup, "", 0)
                : t.Is("-") ? Null
                : throw Error($"invalid cleanup '{Show(t.Text)}': expected cleanup or -"),
            'S' => ParseStatus(t),
            'M' => ParseStackFunction(t, "stack allocator", _allocatorNames),
            'R' => ParseStackFunction(t, "stack free function", _freeNames),
            'I' => Integer(ParseInt(t)),
            'N' => ParseSize(t),
            _ => throw new InvalidOperationException("bad signature letter " + kind),
        };
    }

    private static ScenarioValue Null => new(ScenarioValueKind.Null, "", 0);

    private static ScenarioValue Integer(int value) => new(ScenarioValueKind.Integer, "", value);

    private static ScenarioValue Name(string name) => new(ScenarioValueKind.Name, name, 0);

    private ScenarioValue ParseContext(Token t, bool allowDot, bool allowNull)
    {
        if (t.Is("."))
        {
            if (_current is null)
            {
                throw Error("'.' is only allowed inside a function body");
            }

            return allowDot ? new ScenarioValue(ScenarioValueKind.Dot, "", 0) : throw Error("'.' is not allowed here: a context name is required");
        }

        if (t.Is("-"))
        {
            return allowNull ? Null : throw Error("'-' is not allowed here: a context is required");
        }

        if (!t.IsName)
        {
            throw Error($"invalid context name '{Show(t.Text)}'");
        }

        if (_contextNames.Add(t.Text) && _contextNames.Count > _limits.MaxContexts)
        {
            throw Error(ScenarioLimits.TooMany(_limits.MaxContexts, "context variables", ScenarioLimits.MaxContextsVariable));
        }

        return Name(t.Text);
    }

    private ScenarioValue ParseJob(Token t)
    {
        ScenarioValue job = ParseSymbol(t, allowNull: false, "job variable");
        if (_jobNames.Add(job.Text) && _jobNames.Count > _limits.MaxJobs)
        {
            throw Error(ScenarioLimits.TooMany(_limits.MaxJobs, "job variables", ScenarioLimits.MaxJobsVariable));
        }

        return job;
    }

    private ScenarioValue ParseSymbol(Token t, bool allowNull, string what)
    {
        if (t.Is("-"))
        {
            return allowNull ? Null : throw Error($"'-' is not allowed here: a {what} is required");
        }

        if (t.Is("."))
        {
            throw Error($"'.' is not allowed here: a {what} is required");
        }

        return t.IsName ? Name(t.Text) : throw Error($"invalid {what} name '{Show(t.Text)}'");
    }

    private ScenarioValue ParseCallback(Token t)
    {
        ScenarioValue callback = ParseSymbol(t, allowNull: true, "callback");
        if (callback.Kind == ScenarioValueKind.Name && _callbackNames.Add(callback.Text) && _callbackNames.Count > MaxCallbacks)
        {
            throw Error($"too many callback names (at most {MaxCallbacks})");
        }

        return callback;
    }

    /// <summary>A stack allocator or free function: a recording function's name, <c>default</c> or <c>-</c>.</summary>
    private ScenarioValue ParseStackFunction(Token t, string what, HashSet<string> seen)
    {
        if (t.Is("default"))
        {
            return new ScenarioValue(ScenarioValueKind.Default, "", 0);
        }

        ScenarioValue function = ParseSymbol(t, allowNull: true, what);
        if (function.Kind == ScenarioValueKind.Name && seen.Add(function.Text) && seen.Count > MaxStackFunctions)
        {
            throw Error($"too many {what} names (at most {MaxStackFunctions})");
        }

        return function;
    }

    private ScenarioValue ParseFunctionReference(Token t)
    {
        if (t.Is("-"))
        {
            // ASYNC_start_job with a NULL func: ignored on a restart, undefined when it starts a new job.
            return Null;
        }

        if (t.Is("."))
        {
            throw Error("'.' is not allowed here: a function is required");
        }

        if (!t.IsName)
        {
            throw Error($"invalid function name '{Show(t.Text)}'");
        }

        // The function being defined counts as defined above: its own `func` line is.
        return _functions.Exists(f => f.Name == t.Text) ? Name(t.Text) : throw Error($"function '{Show(t.Text)}' is not defined above this line");
    }

    private ScenarioValue ParseStartArgument(Token t)
    {
        if (t.Quoted)
        {
            return new ScenarioValue(ScenarioValueKind.Text, t.Text, 0);
        }

        if (t.Is("-"))
        {
            return Null;
        }

        return t.Is("ptr0")
            ? new ScenarioValue(ScenarioValueKind.Ptr0, "", 0)
            : throw Error($"invalid job argument '{Show(t.Text)}': expected -, ptr0 or a quoted string");
    }

    private ScenarioValue ParseStatus(Token t)
    {
        int named = Array.IndexOf(s_statusNames, t.Text);
        if (named >= 0)
        {
            // ASYNC_STATUS_UNSUPPORTED .. ASYNC_STATUS_EAGAIN are 0 .. 3.
            return Integer(named);
        }

        char c = t.Text.Length > 0 ? t.Text[0] : '\0';
        if (c != '-' && !char.IsAsciiDigit(c))
        {
            throw Error($"invalid status '{Show(t.Text)}': expected an integer, UNSUPPORTED, ERR, OK or EAGAIN");
        }

        return Integer(ParseInt(t));
    }

    private ScenarioValue ParseSize(Token t)
    {
        int value = ParseInt(t);
        return value >= 0 ? Integer(value) : throw Error($"size '{Show(t.Text)}' must not be negative");
    }

    /// <summary>Integers are <c>-?[0-9]+</c> within C <c>int</c>.</summary>
    private int ParseInt(Token t)
    {
        string s = t.Text;
        int digits = s.StartsWith('-') ? 1 : 0;
        if (digits == s.Length || s.AsSpan(digits).ContainsAnyExceptInRange('0', '9'))
        {
            throw Error($"invalid integer '{Show(s)}'");
        }

        if (!int.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value))
        {
            throw Error($"integer '{Show(s)}' out of range");
        }

        return value;
    }

    private ScenarioParseException Error(string reason) => new(_fileName, _line, reason);

    /// <summary>Splits a line into tokens, dropping the comment; a line that is not valid text (null) is an error.</summary>
    /// <returns>Null, or a lexical error message.</returns>
    private static string? Tokenize(string? line, out List<Token> tokens)
    {
        tokens = [];
        if (line is null)
        {
            return "the line is not valid UTF-8";
        }

        int i = 0;
        while (i < line.Length)
        {
            char c = line[i];
            if (IsBlank(c))
            {
                i++;
                continue;
            }

            if (c == '#')
            {
                break;
            }

            if (c == '"')
            {
                int start = ++i;
                while (i < line.Length && line[i] != '"')
                {
                    i++;
                }

                if (i == line.Length)
                {
                    return "unterminated string";
                }

                tokens.Add(new Token(line[start..i], Quoted: true));
                i++;
                // A '#' right after the closing quote starts a comment.
                if (i < line.Length && !IsBlank(line[i]) && line[i] != '#')
                {
                    return "a quoted string must be followed by a blank or the end of the line";
                }
            }
            else
            {
                int start = i;
                while (i < line.Length && !IsBlank(line[i]) && line[i] != '#')
                {
                    i++;
                }

                tokens.Add(new Token(line[start..i], Quoted: false));
            }
        }

        return null;
    }

    private static bool IsBlank(char c) => c is ' ' or '\t';

    private sealed record OpInfo(ScenarioOp Op, string Signature, OpFlags Flags);

    private sealed class FunctionBuilder(string name, int line)
    {
        public string Name { get; } = name;

        public int Line { get; } = line;

        public List<ScenarioStatement> Body { get; } = [];
    }

    private readonly record struct Token(string Text, bool Quoted)
    {
        public bool IsName => !Quoted && IsValidName(Text);

        public bool IsThreadPrefix => !Quoted && Text.StartsWith('@');

        public bool Is(string word) => !Quoted && Text == word;

        /// <summary><c>[A-Za-z_][A-Za-z0-9_]*</c>.</summary>
        public static bool IsValidName(string s)
        {
            if (s.Length == 0)
            {
                return false;
            }

            for (int i = 0; i < s.Length; i++)
            {
                char c = s[i];
                bool ok = char.IsAsciiLetter(c) || c == '_' || (i > 0 && char.IsAsciiDigit(c));
                if (!ok)
                {
                    return false;
                }
            }

            return true;
        }
    }
}
