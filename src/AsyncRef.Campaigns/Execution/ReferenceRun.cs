using AsyncRef.Scenarios;

namespace AsyncRef.Campaigns.Execution;

/// <summary>What the reference did with a scenario: a log, a parse error, or a broken invariant (a bug in AsyncRef).</summary>
/// <param name="Scenario">The parsed scenario, or null when it was rejected.</param>
/// <param name="Log">The log, or null when the scenario was rejected or the run broke an invariant.</param>
/// <param name="ParseError">The <c>FILE:LINE: message</c> of a rejected scenario, or null.</param>
/// <param name="InvariantViolation">The message of a broken runtime invariant, or null.</param>
/// <param name="FinalState">When explained: the runtime's state after the last log line (contexts, jobs, threads), else null.</param>
internal sealed record ReferenceRun(Scenario? Scenario, ScenarioLog? Log, string? ParseError, string? InvariantViolation, string? FinalState = null)
{
    /// <summary>Parses and runs <paramref name="text"/> on the reference, in this process; <paramref name="explain"/> also records the final state.</summary>
    public static ReferenceRun Of(string text, string fileName, bool explain = false)
    {
        Scenario scenario;
        try
        {
            scenario = Scenario.Parse(text, fileName);
        }
        catch (ScenarioParseException e)
        {
            return new(null, null, e.Message, null);
        }

        try
        {
            if (!explain)
            {
                return new(scenario, scenario.Run(), null, null);
            }

            ScenarioExplanation explanation = scenario.Explain();
            string state = explanation.Lines.Count == 0 ? "" : string.Join('\n', explanation.Lines[^1].State);
            return new(scenario, explanation.Log, null, null, state);
        }
        catch (InvariantViolationException e)
        {
            return new(scenario, null, null, e.Message);
        }
        catch (ScenarioParseException e)
        {
            // The run broke the log bound: rejected, as a parse error is.
            return new(null, null, e.Message, null);
        }
    }

    /// <summary>The log as the reference prints it, or the parse error or broken invariant, for saving beside a divergence.</summary>
    public string Text => Log?.ToText() ?? (ParseError ?? InvariantViolation) + "\n";
}
