using System.Text.Json;
using System.Text.Json.Serialization;
using AsyncRef.Traces.Replay;

namespace AsyncRef.Traces.Reporting;

/// <summary>Prints a <see cref="CheckReport"/> as text (summary line last) or as one JSON document.</summary>
internal static class CheckOutput
{
    internal static void WriteText(CheckReport report, TextWriter output)
    {
        output.Write($"trace: {report.Trace}\n");
        if (report.Program.Length > 0)
        {
            output.Write($"program: {report.Program}\n");
        }

        foreach (Finding f in report.Findings)
        {
            string kind = f.Kind switch
            {
                FindingKind.Divergence => "divergence",
                FindingKind.Undefined => "undefined",
                _ => "advisory",
            };
            string site = f.Site.Length > 0 ? $", called at {f.Site}" : "";
            string rule = f.Rule.Length > 0 ? $"{f.Rule}: " : "";
            output.Write($"{kind} at record {f.Record} (thread {f.Thread}) {f.Function}{site}: {rule}{f.Message}\n");
            if (f.Recorded.Length > 0 || f.Predicted.Length > 0)
            {
                output.Write($"    recorded:  {f.Recorded}\n    predicted: {f.Predicted}\n");
            }

            if (f.State.Length > 0)
            {
                foreach (string line in f.State.Split('\n'))
                {
                    output.Write($"    {line}\n");
                }
            }
        }

        if (report.Unlisted > 0)
        {
            output.Write($"note: {report.Unlisted} more findings not listed (at most {CheckReport.ListedPerKind} of each kind are)\n");
        }

        foreach (string note in report.Notes)
        {
            output.Write($"note: {note}\n");
        }

        if (report.StoppedBecause.Length > 0)
        {
            output.Write($"note: {report.StoppedBecause}\n");
        }

        output.Write($"jobs {report.Jobs}, pauses {report.Pauses}, threads {report.Threads}, records {report.Records}, verdict {report.Verdict}\n");
        output.Write(report.Summary + "\n");
    }

    internal static void WriteJson(CheckReport report, TextWriter output)
    {
        var document = new CheckDocument(
            report.Trace, report.Program, report.Verdict, report.Complete, report.Records, report.Calls, report.Jobs,
            report.Pauses, report.Threads, report.Divergences, report.Undefined, report.Advisories, report.Unlisted,
            Math.Round(report.CallsPerSecond), report.StoppedBecause, report.Notes, report.BadTrace,
            report.Findings.Select(f => new FindingDocument(
                f.Kind.ToString().ToLowerInvariant(), f.Record, f.Thread, f.Function, f.Site, f.Rule, f.Message, f.Recorded,
                f.Predicted, f.State)).ToList());
        output.Write(JsonSerializer.Serialize(document, CheckJsonContext.Default.CheckDocument).ReplaceLineEndings("\n") + "\n");
    }
}

/// <summary>The <c>--json</c> document of <c>trace check</c>.</summary>
internal sealed record CheckDocument(
    string Trace,
    string Program,
    string Verdict,
    bool Complete,
    long Records,
    long Calls,
    long Jobs,
    long Pauses,
    int Threads,
    int Divergences,
    int Undefined,
    int Advisories,
    int Unlisted,
    double CallsPerSecond,
    string StoppedBecause,
    List<string> Notes,
    string BadTrace,
    List<FindingDocument> Findings);

/// <summary>One finding in the JSON document.</summary>
internal sealed record FindingDocument(
    string Kind,
    long Record,
    uint Thread,
    string Function,
    string Site,
    string Rule,
    string Message,
    string Recorded,
    string Predicted,
    string State);

/// <summary>Source-generated serialisation (no reflection).</summary>
[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(CheckDocument))]
internal sealed partial class CheckJsonContext : JsonSerializerContext;
