namespace AsyncRef.Oracle.Verdicts;

/// <summary>What happened to one case of <c>check</c> or <c>verify</c>. <see cref="VerdictTable"/> gives each its names.</summary>
public enum Verdict
{
    /// <summary>The logs are equal, byte for byte.</summary>
    Match,

    /// <summary>The reference stopped at undefined behaviour, and the implementation ran to that point without crashing, hanging or diverging.</summary>
    StoppedAtUb,

    /// <summary>The implementation exited with status 3: the scenario's profile is not the behaviour of its library.</summary>
    SkippedProfile,

    /// <summary>A line differs, or one log has lines the other lacks, before any undefined behaviour.</summary>
    Divergence,

    /// <summary>The implementation exited abnormally (a signal, or a status other than 0, 2 and 3) before the log was complete, or could not be started.</summary>
    Crashed,

    /// <summary>The implementation, or the reference, did not finish in time.</summary>
    Timeout,

    /// <summary>The implementation printed more than the output limit and was killed.</summary>
    OutputTooLarge,

    /// <summary>The log compared well, but a process the implementation started was left running.</summary>
    LeftRunning,

    /// <summary>The implementation exited with status 2: it rejected a scenario the reference accepts.</summary>
    RejectedByImplementation,

    /// <summary>The case itself is bad: its scenario (or golden log) cannot be read or parsed, or breaks a limit.</summary>
    Rejected,

    /// <summary><c>verify</c> only: the scenario has no golden <c>.out</c> beside it.</summary>
    MissingGolden,
}
