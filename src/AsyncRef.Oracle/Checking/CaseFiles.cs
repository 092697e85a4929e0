namespace AsyncRef.Oracle.Checking;

/// <summary>Finds the scenario files a command is given.</summary>
public static class CaseFiles
{
    /// <summary>Expands files and directories (recursively, <c>*.scn</c>) into a sorted, distinct list of scenario files.</summary>
    /// <param name="paths">Files and directories, as given on the command line.</param>
    /// <returns>The files, in ordinal order.</returns>
    /// <exception cref="OracleInputException">A path is empty or does not exist, or a directory holds no <c>.scn</c> file.</exception>
    public static IReadOnlyList<string> Expand(IEnumerable<string> paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var files = new SortedSet<string>(StringComparer.Ordinal);
        foreach (string path in paths)
        {
            if (path.Length == 0)
            {
                throw new OracleInputException("asyncref: cannot read '': the file name is empty");
            }

            if (Directory.Exists(path))
            {
                int before = files.Count;
                try
                {
                    files.UnionWith(Directory.EnumerateFiles(path, "*.scn", SearchOption.AllDirectories));
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    throw new OracleInputException($"asyncref: cannot list {OracleText.Escape(path)}: {OracleText.OneLine(e.Message)}");
                }

                if (files.Count == before)
                {
                    throw new OracleInputException($"asyncref: no .scn files in {OracleText.Escape(path)}");
                }
            }
            else if (File.Exists(path))
            {
                files.Add(path);
            }
            else
            {
                throw new OracleInputException($"asyncref: no such file or directory: {OracleText.Escape(path)}");
            }
        }

        return [.. files];
    }
}
