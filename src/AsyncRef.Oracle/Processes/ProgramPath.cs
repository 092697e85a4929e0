using System.ComponentModel;

namespace AsyncRef.Oracle.Processes;

/// <summary>Finds a program the way <c>execvp</c> does, so that a missing one is reported before anything runs.</summary>
internal static class ProgramPath
{
    /// <summary>The full path of a program as <c>execvp</c> would find it.</summary>
    /// <exception cref="Win32Exception">Not found (ENOENT) or not an executable file (EACCES).</exception>
    internal static string Resolve(string program)
    {
        if (program.Contains('/', StringComparison.Ordinal))
        {
            return IsExecutableFile(program) ? Path.GetFullPath(program)
                : File.Exists(program) || Directory.Exists(program) ? throw new Win32Exception(13, "Permission denied")
                : throw new Win32Exception(2, "No such file or directory");
        }

        return (program.Length > 0 ? FindOnPath(program) : null) ?? throw new Win32Exception(2, "No such file or directory");
    }

    /// <summary>The full path of the first executable file named <paramref name="name"/> on PATH, or null.</summary>
    internal static string? FindOnPath(string name)
    {
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':'))
        {
            string candidate = Path.Combine(dir.Length == 0 ? "." : dir, name);
            if (IsExecutableFile(candidate))
            {
                return Path.GetFullPath(candidate);
            }
        }

        return null;
    }

    private static bool IsExecutableFile(string path)
    {
        const UnixFileMode anyExecute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        try
        {
            return File.Exists(path) && (OperatingSystem.IsWindows() || (File.GetUnixFileMode(path) & anyExecute) != 0);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return false;
        }
    }
}
