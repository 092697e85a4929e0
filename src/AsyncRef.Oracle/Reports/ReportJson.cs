using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace AsyncRef.Oracle.Reports;

/// <summary>Writes and reads the reports' JSON through <see cref="ReportJsonContext"/>.</summary>
public static class ReportJson
{
    // Control characters are always escaped (\u001B); the rest of Unicode is written as is, for people to read.
    private static readonly ReportJsonContext s_indented = new(new JsonSerializerOptions
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        NewLine = "\n",
    });

    private static readonly ReportJsonContext s_compact = new(new JsonSerializerOptions
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });

    /// <summary>One indented JSON document, followed by a newline.</summary>
    /// <typeparam name="T">A report record.</typeparam>
    /// <param name="value">The report.</param>
    /// <returns>The text.</returns>
    public static string Document<T>(T value) => JsonSerializer.Serialize(value, (JsonTypeInfo<T>)s_indented.GetTypeInfo(typeof(T))!) + "\n";

    /// <summary>One JSON line (no newline inside), followed by a newline.</summary>
    /// <param name="record">The case.</param>
    /// <returns>The line.</returns>
    public static string Line(CaseRecord record) => JsonSerializer.Serialize(record, s_compact.CaseRecord) + "\n";

    /// <summary>Reads one JSON line, or null when it is not a case record.</summary>
    /// <param name="line">The line.</param>
    /// <returns>The record.</returns>
    public static CaseRecord? ReadLine(string line)
    {
        try
        {
            return JsonSerializer.Deserialize(line, s_compact.CaseRecord);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
