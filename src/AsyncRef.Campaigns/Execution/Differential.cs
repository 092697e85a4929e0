using System.Globalization;
using AsyncRef.Scenarios;

namespace AsyncRef.Campaigns.Execution;

/// <summary>How one scenario's comparison ended.</summary>
internal enum OutcomeKind
{
    /// <summary>The logs agree (or only the reference ran, and it kept its invariants).</summary>
    Agree,

    /// <summary>The logs agree up to the reference's <c>UB</c> line.</summary>
    StoppedAtUb,

    /// <summary>Both rejected the scenario with the same parse error.</summary>
    BothRejected,

    /// <summary>The other implementation does not behave like the scenario's profile.</summary>
    Skipped,

    /// <summary>Anything else: a difference to look at.</summary>
    Divergence,
}

/// <summary>The comparison of one scenario.</summary>
/// <param name="Kind">How it ended.</param>
/// <param name="Signature">For a divergence, a short class (verdict and statement) used to tell divergences apart; else empty.</param>
/// <param name="Message">What was found.</param>
/// <param name="Reference">The reference's run.</param>
/// <param name="Other">The other implementation's run, or null when only the reference ran.</param>
internal sealed record Outcome(OutcomeKind Kind, string Signature, string Message, ReferenceRun Reference, ImplementationRun? Other)
{
    /// <summary>Whether this is a divergence.</summary>
    public bool IsDivergence => Kind == OutcomeKind.Divergence;
}

/// <summary>Runs scenarios on the reference (in this process) and, if given, on another implementation, and compares.</summary>
internal sealed class Differential(IImplementation? other) : IDisposable
{
    /// <summary>How scenarios reach the other implementation, or <c>reference only</c>.</summary>
    public string Mode => other?.Mode ?? "reference only";

    /// <summary>Whether another implementation takes part.</summary>
    public bool HasOther => other is not null;

    /// <summary>
    /// Opens the implementation <paramref name="command"/> (batch mode when it offers it, else a process per
    /// scenario), or none when the command is null.
    /// </summary>
    public static Differential Open(string? command, TimeSpan timeout) =>
        new(command is null ? null : (IImplementation?)BatchImplementation.TryStart(command, timeout) ?? new ProcessPerScenario(command, timeout));

    /// <summary>
    /// Runs and compares one scenario, the other implementation working while the reference runs;
    /// <paramref name="explain"/> also records the reference's final state.
    /// </summary>
    public Outcome Run(string text, string fileName, bool explain = false)
    {
        Func<ImplementationRun>? pending = other?.Submit(text, fileName);
        ReferenceRun reference = ReferenceRun.Of(text, fileName, explain);
        ImplementationRun? run = pending?.Invoke();
        return Judge(reference, run, fileName);
    }

    public void Dispose() => other?.Dispose();

    private static Outcome Judge(ReferenceRun reference, ImplementationRun? other, string fileName)
    {
        if (reference.InvariantViolation is not null)
        {
            return new(OutcomeKind.Divergence, "reference-invariant", reference.InvariantViolation, reference, other);
        }

        if (other is null)
        {
            OutcomeKind alone = reference.ParseError is not null ? OutcomeKind.BothRejected
                : reference.Log!.StoppedAtUb ? OutcomeKind.StoppedAtUb
                : OutcomeKind.Agree;
            return new(alone, "", "reference only", reference, null);
        }

        if (reference.ParseError is not null)
        {
            if (other.TimedOut || other.ExitCode != 2)
            {
                return new(OutcomeKind.Divergence, "reference-rejects:" + Reason(reference.ParseError, fileName), "the reference rejects it, the implementation does not: " + reference.ParseError, reference, other);
            }

            // The implementation names the file as it was given it; compare what follows the name.
            string mine = WithoutFileName(reference.ParseError, fileName);
            string theirs = WithoutFileName(other.Stderr.Split('\n')[0], null);
            return mine == theirs
                ? new(OutcomeKind.BothRejected, "", reference.ParseError, reference, other)
                : new(OutcomeKind.Divergence, "parse-errors-differ", $"reference: {reference.ParseError} / implementation: {other.Stderr.Split('\n')[0]}", reference, other);
        }

        LogComparison comparison = LogComparer.Compare(reference.Log!, other);
        return comparison.Verdict switch
        {
            ComparisonVerdict.Match => new(OutcomeKind.Agree, "", comparison.Message, reference, other),
            ComparisonVerdict.StoppedAtUb => new(OutcomeKind.StoppedAtUb, "", comparison.Message, reference, other),
            ComparisonVerdict.SkippedProfile => new(OutcomeKind.Skipped, "", comparison.Message, reference, other),
            _ => new(OutcomeKind.Divergence, Signature(comparison), Describe(comparison), reference, other),
        };
    }

    /// <summary>The verdict and the statement of the first differing line, e.g. <c>divergence:errors</c>.</summary>
    private static string Signature(LogComparison comparison) =>
        string.Create(CultureInfo.InvariantCulture, $"{comparison.Verdict.ToString().ToLowerInvariant()}:{Statement(comparison.ReferenceLine ?? comparison.OtherLine)}");

    private static string Describe(LogComparison comparison) =>
        comparison.Line is null
            ? comparison.Message
            : string.Create(CultureInfo.InvariantCulture, $"{comparison.Message} at log line {comparison.Line}: reference `{comparison.ReferenceLine ?? "(none)"}`, implementation `{comparison.OtherLine ?? "(none)"}`");

    /// <summary>The statement (or <c>!event</c>) a log line is about; <c>end</c> for none.</summary>
    internal static string Statement(string? logLine)
    {
        if (logLine is null)
        {
            return "end";
        }

        string[] words = logLine.Split(' ');
        return words.Length < 3 ? "?" : words[2] == "!" && words.Length > 3 ? "!" + words[3] : words[2];
    }

    /// <summary>A parse error's reason with the location and quoted names left out, so shrinking keeps the same reason.</summary>
    private static string Reason(string message, string fileName)
    {
        string reason = WithoutFileName(message, fileName);
        reason = reason[(reason.IndexOf(": ", StringComparison.Ordinal) + 2)..];
        return System.Text.RegularExpressions.Regex.Replace(reason, "'[^']*'", "X");
    }

    private static string WithoutFileName(string message, string? fileName)
    {
        if (fileName is not null && message.StartsWith(fileName + ":", StringComparison.Ordinal))
        {
            return message[(fileName.Length + 1)..];
        }

        // FILE:LINE: message — the file is whatever precedes the last ":LINE:" before the message.
        int colon = message.IndexOf(": ", StringComparison.Ordinal);
        int lineStart = colon < 0 ? -1 : message.LastIndexOf(':', colon - 1);
        return lineStart < 0 ? message : message[(lineStart + 1)..];
    }
}
