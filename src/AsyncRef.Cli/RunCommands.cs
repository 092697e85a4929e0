using System.CommandLine;
using AsyncRef.Oracle;
using AsyncRef.Oracle.Checking;
using AsyncRef.Oracle.Reports;
using AsyncRef.Scenarios;

namespace AsyncRef.Cli;

/// <summary><c>run</c> and <c>explain</c>: one scenario on the reference.</summary>
internal static class RunCommands
{
    internal static IEnumerable<Command> Create(CliContext cli)
    {
        var json = new Option<bool>("--json") { Description = "Print machine-readable JSON instead of text." };
        var runFile = ScenarioArgument();
        var run = new Command("run", "Run a scenario on the reference and print its log.") { runFile, json };
        run.SetAction(p => cli.Guard(() => Run(cli, p.GetValue(runFile)!, p.GetValue(json))));
        yield return run;

        var explainFile = ScenarioArgument();
        var explain = new Command("explain", "Run a scenario and show, under each log line, the state that explains it.") { explainFile };
        explain.SetAction(p => cli.Guard(() =>
        {
            cli.Out.Write(ScenarioReader.Load(p.GetValue(explainFile)!).Scenario.Explain().ToText());
            return ExitStatus.Ok;
        }));
        yield return explain;
    }

    private static Argument<string> ScenarioArgument() =>
        new("FILE") { Description = $"The scenario (.scn); {ScenarioReader.StandardInput} reads standard input." };

    private static int Run(CliContext cli, string file, bool json)
    {
        Scenario scenario = ScenarioReader.Load(file).Scenario;
        if (!json)
        {
            // Each line is written (and flushed) as soon as it is printed: if the run then fails, the lines before the
            // failure are on standard output.
            scenario.Run(line =>
            {
                cli.Out.Write(line + "\n");
                cli.Out.Flush();
            });
            return ExitStatus.Ok;
        }

        ScenarioLog log = scenario.Run();
        cli.Out.Write(ReportJson.Document(new RunReport(file, OracleText.ProfileName(scenario.Profile), log.StoppedAtUb, log.UbLineIndex + 1, log.Lines)));
        return ExitStatus.Ok;
    }
}
