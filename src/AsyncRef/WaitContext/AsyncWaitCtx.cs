using System.Runtime.CompilerServices;
using AsyncRef.Model;

namespace AsyncRef;

/// <summary>The cleanup a producer registers with an fd: <c>void (*cleanup)(ASYNC_WAIT_CTX *, const void *, OSSL_ASYNC_FD, void *)</c>.</summary>
/// <param name="ctx">The context being freed.</param>
/// <param name="key">The entry's key.</param>
/// <param name="fd">The entry's fd.</param>
/// <param name="customData">The entry's custom data.</param>
public delegate void AsyncWaitFdCleanup(AsyncWaitCtx ctx, object? key, int fd, object? customData);

/// <summary>A completion callback (<c>ASYNC_callback_fn</c>): <c>int (*)(void *arg)</c>.</summary>
/// <param name="arg">The argument stored with it.</param>
/// <returns>The callback's result.</returns>
public delegate int AsyncWaitCallback(object? arg);

/// <summary>
/// <c>ASYNC_WAIT_CTX</c>: the fds a job waits on, with the "added/deleted since the last restart" bookkeeping, and
/// (profile 3.0) a callback/status mailbox. Like the C object it is not synchronised: one owner at a time.
/// Fd listings take a <see cref="Span{T}"/>; an empty span stands for C's NULL array (count only).
/// </summary>
public sealed class AsyncWaitCtx
{
    /// <summary>
    /// The fd entries, oldest first, in <c>[_start, _start + _count)</c> (C keeps them newest first; every listing walks
    /// from the end). Entries usually leave oldest first (a reset drops the ones cleared before it), so the live range
    /// slides up instead of moving its entries down: a move copies three references through the GC's write barrier.
    /// </summary>
    private Entry[] _entries = new Entry[4];

    /// <summary>The index of the oldest entry in <see cref="_entries"/>.</summary>
    private int _start;

    /// <summary>Entries in use.</summary>
    private int _count;

    /// <summary><c>numadd</c>: entries added since the last reset.</summary>
    private int _numAdd;

    /// <summary><c>numdel</c>: entries marked deleted since the last reset.</summary>
    private int _numDel;

    /// <summary>The stored callback, or null.</summary>
    private AsyncWaitCallback? _callback;

    /// <summary>The stored callback argument (unobservable while <see cref="_callback"/> is null).</summary>
    private object? _callbackArg;

    /// <summary>The status mailbox; any int.</summary>
    private int _status;

    /// <summary>The wait-context machine's state (freed, or live with or without a callback); written only by <see cref="Transition"/>.</summary>
    private WaitCtxState _state = WaitCtxState.NoCallback;

    /// <summary>Unfinished (running or paused) jobs started with this context.</summary>
    private int _activeJobs;

    /// <summary>Entry changes since the last full invariant check (checked mode).</summary>
    private int _changesSinceSweep;

    /// <summary>Changes between two full invariant checks: the entry count at the last one.</summary>
    private int _sweepInterval;

    /// <summary>Contexts of at most this many entries are checked in full after every change.</summary>
    private const int FullCheckLimit = 8;

    private AsyncWaitCtx(AsyncProfile profile) => Profile = profile;

    /// <summary>The behaviour of the thread that created the context.</summary>
    public AsyncProfile Profile { get; }

    /// <summary>The wait-context machine's state.</summary>
    internal WaitCtxState State => _state;

    /// <summary>Unfinished jobs started with this context (a guard of the machine).</summary>
    internal int ActiveJobs => _activeJobs;

    /// <summary>The status mailbox (the status machine's state is derived from it).</summary>
    internal int Status => _status;

    /// <summary><c>ASYNC_WAIT_CTX_new()</c>: no fds, counts 0/0, no callback, status <see cref="AsyncWaitStatus.Unsupported"/>.</summary>
    /// <returns>The new context.</returns>
    public static AsyncWaitCtx New() => new(AsyncThreadState.Current.Profile);

    /// <summary>
    /// <c>ASYNC_WAIT_CTX_free(ctx)</c>: calls the cleanup of every entry not marked deleted, newest first, then
    /// discards the context. Null is a no-op. Cleanups of cleared fds are never called.
    /// </summary>
    /// <param name="ctx">The context, or null.</param>
    /// <remarks>An unfinished job started with the context keeps it, freed, as C keeps a dangling pointer: restarting
    /// that job is <see cref="UbRules.CtxFreedInUse"/>, and any use of the context <see cref="UbRules.CtxUseAfterFree"/>.</remarks>
    /// <exception cref="UndefinedBehaviorException"><see cref="UbRules.CtxUseAfterFree"/> if already freed.</exception>
    public static void Free(AsyncWaitCtx? ctx)
    {
        if (ctx is null)
        {
            return;
        }

        ctx.CheckLive("ASYNC_WAIT_CTX_free");

        Span<Entry> entries = ctx.Live;
        // Freed before calling user code, so a cleanup that touches the context is caught.
        ctx.Transition(WaitCtxTrigger.Free);
        ctx._entries = [];
        ctx._start = ctx._count = ctx._numAdd = ctx._numDel = 0;
        ctx.AssertInvariants();
        for (int i = entries.Length - 1; i >= 0; i--)
        {
            ref Entry e = ref entries[i];
            bool deleted = e.Del;
            TransitionEntry(ref e, FdEntryTrigger.Free);
            if (!deleted && e.Cleanup is { } cleanup)
            {
                cleanup(ctx, e.Key, e.Fd, e.CustomData);
            }
        }
    }

    /// <summary><c>ASYNC_WAIT_CTX_set_wait_fd</c>: adds an entry as the newest; keys are not de-duplicated.</summary>
    /// <param name="key">The key, compared by reference.</param>
    /// <param name="fd">The fd.</param>
    /// <param name="customData">Data returned by <see cref="GetFd"/> and passed to the cleanup.</param>
    /// <param name="cleanup">Called at <see cref="Free"/> unless the entry was cleared; may be null.</param>
    /// <returns>1.</returns>
    public int SetWaitFd(object? key, int fd, object? customData, AsyncWaitFdCleanup? cleanup)
    {
        CheckLive("ASYNC_WAIT_CTX_set_wait_fd");
        Transition(WaitCtxTrigger.SetWaitFd);
        if (_start + _count == _entries.Length)
        {
            MakeRoom();
        }

        _entries[_start + _count++] = new Entry(key, fd, customData, cleanup) { Add = true };
        _numAdd++;
        AssertInvariantsAfterChange();
        return 1;
    }

    /// <summary><c>ASYNC_WAIT_CTX_get_fd</c>: the newest entry for <paramref name="key"/> that is not marked deleted.</summary>
    /// <param name="key">The key.</param>
    /// <param name="fd">Written with the fd when found; untouched otherwise.</param>
    /// <param name="customData">Written with the custom data when found; untouched otherwise.</param>
    /// <returns>1 when found, 0 otherwise.</returns>
    public int GetFd(object? key, ref int fd, ref object? customData)
    {
        CheckLive("ASYNC_WAIT_CTX_get_fd");
        Span<Entry> entries = Live;
        for (int i = entries.Length - 1; i >= 0; i--)
        {
            ref Entry e = ref entries[i];
            if (!e.Del && ReferenceEquals(e.Key, key))
            {
                fd = e.Fd;
                customData = e.CustomData;
                return 1;
            }
        }

        return 0;
    }

    /// <summary><c>ASYNC_WAIT_CTX_get_all_fds</c>: every entry not marked deleted, newest first.</summary>
    /// <param name="fds">Filled when not empty; empty means C's NULL (count only).</param>
    /// <param name="numFds">The count.</param>
    /// <returns>1.</returns>
    /// <exception cref="UndefinedBehaviorException"><see cref="UbRules.FdArrayTooSmall"/> when <paramref name="fds"/> is non-empty but shorter than the count.</exception>
    public int GetAllFds(Span<int> fds, out int numFds)
    {
        CheckLive("ASYNC_WAIT_CTX_get_all_fds");
        numFds = _count - _numDel;
        if (fds.IsEmpty)
        {
            return 1;
        }

        CheckRoom(fds, numFds);
        int n = 0;
        Span<Entry> entries = Live;
        for (int i = entries.Length - 1; i >= 0; i--)
        {
            if (!entries[i].Del)
            {
                fds[n++] = entries[i].Fd;
            }
        }

        return 1;
    }

    /// <summary>
    /// <c>ASYNC_WAIT_CTX_get_changed_fds</c>: entries added and entries marked deleted since the last reset (the
    /// last restart of a job started with this context), newest first. Reading does not consume anything.
    /// </summary>
    /// <param name="addFds">Filled with the added fds when not empty; empty means NULL.</param>
    /// <param name="numAddFds">The number of added fds.</param>
    /// <param name="delFds">Filled with the deleted fds when not empty; empty means NULL.</param>
    /// <param name="numDelFds">The number of deleted fds.</param>
    /// <returns>1.</returns>
    /// <exception cref="UndefinedBehaviorException"><see cref="UbRules.FdArrayTooSmall"/> when a non-empty array is shorter than its count.</exception>
    public int GetChangedFds(Span<int> addFds, out int numAddFds, Span<int> delFds, out int numDelFds)
    {
        CheckLive("ASYNC_WAIT_CTX_get_changed_fds");
        numAddFds = _numAdd;
        numDelFds = _numDel;
        if (addFds.IsEmpty && delFds.IsEmpty)
        {
            return 1;
        }

        if (!addFds.IsEmpty)
        {
            CheckRoom(addFds, _numAdd);
        }

        if (!delFds.IsEmpty)
        {
            CheckRoom(delFds, _numDel);
        }

        int added = 0, deleted = 0;
        Span<Entry> entries = Live;
        for (int i = entries.Length - 1; i >= 0; i--)
        {
            ref Entry e = ref entries[i];
            if (e.Del && !delFds.IsEmpty)
            {
                delFds[deleted++] = e.Fd;
            }
            else if (e.Add && !addFds.IsEmpty)
            {
                addFds[added++] = e.Fd;
            }
        }

        return 1;
    }

    /// <summary>
    /// <c>ASYNC_WAIT_CTX_clear_fd</c>: the newest live entry for <paramref name="key"/> vanishes if it was added since
    /// the last reset, and is otherwise marked deleted (reported by <see cref="GetChangedFds"/> until the next reset).
    /// No cleanup is ever called for it.
    /// </summary>
    /// <param name="key">The key.</param>
    /// <returns>1 when an entry was found, 0 otherwise.</returns>
    public int ClearFd(object? key)
    {
        CheckLive("ASYNC_WAIT_CTX_clear_fd");
        Transition(WaitCtxTrigger.ClearFd);
        Span<Entry> entries = Live;
        for (int i = entries.Length - 1; i >= 0; i--)
        {
            ref Entry e = ref entries[i];
            if (e.Del || !ReferenceEquals(e.Key, key))
            {
                continue;
            }

            if (TransitionEntry(ref e, FdEntryTrigger.Clear) == FdEntryState.Gone)
            {
                // It was added since the last reset: it vanishes unreported.
                RemoveAt(i);
                _numAdd--;
            }
            else
            {
                _numDel++;
            }

            AssertInvariantsAfterChange();
            return 1;
        }

        return 0;
    }

    /// <summary><c>ASYNC_WAIT_CTX_set_callback</c> (profile 3.0): stores the callback (may be null) and its argument.</summary>
    /// <param name="ctx">The context; null is tolerated.</param>
    /// <param name="callback">The callback.</param>
    /// <param name="callbackArg">Its argument.</param>
    /// <returns>1, or 0 when <paramref name="ctx"/> is null.</returns>
    public static int SetCallback(AsyncWaitCtx? ctx, AsyncWaitCallback? callback, object? callbackArg)
    {
        if (ctx is null)
        {
            return 0;
        }

        ctx.CheckCallbackApi("ASYNC_WAIT_CTX_set_callback");
        ctx.Transition(callback is null ? WaitCtxTrigger.ClearCallback : WaitCtxTrigger.SetCallback);
        ctx._callback = callback;
        ctx._callbackArg = callbackArg;
        return 1;
    }

    /// <summary><c>ASYNC_WAIT_CTX_get_callback</c> (profile 3.0).</summary>
    /// <param name="callback">Written when a callback is stored; untouched otherwise.</param>
    /// <param name="callbackArg">Written when a callback is stored; untouched otherwise.</param>
    /// <returns>1 when a callback is stored, 0 otherwise (even if an argument was stored).</returns>
    public int GetCallback(ref AsyncWaitCallback? callback, ref object? callbackArg)
    {
        CheckCallbackApi("ASYNC_WAIT_CTX_get_callback");
        if (_callback is null)
        {
            return 0;
        }

        callback = _callback;
        callbackArg = _callbackArg;
        return 1;
    }

    /// <summary><c>ASYNC_WAIT_CTX_set_status</c> (profile 3.0): stores any int; nothing in ASYNC ever resets it.</summary>
    /// <param name="status">The status, conventionally an <see cref="AsyncWaitStatus"/> value.</param>
    /// <returns>1.</returns>
    public int SetStatus(int status)
    {
        CheckCallbackApi("ASYNC_WAIT_CTX_set_status");
        // The status machine's only writer: its state is a function of the stored int.
        if (Async.Modelling)
        {
            AsyncThreadState.CheckedModels.Status(this, status);
        }

        _status = status;
        return 1;
    }

    /// <summary><c>ASYNC_WAIT_CTX_get_status</c> (profile 3.0).</summary>
    /// <returns>The stored status (default <see cref="AsyncWaitStatus.Unsupported"/>).</returns>
    public int GetStatus()
    {
        CheckCallbackApi("ASYNC_WAIT_CTX_get_status");
        return _status;
    }

    /// <summary>A snapshot of the entries (newest first), counts, callback and status, for explanations and tests.</summary>
    /// <returns>The snapshot.</returns>
    public AsyncWaitCtxSnapshot Describe()
    {
        var entries = new AsyncWaitFdEntry[_count];
        Span<Entry> live = Live;
        for (int i = 0; i < _count; i++)
        {
            Entry e = live[_count - 1 - i];
            entries[i] = new AsyncWaitFdEntry(e.Key, e.Fd, e.CustomData, e.Cleanup is not null, e.Add, e.Del);
        }

        return new AsyncWaitCtxSnapshot(entries, _numAdd, _numDel, _callback is not null, _status, _state == WaitCtxState.Freed, _activeJobs);
    }

    /// <summary>The reset done when a job started with this context is restarted: marked entries go, add flags clear.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void ResetCounts()
    {
        // Without entries (hence counts 0/0) and without the models, the reset changes nothing: the machine's target
        // for it is the current state. Tested here, inlined into the resume, so the common restart makes no call.
        if (_count == 0 && !Async.Modelling)
        {
            return;
        }

        ResetEntries();
    }

    private void ResetEntries()
    {
        Transition(WaitCtxTrigger.ResetCounts);
        // Kept entries are packed toward the newest end, so entries that go from the oldest end cost no move.
        Span<Entry> entries = Live;
        int next = entries.Length;
        for (int i = entries.Length - 1; i >= 0; i--)
        {
            ref Entry e = ref entries[i];
            if (TransitionEntry(ref e, FdEntryTrigger.Reset) != FdEntryState.Gone)
            {
                if (--next != i)
                {
                    entries[next] = e;
                }
            }
        }

        if (next != 0)
        {
            // Usually one entry goes (the one cleared before the restart): a plain store, not a call to the span
            // clearing helper.
            if (next == 1)
            {
                entries[0] = default;
            }
            else
            {
                entries[..next].Clear();
            }

            _start = _count == next ? 0 : _start + next;
            _count -= next;
        }

        _numAdd = _numDel = 0;
        AssertInvariants();
    }

    /// <summary>Counts a new job started with this context (checked live by <see cref="EnsureLive"/> first).</summary>
    internal void AttachJob() => _activeJobs++;

    internal void EnsureLive(string function) => CheckLive(function);

    /// <summary>Whether <see cref="Free"/> has run (a job started with the context may still hold it).</summary>
    internal bool IsFreed => _state == WaitCtxState.Freed;

    internal void DetachJob() => _activeJobs--;

    /// <summary>The live entries, oldest first.</summary>
    private Span<Entry> Live => _entries.AsSpan(_start, _count);

    /// <summary>Called when the newest entry sits in the array's last slot: slides the entries down, or grows the array.</summary>
    private void MakeRoom()
    {
        if (_start > 0)
        {
            Span<Entry> live = Live;
            live.CopyTo(_entries);
            _entries.AsSpan(_count, _start).Clear();
            _start = 0;
        }
        else
        {
            Array.Resize(ref _entries, _entries.Length * 2);
        }
    }

    /// <summary>Removes the entry at <paramref name="index"/> (counted from the oldest), keeping the order of the others.</summary>
    private void RemoveAt(int index)
    {
        Span<Entry> live = Live;
        if (index == 0)
        {
            live[0] = default;
            _start = _count == 1 ? 0 : _start + 1;
        }
        else
        {
            live[(index + 1)..].CopyTo(live[index..]);
            live[^1] = default;
        }

        _count--;
    }

    private void CheckLive(string function)
    {
        if (_state == WaitCtxState.Freed)
        {
            throw new UndefinedBehaviorException(UbRules.CtxUseAfterFree, $"{function} on a wait context that was freed");
        }
    }

    private void CheckCallbackApi(string function)
    {
        CheckLive(function);
        if (Profile == AsyncProfile.OpenSsl111)
        {
            throw new NotSupportedException($"{function} does not exist in OpenSSL 1.1.1 (profile {Profile})");
        }
    }

    private static void CheckRoom(Span<int> fds, int needed)
    {
        if (fds.Length < needed)
        {
            throw new UndefinedBehaviorException(
                UbRules.FdArrayTooSmall, $"an fd array of {fds.Length} entries was passed where {needed} are written");
        }
    }

    /// <summary>
    /// The only writer of <see cref="_state"/>. In checked mode (and while coverage records) the wait-context
    /// machine is fired first on the real state and the real active-job count and must reach the same target.
    /// </summary>
    private void Transition(WaitCtxTrigger trigger)
    {
        WaitCtxState target = Machines.WaitCtxTarget(_state, trigger);
        if (Async.Modelling)
        {
            AsyncThreadState.CheckedModels.WaitCtx(this, trigger, target);
        }

        _state = target;
    }

    /// <summary>
    /// The only writer of an entry's flags: moves it to the fd-entry machine's target, which it returns (the caller
    /// unlinks a <see cref="FdEntryState.Gone"/> entry and keeps the counts).
    /// </summary>
    private static FdEntryState TransitionEntry(ref Entry e, FdEntryTrigger trigger)
    {
        FdEntryState from = Machines.FdEntryOf(e.Add, e.Del);
        FdEntryState target = Machines.FdEntryTarget(from, trigger);
        if (Async.Modelling)
        {
            AsyncThreadState.CheckedModels.FdEntry(from, trigger, target);
        }

        if (target == FdEntryState.Old)
        {
            e.Add = false;
        }
        else if (target == FdEntryState.Deleted)
        {
            e.Del = true;
        }

        return target;
    }

    /// <summary>Checks all the bookkeeping invariants in checked mode (spec WCTX-06, S1), after an operation that touched every entry.</summary>
    internal void AssertInvariants()
    {
        // Kept this small so the JIT inlines the mode test into the callers.
        if (Async.CheckedMode)
        {
            CheckInvariants();
        }
    }

    /// <summary>
    /// After adding or clearing one entry: every entry while there are few, else the counts' bounds plus a full sweep
    /// after as many changes as there were entries at the previous one, so checking costs O(1) amortised however many fds the context holds.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void AssertInvariantsAfterChange()
    {
        // The mode test inlined into set_wait_fd and clear_fd: unchecked, they make no call for it.
        if (Async.CheckedMode)
        {
            CheckAfterChange();
        }
    }

    private void CheckAfterChange()
    {
        if (_count <= FullCheckLimit || ++_changesSinceSweep >= _sweepInterval)
        {
            // The next sweep comes after as many changes as there are entries now: O(1) amortised, growing or not.
            _changesSinceSweep = 0;
            _sweepInterval = _count;
            CheckInvariants();
            return;
        }

        Invariant.Check(_numAdd >= 0 && _numDel >= 0 && _numAdd + _numDel <= _count, "numadd and numdel count distinct entries");
        Invariant.Check(!(Live[^1].Add && Live[^1].Del), "no entry is both added and deleted");
    }

    private void CheckInvariants()
    {
        Invariant.Check(_start >= 0 && _count >= 0 && _start + _count <= _entries.Length, "the live entries lie inside the entry array");
        Invariant.Check(_count > 0 || _start == 0, "an empty context keeps its entries from the array's first slot");
        int added = 0, deleted = 0;
        foreach (ref readonly Entry e in Live)
        {
            Invariant.Check(!(e.Add && e.Del), "no entry is both added and deleted");
            added += e.Add ? 1 : 0;
            deleted += e.Del ? 1 : 0;
        }

        Invariant.Check(added == _numAdd, "numadd equals the number of entries flagged added");
        Invariant.Check(deleted == _numDel, "numdel equals the number of entries flagged deleted");
        Invariant.Check(_state != WaitCtxState.Freed || _count == 0, "a freed context holds no entries");
        Invariant.Check(_state == WaitCtxState.Freed || (_state == WaitCtxState.CallbackSet) == (_callback is not null), "a live context is in CallbackSet exactly when a callback is stored");
        Invariant.Check(_activeJobs >= 0, "the count of jobs using the context is not negative");
    }

    /// <summary>One fd entry (<c>struct fd_lookup_st</c>).</summary>
    private struct Entry(object? key, int fd, object? customData, AsyncWaitFdCleanup? cleanup)
    {
        public readonly object? Key = key;
        public readonly int Fd = fd;
        public readonly object? CustomData = customData;
        public readonly AsyncWaitFdCleanup? Cleanup = cleanup;

        /// <summary>Added since the last reset.</summary>
        public bool Add;

        /// <summary>Marked deleted since the last reset.</summary>
        public bool Del;
    }
}

/// <summary>One fd entry of a wait context, as <see cref="AsyncWaitCtx.Describe"/> reports it.</summary>
/// <param name="Key">The key.</param>
/// <param name="Fd">The fd.</param>
/// <param name="CustomData">The custom data.</param>
/// <param name="HasCleanup">Whether a cleanup is registered.</param>
/// <param name="Added">Added since the last reset.</param>
/// <param name="Deleted">Marked deleted since the last reset (invisible to get_fd/get_all_fds).</param>
public sealed record AsyncWaitFdEntry(object? Key, int Fd, object? CustomData, bool HasCleanup, bool Added, bool Deleted);

/// <summary>A wait context at one moment.</summary>
/// <param name="EntriesNewestFirst">The entries, newest first, including those marked deleted.</param>
/// <param name="NumAdd">numadd.</param>
/// <param name="NumDel">numdel.</param>
/// <param name="HasCallback">Whether a callback is stored.</param>
/// <param name="Status">The status mailbox.</param>
/// <param name="Freed">Whether the context was freed.</param>
/// <param name="ActiveJobs">Unfinished jobs started with it.</param>
public sealed record AsyncWaitCtxSnapshot(
    IReadOnlyList<AsyncWaitFdEntry> EntriesNewestFirst, int NumAdd, int NumDel, bool HasCallback, int Status, bool Freed, int ActiveJobs);
