namespace AsyncRef.Traces.Format;

/// <summary>What a record says happened (spec/trace-format.md §3).</summary>
internal enum RecordKind : byte
{
    /// <summary>An API function was entered: the call site, then its arguments.</summary>
    Call = 1,

    /// <summary>An API function returned: its result, then what it wrote through out-parameters.</summary>
    Return = 2,

    /// <summary>A job function was entered (function, args copy).</summary>
    BodyEnter = 3,

    /// <summary>A job function returned (its value).</summary>
    BodyReturn = 4,

    /// <summary>An fd cleanup callback was entered (ctx, key, fd, data).</summary>
    CleanupEnter = 5,

    /// <summary>An fd cleanup callback returned.</summary>
    CleanupReturn = 6,

    /// <summary>A logical thread made its first record (its OS thread id).</summary>
    Thread = 16,

    /// <summary>An executable file mapping (start, end, file offset, path).</summary>
    Module = 17,

    /// <summary>The traced program's command line.</summary>
    Program = 18,

    /// <summary>The program exited normally; the value is the number of records in the file.</summary>
    End = 19,
}

/// <summary>The 20 functions of OpenSSL 3.0's ASYNC API, by their number in the trace format.</summary>
internal enum TraceFunction : byte
{
    /// <summary>Not a call record.</summary>
    None = 0,

    /// <summary><c>ASYNC_init_thread</c>.</summary>
    InitThread = 1,

    /// <summary><c>ASYNC_cleanup_thread</c>.</summary>
    CleanupThread = 2,

    /// <summary><c>ASYNC_WAIT_CTX_new</c>.</summary>
    CtxNew = 3,

    /// <summary><c>ASYNC_WAIT_CTX_free</c>.</summary>
    CtxFree = 4,

    /// <summary><c>ASYNC_WAIT_CTX_set_wait_fd</c>.</summary>
    SetWaitFd = 5,

    /// <summary><c>ASYNC_WAIT_CTX_get_fd</c>.</summary>
    GetFd = 6,

    /// <summary><c>ASYNC_WAIT_CTX_get_all_fds</c>.</summary>
    GetAllFds = 7,

    /// <summary><c>ASYNC_WAIT_CTX_get_changed_fds</c>.</summary>
    GetChangedFds = 8,

    /// <summary><c>ASYNC_WAIT_CTX_clear_fd</c>.</summary>
    ClearFd = 9,

    /// <summary><c>ASYNC_WAIT_CTX_set_callback</c>.</summary>
    SetCallback = 10,

    /// <summary><c>ASYNC_WAIT_CTX_get_callback</c>.</summary>
    GetCallback = 11,

    /// <summary><c>ASYNC_WAIT_CTX_set_status</c>.</summary>
    SetStatus = 12,

    /// <summary><c>ASYNC_WAIT_CTX_get_status</c>.</summary>
    GetStatus = 13,

    /// <summary><c>ASYNC_is_capable</c>.</summary>
    IsCapable = 14,

    /// <summary><c>ASYNC_start_job</c>.</summary>
    StartJob = 15,

    /// <summary><c>ASYNC_pause_job</c>.</summary>
    PauseJob = 16,

    /// <summary><c>ASYNC_get_current_job</c>.</summary>
    GetCurrentJob = 17,

    /// <summary><c>ASYNC_get_wait_ctx</c>.</summary>
    GetWaitCtx = 18,

    /// <summary><c>ASYNC_block_pause</c>.</summary>
    BlockPause = 19,

    /// <summary><c>ASYNC_unblock_pause</c>.</summary>
    UnblockPause = 20,
}

/// <summary>Constants and value layouts of trace format version 2.</summary>
internal static class TraceFormat
{
    internal const ushort VersionMajor = 2;
    internal const ushort VersionMinor = 0;
    internal const int HeaderSize = 32;
    internal const uint ChunkMagic = 0x4B4E4843; // "CHNK"
    internal const int ChunkHeaderSize = 16;
    internal const int RecordHeaderSize = 16;
    internal const uint MetaThread = 0xFFFFFFFF;

    /// <summary>The largest chunk payload a reader accepts: the tracer writes at most 64 KiB.</summary>
    internal const int MaxChunkPayload = 1 << 20;

    internal static ReadOnlySpan<byte> Magic => "ASRTRACE"u8;

    /// <summary>The C name of each function, indexed by <see cref="TraceFunction"/>.</summary>
    private static readonly string[] s_names =
    [
        "-", "ASYNC_init_thread", "ASYNC_cleanup_thread", "ASYNC_WAIT_CTX_new", "ASYNC_WAIT_CTX_free",
        "ASYNC_WAIT_CTX_set_wait_fd", "ASYNC_WAIT_CTX_get_fd", "ASYNC_WAIT_CTX_get_all_fds",
        "ASYNC_WAIT_CTX_get_changed_fds", "ASYNC_WAIT_CTX_clear_fd", "ASYNC_WAIT_CTX_set_callback",
        "ASYNC_WAIT_CTX_get_callback", "ASYNC_WAIT_CTX_set_status", "ASYNC_WAIT_CTX_get_status", "ASYNC_is_capable",
        "ASYNC_start_job", "ASYNC_pause_job", "ASYNC_get_current_job", "ASYNC_get_wait_ctx", "ASYNC_block_pause",
        "ASYNC_unblock_pause",
    ];

    /// <summary>Values of a CALL record (call site included), indexed by <see cref="TraceFunction"/>.</summary>
    private static readonly byte[] s_callValues = [0, 3, 1, 1, 2, 6, 5, 4, 6, 3, 4, 4, 3, 2, 1, 8, 1, 1, 2, 1, 1];

    internal const int FunctionCount = 20;

    internal static string Name(TraceFunction function) => s_names[(int)function];

    internal static bool IsFunction(byte value) => value is >= 1 and <= FunctionCount;

    internal static int CallValues(TraceFunction function) => s_callValues[(int)function];

    /// <summary>Values of a RETURN record, or -1 when the count depends on the values (fd listings).</summary>
    internal static int ReturnValues(TraceFunction function) => function switch
    {
        TraceFunction.GetFd or TraceFunction.GetCallback or TraceFunction.StartJob => 3,
        TraceFunction.GetAllFds or TraceFunction.GetChangedFds => -1,
        _ => 1,
    };
}
