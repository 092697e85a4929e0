using AsyncRef.Traces.Format;

namespace AsyncRef.Traces.Conversion;

/// <summary>
/// Cuts a trace down to its first calls: every record up to the first point after <c>calls</c> calls where no call,
/// job function or cleanup is open on any thread, then an END record. The result is a complete trace of a program
/// that exited there; jobs still paused at the cut show as advisories when it is checked. MODULE records are kept
/// wherever they are, so call sites still resolve.
/// </summary>
internal static class TraceReducer
{
    /// <returns>The number of calls kept.</returns>
    /// <exception cref="TraceFormatException">The input is not a well-formed trace.</exception>
    internal static long Reduce(string input, string output, long calls)
    {
        using TraceReader reader = TraceReader.Open(input);
        var record = new TraceRecord();
        var depth = new Dictionary<uint, int>();
        var modules = new List<TraceRecord>();
        string program = "";
        long kept = 0;
        int open = 0;
        var pending = new List<TraceRecord>();
        while (reader.Read(record))
        {
            switch (record.Kind)
            {
                case RecordKind.Program:
                    program = record.Text(0);
                    continue;
                case RecordKind.Module:
                    modules.Add(record.Clone());
                    continue;
                case RecordKind.Thread or RecordKind.End:
                    continue;
            }

            if (kept >= calls && open == 0)
            {
                continue; // past the cut: only MODULE records are still collected
            }

            int change = record.Kind is RecordKind.Call or RecordKind.BodyEnter or RecordKind.CleanupEnter ? 1
                : record.Kind is RecordKind.Return or RecordKind.BodyReturn or RecordKind.CleanupReturn ? -1 : 0;
            // A pause leaves its CALL open across the job's suspension: the job is then paused, not running.
            bool pauses = record.Kind == RecordKind.Return && record.Function == TraceFunction.StartJob && record.Int(0) == (int)AsyncResult.Pause;
            int before = depth.GetValueOrDefault(record.Thread);
            depth[record.Thread] = before + change;
            open += change;
            if (pauses)
            {
                // The job's pause CALL and its body stay open until it is restarted; count them as closed here.
                depth[record.Thread] -= 2;
                open -= 2;
            }

            if (record.Kind == RecordKind.Call && record.Function == TraceFunction.StartJob && record[2] != 0)
            {
                // A restart reopens the body and the pause call it resumes.
                depth[record.Thread] += 2;
                open += 2;
            }

            if (record.Kind == RecordKind.Call)
            {
                kept++;
            }

            pending.Add(record.Clone());
        }

        using var writer = new TraceWriter(File.Create(output), $"{program} (first {kept} calls, asyncref trace reduce)");
        foreach (TraceRecord r in pending)
        {
            writer.Write(r.Kind, r.Function, r.Thread, r.Values);
        }

        foreach (TraceRecord m in modules)
        {
            writer.Write(m.Kind, m.Function, TraceFormat.MetaThread, m.Values);
        }

        writer.End();
        return kept;
    }
}
