using System.CommandLine;
using System.Globalization;
using AsyncRef.Scenarios;

namespace AsyncRef.Cli;

/// <summary>
/// <c>--max-file-bytes</c> and <c>--max-line-bytes</c>, accepted by every command. They set the variables of
/// <see cref="ScenarioLimits"/> in this process, so the reference reads them and every implementation that
/// <c>check</c> runs inherits them: both sides apply the same bounds.
/// </summary>
internal static class LimitOptions
{
    internal static readonly Option<long?> MaxFileBytes = new("--max-file-bytes")
    {
        Description = $"The largest scenario file accepted (default {ScenarioLimits.DefaultMaxFileBytes}; sets {ScenarioLimits.MaxFileBytesVariable}).",
        HelpName = "N",
        Recursive = true,
    };

    internal static readonly Option<long?> MaxLineBytes = new("--max-line-bytes")
    {
        Description = $"The longest scenario line accepted (default {ScenarioLimits.DefaultMaxLineBytes}; sets {ScenarioLimits.MaxLineBytesVariable}).",
        HelpName = "N",
        Recursive = true,
    };

    /// <summary>Sets the variables of the options given.</summary>
    /// <exception cref="Oracle.OracleInputException">A value is out of range.</exception>
    internal static void Apply(ParseResult parsed)
    {
        Set(parsed.GetValue(MaxFileBytes), "--max-file-bytes", 1L << 40, ScenarioLimits.MaxFileBytesVariable);
        Set(parsed.GetValue(MaxLineBytes), "--max-line-bytes", 1L << 30, ScenarioLimits.MaxLineBytesVariable);
    }

    private static void Set(long? value, string option, long max, string variable)
    {
        if (value is not { } n)
        {
            return;
        }

        if (n < 1 || n > max)
        {
            throw new Oracle.OracleInputException(string.Create(CultureInfo.InvariantCulture, $"asyncref: {option} must be from 1 to {max}"));
        }

        Environment.SetEnvironmentVariable(variable, n.ToString(CultureInfo.InvariantCulture));
    }
}
