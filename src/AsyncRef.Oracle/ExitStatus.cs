namespace AsyncRef.Oracle;

/// <summary>The exit statuses of <c>asyncref</c>, and those the contract gives an implementation.</summary>
public static class ExitStatus
{
    /// <summary>All is well: every case passed (or the command did what it was asked).</summary>
    public const int Ok = 0;

    /// <summary>Something failed: a case diverged, crashed, timed out or was rejected, or the run as a whole failed.</summary>
    public const int Failure = 1;

    /// <summary>Bad input: bad options, or (for commands about one scenario) a scenario that cannot be read or parsed, or breaks a limit.</summary>
    public const int BadInput = 2;

    /// <summary>An implementation's status when it rejects the scenario (a parse error or a broken limit): <c>FILE:LINE: message</c> on standard error.</summary>
    public const int ImplementationRejected = 2;

    /// <summary>An implementation's status when the scenario's profile is not the behaviour of its library.</summary>
    public const int ImplementationSkippedProfile = 3;

    /// <summary>The exit statuses as <c>--help</c> lists them.</summary>
    public const string Help = "Exit status: 0 all good; 1 a case failed (divergence, crash, timeout, rejected case) or the run failed; 2 bad input (options, or the scenario of run/explain).";
}
