using AsyncRef.Scenarios;

namespace AsyncRef.Campaigns.Execution;

/// <summary>Another implementation of the contract that scenarios are compared on.</summary>
internal interface IImplementation : IDisposable
{
    /// <summary>How scenarios reach it (for the report): <c>batch</c> or <c>process per scenario</c>.</summary>
    string Mode { get; }

    /// <summary>
    /// Hands a scenario over and returns a function that waits for its run, so the caller can run the reference
    /// meanwhile.
    /// </summary>
    /// <param name="text">The scenario.</param>
    /// <param name="fileName">The file name the implementation reports parse errors under.</param>
    Func<ImplementationRun> Submit(string text, string fileName);
}
