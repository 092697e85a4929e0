namespace AsyncRef;

/// <summary>One entry of a thread's error queue, as OpenSSL's <c>ERR_get_error</c> would report it.</summary>
/// <param name="Library">The library code (<c>ERR_LIB_ASYNC</c> = 51).</param>
/// <param name="Reason">The reason code without flag bits.</param>
public readonly record struct AsyncError(int Library, int Reason)
{
    /// <summary><c>ERR_LIB_ASYNC</c>.</summary>
    public const int LibAsync = 51;

    /// <summary><c>ASYNC_R_FAILED_TO_SET_POOL</c>.</summary>
    public const int FailedToSetPool = 101;

    /// <summary><c>ASYNC_R_FAILED_TO_SWAP_CONTEXT</c>.</summary>
    public const int FailedToSwapContext = 102;

    /// <summary><c>ASYNC_R_INVALID_POOL_SIZE</c>.</summary>
    public const int InvalidPoolSize = 103;

    /// <summary><c>ASYNC_R_INIT_FAILED</c>.</summary>
    public const int InitFailed = 105;

    /// <summary>The reason of <c>ERR_R_MALLOC_FAILURE</c> without its flag bits (3.x: <c>256 | ERR_R_FATAL</c>).</summary>
    public const int MallocFailure = 256;

    /// <summary>The reason of <c>ERR_R_INTERNAL_ERROR</c> without its flag bits (3.x: <c>259 | ERR_R_FATAL</c>).</summary>
    public const int InternalError = 259;

    /// <summary>The reason's macro name without prefix (<c>INVALID_POOL_SIZE</c>), or <c>LIB:REASON</c> in decimal.</summary>
    public string Name => Reason switch
    {
        MallocFailure => "MALLOC_FAILURE",
        InternalError => "INTERNAL_ERROR",
        FailedToSetPool when Library == LibAsync => "FAILED_TO_SET_POOL",
        FailedToSwapContext when Library == LibAsync => "FAILED_TO_SWAP_CONTEXT",
        InvalidPoolSize when Library == LibAsync => "INVALID_POOL_SIZE",
        InitFailed when Library == LibAsync => "INIT_FAILED",
        _ => $"{Library}:{Reason}",
    };

    /// <inheritdoc/>
    public override string ToString() => Name;
}
