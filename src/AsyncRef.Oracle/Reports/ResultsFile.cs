using System.Text;
using AsyncRef.Oracle.Checking;

namespace AsyncRef.Oracle.Reports;

/// <summary>
/// <c>--results FILE</c>: one JSON line per case (<see cref="CaseRecord"/>), written and flushed as each case
/// finishes, so a run that is killed keeps what it did; <c>--resume</c> reads it back and appends.
/// </summary>
public sealed class ResultsFile : IDisposable
{
    private readonly StreamWriter _writer;

    private ResultsFile(StreamWriter writer) => _writer = writer;

    /// <summary>Opens the file: a new run empties it, a resumed one appends (after ending a line cut off by a kill).</summary>
    /// <param name="path">The file.</param>
    /// <param name="resume">Whether to append.</param>
    /// <returns>The file.</returns>
    /// <exception cref="OracleInputException">It cannot be opened.</exception>
    public static ResultsFile Open(string path, bool resume)
    {
        ArgumentNullException.ThrowIfNull(path);
        try
        {
            var stream = new FileStream(path, resume ? FileMode.OpenOrCreate : FileMode.Create, FileAccess.ReadWrite);
            bool needsNewline = false;
            if (resume && stream.Length > 0)
            {
                stream.Seek(-1, SeekOrigin.End);
                needsNewline = stream.ReadByte() != '\n';
            }

            stream.Seek(0, SeekOrigin.End);
            var writer = new StreamWriter(stream, new UTF8Encoding(false)) { NewLine = "\n" };
            if (needsNewline)
            {
                writer.Write('\n');
                writer.Flush();
            }

            return new ResultsFile(writer);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new OracleInputException($"asyncref: cannot write {OracleText.Escape(path)}: {OracleText.OneLine(e.Message)}");
        }
    }

    /// <summary>The results a previous run wrote (the last one per file wins; lines that are not case records are skipped).</summary>
    /// <param name="path">The file; a missing one holds none.</param>
    /// <returns>The results by file.</returns>
    /// <exception cref="OracleInputException">It exists but cannot be read.</exception>
    public static IReadOnlyDictionary<string, CaseResult> ReadDone(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var done = new Dictionary<string, CaseResult>(StringComparer.Ordinal);
        if (!File.Exists(path))
        {
            return done;
        }

        try
        {
            foreach (string line in File.ReadLines(path))
            {
                if (ReportJson.ReadLine(line)?.ToResult() is { } result)
                {
                    done[result.File] = result;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new OracleInputException($"asyncref: cannot read {OracleText.Escape(path)}: {OracleText.OneLine(e.Message)}");
        }

        return done;
    }

    /// <summary>Appends one case and flushes it to the file.</summary>
    /// <param name="result">The result.</param>
    public void Append(CaseResult result)
    {
        _writer.Write(ReportJson.Line(CaseRecord.From(result)));
        _writer.Flush();
    }

    /// <inheritdoc/>
    public void Dispose() => _writer.Dispose();
}
