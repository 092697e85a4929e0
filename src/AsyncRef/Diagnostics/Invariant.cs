namespace AsyncRef;

/// <summary>Thrown in checked mode when a runtime invariant or a modelled transition is violated: a bug in AsyncRef.</summary>
public sealed class InvariantViolationException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">Which invariant or transition failed.</param>
    public InvariantViolationException(string message)
        : base(message)
    {
    }
}

/// <summary>Checks invariants in checked mode.</summary>
internal static class Invariant
{
    internal static void Check(bool condition, string invariant)
    {
        if (!condition)
        {
            throw new InvariantViolationException("invariant violated: " + invariant);
        }
    }
}
