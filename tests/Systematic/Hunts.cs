using AsyncRef.Testing;

namespace AsyncRef.Systematic;

/// <summary>
/// The hunt settings of this project: a fixed seed, the runtime in checked mode (see <see cref="Base"/>), one worker per
/// core (every body builds its whole system, and the bugs found do not depend on the worker count), files under
/// <c>artifacts/hunt</c>, output to the test log.
/// </summary>
internal static class Hunts
{
    /// <summary>Iterations allowed to find a planted bug (the bound).</summary>
    internal const int PlantedBudget = 1000;

    /// <summary>Iterations for a correct system in <c>make test</c>; <c>make hunt</c> raises them with ASYNCREF_HUNT_ITERATIONS.</summary>
    internal const int CorrectBudget = 100;

    internal static Hunt Correct(ITestOutputHelper output) => Base(output).WithIterations(CorrectBudget);

    internal static Hunt Planted(ITestOutputHelper output) => Base(output).WithIterations(PlantedBudget);

    /// <summary>
    /// The runtime's own checked mode is on here as everywhere in the repository's tests (these tests check AsyncRef
    /// too, not only the engines), unless ASYNCREF_CHECKED=0: the long runs of <c>make hunt</c> and <c>make hunt-rate</c>
    /// explore the engines as a user's hunt does, unchecked (the kit's default).
    /// </summary>
    private static Hunt Base(ITestOutputHelper output) =>
        Hunt.Create().WithSeed(20261123).WithParallelism(Environment.ProcessorCount).WithCheckedRuntime(Async.DefaultCheckedMode).WithOutputDirectory(Repository.PathOf("artifacts", "hunt")).WithOutput(output.WriteLine);

    /// <summary>
    /// A thread body for hunts that only need threads with ASYNC work on them: a job that pauses once, restarted until
    /// it finishes, then the thread's ASYNC state cleaned up.
    /// </summary>
    internal static void PauseOnceThenCleanUp()
    {
        AsyncWaitCtx ctx = TracedAsync.NewWaitCtx();
        AsyncJob job = default;
        int ret = 0;
        while (TracedAsync.StartJob(ref job, ctx, ref ret, PauseOnce) == AsyncResult.Pause)
        {
            Thread.Yield();
        }

        TracedAsync.FreeWaitCtx(ctx);
        TracedAsync.CleanupThread();
    }

    private static async JobTask<int> PauseOnce(byte[]? args)
    {
        await TracedAsync.PauseJob();
        return 1;
    }
}
