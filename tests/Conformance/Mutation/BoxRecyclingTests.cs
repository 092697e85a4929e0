namespace AsyncRef.Conformance.Mutation;

/// <summary>
/// The recycling of suspended job functions' boxes, written to kill the mutants the Runtime run of
/// `make mutation` left alive in the free lists: the boxes a job's helpers were suspended in go back to their
/// thread state's free list when their results are read, and the next job of the same shape is suspended in the
/// very same boxes (more of them than the free list's first array holds).
/// </summary>
public sealed class BoxRecyclingTests
{
    [Fact]
    public void TheNextJobOfTheSameShape_IsSuspendedInTheSameBoxes() => TestThreads.Run(() =>
    {
        AsyncWaitCtx ctx = AsyncWaitCtx.New();
        List<object> first = RunOnce(ctx), second = RunOnce(ctx);
        Assert.Equal(7, first.Count);
        Assert.Equal(7, first.Distinct(ReferenceEqualityComparer.Instance).Count());
        Assert.True(
            first.ToHashSet(ReferenceEqualityComparer.Instance).SetEquals(second),
            "every box of the first job is reused by the second");
        AsyncWaitCtx.Free(ctx);
    });

    /// <summary>Runs a job whose helpers nest 7 deep around one pause; the boxes they were suspended in.</summary>
    private static List<object> RunOnce(AsyncWaitCtx ctx)
    {
        var boxes = new List<object>();
        AsyncJobFunc func = args =>
        {
            JobTask<int> root = Depth(6, boxes);
            boxes.Add(root.Box!);
            return root;
        };
        AsyncJob job = default;
        int ret = 0;
        Assert.Equal(AsyncResult.Pause, Async.StartJob(ref job, ctx, ref ret, func));
        Assert.Equal(AsyncResult.Finish, Async.StartJob(ref job, ctx, ref ret, func));
        Assert.Equal(7, ret);
        return boxes;
    }

    private static async JobTask<int> Depth(int level, List<object> boxes)
    {
        if (level == 0)
        {
            await Async.PauseJob();
            return 1;
        }

        JobTask<int> child = Depth(level - 1, boxes);
        boxes.Add(child.Box!);
        return await child + 1;
    }
}
