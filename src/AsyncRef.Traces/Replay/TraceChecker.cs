using System.Diagnostics;
using AsyncRef.Traces.Format;
using AsyncRef.Traces.Symbols;

namespace AsyncRef.Traces.Replay;

/// <summary>
/// Replays a trace on the reference runtime, call by call, in the recorded order. Each logical thread of the trace
/// is an OS thread of its own (the reference keeps its state per thread, as OpenSSL does); exactly one of them runs
/// at a time, the one whose record is next, so the replay follows the recorded interleaving. A job function is a
/// replay body that pulls the job's own records from the trace as the reference runs it, so job entry, pauses,
/// resumptions and finishes are the reference's decisions, checked against the program's.
/// Every finding is reported: after a divergence in a value the replay goes on with the reference's state, and
/// after an undefined use (which the reference refuses) it passes over the program's result of that call. It stops
/// only where the program's course of events (a job entered, paused, returned) leaves the reference's, since the
/// records after that point can no longer be paired with the reference's calls.
/// </summary>
internal sealed partial class TraceChecker : IDisposable
{
    private readonly TraceReader _reader;
    private readonly TraceRecord _record = new();
    private readonly List<ReplayThread?> _threads = [];
    private readonly List<Thread> _osThreads = [];
    private readonly ManualResetEventSlim _stopped = new();
    private readonly CallSites _sites = new();
    private readonly ReplayObjects _objects = new();
    private readonly CheckReport _report;
    private readonly TextWriter? _callLog;
    private readonly object _findingsLock = new();
    private bool _hasRecord;
    private volatile bool _stopping;

    private TraceChecker(TraceReader reader, string trace, TextWriter? callLog)
    {
        _reader = reader;
        _report = new CheckReport { Trace = trace };
        _callLog = callLog;
    }

    /// <summary>Checks the trace at <paramref name="path"/>.</summary>
    /// <param name="path">The trace file.</param>
    /// <param name="checkedMode">Run the reference in checked mode (models and invariants validated at every step).</param>
    /// <param name="callLog">Where to list every call, recorded against predicted; null for no listing.</param>
    /// <returns>The report (its <see cref="CheckReport.BadTrace"/> is set for a malformed file).</returns>
    internal static CheckReport Check(string path, bool checkedMode, TextWriter? callLog)
    {
        TraceReader reader;
        try
        {
            reader = TraceReader.Open(path);
        }
        catch (TraceFormatException e)
        {
            return new CheckReport { Trace = path, BadTrace = e.Message };
        }

        using var checker = new TraceChecker(reader, path, callLog);
        bool wasChecked = Async.CheckedMode;
        Async.CheckedMode = checkedMode;
        try
        {
            return checker.Run();
        }
        finally
        {
            Async.CheckedMode = wasChecked;
        }
    }

    public void Dispose()
    {
        _reader.Dispose();
        _stopped.Dispose();
        foreach (ReplayThread? t in _threads)
        {
            t?.Dispose();
        }
    }

    private CheckReport Run()
    {
        var clock = Stopwatch.StartNew();
        Take(null);
        _stopped.Wait();
        foreach (Thread os in _osThreads)
        {
            os.Join();
        }

        clock.Stop();
        _report.Seconds = clock.Elapsed.TotalSeconds;
        _report.Records = _reader.RecordsRead;
        _report.Complete = _reader.Ended;
        _report.Threads = _reader.ThreadCount;
        if (_report.BadTrace.Length == 0 && _report.StoppedBecause.Length == 0)
        {
            if (!_reader.Ended)
            {
                _report.StoppedBecause =
                    $"the trace has no END record: the program did not exit normally (crash or kill); checked up to its last complete record, {_reader.RecordsRead}";
            }

            AddLeakAdvisories();
        }

        if (_report.BadTrace.Length == 0 && _report.Findings.Count > 0)
        {
            ReadRemainingModules();
        }

        _sites.Resolve(_report.Findings);
        return _report;
    }

    /// <summary>
    /// The tracer writes MODULE records when it flushes, so those that name a finding's call site may come after
    /// the record where checking stopped: the rest of the file is read for them (and nothing else).
    /// </summary>
    private void ReadRemainingModules()
    {
        try
        {
            while (_reader.Read(_record))
            {
                if (_record.Kind == RecordKind.Module)
                {
                    _sites.AddModule(_record[0], _record[1], _record[2], _record.Text(3));
                }
            }
        }
        catch (Exception e) when (e is TraceFormatException or IOException)
        {
            // Damage after the point where checking stopped does not change the verdict.
        }
    }

    /// <summary>
    /// The next record of thread <paramref name="me"/>. Records of other threads hand the baton to their thread,
    /// and this one waits until its own record is next. Tracer records are handled on the way.
    /// </summary>
    /// <returns>The record (valid until the next call), or null when the replay is stopping.</returns>
    private TraceRecord? Take(ReplayThread? me)
    {
        while (true)
        {
            if (_stopping)
            {
                return null;
            }

            if (!_hasRecord)
            {
                if (!ReadNext())
                {
                    if (me is not null)
                    {
                        me.SawEnd = true;
                    }

                    Stop();
                    return null;
                }

                _hasRecord = true;
            }

            TraceRecord r = _record;
            switch (r.Kind)
            {
                case RecordKind.Thread:
                    StartThread(r.Thread);
                    _hasRecord = false;
                    continue;
                case RecordKind.Module:
                    _sites.AddModule(r[0], r[1], r[2], r.Text(3));
                    _hasRecord = false;
                    continue;
                case RecordKind.Program:
                    _report.Program = r.Text(0);
                    _hasRecord = false;
                    continue;
                case RecordKind.End:
                    _hasRecord = false;
                    continue;
            }

            if (me is not null && r.Thread == me.Id)
            {
                _hasRecord = false;
                return r;
            }

            _threads[(int)r.Thread]!.Baton.Release();
            if (me is null)
            {
                return null;
            }

            me.Baton.Wait();
        }
    }

    private bool ReadNext()
    {
        try
        {
            return _reader.Read(_record);
        }
        catch (TraceFormatException e)
        {
            _report.BadTrace = e.Message;
            return false;
        }
        catch (IOException e)
        {
            _report.BadTrace = _reader.Error(_reader.RecordsRead + 1, $"read error: {e.Message}").Message;
            return false;
        }
    }

    private void StartThread(uint id)
    {
        while (_threads.Count <= id)
        {
            _threads.Add(null);
        }

        var thread = new ReplayThread(id);
        thread.Body = args => RunBody(thread);
        thread.Cleanup = (ctx, key, fd, data) => RunCleanup(thread, ctx, key, fd, data);
        _threads[(int)id] = thread;
        var os = new Thread(() => ThreadMain(thread), 16 << 20) { IsBackground = true, Name = $"replay-t{id}" };
        _osThreads.Add(os);
        os.Start();
    }

    private void ThreadMain(ReplayThread t)
    {
        t.Baton.Wait();
        try
        {
            while (Take(t) is { } r)
            {
                Step(t, r);
            }
        }
        catch (ReplayStoppedException)
        {
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Fail(new Finding(FindingKind.Divergence, _record.Number, t.Id, "-", "", "",
                $"the replay failed: {e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}", "", "", ""));
        }
        finally
        {
            t.PausedAtEnd = Async.DescribeThread().PausedJobs;
        }
    }

    private void Stop()
    {
        lock (_findingsLock)
        {
            if (_stopping)
            {
                return;
            }

            _stopping = true;
        }

        foreach (ReplayThread? t in _threads)
        {
            t?.Baton.Release();
        }

        _stopped.Set();
    }

    /// <summary>Records a finding; the replay goes on.</summary>
    private void Report(Finding finding)
    {
        lock (_findingsLock)
        {
            if (finding.Kind == FindingKind.Undefined && _report.Undefined == 0)
            {
                _report.Notes.Add($"findings after the first undefined use (record {finding.Record}) may follow from it: what C does after it is not defined");
            }

            _report.Add(finding);
        }
    }

    /// <summary>
    /// Records a finding after which the program's records cannot be paired with the reference's calls, stops the
    /// replay and unwinds the calling thread.
    /// </summary>
    private ReplayStoppedException Fail(Finding finding)
    {
        Report(finding);
        return StopAt($"stopped at record {finding.Record}: the program's course of events leaves the reference's there, so the records after it cannot be paired with the reference's calls");
    }

    private ReplayStoppedException StopAt(string because)
    {
        lock (_findingsLock)
        {
            if (_report.StoppedBecause.Length == 0)
            {
                _report.StoppedBecause = because;
            }
        }

        Stop();
        return new ReplayStoppedException();
    }

    /// <summary>The replay is stopping while <paramref name="t"/> waits for a record: unwinds it, noting a crash.</summary>
    private ReplayStoppedException Ended(ReplayThread t)
    {
        if (t.SawEnd && _report.BadTrace.Length == 0 && !_reader.Ended && t.OpenCall is { } open && _report.StoppedBecause.Length == 0)
        {
            _report.StoppedBecause =
                $"the program stopped during {TraceFormat.Name(open.Function)} (record {open.Record}, thread {t.Id}): " +
                $"recorded at entry, no result; checked up to the last complete record, {_reader.RecordsRead}";
            Report(new Finding(FindingKind.Advisory, open.Record, t.Id, TraceFormat.Name(open.Function),
                CallSites.Raw(open.Site), "", "the program stopped during this call (crash or kill): its result is missing", "", "", ""));
        }

        return new ReplayStoppedException();
    }

    private void AddLeakAdvisories()
    {
        foreach (ReplayThread? t in _threads)
        {
            if (t is { PausedAtEnd: > 0 })
            {
                _report.Add(new Finding(FindingKind.Advisory, _reader.RecordsRead, t.Id, "-", "", "",
                    $"{t.PausedAtEnd} job(s) still paused on thread {t.Id} at exit (never resumed to FINISH: their stacks leak)", "", "", ""));
            }
        }

        foreach (ReplayObjects.CtxInfo ctx in _objects.LiveContexts())
        {
            _report.Add(new Finding(FindingKind.Advisory, ctx.Created, ctx.Thread, TraceFormat.Name(TraceFunction.CtxNew),
                CallSites.Raw(ctx.Site), "", $"wait ctx {ctx.Name} (0x{ctx.Pointer:x}) was never freed", "", "", ""));
        }
    }

    /// <summary>Unwinds a replay thread when the replay stops.</summary>
    private sealed class ReplayStoppedException : Exception;
}
