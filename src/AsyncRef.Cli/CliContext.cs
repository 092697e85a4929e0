using AsyncRef.Oracle;
using AsyncRef.Scenarios;

namespace AsyncRef.Cli;

/// <summary>What every command writes to, and how a command's failure becomes its exit status.</summary>
/// <param name="Out">Standard output.</param>
/// <param name="Err">Standard error.</param>
/// <param name="OnTerminal">Whether standard output is a terminal (progress bars are drawn then).</param>
internal sealed record CliContext(TextWriter Out, TextWriter Err, bool OnTerminal)
{
    /// <summary>Runs a command's action: bad input (<see cref="OracleInputException"/>) is one line on standard error and status 2.</summary>
    internal int Guard(Func<int> action)
    {
        try
        {
            return action();
        }
        catch (OracleInputException e)
        {
            Err.Write(e.Message + "\n");
            return ExitStatus.BadInput;
        }
        catch (ScenarioParseException e)
        {
            // A run that broke the log bound (spec/scenario-language.md §13): FILE:LINE: message, like a parse error.
            Err.Write(e.Message + "\n");
            return ExitStatus.BadInput;
        }
    }

    /// <summary>Reports bad usage: one line on standard error.</summary>
    internal int Usage(string message)
    {
        Err.Write($"asyncref: {OracleText.OneLine(message)}\n");
        return ExitStatus.BadInput;
    }
}
