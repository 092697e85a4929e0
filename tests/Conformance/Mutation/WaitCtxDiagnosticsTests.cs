using System.Reflection;
using System.Runtime.CompilerServices;
using AsyncRef.Model;

namespace AsyncRef.Conformance.Mutation;

/// <summary>
/// What the wait context tells its user and its checker, written to kill the mutants the WaitContext run of
/// `make mutation` left alive: errors name the C function called and the sizes involved, the snapshot reports
/// cleanups and callbacks, a reset releases what it unlinks, and checked mode finds each planted inconsistency
/// after every kind of operation (small and large contexts, free and reset included).
/// </summary>
public sealed class WaitCtxDiagnosticsTests
{
    /// <summary>Every wait-ctx function used on a freed context, with the C name its error must give.</summary>
    public static TheoryData<string> Functions =>
    [
        "ASYNC_WAIT_CTX_free", "ASYNC_WAIT_CTX_set_wait_fd", "ASYNC_WAIT_CTX_get_fd", "ASYNC_WAIT_CTX_get_all_fds",
        "ASYNC_WAIT_CTX_get_changed_fds", "ASYNC_WAIT_CTX_clear_fd", "ASYNC_WAIT_CTX_set_callback",
        "ASYNC_WAIT_CTX_get_callback", "ASYNC_WAIT_CTX_set_status", "ASYNC_WAIT_CTX_get_status",
    ];

    [Theory]
    [MemberData(nameof(Functions))]
    public void UseAfterFree_NamesTheFunctionCalled(string function) => TestThreads.Run(() =>
    {
        AsyncWaitCtx ctx = AsyncWaitCtx.New();
        AsyncWaitCtx.Free(ctx);
        UndefinedBehaviorException e = TestThreads.AssertUb(UbRules.CtxUseAfterFree, () => Call(ctx, function));
        Assert.Equal($"{function} on a wait context that was freed", e.Explanation);
    });

    [Fact]
    public void CallbackApi_OnProfile111_IsRefusedNamingTheFunctionAndProfile() => TestThreads.Run(() =>
    {
        // The callback and status functions came with OpenSSL 3.0 (spec/evidence.md §2.4, PR #7573).
        Async.ThreadProfile = AsyncProfile.OpenSsl111;
        AsyncWaitCtx ctx = AsyncWaitCtx.New();
        foreach (string function in new[] { "ASYNC_WAIT_CTX_set_callback", "ASYNC_WAIT_CTX_get_callback", "ASYNC_WAIT_CTX_set_status", "ASYNC_WAIT_CTX_get_status" })
        {
            var e = Assert.Throws<NotSupportedException>(() => Call(ctx, function));
            Assert.Equal($"{function} does not exist in OpenSSL 1.1.1 (profile OpenSsl111)", e.Message);
        }

        AsyncWaitCtx.Free(ctx);
    });

    [Fact]
    public void ShortFdArrays_AreRefusedWithTheirSizes_TheDeletedArrayToo() => TestThreads.Run(() =>
    {
        AsyncWaitCtx ctx = AsyncWaitCtx.New();
        object k1 = new(), k2 = new();
        ctx.SetWaitFd(k1, 1, null, null);
        ctx.SetWaitFd(k2, 2, null, null);
        UndefinedBehaviorException e = TestThreads.AssertUb(UbRules.FdArrayTooSmall, () => ctx.GetAllFds(new int[1], out _));
        Assert.Equal("an fd array of 1 entries was passed where 2 are written", e.Explanation);

        // Two old entries cleared: two deleted fds (spec/evidence.md §2.4), written into an array of one.
        WaitCtxBookkeepingTests.Reset(ctx);
        ctx.ClearFd(k1);
        ctx.ClearFd(k2);
        e = TestThreads.AssertUb(UbRules.FdArrayTooSmall, () => ctx.GetChangedFds([], out _, new int[1], out _));
        Assert.Equal("an fd array of 1 entries was passed where 2 are written", e.Explanation);
        int[] deleted = new int[2];
        Assert.Equal(1, ctx.GetChangedFds([], out _, deleted, out int numDel));
        Assert.Equal(2, numDel);
        Assert.Equal(new[] { 2, 1 }, deleted);
        AsyncWaitCtx.Free(ctx);
    });

    [Fact]
    public void Snapshot_ReportsWhichEntriesHaveACleanup_AndWhetherACallbackIsStored() => TestThreads.Run(() =>
    {
        AsyncWaitCtx ctx = AsyncWaitCtx.New();
        ctx.SetWaitFd(new object(), 1, null, (_, _, _, _) => { });
        ctx.SetWaitFd(new object(), 2, null, null);
        AsyncWaitCtxSnapshot snapshot = ctx.Describe();
        Assert.Equal(new[] { (2, false), (1, true) }, snapshot.EntriesNewestFirst.Select(e => (e.Fd, e.HasCleanup)));
        Assert.False(snapshot.HasCallback);

        AsyncWaitCtx.SetCallback(ctx, _ => 1, null);
        Assert.True(ctx.Describe().HasCallback);
        AsyncWaitCtx.SetCallback(ctx, null, "arg");
        Assert.False(ctx.Describe().HasCallback);
        AsyncWaitCtx.Free(ctx);
    });

    [Fact]
    public void AResetThatUnlinksAnEntry_ReleasesItsKeyDataAndCleanup() => TestThreads.Run(() =>
    {
        // C frees an entry marked deleted at the next reset (spec/evidence.md §2.4): nothing may keep what it held alive.
        AsyncWaitCtx ctx = AsyncWaitCtx.New();
        ctx.SetWaitFd(new object(), 1, null, null);
        WeakReference[] held = SetClearedEntry(ctx);
        WaitCtxBookkeepingTests.Reset(ctx);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        Assert.All(held, h => Assert.False(h.IsAlive));
        Assert.Single(ctx.Describe().EntriesNewestFirst);
        AsyncWaitCtx.Free(ctx);
    });

    [Fact]
    public void Checker_FindsAnEntryBothAddedAndDeleted_InASmallContext() => TestThreads.Run(() =>
    {
        AsyncWaitCtx ctx = AsyncWaitCtx.New();
        ctx.SetWaitFd(new object(), 1, null, null);
        SetFlags(ctx, 0, add: true, del: true);
        var e = Assert.Throws<InvariantViolationException>(() => ctx.SetWaitFd(new object(), 2, null, null));
        Assert.Equal("invariant violated: no entry is both added and deleted", e.Message);
    });

    [Fact]
    public void Checker_OfALargeContext_FindsBadBoundsAndABadNewestEntryAtOnce() => TestThreads.Run(() =>
    {
        // 40 entries grown from empty: the next full sweep is at 64 (see WaitCtxBookkeepingTests), so each change
        // below gets only the bounds check and the newest-entry check.
        AsyncWaitCtx negative = Large(out _);
        WaitCtxBookkeepingTests.Corrupt(negative, "_numDel", -1);
        var e = Assert.Throws<InvariantViolationException>(() => negative.SetWaitFd(new object(), 99, null, null));
        Assert.Equal("invariant violated: numadd and numdel count distinct entries", e.Message);

        // 41 added + 1 deleted among 41 entries: one entry would be counted twice.
        AsyncWaitCtx overlapping = Large(out _);
        WaitCtxBookkeepingTests.Corrupt(overlapping, "_numDel", 1);
        e = Assert.Throws<InvariantViolationException>(() => overlapping.SetWaitFd(new object(), 99, null, null));
        Assert.Equal("invariant violated: numadd and numdel count distinct entries", e.Message);

        // The newest entry made both added and deleted, then an older one cleared.
        AsyncWaitCtx both = Large(out object[] keys);
        SetFlags(both, 39, add: true, del: true);
        e = Assert.Throws<InvariantViolationException>(() => both.ClearFd(keys[0]));
        Assert.Equal("invariant violated: no entry is both added and deleted", e.Message);
    });

    [Fact]
    public void Checker_RunsAfterFree_AndAfterAReset() => TestThreads.Run(() =>
    {
        AsyncWaitCtx freed = AsyncWaitCtx.New();
        WaitCtxBookkeepingTests.Corrupt(freed, "_activeJobs", -1);
        var e = Assert.Throws<InvariantViolationException>(() => AsyncWaitCtx.Free(freed));
        Assert.Equal("invariant violated: the count of jobs using the context is not negative", e.Message);

        // The reset runs inside the restarted job, which then fails with the violation.
        AsyncWaitCtx reset = AsyncWaitCtx.New();
        reset.SetWaitFd(new object(), 1, null, null);
        AsyncJob job = default;
        int ret = 0;
        Assert.Equal(AsyncResult.Pause, Async.StartJob(ref job, reset, ref ret, Jobs.PauseOnceReturn7));
        WaitCtxBookkeepingTests.Corrupt(reset, "_activeJobs", -1);
        e = Assert.Throws<InvariantViolationException>(() => Async.StartJob(ref job, reset, ref ret, Jobs.PauseOnceReturn7));
        Assert.Equal("invariant violated: the count of jobs using the context is not negative", e.Message);
    });

    [Fact]
    public void Checker_FindsEntriesInAFreedContext() => TestThreads.Run(() =>
    {
        AsyncWaitCtx ctx = AsyncWaitCtx.New();
        ctx.SetWaitFd(new object(), 1, null, null);
        WaitCtxBookkeepingTests.Corrupt(ctx, "_state", WaitCtxState.Freed);
        var e = Assert.Throws<InvariantViolationException>(ctx.AssertInvariants);
        Assert.Equal("invariant violated: a freed context holds no entries", e.Message);
    });

    private static void Call(AsyncWaitCtx ctx, string function)
    {
        int fd = 0;
        object? data = null;
        AsyncWaitCallback? callback = null;
        switch (function)
        {
            case "ASYNC_WAIT_CTX_free": AsyncWaitCtx.Free(ctx); break;
            case "ASYNC_WAIT_CTX_set_wait_fd": ctx.SetWaitFd(new object(), 1, null, null); break;
            case "ASYNC_WAIT_CTX_get_fd": ctx.GetFd(new object(), ref fd, ref data); break;
            case "ASYNC_WAIT_CTX_get_all_fds": ctx.GetAllFds([], out _); break;
            case "ASYNC_WAIT_CTX_get_changed_fds": ctx.GetChangedFds([], out _, [], out _); break;
            case "ASYNC_WAIT_CTX_clear_fd": ctx.ClearFd(new object()); break;
            case "ASYNC_WAIT_CTX_set_callback": AsyncWaitCtx.SetCallback(ctx, null, null); break;
            case "ASYNC_WAIT_CTX_get_callback": ctx.GetCallback(ref callback, ref data); break;
            case "ASYNC_WAIT_CTX_set_status": ctx.SetStatus(1); break;
            case "ASYNC_WAIT_CTX_get_status": ctx.GetStatus(); break;
            default: throw new ArgumentException(function, nameof(function));
        }
    }

    /// <summary>Adds an entry, makes it old, clears it (marked deleted); returns weak references to what it holds.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference[] SetClearedEntry(AsyncWaitCtx ctx)
    {
        object key = new(), data = new();
        AsyncWaitFdCleanup cleanup = (_, _, _, _) => GC.KeepAlive(data);
        ctx.SetWaitFd(key, 2, data, cleanup);
        WaitCtxBookkeepingTests.Reset(ctx);
        Assert.Equal(1, ctx.ClearFd(key));
        return [new(key), new(data), new(cleanup)];
    }

    private static AsyncWaitCtx Large(out object[] keys)
    {
        AsyncWaitCtx ctx = AsyncWaitCtx.New();
        keys = new object[40];
        for (int i = 0; i < keys.Length; i++)
        {
            keys[i] = new object();
            ctx.SetWaitFd(keys[i], i, null, null);
        }

        return ctx;
    }

    /// <summary>Plants a bug: sets the flags of the entry at <paramref name="index"/> (oldest first).</summary>
    private static void SetFlags(AsyncWaitCtx ctx, int index, bool add, bool del)
    {
        var entries = (Array)typeof(AsyncWaitCtx).GetField("_entries", BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(ctx)!;
        object entry = entries.GetValue(index)!;
        Type type = entry.GetType();
        type.GetField("Add")!.SetValue(entry, add);
        type.GetField("Del")!.SetValue(entry, del);
        entries.SetValue(entry, index);
    }
}
