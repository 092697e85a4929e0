using System.Diagnostics;
using System.Globalization;
using AsyncRef.Scenarios;

namespace AsyncRef.Oracle.Checking;

/// <summary>Runs a scenario on the reference with a time limit.</summary>
internal static class ReferenceRunner
{
    /// <summary>Runs the scenario; null when it did not finish within <paramref name="timeout"/>.</summary>
    /// <remarks>
    /// The reference runs in this process, so it cannot be killed: the time is checked at every log line (every
    /// statement prints one, and no statement of the reference runs unboundedly), and the run is unwound from there.
    /// </remarks>
    internal static ScenarioLog? Run(Scenario scenario, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            return scenario.Run(_ =>
            {
                if (clock.Elapsed > timeout)
                {
                    throw new ReferenceTimeoutException();
                }
            });
        }
        catch (ReferenceTimeoutException)
        {
            return null;
        }
    }

    /// <summary>The message of a case whose reference run did not finish.</summary>
    internal static string TimeoutMessage(TimeSpan timeout) =>
        string.Create(CultureInfo.InvariantCulture, $"the reference did not finish within {timeout.TotalSeconds:0.###} s");

    /// <summary>Unwinds a reference run that took too long.</summary>
    private sealed class ReferenceTimeoutException : Exception
    {
        public ReferenceTimeoutException()
            : base("the reference run took too long")
        {
        }
    }
}
