using System.Runtime.CompilerServices;
using static AsyncRef.Conformance.Mutation.WaitCtxBookkeepingTests;

namespace AsyncRef.Conformance.Mutation;

/// <summary>
/// The wait context's entries live in a range of their array that slides up as the oldest entries leave (a reset drops
/// the entries cleared before it, a clear drops an entry added since the last reset). These tests drive every way an
/// entry leaves or arrives (from the oldest end, the middle, the newest end; sliding back to the array's start when the
/// newest slot is reached; growing) and compare the listings with OpenSSL's behaviour (evidence §2.11-§2.16: newest
/// first, an fd added since the last reset vanishes when cleared, an older one is marked until the next reset).
/// </summary>
public sealed class WaitCtxSlidingEntriesTests
{
    [Fact]
    public void AProducerThatClearsEveryFdAfterItsRestart_SeesOneAddedAndOneDeletedFd_RoundAfterRound() => TestThreads.Run(() =>
    {
        // The benchmark's producer pattern: each job adds an fd, pauses, and clears it after its restart. The cleared
        // fd is marked (it was older than the restart's reset) and goes at the next job's reset.
        AsyncWaitCtx ctx = AsyncWaitCtx.New();
        object? previous = null;
        for (int round = 1; round <= 20; round++)
        {
            object key = new();
            ctx.SetWaitFd(key, round, null, null);
            Assert.Equal(new[] { round }, AllFds(ctx));
            AssertChanged(ctx, [round], previous is null ? [] : [round - 1]);
            Reset(ctx);
            AssertChanged(ctx, [], []);
            Assert.Equal(1, ctx.ClearFd(key));
            AssertChanged(ctx, [], [round]);
            Assert.Equal(new[] { round }, ctx.Describe().EntriesNewestFirst.Select(e => e.Fd));
            previous = key;
        }

        Reset(ctx);
        Assert.Empty(ctx.Describe().EntriesNewestFirst);
        ctx.AssertInvariants();
        AsyncWaitCtx.Free(ctx);
    });

    [Fact]
    public void EntriesThatSlideToTheEndOfTheArray_MoveBackToItsStart_InOrder() => TestThreads.Run(() =>
    {
        AsyncWaitCtx ctx = AsyncWaitCtx.New();
        var keys = new Dictionary<int, object>();
        object Key(int fd) => keys.TryGetValue(fd, out object? k) ? k : keys[fd] = new object();

        // Three entries, the oldest cleared and dropped by a reset: the two others remain, the range one slot up.
        for (int fd = 1; fd <= 3; fd++)
        {
            ctx.SetWaitFd(Key(fd), fd, null, null);
        }

        Reset(ctx);
        ctx.ClearFd(Key(1));
        Reset(ctx);
        Assert.Equal(new[] { 3, 2 }, AllFds(ctx));

        // Two more: the first takes the last slot, the second finds none and the entries move back to the start.
        ctx.SetWaitFd(Key(4), 4, null, null);
        ctx.SetWaitFd(Key(5), 5, null, null);
        Assert.Equal(new[] { 5, 4, 3, 2 }, AllFds(ctx));
        AssertChanged(ctx, [5, 4], []);

        // Then growth beyond the first array, with the old ones still found by key.
        for (int fd = 6; fd <= 9; fd++)
        {
            ctx.SetWaitFd(Key(fd), fd, null, null);
        }

        Assert.Equal(new[] { 9, 8, 7, 6, 5, 4, 3, 2 }, AllFds(ctx));
        int found = -1;
        object? data = null;
        Assert.Equal(1, ctx.GetFd(Key(2), ref found, ref data));
        Assert.Equal(2, found);
        AssertChanged(ctx, [9, 8, 7, 6, 5, 4], []);
        ctx.AssertInvariants();
        AsyncWaitCtx.Free(ctx);
    });

    [Fact]
    public void AResetDroppingEntriesAtBothEndsAndInTheMiddle_KeepsTheOthersInOrder() => TestThreads.Run(() =>
    {
        AsyncWaitCtx ctx = AsyncWaitCtx.New();
        object[] keys = [new(), new(), new(), new(), new(), new()];
        for (int i = 0; i < 5; i++)
        {
            ctx.SetWaitFd(keys[i], i + 1, null, null);
        }

        Reset(ctx);
        ctx.ClearFd(keys[0]);
        ctx.ClearFd(keys[2]);
        ctx.ClearFd(keys[4]);
        ctx.SetWaitFd(keys[5], 6, null, null);
        AssertChanged(ctx, [6], [5, 3, 1]);
        Reset(ctx);
        Assert.Equal(new[] { 6, 4, 2 }, AllFds(ctx));
        AssertChanged(ctx, [], []);
        Assert.Equal(new[] { 6, 4, 2 }, ctx.Describe().EntriesNewestFirst.Select(e => e.Fd));

        // A reset that drops every entry leaves an empty context that fills from the start again.
        ctx.ClearFd(keys[1]);
        ctx.ClearFd(keys[3]);
        ctx.ClearFd(keys[5]);
        Reset(ctx);
        Assert.Empty(AllFds(ctx));
        ctx.SetWaitFd(keys[0], 7, null, null);
        Assert.Equal(new[] { 7 }, AllFds(ctx));
        AssertChanged(ctx, [7], []);
        ctx.AssertInvariants();
        AsyncWaitCtx.Free(ctx);
    });

    [Fact]
    public void ClearingTheOldestAddedEntry_DropsIt_AndTheRestStayInOrder() => TestThreads.Run(() =>
    {
        AsyncWaitCtx ctx = AsyncWaitCtx.New();
        object[] keys = [new(), new(), new(), new(), new()];
        for (int i = 0; i < 3; i++)
        {
            ctx.SetWaitFd(keys[i], i + 1, null, null);
        }

        Assert.Equal(1, ctx.ClearFd(keys[0]));
        Assert.Equal(new[] { 3, 2 }, AllFds(ctx));
        AssertChanged(ctx, [3, 2], []);
        Assert.Equal(1, ctx.ClearFd(keys[2]));
        Assert.Equal(1, ctx.ClearFd(keys[1]));
        Assert.Empty(AllFds(ctx));
        AssertChanged(ctx, [], []);

        // Emptied by clears, the context fills again; four entries fit the first array.
        for (int i = 0; i < 5; i++)
        {
            ctx.SetWaitFd(keys[i], 10 + i, null, null);
        }

        Assert.Equal(new[] { 14, 13, 12, 11, 10 }, AllFds(ctx));
        ctx.AssertInvariants();
        AsyncWaitCtx.Free(ctx);
    });

    [Fact]
    public void Free_AfterTheEntriesSlid_CallsEveryLiveCleanupNewestFirst() => TestThreads.Run(() =>
    {
        var cleaned = new List<int>();
        AsyncWaitFdCleanup cleanup = (_, _, fd, _) => cleaned.Add(fd);
        AsyncWaitCtx ctx = AsyncWaitCtx.New();
        object[] keys = [new(), new(), new(), new(), new()];
        for (int i = 0; i < 3; i++)
        {
            ctx.SetWaitFd(keys[i], i + 1, null, cleanup);
        }

        Reset(ctx);
        ctx.ClearFd(keys[0]);
        Reset(ctx);
        ctx.SetWaitFd(keys[3], 4, null, cleanup);
        ctx.SetWaitFd(keys[4], 5, null, cleanup);
        ctx.ClearFd(keys[4]);
        AsyncWaitCtx.Free(ctx);
        Assert.Equal(new[] { 4, 3, 2 }, cleaned);
    });

    [Fact]
    public void Checker_FindsALiveRangeOutsideTheArray_AndAnEmptyContextNotAtTheStart() => TestThreads.Run(() =>
    {
        AsyncWaitCtx ctx = AsyncWaitCtx.New();
        ctx.SetWaitFd(new object(), 1, null, null);
        Corrupt(ctx, "_start", 4);
        var e = Assert.Throws<InvariantViolationException>(ctx.AssertInvariants);
        Assert.Equal("invariant violated: the live entries lie inside the entry array", e.Message);

        AsyncWaitCtx empty = AsyncWaitCtx.New();
        Corrupt(empty, "_start", 1);
        e = Assert.Throws<InvariantViolationException>(empty.AssertInvariants);
        Assert.Equal("invariant violated: an empty context keeps its entries from the array's first slot", e.Message);
    });

    [Fact]
    public void AnEntryThatLeft_KeepsNothingAlive_WhereverItsSlotWas() => TestThreads.Run(() =>
    {
        // OpenSSL frees a node when its entry leaves (evidence §2.14); the reference must not keep the entry's data
        // reachable from a slot its array no longer uses (a leak a long-lived context would accumulate).
        AsyncWaitCtx ctx = AsyncWaitCtx.New();
        object a = new(), b = new(), c = new(), d = new(), e = new();
        ctx.SetWaitFd(a, 1, null, null);
        ctx.SetWaitFd(b, 2, null, null);
        ctx.SetWaitFd(c, 3, null, null);
        WeakReference dData = SetWithFreshData(ctx, d, 4);
        Reset(ctx);
        ctx.ClearFd(a);
        ctx.ClearFd(b);
        Reset(ctx);

        // c and d sit in the array's last two slots: e's arrival moves them to the first two.
        ctx.SetWaitFd(e, 5, null, null);
        ctx.ClearFd(d);
        Reset(ctx);
        Assert.Equal(new[] { 5, 3 }, AllFds(ctx));
        AssertCollected(dData);

        // Emptied, then three added entries dropped by clears: the middle one, then the oldest, then the last.
        ctx.ClearFd(c);
        ctx.ClearFd(e);
        Reset(ctx);
        WeakReference oldest = SetWithFreshData(ctx, a, 6);
        WeakReference middle = SetWithFreshData(ctx, b, 7);
        WeakReference newest = SetWithFreshData(ctx, d, 8);
        Assert.Equal(1, ctx.ClearFd(b));
        Assert.Equal(new[] { 8, 6 }, AllFds(ctx));
        AssertCollected(middle);
        Assert.Equal(1, ctx.ClearFd(a));
        Assert.Equal(new[] { 8 }, AllFds(ctx));
        AssertCollected(oldest);
        Assert.Equal(1, ctx.ClearFd(d));
        Assert.Empty(AllFds(ctx));
        AssertChanged(ctx, [], []);
        AssertCollected(newest);

        // Dropped by a reset from the oldest end, with a newer entry kept.
        WeakReference dropped = SetWithFreshData(ctx, a, 10);
        ctx.SetWaitFd(b, 11, null, null);
        Reset(ctx);
        Assert.Equal(1, ctx.ClearFd(a));
        Reset(ctx);
        Assert.Equal(new[] { 11 }, AllFds(ctx));
        AssertCollected(dropped);
        GC.KeepAlive(ctx);
    });

    /// <summary>Adds an entry whose custom data only the context references (made here, so no local of the caller holds it).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference SetWithFreshData(AsyncWaitCtx ctx, object key, int fd)
    {
        object data = new byte[64];
        ctx.SetWaitFd(key, fd, data, null);
        return new WeakReference(data);
    }

    private static void AssertCollected(WeakReference data)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        Assert.False(data.IsAlive, "an entry that left the context is still reachable from it");
    }
}
