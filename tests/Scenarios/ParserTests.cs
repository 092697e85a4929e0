using static AsyncRef.Scenarios.Tests.TestSupport;

namespace AsyncRef.Scenarios.Tests;

/// <summary>The parser: the syntax of spec/scenario-language.md §1–2 and every parse-error class it lists.</summary>
public sealed class ParserTests
{
    /// <summary>The contract's example (spec/scenario-language.md, "Structure").</summary>
    internal static readonly string[] ContractExample =
    [
        "profile 3.0          # optional first statement: 3.0 (default) or 1.1.1",
        "func F1              # a job function; its body runs inside the job",
        "  set_wait_fd . K1 5 D1 cleanup",
        "  pause",
        "  return 7",
        "end",
        "ctx_new C1",
        "start J1 C1 F1 \"Hello\"",
        "get_changed_fds C1",
        "start J1 C1 F1 -     # restart: J1 holds the paused job",
        "ctx_free C1",
    ];

    [Fact]
    public void ContractExample_ParsesIntoFunctionsAndTopLevelStatements()
    {
        Scenario s = Parse(ContractExample);

        Assert.Equal(AsyncProfile.OpenSsl30, s.Profile);
        ScenarioFunction f = Assert.Single(s.Functions);
        Assert.Equal("F1", f.Name);
        Assert.Equal(2, f.Line);
        Assert.Equal([ScenarioOp.SetWaitFd, ScenarioOp.Pause, ScenarioOp.Return], f.Body.Select(b => b.Op));
        Assert.Equal([3, 4, 5], f.Body.Select(b => b.Line));
        Assert.All(f.Body, b => Assert.Null(b.Thread));
        Assert.Equal(
            [new(ScenarioValueKind.Dot, "", 0), new(ScenarioValueKind.Name, "K1", 0), new(ScenarioValueKind.Integer, "", 5), new(ScenarioValueKind.Name, "D1", 0), new ScenarioValue(ScenarioValueKind.Cleanup, "", 0)],
            f.Body[0].Arguments);
        Assert.Equal(7, f.Body[2].Arguments[0].Number);

        Assert.Equal([7, 8, 9, 10, 11], s.Statements.Select(t => t.Line));
        Assert.Equal(["ctx_new", "start", "get_changed_fds", "start", "ctx_free"], s.Statements.Select(t => t.OpName));
        Assert.All(s.Statements, t => Assert.Equal("main", t.Thread));
        Assert.Equal(new ScenarioValue(ScenarioValueKind.Text, "Hello", 0), s.Statements[1].Arguments[3]);
        Assert.Equal(new ScenarioValue(ScenarioValueKind.Null, "", 0), s.Statements[3].Arguments[3]);
    }

    [Fact]
    public void Lexing_CommentsRightAfterTokens_TabsBlankLinesCrLfAndThreadPrefixes()
    {
        Scenario s = Scenario.Parse("\uFEFF# comment\r\n\r\n\tis_capable# a comment\r\npause   \t # x\r\n@T_2 errors\r\n@main current_job", "t.scn");

        Assert.Equal(AsyncProfile.OpenSsl30, s.Profile);
        Assert.Equal([3, 4, 5, 6], s.Statements.Select(t => t.Line));
        Assert.Equal(["is_capable", "pause", "errors", "current_job"], s.Statements.Select(t => t.OpName));
        Assert.Equal(["main", "main", "T_2", "main"], s.Statements.Select(t => t.Thread));
    }

    [Fact]
    public void QuotedString_KeepsSpacesAndHash_AndMayBeFollowedByAComment()
    {
        Scenario s = Parse("func F", "end", "ctx_new C", "start J C F \"two words # not a comment\"# comment", "start J C F \"\"");

        Assert.Equal("two words # not a comment", s.Statements[1].Arguments[3].Text);
        Assert.Equal(new ScenarioValue(ScenarioValueKind.Text, "", 0), s.Statements[2].Arguments[3]);
    }

    [Fact]
    public void Profile111_MayFollowCommentsAndBlankLines()
    {
        Scenario s = Parse("# header", "", "profile 1.1.1", "is_capable");

        Assert.Equal(AsyncProfile.OpenSsl111, s.Profile);
    }

    [Fact]
    public void Statuses_ByNameAreTheirAsyncStatusValues_AndIntegersMayBeAnyInt()
    {
        Scenario s = Parse(
            "ctx_new C", "set_status C UNSUPPORTED", "set_status C ERR", "set_status C OK", "set_status C EAGAIN", "set_status C -2147483648", "set_status C 2147483647");

        Assert.Equal([0, 1, 2, 3, int.MinValue, int.MaxValue], s.Statements.Skip(1).Select(t => t.Arguments[1].Number));
    }

    [Fact]
    public void ContextCreatedLaterInTheFile_OrOnlyInsideABody_IsAccepted()
    {
        Scenario s = Parse("func F", "  get_all_fds C", "  ctx_new D", "end", "get_status D", "ctx_new C");

        Assert.Equal(2, s.Statements.Count);
    }

    [Fact]
    public void ContextNamesAreVariables_ANameNoCtxNewCreates_IsNotAParseError()
    {
        // v1 lists no such parse error: using the name is undefined at run time (UB-CTX-USE-AFTER-FREE), and a body
        // that never runs never uses it.
        Scenario s = Parse("func F", "  set_wait_fd C2 K 1 D -", "end", "get_all_fds C", "ctx_new C", "get_all_fds D");

        Assert.Equal(["get_all_fds", "ctx_new", "get_all_fds"], s.Statements.Select(t => t.OpName));
        Assert.Equal("C2", s.Functions[0].Body[0].Arguments[0].Text);
    }

    [Fact]
    public void DashAsTheJobFunction_IsTheNullFunction()
    {
        Scenario s = Parse("func F", "end", "ctx_new C", "start J C - -", "start J C F -");

        Assert.Equal(ScenarioValueKind.Null, s.Statements[1].Arguments[2].Kind);
        Assert.Equal(ScenarioValueKind.Name, s.Statements[2].Arguments[2].Kind);
    }

    [Fact]
    public void FunctionMayStartItselfInItsOwnBody_ItIsDefinedFromItsFuncLine()
    {
        Scenario s = Parse("func F", "  start N - F -", "end");

        Assert.Equal(ScenarioOp.Start, s.Functions[0].Body[0].Op);
    }

    [Fact]
    public void NullIsAllowedWhereTheTableAllowsIt()
    {
        Scenario s = Parse(
            "func F", "  set_callback . - -", "end", "ctx_new C", "ctx_free -", "start J - F -", "set_wait_fd C - 1 - -", "get_fd C -", "clear_fd C -", "set_callback - CB -");

        Assert.Equal(7, s.Statements.Count);
    }

    [Theory]
    // Lexical errors.
    [InlineData(4, "func F", "end", "ctx_new C", "start J C F \"abc")]
    [InlineData(4, "func F", "end", "ctx_new C", "start J C F \"ab\"c")]
    // Unknown statements and wrong argument counts.
    [InlineData(2, "ctx_new C", "frobnicate")]
    [InlineData(1, "\"pause\"")]
    [InlineData(1, "ctx_new")]
    [InlineData(1, "pause now")]
    [InlineData(4, "func F", "end", "ctx_new C", "start J C F")]
    [InlineData(3, "ctx_new C", "", "set_wait_fd C K1 5 D1 cleanup extra")]
    [InlineData(1, "profile")]
    [InlineData(2, "func F", "end now")]
    // Function structure: used before definition, undefined, nested, duplicated, unterminated, stray end.
    [InlineData(2, "ctx_new C", "start J C F -", "func F", "end")]
    [InlineData(2, "ctx_new C", "start J C G -")]
    [InlineData(2, "func F", "func G", "end", "end")]
    [InlineData(3, "func F", "end", "func F", "end")]
    [InlineData(1, "func F", "  pause")]
    [InlineData(1, "end")]
    [InlineData(1, "func 9F", "end")]
    // Body-only statements at top level.
    [InlineData(1, "wait_ctx")]
    [InlineData(1, "arg")]
    [InlineData(1, "return 1")]
    // '.' outside a body, or where only a name is allowed.
    [InlineData(2, "ctx_new C", "get_all_fds .")]
    [InlineData(1, "ctx_free .")]
    [InlineData(2, "func F", "  ctx_new .", "end")]
    [InlineData(2, "func F", "  start . - F -", "end")]
    [InlineData(2, "func F", "  get_fd . .", "end")]
    // @THREAD inside a body, or malformed.
    [InlineData(2, "func F", "  @T2 pause", "end")]
    [InlineData(1, "@1T pause")]
    [InlineData(1, "@ pause")]
    [InlineData(1, "@T2")]
    [InlineData(1, "@T2 func F", "end")]
    // '-' where a context, job variable or function is required.
    [InlineData(1, "ctx_new -")]
    [InlineData(2, "ctx_new C", "get_all_fds -")]
    [InlineData(2, "ctx_new C", "set_wait_fd - K 1 D -")]
    [InlineData(2, "ctx_new C", "set_status - 1")]
    [InlineData(4, "func F", "end", "ctx_new C", "start - C F -")]
    [InlineData(4, "func F", "end", "ctx_new C", "start J C . -")]
    // Integers: out of range, malformed, negative sizes.
    [InlineData(1, "init_thread 2147483648 0")]
    [InlineData(2, "func F", "  return -2147483649", "end")]
    [InlineData(2, "ctx_new C", "set_wait_fd C K 99999999999 D -")]
    [InlineData(1, "init_thread -1 0")]
    [InlineData(1, "init_thread 0 -1")]
    [InlineData(1, "init_thread 1x 0")]
    [InlineData(1, "init_thread +1 0")]
    [InlineData(1, "init_thread - 0")]
    [InlineData(2, "ctx_new C", "set_status C FOO")]
    // Profile-restricted statements under 1.1.1.
    [InlineData(3, "profile 1.1.1", "ctx_new C", "set_callback C CB A")]
    [InlineData(3, "profile 1.1.1", "ctx_new C", "get_callback C")]
    [InlineData(3, "profile 1.1.1", "ctx_new C", "call_callback C")]
    [InlineData(3, "profile 1.1.1", "ctx_new C", "set_status C 1")]
    [InlineData(3, "profile 1.1.1", "ctx_new C", "get_status C")]
    [InlineData(3, "profile 1.1.1", "func F", "  get_status .", "end")]
    // The profile line: not first, twice, on a thread, unknown.
    [InlineData(2, "is_capable", "profile 3.0")]
    [InlineData(2, "profile 3.0", "profile 3.0")]
    [InlineData(2, "func F", "  profile 3.0", "end")]
    [InlineData(1, "@T profile 3.0")]
    [InlineData(1, "profile 2.0")]
    // Malformed names and values.
    [InlineData(1, "ctx_new 1C")]
    [InlineData(1, "ctx_new \"C\"")]
    [InlineData(2, "ctx_new C", "get_fd C K-1")]
    [InlineData(4, "func F", "end", "ctx_new C", "start J C F abc")]
    [InlineData(4, "func F", "end", "ctx_new C", "start J C F 0")]
    [InlineData(2, "ctx_new C", "set_wait_fd C K 1 D frob")]
    [InlineData(2, "ctx_new C", "set_callback C CB \"A\"")]
    public void ParseError_ReportsFileAndLine(int line, params string[] lines)
    {
        var e = Assert.Throws<ScenarioParseException>(() => Scenario.Parse(Text(lines), "dir/case.scn"));

        Assert.Equal(line, e.Line);
        Assert.Equal("dir/case.scn", e.FileName);
        Assert.StartsWith($"dir/case.scn:{line}: ", e.Message);
        Assert.Equal($"dir/case.scn:{line}: {e.Reason}", e.Message);
        Assert.False(string.IsNullOrWhiteSpace(e.Reason));
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Limits_64FunctionsAnd32CallbackNames_AreShared()
    {
        string[] functions = Enumerable.Range(1, 64).SelectMany(i => new[] { $"func F{i}", "end" }).ToArray();
        Assert.Equal(64, Parse(functions).Functions.Count);
        var tooMany = Assert.Throws<ScenarioParseException>(() => Parse([.. functions, "func F65", "end"]));
        Assert.Equal(129, tooMany.Line);
        Assert.Contains("at most 64", tooMany.Reason, StringComparison.Ordinal);

        string[] callbacks = ["ctx_new C", .. Enumerable.Range(1, 32).Select(i => $"set_callback C CB{i} A")];
        Assert.Equal(34, Parse([.. callbacks, "set_callback C CB1 A"]).Statements.Count);
        var tooManyCallbacks = Assert.Throws<ScenarioParseException>(() => Parse([.. callbacks, "set_callback C CB33 A"]));
        Assert.Equal(34, tooManyCallbacks.Line);
        Assert.Contains("at most 32", tooManyCallbacks.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1, "frob", "bar")]
    [InlineData(2, "func F", "  frob", "end", "end")]
    [InlineData(2, "func F", "  frob")]
    [InlineData(2, "get_all_fds C", "ctx_new -")]
    public void FirstErrorInFileOrder_Wins(int line, params string[] lines)
    {
        var e = Assert.Throws<ScenarioParseException>(() => Scenario.Parse(Text(lines), "t.scn"));

        Assert.Equal(line, e.Line);
    }

    /// <summary>Bytes of a file: the lines joined with LF and ended with LF.</summary>
    private static byte[] Bytes(params byte[][] lines) => [.. lines.SelectMany(l => l.Append((byte)'\n'))];

    private static byte[] U(string text) => System.Text.Encoding.UTF8.GetBytes(text);

    private static ScenarioParseException ParseError(byte[] bytes) =>
        Assert.Throws<ScenarioParseException>(() => Scenario.ParseUtf8(bytes, "t.scn"));

    [Theory]
    [InlineData(new byte[] { 0xFF })] // never in UTF-8
    [InlineData(new byte[] { 0xE9 })] // Latin-1 é
    [InlineData(new byte[] { 0xC0, 0xAF })] // overlong '/'
    [InlineData(new byte[] { 0xE0, 0x80, 0xAF })] // overlong '/'
    [InlineData(new byte[] { 0xED, 0xA0, 0x80 })] // a surrogate
    [InlineData(new byte[] { 0xF4, 0x90, 0x80, 0x80 })] // above U+10FFFF
    [InlineData(new byte[] { 0xE2, 0x82 })] // truncated
    [InlineData(new byte[] { 0x80 })] // a lone continuation byte
    public void InvalidUtf8_IsAParseErrorOfItsLine_EvenInACommentOrString(byte[] bad)
    {
        byte[] inComment = Bytes(U("is_capable"), [.. "pause # "u8, .. bad], U("frob"));
        byte[] inString = Bytes(U("func F"), U("  arg"), U("end"), U("ctx_new C"), [.. "start J C F \""u8, .. bad, (byte)'"']);

        Assert.Equal("t.scn:2: the line is not valid UTF-8", ParseError(inComment).Message);
        Assert.Equal("t.scn:5: the line is not valid UTF-8", ParseError(inString).Message);
        Assert.Equal("t.scn:1: the line is not valid UTF-8", ParseError([.. "pause # "u8, .. bad]).Message); // no final LF
    }

    [Fact]
    public void InvalidUtf8_FollowsFileOrder()
    {
        Assert.Equal(1, ParseError(Bytes(U("frob"), [0xFF])).Line);
        Assert.Equal("t.scn:2: the line is not valid UTF-8", ParseError(Bytes(U("get_all_fds C"), [.. "ctx_new C # "u8, 0xFF])).Message);
    }

    [Fact]
    public void Text_WithALoneSurrogate_IsTheSameError()
    {
        var e = Assert.Throws<ScenarioParseException>(() => Parse("is_capable", "pause # \uD800"));

        Assert.Equal("t.scn:2: the line is not valid UTF-8", e.Message);
    }

    [Fact]
    public void ValidUtf8_IsKeptExactly_InStrings()
    {
        const string text = "h\u00e9llo \u2713 \U0001F600 \u0085 \uFFFD \U0010FFFF";

        Scenario s = Scenario.ParseUtf8(Bytes(U("func F"), U("  arg"), U("end"), U("ctx_new C"), U($"start J C F \"{text}\"")), "t.scn");

        Assert.Equal(text, s.Statements[1].Arguments[3].Text);
        Assert.Equal($"2 main arg => \"{text}\"", s.Run().Lines[1]);
    }

    [Fact]
    public void Encoding_ExactlyOneUtf8ByteOrderMarkIsSkipped_NoOtherEncodingIsRecognised()
    {
        using var dir = new TempDir();
        string bom = Path.Combine(dir.Path, "bom.scn");
        string twice = Path.Combine(dir.Path, "twice.scn");
        string utf16 = Path.Combine(dir.Path, "utf16.scn");
        string utf16be = Path.Combine(dir.Path, "utf16be.scn");
        File.WriteAllBytes(bom, Bytes([0xEF, 0xBB, 0xBF, .. "is_capable"u8]));
        File.WriteAllBytes(twice, Bytes([0xEF, 0xBB, 0xBF, 0xEF, 0xBB, 0xBF, .. "is_capable"u8]));
        File.WriteAllText(utf16, "is_capable\n", System.Text.Encoding.Unicode); // with its BOM FF FE
        File.WriteAllText(utf16be, "is_capable\n", System.Text.Encoding.BigEndianUnicode);

        Assert.Equal(ScenarioOp.IsCapable, Scenario.Load(bom).Statements[0].Op);
        Assert.Equal($"{twice}:1: unknown statement '\uFEFFis_capable'", Assert.Throws<ScenarioParseException>(() => Scenario.Load(twice)).Message);
        Assert.Equal($"{utf16}:1: the line is not valid UTF-8", Assert.Throws<ScenarioParseException>(() => Scenario.Load(utf16)).Message);
        Assert.Equal($"{utf16be}:1: the line is not valid UTF-8", Assert.Throws<ScenarioParseException>(() => Scenario.Load(utf16be)).Message);
    }

    [Theory]
    [InlineData("is_capable\f", "unknown statement 'is_capable\\x0C'")]
    [InlineData("pause\rnow\u007F", "unknown statement 'pause\\x0Dnow\\x7F'")]
    [InlineData("ctx_new C\u0000", "invalid context name 'C\\x00'")]
    [InlineData("is_capable\u000B\u001B[31m", "unknown statement 'is_capable\\x0B\\x1B[31m'")]
    [InlineData("is_capable\u0085\u2028\u2029", "unknown statement 'is_capable\u0085\u2028\u2029'")]
    public void Messages_ShowControlCharactersAsHex_AndOtherCharactersAsTheyAre(string line, string reason)
    {
        var e = Assert.Throws<ScenarioParseException>(() => Parse(line));

        Assert.Equal(reason, e.Reason);
    }

    [Fact]
    public void MoreThanSixteenTokens_AreJustAnArgumentCount()
    {
        string many = string.Join(' ', Enumerable.Repeat("x", 20));

        Assert.Equal("pause expects no arguments, got 20", Assert.Throws<ScenarioParseException>(() => Parse("pause " + many)).Reason);
        Assert.Equal("unknown statement 'frob'", Assert.Throws<ScenarioParseException>(() => Parse("frob " + many)).Reason);
    }

    [Fact]
    public void Messages_NameTheProblem()
    {
        Assert.Contains("not defined above", Assert.Throws<ScenarioParseException>(() => Parse("ctx_new C", "start J C F -", "func F", "end")).Reason);
        Assert.Contains("1.1.1", Assert.Throws<ScenarioParseException>(() => Parse("profile 1.1.1", "ctx_new C", "get_status C")).Reason);
        Assert.Contains("out of range", Assert.Throws<ScenarioParseException>(() => Parse("init_thread 2147483648 0")).Reason);
    }

    [Fact]
    public void Load_ReadsAFile_AndUsesThePathInMessages()
    {
        using var dir = new TempDir();
        string good = dir.Write("good.scn", Text(ContractExample));
        string bad = dir.Write("bad.scn", Text("is_capable", "nope"));

        Assert.Equal(5, Scenario.Load(good).Statements.Count);
        var e = Assert.Throws<ScenarioParseException>(() => Scenario.Load(bad));
        Assert.StartsWith(bad + ":2: ", e.Message);
        Assert.Throws<FileNotFoundException>(() => Scenario.Load(Path.Combine(dir.Path, "missing.scn")));
    }
}
