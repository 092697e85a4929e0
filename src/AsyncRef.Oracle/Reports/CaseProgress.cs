using AsyncRef.Oracle.Checking;
using Spectre.Console;

namespace AsyncRef.Oracle.Reports;

/// <summary>
/// Shows cases as they finish: on a terminal, a Spectre.Console progress bar with each case's line printed above it;
/// elsewhere (a pipe, a file, a CI log), plain lines only.
/// </summary>
public static class CaseProgress
{
    /// <summary>Runs <paramref name="body"/>, giving it the two callbacks of <see cref="CheckRunner.Run"/>.</summary>
    /// <typeparam name="T">What the body returns.</typeparam>
    /// <param name="output">Where plain lines go.</param>
    /// <param name="onTerminal">Whether <paramref name="output"/> is a terminal (then the progress bar is drawn on the console instead).</param>
    /// <param name="total">How many cases there are.</param>
    /// <param name="caseText">The text of one case.</param>
    /// <param name="body">The run: takes the "finished" callback (any order) and the "in order" one.</param>
    /// <returns>What the body returned.</returns>
    public static T Run<T>(TextWriter output, bool onTerminal, int total, Func<CaseResult, string> caseText, Func<Action<CaseResult>, Action<CaseResult>, T> body)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(caseText);
        ArgumentNullException.ThrowIfNull(body);
        if (!onTerminal || total == 0)
        {
            return body(_ => { }, r => output.Write(caseText(r)));
        }

        // Both callbacks come from worker threads; the console is drawn by one at a time.
        var gate = new object();
        return AnsiConsole.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(context =>
            {
                ProgressTask task = context.AddTask("checking", maxValue: total);
                return body(
                    _ =>
                    {
                        lock (gate)
                        {
                            task.Increment(1);
                        }
                    },
                    r =>
                    {
                        lock (gate)
                        {
                            // Text, not markup: nothing in a case's line is interpreted (and it holds no control character).
                            AnsiConsole.Write(new Text(caseText(r)));
                        }
                    });
            });
    }
}
