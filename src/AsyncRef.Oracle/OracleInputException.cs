namespace AsyncRef.Oracle;

/// <summary>
/// Bad input for a whole command (bad options, a path that does not exist, a scenario of <c>run</c> that does not
/// parse): <see cref="Exception.Message"/> is the complete line to print on standard error, and the exit status is
/// <see cref="ExitStatus.BadInput"/>.
/// </summary>
public sealed class OracleInputException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">The complete line: <c>FILE:LINE: message</c> or <c>asyncref: message</c>.</param>
    public OracleInputException(string message)
        : base(message)
    {
    }
}
