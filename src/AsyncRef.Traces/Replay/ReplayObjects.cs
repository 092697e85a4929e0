namespace AsyncRef.Traces.Replay;

/// <summary>
/// The program's pointers and the reference's objects they stand for. A wait-ctx address gets a fresh identity at
/// each <c>ASYNC_WAIT_CTX_new</c> (the allocator reuses addresses); a freed ctx keeps its address until then, so
/// later uses are seen as uses after free. Fd keys are compared by address, as OpenSSL compares them, so each key
/// address is one token object. Job addresses map to the reference's latest handle for them.
/// </summary>
internal sealed class ReplayObjects
{
    private readonly Dictionary<ulong, CtxInfo> _contexts = [];
    private readonly Dictionary<AsyncWaitCtx, CtxInfo> _contextsByObject = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<ulong, AsyncJob> _jobs = [];
    private readonly Dictionary<long, ulong> _jobAddresses = [];
    private readonly Dictionary<ulong, Pointer> _keys = [];
    private readonly Dictionary<ulong, AsyncWaitCallback> _callbacks = [];
    private readonly Dictionary<AsyncWaitCallback, ulong> _callbackAddresses = new(ReferenceEqualityComparer.Instance);
    private int _ctxNames;

    /// <summary>A wait ctx the program created.</summary>
    internal sealed class CtxInfo(AsyncWaitCtx ctx, ulong pointer, string name, long created, uint thread, ulong site)
    {
        internal AsyncWaitCtx Ctx { get; } = ctx;

        internal ulong Pointer { get; } = pointer;

        internal string Name { get; } = name;

        internal long Created { get; } = created;

        internal uint Thread { get; } = thread;

        internal ulong Site { get; } = site;
    }

    /// <summary>A program pointer passed through the reference as an opaque object (keys, data, callback args).</summary>
    internal sealed class Pointer(ulong value)
    {
        internal ulong Value { get; } = value;
    }

    internal void BindNewCtx(ulong pointer, AsyncWaitCtx ctx, long record, uint thread, ulong site)
    {
        var info = new CtxInfo(ctx, pointer, $"W{++_ctxNames}", record, thread, site);
        if (_contexts.Remove(pointer, out CtxInfo? old))
        {
            _contextsByObject.Remove(old.Ctx);
        }

        _contexts[pointer] = info;
        _contextsByObject[ctx] = info;
    }

    /// <summary>The ctx for a program pointer: null for NULL, a freed stand-in for an address no ctx_new returned.</summary>
    internal AsyncWaitCtx? Ctx(ulong pointer)
    {
        if (pointer == 0)
        {
            return null;
        }

        if (_contexts.TryGetValue(pointer, out CtxInfo? info))
        {
            return info.Ctx;
        }

        // Never created (or created before tracing began): any use is a use of a ctx that is not live.
        AsyncWaitCtx stray = AsyncWaitCtx.New();
        AsyncWaitCtx.Free(stray);
        return stray;
    }

    internal CtxInfo? Info(AsyncWaitCtx? ctx) => ctx is not null && _contextsByObject.TryGetValue(ctx, out CtxInfo? info) ? info : null;

    internal CtxInfo? Info(ulong pointer) => _contexts.GetValueOrDefault(pointer);

    internal ulong Address(AsyncWaitCtx? ctx) => Info(ctx)?.Pointer ?? 0;

    /// <summary>When the program freed a ctx successfully, the reference's object keeps the address until reused.</summary>
    internal IEnumerable<CtxInfo> LiveContexts() => _contexts.Values.Where(c => !c.Ctx.Describe().Freed);

    internal object? Key(ulong pointer)
    {
        if (pointer == 0)
        {
            return null;
        }

        if (!_keys.TryGetValue(pointer, out Pointer? key))
        {
            _keys[pointer] = key = new Pointer(pointer);
        }

        return key;
    }

    internal static object? Data(ulong pointer) => pointer == 0 ? null : new Pointer(pointer);

    internal static ulong Address(object? opaque) => opaque is Pointer p ? p.Value : 0;

    internal AsyncWaitCallback? Callback(ulong pointer)
    {
        if (pointer == 0)
        {
            return null;
        }

        if (!_callbacks.TryGetValue(pointer, out AsyncWaitCallback? callback))
        {
            // A distinct delegate per C function, so that get_callback can be mapped back to the address.
            callback = _ => (int)(pointer & 1);
            _callbacks[pointer] = callback;
            _callbackAddresses[callback] = pointer;
        }

        return callback;
    }

    internal ulong Address(AsyncWaitCallback? callback) => callback is not null && _callbackAddresses.TryGetValue(callback, out ulong a) ? a : 0;

    /// <summary>The reference's handle for a job address, or false when no start or current_job ever returned it.</summary>
    internal bool TryJob(ulong pointer, out AsyncJob job) => _jobs.TryGetValue(pointer, out job);

    /// <summary>
    /// Binds a job address to the reference's handle. The same reference job object must always come back at the
    /// same address (both recycle their pool LIFO); an address may move to another object once C freed its old one.
    /// </summary>
    /// <returns>The address the object had before, when it differs (a divergence); otherwise 0.</returns>
    internal ulong BindJob(ulong pointer, AsyncJob job)
    {
        if (_jobAddresses.TryGetValue(job.ObjectId, out ulong before) && before != pointer)
        {
            return before;
        }

        if (_jobs.TryGetValue(pointer, out AsyncJob old) && old.ObjectId != job.ObjectId)
        {
            _jobAddresses.Remove(old.ObjectId);
        }

        _jobs[pointer] = job;
        _jobAddresses[job.ObjectId] = pointer;
        return 0;
    }

    internal ulong JobAddress(AsyncJob job) => _jobAddresses.GetValueOrDefault(job.ObjectId);

    /// <summary>After <c>ASYNC_cleanup_thread</c> the freed job objects' addresses may be reused for new objects.</summary>
    internal void ForgetFreedJobs()
    {
        foreach (KeyValuePair<ulong, AsyncJob> entry in _jobs.Where(e => e.Value.ObjectState == AsyncJobState.Freed).ToList())
        {
            _jobs.Remove(entry.Key);
            _jobAddresses.Remove(entry.Value.ObjectId);
        }
    }

    internal IEnumerable<KeyValuePair<ulong, AsyncJob>> Jobs => _jobs;
}
