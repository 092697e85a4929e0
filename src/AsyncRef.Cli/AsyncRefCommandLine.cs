using System.Text;

namespace AsyncRef.Cli;

/// <summary>The entry point of the <c>asyncref</c> command line (internal: the tool has no API; its tests reach it).</summary>
internal static class AsyncRefCommandLine
{
    /// <summary>Runs <c>asyncref</c> with the process's standard streams (UTF-8, LF line ends).</summary>
    /// <param name="args">The command-line arguments.</param>
    /// <returns>The exit status (<see cref="Oracle.ExitStatus"/>).</returns>
    public static int Main(string[] args)
    {
        using var stdout = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false)) { AutoFlush = true, NewLine = "\n" };
        using var stderr = new StreamWriter(Console.OpenStandardError(), new UTF8Encoding(false)) { AutoFlush = true, NewLine = "\n" };
        return CliApp.Run(args, new CliContext(stdout, stderr, OnTerminal: !Console.IsOutputRedirected));
    }

    /// <summary>Runs <c>asyncref</c> with the given writers (never drawing on a terminal).</summary>
    /// <param name="args">The command-line arguments.</param>
    /// <param name="stdout">Standard output.</param>
    /// <param name="stderr">Standard error.</param>
    /// <returns>The exit status (<see cref="Oracle.ExitStatus"/>).</returns>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr) => CliApp.Run(args, new CliContext(stdout, stderr, OnTerminal: false));
}
