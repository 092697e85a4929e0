using System.Text.Json.Serialization;
using AsyncRef.Oracle.Checking;
using AsyncRef.Oracle.Verdicts;

namespace AsyncRef.Oracle.Reports;

/// <summary>One case in JSON (a line of <c>--results</c>, an element of <c>--json</c>'s <c>cases</c>).</summary>
/// <param name="File">The scenario file.</param>
/// <param name="Verdict">The verdict's JSON name (<see cref="VerdictInfo.JsonName"/>).</param>
/// <param name="Line">The 1-based log line the verdict is about, or null.</param>
/// <param name="Reference">The reference's line there, or null.</param>
/// <param name="Other">The implementation's (or golden log's) line there, or null.</param>
/// <param name="Message">One line saying what happened.</param>
/// <param name="ExitCode">The implementation's exit status when it exited by itself, or null.</param>
/// <param name="Profile">The scenario's profile, or null when it did not parse.</param>
/// <param name="Rules">The spec rules the case exercises.</param>
/// <param name="Seconds">How long the case took.</param>
public sealed record CaseRecord(
    string File, string Verdict, int? Line, string? Reference, string? Other, string Message, int? ExitCode, string? Profile, IReadOnlyList<string> Rules, double Seconds)
{
    /// <summary>The golden log compared with (<c>verify</c> only).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Golden { get; init; }

    /// <summary>The record of a result.</summary>
    /// <param name="result">The result.</param>
    /// <returns>The record.</returns>
    public static CaseRecord From(CaseResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return new(
            result.File,
            VerdictTable.Of(result.Verdict).JsonName,
            result.Line,
            result.ReferenceLine,
            result.OtherLine,
            result.Message,
            result.ExitCode,
            result.Profile,
            result.Rules,
            Math.Round(result.Seconds, 3));
    }

    /// <summary>The result a record describes, or null when its verdict is no verdict's name.</summary>
    /// <returns>The result.</returns>
    public CaseResult? ToResult() =>
        File is null || Message is null || !VerdictTable.TryParse(Verdict ?? "", out Verdict verdict) ? null
        : new CaseResult(File, verdict, Message)
        {
            Line = Line,
            ReferenceLine = Reference,
            OtherLine = Other,
            ExitCode = ExitCode,
            Profile = Profile,
            Rules = Rules ?? [],
            Seconds = Seconds,
        };
}

/// <summary><c>check --json</c>.</summary>
/// <param name="Impl">The implementation's command.</param>
/// <param name="Cases">Every case, in file order.</param>
/// <param name="Summary">How many cases had each verdict (by <see cref="VerdictInfo.SummaryKey"/>), and <c>cases</c>.</param>
/// <param name="Problems">Failures of the run as a whole.</param>
public sealed record CheckReport(string Impl, IReadOnlyList<CaseRecord> Cases, IReadOnlyDictionary<string, int> Summary, IReadOnlyList<string> Problems);

/// <summary><c>verify --json</c>.</summary>
/// <param name="Cases">Every case, in file order.</param>
/// <param name="Summary">How many cases had each verdict, and <c>cases</c>.</param>
public sealed record VerifyReport(IReadOnlyList<CaseRecord> Cases, IReadOnlyDictionary<string, int> Summary);

/// <summary><c>run --json</c>.</summary>
/// <param name="File">The scenario file.</param>
/// <param name="Profile">Its profile.</param>
/// <param name="StoppedAtUb">Whether the run stopped at undefined behaviour.</param>
/// <param name="UbLine">The 1-based index of the <c>UB</c> line in <paramref name="Lines"/>, or null.</param>
/// <param name="Lines">The log.</param>
public sealed record RunReport(string File, string Profile, bool StoppedAtUb, int? UbLine, IReadOnlyList<string> Lines);

/// <summary>The JSON of every report, generated at build time (no reflection).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(CaseRecord))]
[JsonSerializable(typeof(CheckReport))]
[JsonSerializable(typeof(VerifyReport))]
[JsonSerializable(typeof(RunReport))]
public sealed partial class ReportJsonContext : JsonSerializerContext;
