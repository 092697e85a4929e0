namespace AsyncRef.Oracle.Checking;

/// <summary>How <see cref="CheckRunner"/> runs the cases.</summary>
/// <param name="Command">The implementation's command line; it is run as <c>CMD FILE.scn</c>.</param>
/// <param name="Timeout">How long each side (the implementation, the reference) may take on one case.</param>
/// <param name="Jobs">How many cases run at once.</param>
public sealed record CheckOptions(string Command, TimeSpan Timeout, int Jobs)
{
    /// <summary>The default time limit per case and side: 10 s.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The shortest time limit accepted: 1 ms.</summary>
    public static readonly TimeSpan MinTimeout = TimeSpan.FromMilliseconds(1);

    /// <summary>What an implementation may print beyond <see cref="OutputFactor"/> times the reference's log.</summary>
    public const long OutputAllowance = 4L << 20;

    /// <summary>How many times the size of the reference's log an implementation may print (plus the allowance).</summary>
    public const long OutputFactor = 16;

    /// <summary>The most cases run at once.</summary>
    public const int MaxJobs = 256;
}
