namespace AsyncRef.Conformance.Mutation;

/// <summary>
/// A job keeps the box its function's state machine was suspended in (<c>JobCore.SpareBox</c>) once that function
/// has finished, and the next use of the job whose function suspends with the same state-machine type takes it
/// instead of the thread's free list. What must hold: the box is handed to exactly one use at a time, a spare of
/// another function goes back to its thread, and a use that never suspends leaves the spare where it is.
/// </summary>
public sealed class SpareBoxTests
{
    [Fact]
    public void AJobThatFinishedAfterSuspending_KeepsItsFunctionsBox_AndTheNextUseSuspendsInIt() => TestThreads.Run(() =>
    {
        AsyncWaitCtx ctx = AsyncWaitCtx.New();
        var first = new Use(PauseOnce);
        first.RunToFinish(ctx);
        Assert.Same(first.RootBox, first.Core!.SpareBox);

        var second = new Use(PauseOnce);
        second.RunToFinish(ctx);
        Assert.Same(first.Core, second.Core);
        Assert.Same(first.RootBox, second.RootBox);
        Assert.Null(second.SpareWhilePaused);
        Assert.Same(second.RootBox, second.Core!.SpareBox);
        AsyncWaitCtx.Free(ctx);
    });

    [Fact]
    public void ASpareOfAnotherFunction_GoesBackToTheThread() => TestThreads.Run(() =>
    {
        AsyncWaitCtx ctx = AsyncWaitCtx.New();
        var f = new Use(PauseOnce);
        f.RunToFinish(ctx);
        var g = new Use(PauseTwice);
        g.RunToFinish(ctx);
        Assert.Same(f.Core, g.Core);
        Assert.NotSame(f.RootBox, g.RootBox);
        Assert.Same(g.RootBox, g.Core!.SpareBox);

        // The job now keeps g's box; f's went back to the thread (its spare slot or free list), where a job without a
        // spare of f's type finds it.
        AsyncJob held = default;
        int ret = 0;
        Assert.Equal(AsyncResult.Pause, Async.StartJob(ref held, ctx, ref ret, args => PauseTwice(args)));
        var f2 = new Use(PauseOnce);
        f2.RunToFinish(ctx);
        Assert.NotSame(g.Core, f2.Core);
        Assert.Same(f.RootBox, f2.RootBox);
        Assert.Equal(AsyncResult.Pause, Async.StartJob(ref held, ctx, ref ret, null));
        Assert.Equal(AsyncResult.Finish, Async.StartJob(ref held, ctx, ref ret, null));
        AsyncWaitCtx.Free(ctx);
    });

    [Fact]
    public void AUseThatNeverSuspends_LeavesTheSpareForTheNextUse() => TestThreads.Run(() =>
    {
        AsyncWaitCtx ctx = AsyncWaitCtx.New();
        var f = new Use(PauseOnce);
        f.RunToFinish(ctx);

        AsyncJob job = default;
        int ret = 0;
        Assert.Equal(AsyncResult.Finish, Async.StartJob(ref job, ctx, ref ret, args => Immediate(args)));
        Assert.Equal(7, ret);
        Assert.Same(f.RootBox, f.Core!.SpareBox);

        var again = new Use(PauseOnce);
        again.RunToFinish(ctx);
        Assert.Same(f.RootBox, again.RootBox);
        AsyncWaitCtx.Free(ctx);
    });

    [Fact]
    public void AFunctionThatThrowsAfterSuspending_StillLeavesItsBoxOnTheJob() => TestThreads.Run(() =>
    {
        AsyncWaitCtx ctx = AsyncWaitCtx.New();
        JobCore? core = null;
        object? box = null;
        AsyncJobFunc throwing = args =>
        {
            core = Async.GetCurrentJob().Core;
            JobTask<int> task = ThrowAfterPause(args);
            box = task.Box;
            return task;
        };
        AsyncJob job = default;
        int ret = 0;
        Assert.Equal(AsyncResult.Pause, Async.StartJob(ref job, ctx, ref ret, throwing));
        Assert.Throws<FormatException>(() => Async.StartJob(ref job, ctx, ref ret, throwing));
        Assert.NotNull(box);
        Assert.Same(box, core!.SpareBox);

        // The next use of the same function suspends in that box, and leaves it on the job again.
        object? first = box;
        Assert.Equal(AsyncResult.Pause, Async.StartJob(ref job, ctx, ref ret, throwing));
        Assert.Same(first, box);
        Assert.Null(core.SpareBox);
        Assert.Throws<FormatException>(() => Async.StartJob(ref job, ctx, ref ret, throwing));
        Assert.Same(first, core.SpareBox);
        AsyncWaitCtx.Free(ctx);
    });

    [Fact]
    public void ANestedHelperOfTheRootsType_TakesTheSpare_AndTheRootRentsAnother() => TestThreads.Run(() =>
    {
        // A recursive function: the innermost call suspends first and takes the spare (the previous root's box); the
        // outer call, also of that type, must then get a different box.
        AsyncWaitCtx ctx = AsyncWaitCtx.New();
        var first = new Use(args => Recursive(1));
        first.RunToFinish(ctx);
        var second = new Use(args => Recursive(1));
        second.RunToFinish(ctx);
        Assert.Equal(2, second.Result);
        Assert.NotSame(second.InnerBox, second.RootBox);
        Assert.Same(first.RootBox, second.InnerBox);
        AsyncWaitCtx.Free(ctx);
    });

    [Fact]
    public void AHelperThatSuspendedOnce_LeavesItsBoxAsTheThreadsSpare_AndTheNextUseOfTheHelperTakesIt() => TestThreads.Run(() =>
    {
        AsyncWaitCtx ctx = AsyncWaitCtx.New();
        var first = new Use(args => Recursive(1));
        first.RunToFinish(ctx);
        AsyncThreadState thread = AsyncThreadState.Current;
        // The inner call's box came back when the outer call read its result; the outer one is the job's spare.
        Assert.Same(first.InnerBox, thread.SpareBox);
        Assert.Same(first.RootBox, first.Core!.SpareBox);

        // A helper of another type does not take it: that box stays the spare, the helper's box comes from its list.
        var other = new Use(args => Nested());
        other.RunToFinish(ctx);
        Assert.NotSame(first.InnerBox, other.InnerBox);
        Assert.Same(first.InnerBox, thread.SpareBox);

        // The job's spare is now the other function's box, and the first root's box went back to its free list: the
        // inner call takes the thread's spare, the outer one its old box from the list.
        var second = new Use(args => Recursive(1));
        second.RunToFinish(ctx);
        Assert.Same(first.InnerBox, second.InnerBox);
        Assert.Same(first.RootBox, second.RootBox);
        Assert.NotSame(second.RootBox, thread.SpareBox);
        AsyncWaitCtx.Free(ctx);
    });

    private static async JobTask<int> Nested()
    {
        JobTask<int> inner = PauseOnce(null);
        t_innerBox = inner.Box;
        return await inner;
    }

    private static async JobTask<int> PauseOnce(byte[]? args)
    {
        await Async.PauseJob();
        return 1;
    }

    private static async JobTask<int> PauseTwice(byte[]? args)
    {
        await Async.PauseJob();
        await Async.PauseJob();
        return 2;
    }

#pragma warning disable CS1998 // A job function that never awaits is still a JobTask method.
    private static async JobTask<int> Immediate(byte[]? args) => 7;
#pragma warning restore CS1998

    private static async JobTask<int> ThrowAfterPause(byte[]? args)
    {
        await Async.PauseJob();
        if (args is null)
        {
            throw new FormatException("after the pause");
        }

        return 0;
    }

    /// <summary>The box of the innermost call of the running <see cref="Recursive"/> chain.</summary>
    [ThreadStatic]
    private static object? t_innerBox;

    private static async JobTask<int> Recursive(int depth)
    {
        if (depth == 0)
        {
            await Async.PauseJob();
            return 1;
        }

        JobTask<int> inner = Recursive(depth - 1);
        t_innerBox = inner.Box;
        return await inner + 1;
    }

    /// <summary>One use of a job, run to its finish by restarting it until it finishes, observed from inside.</summary>
    private sealed class Use(Func<byte[]?, JobTask<int>> function)
    {
        internal JobCore? Core { get; private set; }

        internal object? RootBox { get; private set; }

        internal object? InnerBox { get; private set; }

        /// <summary>The job's spare right after its function first suspended.</summary>
        internal object? SpareWhilePaused { get; private set; }

        internal int Result { get; private set; }

        internal void RunToFinish(AsyncWaitCtx ctx)
        {
            AsyncJobFunc func = args =>
            {
                Core = Async.GetCurrentJob().Core;
                t_innerBox = null;
                JobTask<int> root = function(args);
                RootBox = root.Box;
                InnerBox = t_innerBox;
                return root;
            };
            AsyncJob job = default;
            int ret = 0;
            Assert.Equal(AsyncResult.Pause, Async.StartJob(ref job, ctx, ref ret, func));
            SpareWhilePaused = Core!.SpareBox;
            AsyncResult result;
            while ((result = Async.StartJob(ref job, ctx, ref ret, func)) == AsyncResult.Pause)
            {
            }

            Assert.Equal(AsyncResult.Finish, result);
            Assert.NotNull(RootBox);
            Result = ret;
        }
    }
}
