using AsyncRef.Scenarios;

namespace AsyncRef.Oracle.Checking;

/// <summary>Reads and parses one scenario file, turning every failure into <see cref="OracleInputException"/>.</summary>
public static class ScenarioReader
{
    /// <summary>The name <c>run</c> and <c>explain</c> take for standard input.</summary>
    public const string StandardInput = "-";

    /// <summary>Loads a scenario file (or standard input, for <see cref="StandardInput"/>).</summary>
    /// <param name="path">The file.</param>
    /// <returns>The scenario and the file's bytes.</returns>
    /// <exception cref="OracleInputException">The file cannot be read, or does not parse.</exception>
    public static (Scenario Scenario, byte[] Bytes) Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.Length == 0)
        {
            throw new OracleInputException("asyncref: cannot read '': the file name is empty");
        }

        string shown = OracleText.Escape(path);
        if (Directory.Exists(path))
        {
            throw new OracleInputException($"asyncref: cannot read {shown}: it is a directory");
        }

        byte[] bytes;
        try
        {
            bytes = path == StandardInput ? ReadAll(Console.OpenStandardInput()) : ReadAll(File.OpenRead(path));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new OracleInputException($"asyncref: cannot read {shown}: no such file");
        }
        catch (ArgumentException)
        {
            throw new OracleInputException($"asyncref: cannot read {shown}: invalid file name");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new OracleInputException($"asyncref: cannot read {shown}: {OracleText.OneLine(e.Message)}");
        }

        try
        {
            return (Scenario.ParseUtf8(bytes, path), bytes);
        }
        catch (ScenarioParseException e)
        {
            // Printed as is, like the adapter prints it: the parser already shows control characters as \xHH.
            throw new OracleInputException(e.Message);
        }
    }

    private static byte[] ReadAll(Stream stream)
    {
        using (stream)
        {
            return ScenarioLimits.Current.ReadBounded(stream);
        }
    }
}
