using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using AsyncRef.Scenarios;

namespace AsyncRef.Cli;

/// <summary>The <c>--json</c> output: written by hand with <see cref="Utf8JsonWriter"/> (no reflection).</summary>
internal static class Json
{
    private static readonly JsonWriterOptions s_options = new()
    {
        Indented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Writes one JSON document and returns it, followed by a newline.</summary>
    internal static string Write(Action<Utf8JsonWriter> body)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, s_options))
        {
            body(writer);
        }

        return Encoding.UTF8.GetString(stream.ToArray()).ReplaceLineEndings("\n") + "\n";
    }

    internal static string Profile(AsyncProfile profile) => profile == AsyncProfile.OpenSsl111 ? "1.1.1" : "3.0";

    /// <summary>The verdict's name in the contract's words.</summary>
    internal static string Verdict(ComparisonVerdict verdict) => verdict switch
    {
        ComparisonVerdict.Match => "match",
        ComparisonVerdict.Divergence => "divergence",
        ComparisonVerdict.StoppedAtUb => "stopped-at-ub",
        ComparisonVerdict.OtherCrashed => "other-crashed",
        ComparisonVerdict.Timeout => "timeout",
        ComparisonVerdict.SkippedProfile => "skipped-profile",
        ComparisonVerdict.OutputTooLarge => "output-too-large",
        ComparisonVerdict.LeftRunning => "left-running",
        _ => "other-parse-error",
    };

    internal static void WriteComparison(Utf8JsonWriter w, LogComparison result)
    {
        w.WriteString("verdict", Verdict(result.Verdict));
        WriteNullableInt(w, "line", result.Line);
        w.WriteString("reference", result.ReferenceLine);
        w.WriteString("other", result.OtherLine);
        w.WriteString("message", result.Message);
    }

    internal static void WriteNullableInt(Utf8JsonWriter w, string name, int? value)
    {
        if (value is { } v)
        {
            w.WriteNumber(name, v);
        }
        else
        {
            w.WriteNull(name);
        }
    }
}
