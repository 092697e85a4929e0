using System.Reflection;

namespace AsyncRef.Conformance.Mutation;

/// <summary>
/// The wait context's live range of entries (a window of its entry array that slides up as the oldest entries
/// leave), written to kill the mutants `make mutation` run 8 left alive: a context used as a queue (newest set,
/// oldest cleared) slides its entries down when the newest reaches the array's end instead of growing the array,
/// and the checker finds a live range that does not lie inside the array.
/// </summary>
public sealed class WaitCtxEntryRangeTests
{
    [Fact]
    public void AContextUsedAsAQueue_KeepsItsEntryArraySmall() => TestThreads.Run(() =>
    {
        // Two live entries at any time: the array (4 slots at first) never needs to grow. Each clear of the oldest,
        // set since the last reset, unlinks it at once (fd-entry machine: Added --Clear--> Gone), moving the live
        // range up one slot.
        AsyncWaitCtx ctx = AsyncWaitCtx.New();
        object previous = new();
        ctx.SetWaitFd(previous, 0, null, null);
        for (int i = 1; i <= 1000; i++)
        {
            object key = new();
            Assert.Equal(1, ctx.SetWaitFd(key, i, null, null));
            Assert.Equal(1, ctx.ClearFd(previous));
            previous = key;
        }

        Assert.Equal(1, ctx.GetAllFds([], out int count));
        Assert.Equal(1, count);
        var entries = (Array)typeof(AsyncWaitCtx).GetField("_entries", BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(ctx)!;
        Assert.Equal(4, entries.Length);
    });

    [Fact]
    public void Checker_FindsALiveRangeOutsideTheArray() => TestThreads.Run(() =>
    {
        // Past the array's end, and (each bound checked on its own) a negative count or start within it.
        foreach ((int start, int count) in new[] { (0, 5), (0, -1), (-1, 1) })
        {
            AsyncWaitCtx ctx = AsyncWaitCtx.New();
            ctx.SetWaitFd(new object(), 1, null, null);
            WaitCtxBookkeepingTests.Corrupt(ctx, "_start", start);
            WaitCtxBookkeepingTests.Corrupt(ctx, "_count", count);
            var e = Assert.Throws<InvariantViolationException>(ctx.AssertInvariants);
            Assert.Equal("invariant violated: the live entries lie inside the entry array", e.Message);
        }
    });
}
