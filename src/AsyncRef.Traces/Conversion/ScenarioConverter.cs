using System.Globalization;
using System.Text;
using AsyncRef.Traces.Format;

namespace AsyncRef.Traces.Conversion;

/// <summary>
/// Writes the scenario equivalent to a trace. Each job instance's calls become the body of a job function;
/// identical bodies share one function, which keeps real traces (thousands of jobs doing the same few things)
/// within the scenario language's 64-function limit. Pointers are named by first use (<c>j1</c> job slots,
/// <c>k1</c> keys, <c>d1</c> data, <c>cb1</c> callbacks, <c>a1</c> callback args), each <c>ctx_new</c> binds a fresh
/// name (<c>c1</c>, <c>c2</c>, ...), fds are kept, and a job's own wait ctx is <c>.</c> inside its body.
/// A trace whose jobs need more functions is split into parts at quiescent points (no job paused or running, no
/// wait ctx alive, no call in progress, pauses not blocked, on every thread), each part within the limit.
/// Two streaming passes: the first builds the bodies (functions must be defined before use) and chooses the parts,
/// the second writes the top-level statements. Memory grows with the distinct bodies and names, not with the
/// trace's length.
/// </summary>
internal sealed class ScenarioConverter
{
    /// <summary>The most functions a scenario may define (spec/scenario-language.md).</summary>
    internal const int FunctionLimit = 64;

    private const string EmptyFunction = "f0";
    private readonly string _path;
    private readonly Dictionary<string, string> _functionsByBody = [];
    private readonly Dictionary<string, string> _functionText = new() { [EmptyFunction] = $"func {EmptyFunction}\nend\n" };
    private readonly List<string> _functionOrder = [EmptyFunction];
    private readonly List<string?> _startFunctions = [];

    // The parts, chosen in the first pass: the record number each ends after, and the functions it uses.
    private readonly List<long> _partEnds = [];
    private readonly List<HashSet<string>> _partFunctions = [];
    private HashSet<string> _settled = [];
    private HashSet<string> _sinceQuiescent = [];
    private long _lastQuiescent;
    private bool _oversized;

    // Each thread's last top-level init_thread statement: a later part repeats it, so its pools are set up the same.
    private readonly Dictionary<uint, string> _poolSettings = [];

    private ScenarioConverter(string path) => _path = path;

    /// <summary>Converts the trace at <paramref name="path"/> into one scenario, written to <paramref name="output"/>.</summary>
    /// <returns>Null, or a note for standard error (the scenario exceeds the function limit: split it).</returns>
    /// <exception cref="TraceFormatException">The file is not a well-formed trace.</exception>
    internal static string? Convert(string path, TextWriter output)
    {
        var converter = new ScenarioConverter(path);
        converter.Walk(collectBodies: true, emit: null);
        var all = new HashSet<string>(converter._partFunctions.SelectMany(f => f));
        converter.WriteHeader(output, all, part: 0, parts: 1);
        converter.Walk(collectBodies: false, emit: (_, line) => output.Write(line));
        int functions = all.Count(f => f != EmptyFunction);
        return functions > FunctionLimit
            ? $"{path}: note: the scenario defines {functions} distinct job functions, more than the {FunctionLimit} a scenario may define; " +
              "trace to-scn --split DIR writes it as several scenarios"
            : null;
    }

    /// <summary>
    /// Converts the trace at <paramref name="path"/> into scenarios of at most <see cref="FunctionLimit"/> functions
    /// each, <c>part-001.scn</c>, ... in <paramref name="directory"/>, split at quiescent points.
    /// </summary>
    /// <returns>The files written, and null or a note (a part between two quiescent points needs more functions).</returns>
    /// <exception cref="TraceFormatException">The file is not a well-formed trace.</exception>
    internal static (List<string> Files, string? Note) Split(string path, string directory)
    {
        var converter = new ScenarioConverter(path);
        converter.Walk(collectBodies: true, emit: null);
        Directory.CreateDirectory(directory);
        var files = new List<string>();
        TextWriter? writer = null;
        try
        {
            int part = -1;
            converter.Walk(collectBodies: false, emit: (record, line) =>
            {
                while (part < 0 || record > converter._partEnds[part])
                {
                    writer?.Dispose();
                    part++;
                    string file = Path.Combine(directory, $"part-{part + 1:D3}.scn");
                    files.Add(file);
                    writer = new StreamWriter(file) { NewLine = "\n" };
                    converter.WriteHeader(writer, converter._partFunctions[part], part, converter._partEnds.Count);
                    foreach (string statement in converter._poolSettings.Values)
                    {
                        writer.Write(statement);
                    }
                }

                writer!.Write(line);
            });
        }
        finally
        {
            writer?.Dispose();
        }

        return (files, converter._oversized
            ? $"{path}: note: between two quiescent points the program's jobs need more than {FunctionLimit} distinct functions: a part exceeds the limit"
            : null);
    }

    private void WriteHeader(TextWriter output, HashSet<string> functions, int part, int parts)
    {
        string which = parts > 1 ? $", part {part + 1} of {parts} (split where the program was quiescent)" : "";
        output.Write($"# Scenario equivalent to the trace {Path.GetFileName(_path)} (asyncref trace to-scn){which}.\n");
        output.Write("profile 3.0\n");
        foreach (string name in _functionOrder.Where(functions.Contains))
        {
            output.Write(_functionText[name]);
        }
    }

    private void Walk(bool collectBodies, Action<long, string>? emit)
    {
        using TraceReader reader = TraceReader.Open(_path);
        var walker = new Walker(this, collectBodies, emit);
        var record = new TraceRecord();
        while (reader.Read(record))
        {
            walker.Process(record);
        }

        if (collectBodies)
        {
            walker.Finish();
            Quiescent(long.MaxValue);
            _partEnds.Add(long.MaxValue);
            _partFunctions.Add(_settled);
        }
    }

    private string FunctionFor(string body)
    {
        if (!_functionsByBody.TryGetValue(body, out string? name))
        {
            name = $"f{_functionsByBody.Count + 1}";
            _functionsByBody[body] = name;
            _functionText[name] = $"func {name}\n{body}end\n";
            _functionOrder.Add(name);
        }

        return name;
    }

    /// <summary>
    /// Record <paramref name="record"/> ends a quiescent stretch: the jobs started since the last one are done. They
    /// join the current part if it stays within the limit; otherwise the part ends at the last quiescent point.
    /// </summary>
    private void Quiescent(long record)
    {
        if (_settled.Count > 0 && _settled.Union(_sinceQuiescent).Count(f => f != EmptyFunction) > FunctionLimit)
        {
            _partEnds.Add(_lastQuiescent);
            _partFunctions.Add(_settled);
            _settled = [];
        }

        _settled.UnionWith(_sinceQuiescent);
        _oversized |= _settled.Count(f => f != EmptyFunction) > FunctionLimit;
        _sinceQuiescent = [];
        _lastQuiescent = record;
    }

    /// <summary>One pass over the records: tracks what each thread is executing and names every pointer.</summary>
    private sealed class Walker(ScenarioConverter owner, bool collectBodies, Action<long, string>? emit)
    {
        private readonly Dictionary<uint, Stack<Frame>> _executing = [];
        private readonly Dictionary<ulong, string> _contexts = [];
        private readonly Dictionary<ulong, string> _jobSlots = [];
        private readonly Dictionary<string, ulong> _slotValues = [];
        private readonly Dictionary<ulong, Frame> _pausedJobs = [];
        private readonly Dictionary<ulong, string> _keys = [];
        private readonly Dictionary<ulong, string> _data = [];
        private readonly Dictionary<ulong, string> _callbacks = [];
        private readonly Dictionary<ulong, string> _args = [];
        private readonly Dictionary<uint, PendingCall> _pending = [];
        private readonly Dictionary<uint, string> _newContexts = [];
        private readonly HashSet<ulong> _liveContexts = [];
        private int _contextCount;
        private int _newStarts;
        private int _firstStartSinceQuiescent;
        private long _openCalls;
        private long _blocked;

        /// <summary>A job instance: its start index, body lines, wait ctx.</summary>
        private sealed class Frame(int start, ulong waitCtx)
        {
            internal int Start { get; } = start;

            internal ulong WaitCtx { get; } = waitCtx;

            internal StringBuilder Body { get; } = new();

            internal bool Entered { get; set; }
        }

        /// <summary>A start call awaiting its RETURN (to learn the job pointer and the outcome).</summary>
        private sealed record PendingCall(string Slot, Frame? Frame);

        /// <summary>Jobs still paused (or cut off) at the end of the trace keep the body they had.</summary>
        internal void Finish()
        {
            foreach (Frame frame in _pausedJobs.Values.Concat(_executing.Values.SelectMany(s => s)))
            {
                if (frame.Entered && owner._startFunctions[frame.Start] == EmptyFunction)
                {
                    owner._startFunctions[frame.Start] = owner.FunctionFor(frame.Body.ToString());
                }
            }

            SettleSpan();
        }

        internal void Process(TraceRecord r)
        {
            Stack<Frame> stack = Stack(r.Thread);
            switch (r.Kind)
            {
                case RecordKind.Call:
                    _openCalls++;
                    Track(r);
                    Call(r, stack);
                    break;
                case RecordKind.BodyEnter when stack.Count > 0 && !stack.Peek().Entered:
                    stack.Peek().Entered = true;
                    break;
                case RecordKind.BodyReturn when stack.Count > 0:
                {
                    Frame frame = stack.Peek();
                    frame.Body.Append(CultureInfo.InvariantCulture, $"return {r.Int(0)}\n");
                    if (collectBodies)
                    {
                        owner._startFunctions[frame.Start] = owner.FunctionFor(frame.Body.ToString());
                    }

                    break;
                }

                case RecordKind.Return when r.Function == TraceFunction.StartJob:
                    StartReturned(r, stack);
                    break;
                case RecordKind.Return when r.Function == TraceFunction.CtxNew && _newContexts.Remove(r.Thread, out string? name):
                    _contexts[r[0]] = name;
                    if (r[0] != 0)
                    {
                        _liveContexts.Add(r[0]);
                    }

                    break;
            }

            if (r.Kind == RecordKind.Return && --_openCalls == 0 && collectBodies && _pausedJobs.Count == 0 && _liveContexts.Count == 0 && _blocked == 0)
            {
                // Every job started since the last quiescent point has returned: their functions are known.
                SettleSpan();
                owner.Quiescent(r.Number);
            }
        }

        /// <summary>The state that decides quiescence besides calls and jobs: live contexts and blocked pauses.</summary>
        private void Track(TraceRecord r)
        {
            switch (r.Function)
            {
                case TraceFunction.CtxFree:
                    _liveContexts.Remove(r[1]);
                    break;
                case TraceFunction.BlockPause:
                    _blocked++;
                    break;
                case TraceFunction.UnblockPause when _blocked > 0:
                    _blocked--;
                    break;
            }
        }

        /// <summary>The functions of the jobs started since the last quiescent point, for the part they will join.</summary>
        private void SettleSpan()
        {
            for (int i = _firstStartSinceQuiescent; i < _newStarts; i++)
            {
                owner._sinceQuiescent.Add(owner._startFunctions[i] ?? EmptyFunction);
            }

            _firstStartSinceQuiescent = _newStarts;
        }

        private Stack<Frame> Stack(uint thread)
        {
            if (!_executing.TryGetValue(thread, out Stack<Frame>? stack))
            {
                _executing[thread] = stack = new Stack<Frame>();
            }

            return stack;
        }

        private void Call(TraceRecord r, Stack<Frame> stack)
        {
            Frame? frame = stack.Count > 0 ? stack.Peek() : null;
            string? line = r.Function switch
            {
                TraceFunction.InitThread => $"init_thread {r[1]} {r[2]}",
                TraceFunction.CleanupThread => "cleanup_thread",
                TraceFunction.CtxNew => $"ctx_new {_newContexts[r.Thread] = $"c{++_contextCount}"}",
                TraceFunction.CtxFree => $"ctx_free {(r[1] == 0 ? "-" : Ctx(r[1], frame))}",
                TraceFunction.SetWaitFd =>
                    $"set_wait_fd {Ctx(r[1], frame)} {Name(_keys, "k", r[2])} {r.Int(3)} {Name(_data, "d", r[4])} {(r[5] == 0 ? "-" : "cleanup")}",
                TraceFunction.GetFd => $"get_fd {Ctx(r[1], frame)} {Name(_keys, "k", r[2])}",
                TraceFunction.GetAllFds => r[2] == 0 ? null : $"get_all_fds {Ctx(r[1], frame)}",
                TraceFunction.GetChangedFds => r[2] == 0 && r[4] == 0 ? null : $"get_changed_fds {Ctx(r[1], frame)}",
                TraceFunction.ClearFd => $"clear_fd {Ctx(r[1], frame)} {Name(_keys, "k", r[2])}",
                TraceFunction.SetCallback =>
                    $"set_callback {(r[1] == 0 ? "-" : Ctx(r[1], frame))} {Name(_callbacks, "cb", r[2])} {Name(_args, "a", r[3])}",
                TraceFunction.GetCallback => $"get_callback {Ctx(r[1], frame)}",
                TraceFunction.SetStatus => $"set_status {Ctx(r[1], frame)} {r.Int(2)}",
                TraceFunction.GetStatus => $"get_status {Ctx(r[1], frame)}",
                TraceFunction.IsCapable => "is_capable",
                TraceFunction.StartJob => Start(r, stack),
                TraceFunction.PauseJob => "pause",
                TraceFunction.GetCurrentJob => "current_job",
                TraceFunction.GetWaitCtx => frame is null ? "# ASYNC_get_wait_ctx(job) outside a job: not expressible" : "wait_ctx",
                TraceFunction.BlockPause => "block_pause",
                TraceFunction.UnblockPause => "unblock_pause",
                _ => null,
            };
            if (line is null)
            {
                return;
            }

            // A call made inside a job goes to the body of the job that made it; the start of a job belongs to
            // whoever called start (the frame pushed by Start is the started job's, not the caller's).
            Frame? target = r.Function == TraceFunction.StartJob ? frame : stack.Count > 0 ? stack.Peek() : null;
            if (target is not null)
            {
                target.Body.Append(line).Append('\n');
            }
            else if (emit is not null)
            {
                string statement = r.Thread == 0 ? $"{line}\n" : $"@t{r.Thread} {line}\n";
                emit(r.Number, statement);
                if (r.Function == TraceFunction.InitThread)
                {
                    owner._poolSettings[r.Thread] = statement;
                }
            }
        }

        private string Start(TraceRecord r, Stack<Frame> stack)
        {
            string slot = Name(_jobSlots, "j", r[1]);
            ulong jobIn = r[2];
            string ctx = r[3] == 0 ? "-" : Ctx(r[3], null);
            if (jobIn != 0 && _pausedJobs.TryGetValue(jobIn, out Frame? paused))
            {
                // A restart: the variable that holds the paused job (normally the slot itself).
                string holder = _slotValues.GetValueOrDefault(slot) == jobIn
                    ? slot
                    : _slotValues.FirstOrDefault(v => v.Value == jobIn).Key ?? slot;
                _pending[r.Thread] = new PendingCall(holder, paused);
                stack.Push(paused);
                // F and ARG are ignored on a restart, as in C; the job's own function keeps the line readable.
                return $"start {holder} {ctx} {owner._startFunctions[paused.Start] ?? EmptyFunction} -";
            }

            int index = _newStarts++;
            if (collectBodies)
            {
                owner._startFunctions.Add(EmptyFunction);
            }

            var frame = new Frame(index, r[3]);
            _pending[r.Thread] = new PendingCall(slot, frame);
            stack.Push(frame);
            string function = owner._startFunctions[index] ?? EmptyFunction;
            string arg = r[6] == 0 ? "-" : r[7] == 0 ? "ptr0" : r[7] <= 200 ? $"\"{new string('a', (int)r[7] - 1)}\"" : "ptr0";
            if (r[1] != 0 && _slotValues.GetValueOrDefault(slot) != 0)
            {
                // The slot still holds a paused job the program overwrote with NULL: use a fresh variable.
                slot = Name(_jobSlots, "j", ulong.MaxValue - (ulong)index);
                _pending[r.Thread] = new PendingCall(slot, frame);
            }

            return $"start {slot} {ctx} {function} {arg}";
        }

        private void StartReturned(TraceRecord r, Stack<Frame> stack)
        {
            if (!_pending.Remove(r.Thread, out PendingCall? pending) || stack.Count == 0)
            {
                return;
            }

            Frame frame = stack.Pop();
            if (r.Int(0) == (int)AsyncResult.Pause)
            {
                _pausedJobs[r[1]] = frame;
                _slotValues[pending.Slot] = r[1];
            }
            else
            {
                if (_slotValues.Remove(pending.Slot, out ulong job))
                {
                    _pausedJobs.Remove(job);
                }
            }
        }

        private string Ctx(ulong pointer, Frame? frame) =>
            frame is not null && frame.WaitCtx == pointer ? "." : _contexts.GetValueOrDefault(pointer) ?? "c0";

        private static string Name(Dictionary<ulong, string> names, string prefix, ulong pointer)
        {
            if (pointer == 0)
            {
                return "-";
            }

            if (!names.TryGetValue(pointer, out string? name))
            {
                names[pointer] = name = $"{prefix}{names.Count + 1}";
            }

            return name;
        }
    }
}
