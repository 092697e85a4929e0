using System.Text.RegularExpressions;

namespace AsyncRef.Conformance;

/// <summary>The error codes the reference queues are OpenSSL's own, read from the installed 3.x headers.</summary>
public sealed partial class ErrorCodeTests
{
    private static string Header(string name)
    {
        string path = Path.Combine("/usr/include/openssl", name);
        Assert.True(File.Exists(path), $"{path} is missing: install libssl-dev (.ci/run does)");
        return File.ReadAllText(path);
    }

    private static int Define(string header, string macro)
    {
        Match m = Regex.Match(header, $@"#\s*define\s+{macro}\s+\(?(\d+)");
        Assert.True(m.Success, $"{macro} not found");
        return int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public void Codes_AreTheHeadersValues()
    {
        string err = Header("err.h");
        string async = Header("asyncerr.h");
        Assert.Equal(AsyncError.LibAsync, Define(err, "ERR_LIB_ASYNC"));
        Assert.Equal(AsyncError.MallocFailure, Define(err, "ERR_R_MALLOC_FAILURE"));
        Assert.Equal(AsyncError.InternalError, Define(err, "ERR_R_INTERNAL_ERROR"));
        Assert.Equal(AsyncError.FailedToSetPool, Define(async, "ASYNC_R_FAILED_TO_SET_POOL"));
        Assert.Equal(AsyncError.FailedToSwapContext, Define(async, "ASYNC_R_FAILED_TO_SWAP_CONTEXT"));
        Assert.Equal(AsyncError.InvalidPoolSize, Define(async, "ASYNC_R_INVALID_POOL_SIZE"));
        Assert.Equal(AsyncError.InitFailed, Define(async, "ASYNC_R_INIT_FAILED"));
    }

    [Fact]
    public void Names_AreTheReasonMacrosWithoutPrefix()
    {
        Assert.Equal("MALLOC_FAILURE", new AsyncError(AsyncError.LibAsync, AsyncError.MallocFailure).Name);
        Assert.Equal("INTERNAL_ERROR", new AsyncError(AsyncError.LibAsync, AsyncError.InternalError).Name);
        Assert.Equal("INVALID_POOL_SIZE", new AsyncError(AsyncError.LibAsync, AsyncError.InvalidPoolSize).Name);
        // ASYNC's own reasons are named only for the ASYNC library; others print as LIB:REASON.
        Assert.Equal("15:103", new AsyncError(15, 103).Name);
    }
}
