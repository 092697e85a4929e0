namespace AsyncRef.Campaigns.Tests;

/// <summary>The C adapter over the installed libcrypto, which the campaign tests run against.</summary>
internal static class LibcryptoAdapter
{
    /// <summary>The adapter's path; the test fails with a hint when it has not been built.</summary>
    public static string Path
    {
        get
        {
            string adapter = Repository.PathOf("artifacts", "asyncref-openssl");
            Assert.True(File.Exists(adapter), $"{adapter} is missing: build it with `make adapter` (make test does)");
            return adapter;
        }
    }
}
