using AsyncRef;
using System.Text;

namespace AsyncRef.Cli;

/// <summary>The entry point of the <c>asyncref</c> command line.</summary>
public static class AsyncRefCommandLine
{
    /// <summary>Runs <c>asyncref</c> with the process's standard streams (UTF-8, LF line ends).</summary>
    /// <param name="args">The command-line arguments.</param>
    /// <returns>The exit status: 0 all good, 1 divergence or failure, 2 bad input.</returns>
    public static int Main(string[] args)
    {
        // The oracle validates every transition and invariant unless told otherwise (ASYNCREF_CHECKED=0).
        Async.CheckedMode = Environment.GetEnvironmentVariable("ASYNCREF_CHECKED") != "0";
        using var stdout = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false)) { AutoFlush = true, NewLine = "\n" };
        using var stderr = new StreamWriter(Console.OpenStandardError(), new UTF8Encoding(false)) { AutoFlush = true, NewLine = "\n" };
        return Run(args, stdout, stderr);
    }

    /// <summary>Runs <c>asyncref</c> with the given writers.</summary>
    /// <param name="args">The command-line arguments.</param>
    /// <param name="stdout">Standard output.</param>
    /// <param name="stderr">Standard error.</param>
    /// <returns>The exit status: 0 all good, 1 divergence or failure, 2 bad input.</returns>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr) => CliApp.Run(args, stdout, stderr);
}
