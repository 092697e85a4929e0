namespace AsyncRef.Conformance;

/// <summary>
/// <c>ASYNC_set_mem_functions</c> / <c>ASYNC_get_mem_functions</c> (profile 3.2, MEM rules) through the C# API, with
/// what the scenario language cannot write: an allocator that gives no stack (E15: NO_JOBS, nothing queued, the
/// pool's budget untouched; pre-creation stops silently) and the profile check. Each test is its own process
/// (a fresh <see cref="AsyncStackMemory"/>).
/// </summary>
public sealed class StackMemoryTests
{
    private static void InProcess(Action<AsyncStackMemory> body) => TestThreads.Run(() =>
    {
        var process = new AsyncStackMemory();
        Async.ThreadProfile = AsyncProfile.OpenSsl32;
        Async.ThreadStackMemory = process;
        body(process);
    });

    [Fact]
    public void Defaults_NullArguments_AndTheLastSetWins() => InProcess(_ =>
    {
        Async.GetMemFunctions(out AsyncStackAlloc alloc, out AsyncStackFree free);
        Assert.Same(AsyncStackMemory.DefaultAlloc, alloc);
        Assert.Same(AsyncStackMemory.DefaultFree, free);

        AsyncStackAlloc mine = (ref nuint size) => new object();
        AsyncStackFree myFree = _ => { };
        Assert.Equal(1, Async.SetMemFunctions(null, null));
        Assert.Equal(1, Async.SetMemFunctions(mine, null));
        Async.GetMemFunctions(out alloc, out free);
        Assert.Same(mine, alloc);
        Assert.Same(AsyncStackMemory.DefaultFree, free);
        Assert.Equal(1, Async.SetMemFunctions(null, myFree));
        Async.GetMemFunctions(out alloc, out free);
        Assert.Same(mine, alloc);
        Assert.Same(myFree, free);
    });

    [Fact]
    public void EachCreatedJob_AllocatesOne32KiBStack_AndSetIsRefusedFromThenOn() => InProcess(_ =>
    {
        var sizes = new List<nuint>();
        int frees = 0;
        Assert.Equal(1, Async.SetMemFunctions((ref nuint size) => { sizes.Add(size); return new object(); }, _ => frees++));
        Assert.Equal(1, Async.InitThread(4, 0));
        Assert.Equal(1, Async.SetMemFunctions(null, null));
        Assert.Equal(1, Async.InitThread(4, 2));
        Assert.Equal([(nuint)AsyncStackMemory.StackSize, (nuint)AsyncStackMemory.StackSize], sizes);
        Assert.Equal(0, Async.SetMemFunctions(null, null));
        Assert.Empty(Async.DrainErrors());

        AsyncWaitCtx ctx = AsyncWaitCtx.New();
        AsyncJob a = default, b = default, c = default;
        int ret = 0;
        Async.StartJob(ref a, ctx, ref ret, Jobs.OnlyPause);
        Async.StartJob(ref b, ctx, ref ret, Jobs.OnlyPause);
        Assert.Equal(2, sizes.Count);
        Async.StartJob(ref c, ctx, ref ret, Jobs.OnlyPause);
        Assert.Equal(3, sizes.Count);
        Async.StartJob(ref a, ctx, ref ret, Jobs.OnlyPause);
        Async.CleanupThread();
        Assert.Equal(1, frees);
        Assert.Equal(0, Async.SetMemFunctions(null, null));
    });

    [Fact]
    public void AnAllocatorWithoutAStack_GivesNoJobs_AndSetStaysRefused() => InProcess(_ =>
    {
        int calls = 0;
        Assert.Equal(1, Async.SetMemFunctions((ref nuint size) => { calls++; return null; }, null));
        AsyncWaitCtx ctx = AsyncWaitCtx.New();
        AsyncJob job = default;
        int ret = -1;
        Assert.Equal(AsyncResult.NoJobs, Async.StartJob(ref job, ctx, ref ret, Jobs.Return42));
        Assert.True(job.IsNull);
        Assert.Equal(-1, ret);
        Assert.Empty(Async.DrainErrors());
        Assert.Equal((nuint)0, Async.DescribeThread().PoolCreated);
        Assert.Equal(0, Async.SetMemFunctions(null, null));

        Assert.Equal(1, Async.InitThread(2, 2));
        Assert.Equal(2, calls);
        Assert.Equal((nuint)0, Async.DescribeThread().PoolCreated);
    });

    [Fact]
    public void OneProcess_IsSharedByItsThreads_AndAnotherProcessIsNot() => InProcess(process =>
    {
        TestThreads.Run(() =>
        {
            Async.ThreadProfile = AsyncProfile.OpenSsl32;
            Async.ThreadStackMemory = process;
            AsyncJob job = default;
            int ret = 0;
            Assert.Equal(AsyncResult.Finish, Async.StartJob(ref job, null, ref ret, Jobs.Return42));
        });
        Assert.Equal(0, Async.SetMemFunctions(null, null));
        Async.ThreadStackMemory = new AsyncStackMemory();
        Assert.Equal(1, Async.SetMemFunctions(null, null));
    });

    [Theory]
    [InlineData(AsyncProfile.OpenSsl30)]
    [InlineData(AsyncProfile.OpenSsl111)]
    public void BeforeProfile32_TheFunctionsDoNotExist(AsyncProfile profile) => TestThreads.Run(() =>
    {
        Async.ThreadProfile = profile;
        Assert.Throws<NotSupportedException>(() => Async.SetMemFunctions(null, null));
        Assert.Throws<NotSupportedException>(() => Async.GetMemFunctions(out _, out _));
    });
}
