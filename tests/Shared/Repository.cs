namespace AsyncRef.Tests;

/// <summary>Locates files of the repository from a test's output directory (compiled into every test project that needs it).</summary>
internal static class Repository
{
    internal static string Root { get; } = FindRoot();

    internal static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

    private static string FindRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "AsyncRef.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("the repository root (AsyncRef.sln) was not found above " + AppContext.BaseDirectory);
    }
}
