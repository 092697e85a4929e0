using System.Reflection;

namespace AsyncRef.Conformance.Mutation;

/// <summary>
/// The wait context's fd bookkeeping beyond the small cases, written to kill mutants `make mutation` found alive:
/// more entries than the initial array and than the checker's full-check limit, removals from the middle, resets that
/// compact marked entries away, exact-size arrays, and the checker finding a corrupted count. Expected values are
/// OpenSSL's (evidence §2.11-§2.16: newest first, keys not de-duplicated, an fd added since the last reset vanishes
/// when cleared, an older one is marked until the next reset, cleanups newest first and never for a cleared fd).
/// </summary>
public sealed class WaitCtxBookkeepingTests
{
    [Fact]
    public void TenEntries_AreListedNewestFirst_AndExactSizeArraysAreEnough() => TestThreads.Run(() =>
    {
        AsyncWaitCtx ctx = AsyncWaitCtx.New();
        for (int fd = 1; fd <= 10; fd++)
        {
            Assert.Equal(1, ctx.SetWaitFd(new object(), fd, null, null));
        }

        int[] all = new int[10];
        Assert.Equal(1, ctx.GetAllFds(all, out int count));
        Assert.Equal(10, count);
        Assert.Equal(new[] { 10, 9, 8, 7, 6, 5, 4, 3, 2, 1 }, all);

        int[] added = new int[10];
        Assert.Equal(1, ctx.GetChangedFds(added, out int numAdd, [], out int numDel));
        Assert.Equal((10, 0), (numAdd, numDel));
        Assert.Equal(new[] { 10, 9, 8, 7, 6, 5, 4, 3, 2, 1 }, added);

        TestThreads.AssertUb(UbRules.FdArrayTooSmall, () => ctx.GetAllFds(new int[9], out _));
        TestThreads.AssertUb(UbRules.FdArrayTooSmall, () => ctx.GetChangedFds(new int[9], out _, [], out _));
        AsyncWaitCtx.Free(ctx);
    });

    [Fact]
    public void ClearingAnAddedEntryInTheMiddle_RemovesItAndKeepsTheOrder() => TestThreads.Run(() =>
    {
        AsyncWaitCtx ctx = AsyncWaitCtx.New();
        object[] keys = [new(), new(), new(), new(), new()];
        for (int i = 0; i < keys.Length; i++)
        {
            ctx.SetWaitFd(keys[i], i + 1, null, null);
        }

        Assert.Equal(1, ctx.ClearFd(keys[2]));
        Assert.Equal(new[] { 5, 4, 2, 1 }, AllFds(ctx));
        AssertChanged(ctx, [5, 4, 2, 1], []);
        Assert.Equal(4, ctx.Describe().EntriesNewestFirst.Count);
        Assert.Equal(0, ctx.ClearFd(keys[2]));
        AsyncWaitCtx.Free(ctx);
    });

    [Fact]
    public void ClearingOldEntries_MarksThem_AndTheNextResetCompactsThemAway() => TestThreads.Run(() =>
    {
        AsyncWaitCtx ctx = AsyncWaitCtx.New();
        object[] keys = [new(), new(), new(), new(), new(), new()];
        for (int i = 0; i < 5; i++)
        {
            ctx.SetWaitFd(keys[i], i + 1, null, null);
        }

        Reset(ctx);
        AssertChanged(ctx, [], []);
        Assert.Equal(1, ctx.ClearFd(keys[1]));
        Assert.Equal(1, ctx.ClearFd(keys[3]));
        ctx.SetWaitFd(keys[5], 6, null, null);

        // Marked entries are hidden from get_fd and get_all_fds but listed as deleted until the next reset.
        Assert.Equal(new[] { 6, 5, 3, 1 }, AllFds(ctx));
        AssertChanged(ctx, [6], [4, 2]);
        int fd = -1;
        object? data = "untouched";
        Assert.Equal(0, ctx.GetFd(keys[1], ref fd, ref data));
        Assert.Equal((-1, "untouched"), (fd, data));
        Assert.Equal(0, ctx.ClearFd(keys[1]));

        Reset(ctx);
        Assert.Equal(new[] { 6, 5, 3, 1 }, AllFds(ctx));
        AssertChanged(ctx, [], []);
        AsyncWaitCtxSnapshot snapshot = ctx.Describe();
        Assert.Equal(new[] { 6, 5, 3, 1 }, snapshot.EntriesNewestFirst.Select(e => e.Fd));
        Assert.All(snapshot.EntriesNewestFirst, e => Assert.False(e.Added || e.Deleted));
        Assert.Equal(1, ctx.GetFd(keys[4], ref fd, ref data));
        Assert.Equal(5, fd);
        AsyncWaitCtx.Free(ctx);
    });

    [Fact]
    public void ChangedFds_EitherArrayMayBeNull() => TestThreads.Run(() =>
    {
        AsyncWaitCtx ctx = AsyncWaitCtx.New();
        object old = new(), fresh = new();
        ctx.SetWaitFd(old, 1, null, null);
        Reset(ctx);
        ctx.ClearFd(old);
        ctx.SetWaitFd(fresh, 2, null, null);

        int[] added = [-1];
        Assert.Equal(1, ctx.GetChangedFds(added, out int numAdd, [], out int numDel));
        Assert.Equal((1, 1, 2), (numAdd, numDel, added[0]));
        int[] deleted = [-1];
        Assert.Equal(1, ctx.GetChangedFds([], out numAdd, deleted, out numDel));
        Assert.Equal((1, 1, 1), (numAdd, numDel, deleted[0]));
        Assert.Equal(1, ctx.GetAllFds([], out int count));
        Assert.Equal(1, count);
        AsyncWaitCtx.Free(ctx);
    });

    [Fact]
    public void Free_CallsCleanupsNewestFirst_NeverForAClearedFd() => TestThreads.Run(() =>
    {
        var cleaned = new List<int>();
        AsyncWaitFdCleanup cleanup = (_, _, fd, data) => cleaned.Add(fd + (int)data!);
        AsyncWaitCtx ctx = AsyncWaitCtx.New();
        object k1 = new(), k2 = new(), k3 = new(), k4 = new(), k5 = new();
        ctx.SetWaitFd(k1, 21, 100, cleanup);
        ctx.SetWaitFd(k2, 22, 100, cleanup);
        ctx.SetWaitFd(k3, 23, 100, cleanup);
        Reset(ctx);
        ctx.ClearFd(k2);
        ctx.SetWaitFd(k4, 24, 100, cleanup);
        ctx.SetWaitFd(k5, 25, 100, cleanup);
        ctx.ClearFd(k5);
        AsyncWaitCtx.Free(ctx);
        Assert.Equal(new[] { 124, 123, 121 }, cleaned);
    });

    [Fact]
    public void Checker_FindsACorruptedAddCount_AtOnceWhileSmall() => TestThreads.Run(() =>
    {
        AsyncWaitCtx ctx = AsyncWaitCtx.New();
        ctx.SetWaitFd(new object(), 1, null, null);
        Corrupt(ctx, "_numAdd", 2);
        var e = Assert.Throws<InvariantViolationException>(() => ctx.SetWaitFd(new object(), 2, null, null));
        Assert.Equal("invariant violated: numadd equals the number of entries flagged added", e.Message);
    });

    [Fact]
    public void Checker_FindsACorruptedDeleteCount_AtTheNextClear() => TestThreads.Run(() =>
    {
        AsyncWaitCtx ctx = AsyncWaitCtx.New();
        object old = new(), other = new();
        ctx.SetWaitFd(old, 1, null, null);
        ctx.SetWaitFd(other, 2, null, null);
        Reset(ctx);
        Corrupt(ctx, "_numDel", 1);
        var e = Assert.Throws<InvariantViolationException>(() => ctx.ClearFd(old));
        Assert.Equal("invariant violated: numdel equals the number of entries flagged deleted", e.Message);
    });

    [Fact]
    public void Checker_FindsANegativeJobCount_AndACallbackStateMismatch() => TestThreads.Run(() =>
    {
        AsyncWaitCtx ctx = AsyncWaitCtx.New();
        Corrupt(ctx, "_activeJobs", -1);
        var e = Assert.Throws<InvariantViolationException>(() => ctx.SetWaitFd(new object(), 1, null, null));
        Assert.Equal("invariant violated: the count of jobs using the context is not negative", e.Message);

        AsyncWaitCtx other = AsyncWaitCtx.New();
        AsyncWaitCtx.SetCallback(other, _ => 1, null);
        Corrupt(other, "_callback", null);
        e = Assert.Throws<InvariantViolationException>(other.AssertInvariants);
        Assert.Equal("invariant violated: a live context is in CallbackSet exactly when a callback is stored", e.Message);
    });

    [Fact]
    public void Checker_OfALargeContext_FindsAnImpossibleCountAtOnce_AndAWrongOneWithinASweep() => TestThreads.Run(() =>
    {
        AsyncWaitCtx ctx = AsyncWaitCtx.New();
        for (int fd = 0; fd < 40; fd++)
        {
            ctx.SetWaitFd(new object(), fd, null, null);
        }

        // More added than there are entries: the bounds checked after every change.
        Corrupt(ctx, "_numAdd", 41);
        var e = Assert.Throws<InvariantViolationException>(() => ctx.SetWaitFd(new object(), 99, null, null));
        Assert.Equal("invariant violated: numadd and numdel count distinct entries", e.Message);

        // One too few: within bounds, found by the next full sweep. Growing from empty, sweeps came at 8, 16 and 32
        // entries (a sweep after as many changes as entries at the previous one), so the next is at 64 entries: the
        // 24th change from 40.
        AsyncWaitCtx large = AsyncWaitCtx.New();
        for (int fd = 0; fd < 40; fd++)
        {
            large.SetWaitFd(new object(), fd, null, null);
        }

        Corrupt(large, "_numAdd", 39);
        int changes = 0;
        e = Assert.Throws<InvariantViolationException>(() =>
        {
            for (; changes < 200; changes++)
            {
                large.SetWaitFd(new object(), 100 + changes, null, null);
            }
        });
        Assert.Equal("invariant violated: numadd equals the number of entries flagged added", e.Message);
        Assert.Equal(23, changes);
    });

    /// <summary>Restarts a job started with <paramref name="ctx"/>: one reset of its counts (evidence §4).</summary>
    internal static void Reset(AsyncWaitCtx ctx)
    {
        AsyncJob job = default;
        int ret = 0;
        Assert.Equal(AsyncResult.Pause, Async.StartJob(ref job, ctx, ref ret, Jobs.PauseOnceReturn7));
        Assert.Equal(AsyncResult.Finish, Async.StartJob(ref job, ctx, ref ret, Jobs.PauseOnceReturn7));
    }

    internal static int[] AllFds(AsyncWaitCtx ctx)
    {
        ctx.GetAllFds([], out int count);
        int[] fds = new int[count];
        ctx.GetAllFds(fds, out _);
        return fds;
    }

    internal static void AssertChanged(AsyncWaitCtx ctx, int[] expectedAdded, int[] expectedDeleted)
    {
        ctx.GetChangedFds([], out int numAdd, [], out int numDel);
        int[] added = new int[numAdd], deleted = new int[numDel];
        ctx.GetChangedFds(added, out _, deleted, out _);
        Assert.Equal(expectedAdded, added);
        Assert.Equal(expectedDeleted, deleted);
    }

    /// <summary>Plants a bug: overwrites a private field, as a broken runtime would, for the checker to find.</summary>
    internal static void Corrupt(AsyncWaitCtx ctx, string field, object? value) =>
        typeof(AsyncWaitCtx).GetField(field, BindingFlags.NonPublic | BindingFlags.Instance)!.SetValue(ctx, value);
}
