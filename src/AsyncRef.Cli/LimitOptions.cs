using System.CommandLine;
using System.Globalization;
using AsyncRef.Scenarios;

namespace AsyncRef.Cli;

/// <summary>
/// <c>--max-file-bytes</c>, <c>--max-line-bytes</c>, <c>--max-statements</c>, <c>--max-threads</c>, <c>--max-jobs</c>,
/// <c>--max-contexts</c> and <c>--max-log-bytes</c>, accepted by every command. They set the variables of
/// <see cref="ScenarioLimits"/> in this process, so the reference reads them and every implementation that
/// <c>check</c> runs inherits them: both sides apply the same bounds.
/// </summary>
internal static class LimitOptions
{
    private static readonly (Option<long?> Option, long Max, string Variable)[] s_limits =
    [
        (Limit("--max-file-bytes", "The largest scenario file accepted, in bytes", ScenarioLimits.DefaultMaxFileBytes, ScenarioLimits.MaxFileBytesVariable),
            ScenarioLimits.MaxBytesSetting, ScenarioLimits.MaxFileBytesVariable),
        (Limit("--max-line-bytes", "The longest scenario line accepted, in bytes", ScenarioLimits.DefaultMaxLineBytes, ScenarioLimits.MaxLineBytesVariable),
            ScenarioLimits.MaxCountSetting, ScenarioLimits.MaxLineBytesVariable),
        (Limit("--max-statements", "The most statements in a scenario", ScenarioLimits.DefaultMaxStatements, ScenarioLimits.MaxStatementsVariable),
            ScenarioLimits.MaxCountSetting, ScenarioLimits.MaxStatementsVariable),
        (Limit("--max-threads", "The most logical threads in a scenario, main included", ScenarioLimits.DefaultMaxThreads, ScenarioLimits.MaxThreadsVariable),
            ScenarioLimits.MaxCountSetting, ScenarioLimits.MaxThreadsVariable),
        (Limit("--max-jobs", "The most job variables in a scenario", ScenarioLimits.DefaultMaxJobs, ScenarioLimits.MaxJobsVariable),
            ScenarioLimits.MaxCountSetting, ScenarioLimits.MaxJobsVariable),
        (Limit("--max-contexts", "The most context variables in a scenario", ScenarioLimits.DefaultMaxContexts, ScenarioLimits.MaxContextsVariable),
            ScenarioLimits.MaxCountSetting, ScenarioLimits.MaxContextsVariable),
        (Limit("--max-log-bytes", "The largest log a run may print, in bytes", ScenarioLimits.DefaultMaxLogBytes, ScenarioLimits.MaxLogBytesVariable),
            ScenarioLimits.MaxBytesSetting, ScenarioLimits.MaxLogBytesVariable),
    ];

    /// <summary>The options, to add to the root command.</summary>
    internal static IEnumerable<Option> All => s_limits.Select(l => (Option)l.Option);

    /// <summary>Sets the variables of the options given.</summary>
    /// <exception cref="Oracle.OracleInputException">A value is out of range.</exception>
    internal static void Apply(ParseResult parsed)
    {
        foreach ((Option<long?> option, long max, string variable) in s_limits)
        {
            if (parsed.GetValue(option) is not { } n)
            {
                continue;
            }

            if (n < 1 || n > max)
            {
                throw new Oracle.OracleInputException(string.Create(CultureInfo.InvariantCulture, $"asyncref: {option.Name} must be from 1 to {max}"));
            }

            Environment.SetEnvironmentVariable(variable, n.ToString(CultureInfo.InvariantCulture));
        }
    }

    private static Option<long?> Limit(string name, string what, long fallback, string variable) => new(name)
    {
        Description = string.Create(CultureInfo.InvariantCulture, $"{what} (default {fallback}; sets {variable})."),
        HelpName = "N",
        Recursive = true,
    };
}
