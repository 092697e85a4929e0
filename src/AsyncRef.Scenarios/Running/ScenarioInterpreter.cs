using System.Globalization;

namespace AsyncRef.Scenarios;

/// <summary>
/// Runs a <see cref="Scenario"/> on the reference runtime and writes its v1 log. Every logical thread has a fresh
/// runtime thread state (so none leaks between runs), created on first use; top-level statements run on their
/// logical thread one at a time, on the calling OS thread, and each completes before the next starts. Job functions are <c>async JobTask&lt;int&gt;</c>
/// methods that interpret the body; <c>pause</c> awaits <see cref="Async.PauseJob"/>, so its line is printed when the
/// job is resumed, by the logical thread that resumed it. Undefined behaviour prints a <c>UB</c> line and ends the run.
/// One run is one process, as it is for an adapter: process-wide state (whether ASYNC has been initialised, the stack
/// functions) starts afresh with every run.
/// </summary>
internal sealed partial class ScenarioInterpreter
{
    private readonly Scenario _scenario;
    private readonly Dictionary<string, ScenarioFunction> _functionDefs;
    private readonly Dictionary<string, AsyncJobFunc> _jobFunctions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, LogicalThread> _threads = new(StringComparer.Ordinal);
    private readonly List<LogicalThread> _threadOrder = [];

    /// <summary>Context variables that a <c>ctx_new</c> has assigned (freed ones keep their freed object).</summary>
    private readonly Dictionary<string, AsyncWaitCtx> _contexts = new(StringComparer.Ordinal);

    /// <summary>The name each context object was created under: it keeps it when its variable is assigned a newer one.</summary>
    private readonly Dictionary<AsyncWaitCtx, string> _contextNames = new(ReferenceEqualityComparer.Instance);

    /// <summary>
    /// When explaining: every context object a <c>ctx_new</c> created, in creation order, with the variable it was
    /// assigned to (which may since hold a newer one): a job may still use a context whose variable was overwritten.
    /// </summary>
    private readonly List<(string Variable, AsyncWaitCtx Ctx)> _createdContexts = [];
    private readonly Dictionary<string, JobVariable> _jobVariables = new(StringComparer.Ordinal);
    private readonly Dictionary<string, NamedPointer> _keys = new(StringComparer.Ordinal);
    private readonly Dictionary<string, NamedPointer> _data = new(StringComparer.Ordinal);
    private readonly Dictionary<string, NamedPointer> _callbackArgs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, AsyncWaitCallback> _callbacks = new(StringComparer.Ordinal);
    private readonly Dictionary<AsyncWaitCallback, string> _callbackNames = new(ReferenceEqualityComparer.Instance);
    private readonly AsyncWaitFdCleanup _cleanup;

    /// <summary>The run's process-wide stack functions (profile 3.2), shared by all its threads.</summary>
    private readonly AsyncStackMemory _stackMemory = new();

    /// <summary>The recording stack allocators and free functions, by name, created on first use (§7 events).</summary>
    private readonly Dictionary<string, AsyncStackAlloc> _stackAllocs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, AsyncStackFree> _stackFrees = new(StringComparer.Ordinal);

    /// <summary>The <c>#N</c> of every job object the log has named, by <see cref="AsyncJob.ObjectId"/>.</summary>
    private readonly Dictionary<long, int> _jobNumbers = [];

    /// <summary>The latest handle of every job object seen (for explanations), in order of first appearance.</summary>
    private readonly Dictionary<long, AsyncJob> _jobsSeen = [];
    private readonly List<long> _jobOrder = [];

    private readonly List<string> _lines = [];
    private readonly List<ExplainedLine>? _explained;
    private readonly Action<string>? _onLine;
    private int? _ubIndex;

    /// <summary>The bytes printed so far, each line with its LF (bounded by <see cref="ScenarioLimits.MaxLogBytes"/>).</summary>
    private long _logBytes;

    /// <summary>The error of the log line that would have gone over the log bound; the run stopped there.</summary>
    private ScenarioParseException? _logLimitError;

    /// <summary>
    /// Whether the process has made an ASYNC call that runs OpenSSL's ASYNC initialisation (start, a successful
    /// init_thread, cleanup_thread, current_job, block_pause, unblock_pause); a pause before that is undefined.
    /// </summary>
    private bool _asyncInitialised;

    /// <summary>When explaining: an advisory for the next statement line (an early point of a later undefined behaviour).</summary>
    private string? _advisory;

    /// <summary>The line of the statement whose call may emit events (cleanup, callback).</summary>
    private int _eventLine;
    private int _nextJobNumber = 1;

    private ScenarioInterpreter(Scenario scenario, bool explain, Action<string>? onLine)
    {
        _scenario = scenario;
        _functionDefs = scenario.Functions.ToDictionary(f => f.Name, StringComparer.Ordinal);
        _explained = explain ? [] : null;
        _onLine = onLine;
        _cleanup = (ctx, key, fd, data) =>
            Event(string.Create(CultureInfo.InvariantCulture, $"cleanup {PointerName(key)} {fd} {PointerName(data)}"));
    }

    /// <summary>Runs the scenario; <paramref name="onLine"/>, if any, gets each line as soon as it is printed.</summary>
    internal static ScenarioLog Run(Scenario scenario, Action<string>? onLine) => new ScenarioInterpreter(scenario, false, onLine).Execute().Log;

    internal static ScenarioExplanation Explain(Scenario scenario) => new ScenarioInterpreter(scenario, true, null).Execute();

    private ScenarioExplanation Execute()
    {
        foreach (ScenarioStatement statement in _scenario.Statements)
        {
            LogicalThread thread = GetThread(statement.Thread!);
            try
            {
                thread.Invoke(() => ExecuteStatement(statement, null));
            }
            catch (StopRun)
            {
                break;
            }
        }

        if (_logLimitError is { } tooLarge)
        {
            throw tooLarge;
        }

        var log = new ScenarioLog(_lines.ToArray(), _ubIndex);
        return new ScenarioExplanation(log, _explained?.ToArray() ?? []);
    }

    private LogicalThread GetThread(string name)
    {
        if (!_threads.TryGetValue(name, out LogicalThread? thread))
        {
            thread = new LogicalThread(name, _scenario.Profile, _stackMemory);
            _threads.Add(name, thread);
            _threadOrder.Add(thread);
        }

        return thread;
    }

    /// <summary>Executes one statement other than <c>return</c> and <c>pause</c> inside a body; undefined behaviour ends the run.</summary>
    private void ExecuteStatement(ScenarioStatement s, byte[]? args)
    {
        try
        {
            Emit(s, Call(s, args));
        }
        catch (UndefinedBehaviorException e)
        {
            throw Ub(s, e);
        }
    }

    /// <summary>Makes the call and returns the result as the log prints it.</summary>
    private string Call(ScenarioStatement s, byte[]? args)
    {
        IReadOnlyList<ScenarioValue> a = s.Arguments;
        switch (s.Op)
        {
            case ScenarioOp.InitThread:
                // The size check comes before the initialisation: a failed init_thread initialises nothing.
                _eventLine = s.Line;
                int initialised = Async.InitThread((nuint)a[0].Number, (nuint)a[1].Number);
                _asyncInitialised |= initialised == 1;
                return Int(initialised);
            case ScenarioOp.CleanupThread:
                _asyncInitialised = true;
                _eventLine = s.Line;
                int pausedBefore = _explained is null ? 0 : Async.DescribeThread().PausedJobs;
                Async.CleanupThread();
                if (pausedBefore > 0)
                {
                    _advisory = $"advisory: UB-CLEANUP-WHILE-PAUSED early point: {pausedBefore} paused job(s) of this thread leak; "
                        + "defined while none of them is restarted until its function returns, undefined when one returns";
                }

                return "ok";
            case ScenarioOp.IsCapable:
                return Int(Async.IsCapable());
            case ScenarioOp.CtxNew:
                // A variable that held a context is overwritten; the context it held lives on (leaked, or still
                // used by a job) and keeps the name it was created under.
                AsyncWaitCtx created = AsyncWaitCtx.New();
                _contexts[a[0].Text] = created;
                _contextNames[created] = a[0].Text;
                if (_explained is not null)
                {
                    _createdContexts.Add((a[0].Text, created));
                }

                return "ok";
            case ScenarioOp.CtxFree:
                AsyncWaitCtx? freed = Context(a[0]);
                _eventLine = s.Line;
                AsyncWaitCtx.Free(freed);
                if (_explained is not null && freed is not null)
                {
                    _advisory = FreedInUseAdvisory(freed);
                }

                return "ok";
            case ScenarioOp.Start:
                _asyncInitialised = true;
                _eventLine = s.Line;
                return Start(s);
            case ScenarioOp.Pause:
                // ASYNC_pause_job does not initialise: before the first initialising call it reads a thread-local
                // key that was never created (OpenSSL's pthread key 0, which other code owns).
                if (!_asyncInitialised)
                {
                    throw new UndefinedBehaviorException(
                        UbRules.PauseBeforeInit, "ASYNC_pause_job before the process's first initialising ASYNC call");
                }

                // Top level: outside any job, ASYNC_pause_job returns 1 at once.
                PauseAwaiter awaiter = Async.PauseJob().GetAwaiter();
                return awaiter.IsCompleted ? Int(awaiter.GetResult()) : throw new InvalidOperationException("a top-level pause found a running job");
            case ScenarioOp.BlockPause:
                _asyncInitialised = true;
                Async.BlockPause();
                return "ok";
            case ScenarioOp.UnblockPause:
                _asyncInitialised = true;
                Async.UnblockPause();
                return "ok";
            case ScenarioOp.CurrentJob:
                _asyncInitialised = true;
                AsyncJob current = Async.GetCurrentJob();
                return current.IsNull ? "NULL" : "#" + Int(Number(current));
            case ScenarioOp.WaitCtx:
                AsyncWaitCtx? waitCtx = Async.GetWaitCtx(Async.GetCurrentJob());
                if (waitCtx is not null && waitCtx.Describe().Freed)
                {
                    // The job's pointer is dangling: using its value (here, to name it) is undefined in C.
                    throw new UndefinedBehaviorException(
                        UbRules.CtxUseAfterFree, "ASYNC_get_wait_ctx returned the job's wait context, which was freed");
                }

                return waitCtx is null ? "NULL" : ContextName(waitCtx);
            case ScenarioOp.Arg:
                return args is null ? "NULL" : "\"" + ScenarioText.Utf8.GetString(args.AsSpan(0, NulIndex(args))) + "\"";
            case ScenarioOp.SetWaitFd:
                return Int(RequireContext(a[0], "ASYNC_WAIT_CTX_set_wait_fd")
                    .SetWaitFd(Pointer(_keys, a[1]), a[2].Number, Pointer(_data, a[3]), a[4].Kind == ScenarioValueKind.Cleanup ? _cleanup : null));
            case ScenarioOp.GetFd:
                int fd = 0;
                object? data = null;
                int found = RequireContext(a[0], "ASYNC_WAIT_CTX_get_fd").GetFd(Pointer(_keys, a[1]), ref fd, ref data);
                return found == 1 ? string.Create(CultureInfo.InvariantCulture, $"1 {fd} {PointerName(data)}") : Int(found);
            case ScenarioOp.GetAllFds:
                return GetAllFds(RequireContext(a[0], "ASYNC_WAIT_CTX_get_all_fds"));
            case ScenarioOp.GetChangedFds:
                return GetChangedFds(RequireContext(a[0], "ASYNC_WAIT_CTX_get_changed_fds"));
            case ScenarioOp.ClearFd:
                return Int(RequireContext(a[0], "ASYNC_WAIT_CTX_clear_fd").ClearFd(Pointer(_keys, a[1])));
            case ScenarioOp.SetCallback:
                return Int(AsyncWaitCtx.SetCallback(Context(a[0]), Callback(a[1]), Pointer(_callbackArgs, a[2])));
            case ScenarioOp.GetCallback:
                AsyncWaitCallback? callback = null;
                object? callbackArg = null;
                int has = RequireContext(a[0], "ASYNC_WAIT_CTX_get_callback").GetCallback(ref callback, ref callbackArg);
                return has == 1 ? $"1 {CallbackName(callback)} {PointerName(callbackArg)}" : Int(has);
            case ScenarioOp.CallCallback:
                return CallCallback(s);
            case ScenarioOp.SetStatus:
                return Int(RequireContext(a[0], "ASYNC_WAIT_CTX_set_status").SetStatus(a[1].Number));
            case ScenarioOp.GetStatus:
                return Int(RequireContext(a[0], "ASYNC_WAIT_CTX_get_status").GetStatus());
            case ScenarioOp.Errors:
                return "[" + string.Join(' ', Async.DrainErrors().Select(e => e.Name)) + "]";
            case ScenarioOp.SetMemFunctions:
                // ASYNC_set_mem_functions runs OPENSSL_init_crypto(OPENSSL_INIT_ASYNC) first, whatever it returns.
                _asyncInitialised = true;
                return Int(Async.SetMemFunctions(StackAlloc(a[0]), StackFree(a[1])));
            case ScenarioOp.GetMemFunctions:
                Async.GetMemFunctions(out AsyncStackAlloc alloc, out AsyncStackFree free);
                return StackFunctionName(_stackAllocs, alloc) + " " + StackFunctionName(_stackFrees, free);
            default:
                throw new InvalidOperationException($"statement {s.OpName} cannot be executed here");
        }
    }

    /// <summary>A recording allocator: it prints <c>stack_alloc NAME SIZE</c> and hands out a stack of the size asked.</summary>
    private AsyncStackAlloc? StackAlloc(ScenarioValue v) => v.Kind switch
    {
        ScenarioValueKind.Null => null,
        ScenarioValueKind.Default => AsyncStackMemory.DefaultAlloc,
        _ => GetOrAdd(_stackAllocs, v.Text, name => (ref nuint size) =>
        {
            Event(string.Create(CultureInfo.InvariantCulture, $"stack_alloc {name} {size}"));
            return new object();
        }),
    };

    /// <summary>A recording free function: it prints <c>stack_free NAME</c>.</summary>
    private AsyncStackFree? StackFree(ScenarioValue v) => v.Kind switch
    {
        ScenarioValueKind.Null => null,
        ScenarioValueKind.Default => AsyncStackMemory.DefaultFree,
        _ => GetOrAdd(_stackFrees, v.Text, name => _ => Event("stack_free " + name)),
    };

    private static T GetOrAdd<T>(Dictionary<string, T> functions, string name, Func<string, T> create)
        where T : Delegate
    {
        if (!functions.TryGetValue(name, out T? function))
        {
            function = create(name);
            functions.Add(name, function);
        }

        return function;
    }

    /// <summary>A stack function's name: <c>default</c> for OpenSSL's own, else the recording function's name.</summary>
    private static string StackFunctionName<T>(Dictionary<string, T> functions, Delegate function)
        where T : Delegate
    {
        if (ReferenceEquals(function, AsyncStackMemory.DefaultAlloc) || ReferenceEquals(function, AsyncStackMemory.DefaultFree))
        {
            return "default";
        }

        foreach (KeyValuePair<string, T> named in functions)
        {
            if (ReferenceEquals(named.Value, function))
            {
                return named.Key;
            }
        }

        throw new InvalidOperationException("a stack function that the scenario did not name");
    }

    private string Start(ScenarioStatement s)
    {
        IReadOnlyList<ScenarioValue> a = s.Arguments;
        JobVariable variable = JobVar(a[0].Text);

        // A restart ignores C, F and ARG (as C does): the context argument is not even evaluated.
        bool restart = !variable.Handle.IsNull;
        AsyncWaitCtx? ctx = restart ? null : Context(a[1]);
        AsyncJobFunc? func = a[2].Kind == ScenarioValueKind.Null ? null : JobFunction(a[2].Text);
        // A string is its bytes plus a terminating NUL, and its size counts the NUL; ptr0 is non-NULL with size 0.
        byte[]? args = a[3].Kind switch
        {
            ScenarioValueKind.Text => TextArgument(a[3].Text),
            ScenarioValueKind.Ptr0 => [],
            _ => null,
        };
        int size = args?.Length ?? 0;
        AsyncResult result = Async.StartJob(ref variable.Handle, ctx, ref variable.Ret, func, args, size);
        switch (result)
        {
            case AsyncResult.Pause:
                Seen(variable.Handle);
                return "PAUSE #" + Int(Number(variable.Handle));
            case AsyncResult.Finish:
                return "FINISH " + Int(variable.Ret);
            case AsyncResult.NoJobs:
                return "NO_JOBS";
            case AsyncResult.Err:
                return "ERR";
            default:
                return Int((int)result);
        }
    }

    /// <summary>The string's UTF-8 bytes followed by a NUL.</summary>
    private static byte[] TextArgument(string text)
    {
        byte[] bytes = new byte[ScenarioText.Utf8.GetByteCount(text) + 1];
        ScenarioText.Utf8.GetBytes(text, bytes);
        return bytes;
    }

    private static int NulIndex(byte[] bytes)
    {
        int nul = Array.IndexOf(bytes, (byte)0);
        return nul < 0 ? bytes.Length : nul;
    }

    private static string GetAllFds(AsyncWaitCtx ctx)
    {
        // Twice, as C does: the count, then the fill.
        ctx.GetAllFds([], out int count);
        int[] fds = new int[count];
        int result = ctx.GetAllFds(fds, out count);
        return Int(result) + " " + FdList(fds.AsSpan(0, count));
    }

    private static string GetChangedFds(AsyncWaitCtx ctx)
    {
        ctx.GetChangedFds([], out int added, [], out int deleted);
        int[] addFds = new int[added];
        int[] delFds = new int[deleted];
        int result = ctx.GetChangedFds(addFds, out added, delFds, out deleted);
        return $"{Int(result)} add={FdList(addFds.AsSpan(0, added))} del={FdList(delFds.AsSpan(0, deleted))}";
    }

    private static string FdList(ReadOnlySpan<int> fds)
    {
        var parts = new string[fds.Length];
        for (int i = 0; i < fds.Length; i++)
        {
            parts[i] = Int(fds[i]);
        }

        return "[" + string.Join(' ', parts) + "]";
    }

    /// <summary>What an engine does on completion: get the callback and, if there is one, call it.</summary>
    private string CallCallback(ScenarioStatement s)
    {
        AsyncWaitCallback? callback = null;
        object? arg = null;
        if (RequireContext(s.Arguments[0], "ASYNC_WAIT_CTX_get_callback").GetCallback(ref callback, ref arg) == 1 && callback is not null)
        {
            _eventLine = s.Line;
            return Int(callback(arg));
        }

        return "0";
    }

    /// <summary>The body of every job function: interprets the scenario function's statements inside the job.</summary>
    private async JobTask<int> RunBody(ScenarioFunction function, byte[]? args)
    {
        Seen(Async.GetCurrentJob());
        foreach (ScenarioStatement s in function.Body)
        {
            if (s.Op == ScenarioOp.Return)
            {
                return s.Arguments[0].Number;
            }

            if (s.Op == ScenarioOp.Pause)
            {
                int paused;
                try
                {
                    paused = await Async.PauseJob();
                }
                catch (UndefinedBehaviorException e)
                {
                    throw Ub(s, e);
                }

                Emit(s, Int(paused));
            }
            else
            {
                ExecuteStatement(s, args);
            }
        }

        // A body that reaches `end` returns 0.
        return 0;
    }

    private AsyncJobFunc JobFunction(string name)
    {
        if (!_jobFunctions.TryGetValue(name, out AsyncJobFunc? func))
        {
            ScenarioFunction definition = _functionDefs[name];
            func = args => RunBody(definition, args);
            _jobFunctions.Add(name, func);
        }

        return func;
    }

    /// <summary>Evaluates a context argument: <c>-</c>, <c>.</c> or a variable; a variable no <c>ctx_new</c> has assigned yet is undefined.</summary>
    private AsyncWaitCtx? Context(ScenarioValue value) => value.Kind switch
    {
        ScenarioValueKind.Null => null,
        ScenarioValueKind.Dot => Async.GetWaitCtx(Async.GetCurrentJob()),
        _ => _contexts.TryGetValue(value.Text, out AsyncWaitCtx? ctx)
            ? ctx
            : throw new UndefinedBehaviorException(UbRules.CtxUseAfterFree, $"context {value.Text} is not live"),
    };

    /// <summary>
    /// A context argument of a function that dereferences it: NULL (only possible through <c>.</c> in a job started
    /// with <c>-</c>) is undefined, under UB-CTX-USE-AFTER-FREE (semantics JOB-10).
    /// </summary>
    private AsyncWaitCtx RequireContext(ScenarioValue value, string function) =>
        Context(value) ?? throw new UndefinedBehaviorException(
            UbRules.CtxUseAfterFree, $"{function} on a NULL wait context ('.' in a job started without one)");

    /// <summary>The name the context was created under, whatever its variable holds now.</summary>
    private string ContextName(AsyncWaitCtx ctx) => _contextNames[ctx];

    private JobVariable JobVar(string name)
    {
        if (!_jobVariables.TryGetValue(name, out JobVariable? variable))
        {
            variable = new JobVariable();
            _jobVariables.Add(name, variable);
        }

        return variable;
    }

    private static NamedPointer? Pointer(Dictionary<string, NamedPointer> space, ScenarioValue value)
    {
        if (value.Kind == ScenarioValueKind.Null)
        {
            return null;
        }

        if (!space.TryGetValue(value.Text, out NamedPointer? pointer))
        {
            pointer = new NamedPointer(value.Text);
            space.Add(value.Text, pointer);
        }

        return pointer;
    }

    private AsyncWaitCallback? Callback(ScenarioValue value)
    {
        if (value.Kind == ScenarioValueKind.Null)
        {
            return null;
        }

        if (!_callbacks.TryGetValue(value.Text, out AsyncWaitCallback? callback))
        {
            // One distinct delegate per name, so get_callback can name it back.
            string name = value.Text;
            callback = arg =>
            {
                Event($"callback {name} {PointerName(arg)}");
                return 1;
            };
            _callbacks.Add(name, callback);
            _callbackNames.Add(callback, name);
        }

        return callback;
    }

    private string CallbackName(AsyncWaitCallback? callback) =>
        callback is null ? "-" : _callbackNames.GetValueOrDefault(callback, "?");

    private static string PointerName(object? pointer) => pointer switch
    {
        null => "-",
        NamedPointer named => named.Name,
        _ => "?",
    };

    /// <summary>The <c>#N</c> of a job object: numbered in order of first appearance in the log.</summary>
    private int Number(AsyncJob job)
    {
        Seen(job);
        if (!_jobNumbers.TryGetValue(job.ObjectId, out int number))
        {
            number = _nextJobNumber++;
            _jobNumbers.Add(job.ObjectId, number);
        }

        return number;
    }

    private void Seen(AsyncJob job)
    {
        if (job.IsNull)
        {
            return;
        }

        if (!_jobsSeen.ContainsKey(job.ObjectId))
        {
            _jobOrder.Add(job.ObjectId);
        }

        _jobsSeen[job.ObjectId] = job;
    }

    private static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string ThreadName => LogicalThread.Current?.Name ?? "?";

    private void Emit(ScenarioStatement s, string result) =>
        Write(string.Create(CultureInfo.InvariantCulture, $"{s.Line} {ThreadName} {s.OpName} => {result}"));

    private void Event(string text) =>
        Write(string.Create(CultureInfo.InvariantCulture, $"{_eventLine} {ThreadName} ! {text}"));

    /// <summary>Prints the UB line of <paramref name="s"/> and returns the exception that unwinds the whole run.</summary>
    private StopRun Ub(ScenarioStatement s, UndefinedBehaviorException e)
    {
        _ubIndex = _lines.Count;
        Emit(s, $"UB {e.RuleId} {e.Explanation}");
        return new StopRun();
    }

    private void Write(string line)
    {
        _logBytes += ScenarioText.Utf8.GetByteCount(line) + 1;
        if (_logBytes > _scenario.Limits.MaxLogBytes)
        {
            // Every log line starts with the number of the scenario line that printed it.
            long limit = _scenario.Limits.MaxLogBytes;
            _logLimitError ??= new ScenarioParseException(_scenario.FileName, int.Parse(line.AsSpan(0, line.IndexOf(' ')), CultureInfo.InvariantCulture), string.Create(
                CultureInfo.InvariantCulture, $"the log is larger than {limit} bytes (the limit, set by {ScenarioLimits.MaxLogBytesVariable})"));
            throw new StopRun();
        }

        _lines.Add(line);
        _onLine?.Invoke(line);
        if (_explained is not null)
        {
            string[] state = DescribeState();
            if (_advisory is { } advisory)
            {
                state = [advisory, .. state];
                _advisory = null;
            }

            _explained.Add(new ExplainedLine(line, state));
        }
    }

    /// <summary>A job-handle variable: <c>ASYNC_JOB *J</c> and the <c>int ret</c> passed with it.</summary>
    private sealed class JobVariable
    {
        public AsyncJob Handle;
        public int Ret;
    }

    /// <summary>A distinct pointer value standing for a key, data or callback-arg name.</summary>
    private sealed class NamedPointer(string name)
    {
        public string Name { get; } = name;

        public override string ToString() => Name;
    }

    /// <summary>Unwinds the run (through job functions and the runtime) after a UB line; never caught by scenario code.</summary>
    private sealed class StopRun : Exception
    {
        public StopRun()
            : base("the scenario stopped at undefined behaviour")
        {
        }
    }
}
