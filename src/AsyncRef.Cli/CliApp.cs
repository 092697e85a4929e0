using System.CommandLine;
using System.CommandLine.Help;
using AsyncRef.Oracle;

namespace AsyncRef.Cli;

/// <summary>
/// <c>asyncref</c>: the commands, wired with System.CommandLine over AsyncRef.Oracle. Each group of commands is one
/// file (<c>*Commands.cs</c>) with a <c>Create</c> method; adding a group is one line in <see cref="BuildRoot"/>.
/// Bad input is always one line on standard error (<c>FILE:LINE: message</c> or <c>asyncref: message</c>), status 2.
/// </summary>
internal static class CliApp
{
    /// <summary>What <c>--help</c> says after the commands.</summary>
    internal const string Epilogue =
        ExitStatus.Help + "\n" +
        "Checked mode (every runtime transition validated against the state models) is on unless --unchecked is given or " +
        Async.CheckedModeVariable + "=0 is set; --checked wins over the variable.";

    /// <summary>Runs the command line.</summary>
    /// <param name="args">The arguments.</param>
    /// <param name="cli">Where output goes.</param>
    /// <returns>The exit status.</returns>
    internal static int Run(string[] args, CliContext cli)
    {
        try
        {
            Command root = BuildRoot(cli);
            ParseResult parsed = root.Parse(args);
            if (parsed.Errors.Count > 0)
            {
                // "Required command was not provided" hides the more useful "Unrecognized command 'frob'".
                string message = parsed.Errors.Select(e => e.Message).FirstOrDefault(m => m.StartsWith("Unrecognized", StringComparison.Ordinal))
                    ?? parsed.Errors[0].Message;
                return cli.Usage(message);
            }

            return cli.Guard(() =>
            {
                CheckedModeOption.Apply(parsed);
                LimitOptions.Apply(parsed);
                return parsed.Invoke(new InvocationConfiguration { Output = cli.Out, Error = cli.Err, EnableDefaultExceptionHandler = false });
            });
        }
        catch (Exception e)
        {
            // Never a stack trace: the runtime or the CLI itself failed.
            cli.Err.Write($"asyncref: internal error: {e.GetType().Name}: {OracleText.OneLine(e.Message)}\n");
            return ExitStatus.Failure;
        }
    }

    private static Command BuildRoot(CliContext cli)
    {
        var root = new Command("asyncref", "AsyncRef: the reference implementation of OpenSSL's ASYNC API as a scenario oracle.")
        {
            HelpWithExitStatus.Option(),
            new VersionOption("--version", "-V"),
            CheckedModeOption.Checked,
            CheckedModeOption.Unchecked,
        };
        foreach (Option limit in LimitOptions.All)
        {
            root.Add(limit);
        }

        foreach (Command command in RunCommands.Create(cli)
            .Concat(CheckCommands.Create(cli))
            .Concat(DiagramsCommands.Create(cli))
            .Concat(CampaignCommands.Create(cli))
            .Concat(TraceCommands.Create(cli)))
        {
            root.Add(command);
        }

        root.Add(HelpCommand(root, cli));
        foreach (Command command in root.Subcommands)
        {
            command.Add(HelpWithExitStatus.Option());
        }

        root.SetAction(_ => cli.Usage("Required command was not provided. Try 'asyncref --help'."));
        return root;
    }

    /// <summary><c>asyncref help [COMMAND]</c>: the same text as <c>--help</c>.</summary>
    private static Command HelpCommand(Command root, CliContext cli)
    {
        var topic = new Argument<string?>("COMMAND") { Description = "The command to explain.", Arity = ArgumentArity.ZeroOrOne };
        var help = new Command("help", "Show the help of asyncref or of one command.") { topic };
        help.SetAction(p =>
        {
            string? name = p.GetValue(topic);
            if (name is not null && root.Subcommands.All(c => c.Name != name))
            {
                return cli.Usage($"Unrecognized command '{name}'.");
            }

            string[] args = name is null ? ["--help"] : [name, "--help"];
            return root.Parse(args).Invoke(new InvocationConfiguration { Output = cli.Out, Error = cli.Err, EnableDefaultExceptionHandler = false });
        });
        return help;
    }
}
