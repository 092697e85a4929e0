using System.CommandLine;
using AsyncRef.Model;
using AsyncRef.Oracle;

namespace AsyncRef.Cli;

/// <summary><c>diagrams</c>: the spec's state diagrams, generated from the runtime's models.</summary>
internal static class DiagramsCommands
{
    internal static IEnumerable<Command> Create(CliContext cli)
    {
        var directory = new Argument<string>("DIR")
        {
            Description = "Where to write the diagrams.",
            Arity = ArgumentArity.ZeroOrOne,
            DefaultValueFactory = _ => "spec/diagrams",
        };
        var diagrams = new Command("diagrams", "Generate the spec's state diagrams (Mermaid and DOT) from the runtime's models.") { directory };
        diagrams.SetAction(p => cli.Guard(() => Write(cli, p.GetValue(directory)!)));
        yield return diagrams;
    }

    private static int Write(CliContext cli, string directory)
    {
        try
        {
            SpecDiagrams.Write(directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new OracleInputException($"asyncref: cannot write to {OracleText.Escape(directory)}: {OracleText.OneLine(e.Message)}");
        }

        foreach ((string name, string _) in SpecDiagrams.Generate())
        {
            cli.Out.Write(OracleText.Escape(Path.Combine(directory, name)) + "\n");
        }

        return ExitStatus.Ok;
    }
}
