using System.Collections.ObjectModel;
using System.Text;

namespace AsyncRef.Scenarios;

/// <summary>The v1 log of one run: one line per executed statement and per event, in execution order.</summary>
public sealed class ScenarioLog
{
    internal ScenarioLog(IList<string> lines, int? ubLineIndex)
    {
        Lines = new ReadOnlyCollection<string>(lines);
        UbLineIndex = ubLineIndex;
    }

    /// <summary>The lines, without line terminators.</summary>
    public IReadOnlyList<string> Lines { get; }

    /// <summary>The 0-based index in <see cref="Lines"/> of the <c>UB</c> line that ended the run (always the last line), or null.</summary>
    public int? UbLineIndex { get; }

    /// <summary>Whether the run stopped at undefined behaviour.</summary>
    public bool StoppedAtUb => UbLineIndex is not null;

    /// <summary>The log as an implementation prints it: every line followed by <c>\n</c>.</summary>
    /// <returns>The text.</returns>
    public string ToText()
    {
        var text = new StringBuilder();
        foreach (string line in Lines)
        {
            text.Append(line).Append('\n');
        }

        return text.ToString();
    }
}

/// <summary>A run with, after each log line, the state that explains it.</summary>
public sealed class ScenarioExplanation
{
    internal ScenarioExplanation(ScenarioLog log, IList<ExplainedLine> lines)
    {
        Log = log;
        Lines = new ReadOnlyCollection<ExplainedLine>(lines);
    }

    /// <summary>The log of the run.</summary>
    public ScenarioLog Log { get; }

    /// <summary>Each log line with its state, in log order.</summary>
    public IReadOnlyList<ExplainedLine> Lines { get; }

    /// <summary>
    /// The explanation as text: each log line, then its state lines indented by four spaces. State lines: one per
    /// live wait context (entries newest first with their <c>+add</c>/<c>+del</c> flags, numadd/numdel, callback,
    /// status, jobs using it), one listing every job object seen with its state, one per logical thread (current
    /// job, block counter, paused jobs, queued errors, pool). Jobs the log has not numbered show as <c>~K</c>. A
    /// line that is the early point of a later undefined behaviour (a <c>ctx_free</c> of a context an unfinished
    /// job holds) is first followed by an <c>advisory:</c> line naming the rule; the log itself never shows it.
    /// </summary>
    /// <returns>The text, every line followed by <c>\n</c>.</returns>
    public string ToText()
    {
        var text = new StringBuilder();
        foreach (ExplainedLine line in Lines)
        {
            text.Append(line.LogLine).Append('\n');
            foreach (string state in line.State)
            {
                text.Append("    ").Append(state).Append('\n');
            }
        }

        return text.ToString();
    }
}

/// <summary>One log line and the state right after it was printed.</summary>
/// <param name="LogLine">The log line.</param>
/// <param name="State">The state lines (see <see cref="ScenarioExplanation.ToText"/>).</param>
public sealed record ExplainedLine(string LogLine, IReadOnlyList<string> State);
