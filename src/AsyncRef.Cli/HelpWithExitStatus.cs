using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;

namespace AsyncRef.Cli;

/// <summary><c>--help</c>: System.CommandLine's help, followed by the exit statuses and the checked-mode switch.</summary>
internal sealed class HelpWithExitStatus : SynchronousCommandLineAction
{
    private readonly HelpAction _help = new();

    /// <summary>A help option that shows this text.</summary>
    internal static HelpOption Option() => new("--help", "-h", "-?") { Action = new HelpWithExitStatus() };

    /// <summary>Help is shown even when a required option is missing (<c>asyncref fuzz --help</c>).</summary>
    public override bool ClearsParseErrors => true;

    public override int Invoke(ParseResult parseResult)
    {
        int status = _help.Invoke(parseResult);
        parseResult.InvocationConfiguration.Output.Write(CliApp.Epilogue + "\n\n");
        return status;
    }
}
