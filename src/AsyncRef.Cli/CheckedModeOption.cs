using System.CommandLine;
using AsyncRef.Oracle;

namespace AsyncRef.Cli;

/// <summary>
/// <c>--checked</c> / <c>--unchecked</c>, accepted by every command. Without either, <see cref="Async.CheckedMode"/>
/// is the library's <see cref="Async.DefaultCheckedMode"/> (on, unless <c>ASYNCREF_CHECKED=0</c>).
/// </summary>
internal static class CheckedModeOption
{
    internal static readonly Option<bool> Checked = new("--checked")
    {
        Description = $"Validate every runtime transition and invariant (the default unless {Async.CheckedModeVariable}=0).",
        Recursive = true,
    };

    internal static readonly Option<bool> Unchecked = new("--unchecked")
    {
        Description = $"Do not validate transitions and invariants (faster; the same as {Async.CheckedModeVariable}=0).",
        Recursive = true,
    };

    /// <summary>Sets checked mode for this invocation.</summary>
    /// <exception cref="OracleInputException">Both options were given.</exception>
    internal static void Apply(ParseResult parsed)
    {
        bool on = parsed.GetValue(Checked);
        bool off = parsed.GetValue(Unchecked);
        if (on && off)
        {
            throw new OracleInputException("asyncref: --checked and --unchecked cannot be given together");
        }

        Async.CheckedMode = on || (!off && Async.DefaultCheckedMode);
    }
}
