using AsyncRef.Model;
using Stateless;

namespace AsyncRef.Conformance.Mutation;

/// <summary>
/// Checked mode against a wrong model, written to kill the mutants `make mutation` left alive at the runtime's
/// refusals: each test first drives the runtime into one refusal with the spec's models (the refusal it reports),
/// then plants a job machine that permits what the runtime refuses (<see cref="AsyncThreadState.UseCheckedModels"/>)
/// and requires the same call to report the disagreement instead. No real input makes the runtime and the spec's
/// machine disagree, so only a planted machine shows each check runs. The planted machines differ from the spec's in
/// one place each, so every other transition of the test checks as usual.
/// </summary>
public sealed class PlantedModelTests
{
    [Fact]
    public void ARestartOfAFinishedJobsHandle_IsCheckedAgainstTheModel() => TestThreads.Run(() =>
    {
        AsyncWaitCtx ctx = AsyncWaitCtx.New();
        AsyncJob job = default;
        int ret = 0;
        Assert.Equal(AsyncResult.Pause, Async.StartJob(ref job, ctx, ref ret, Jobs.PauseOnceReturn7));
        AsyncJob stale = job;
        Assert.Equal(AsyncResult.Finish, Async.StartJob(ref job, ctx, ref ret, Jobs.PauseOnceReturn7));
        TestThreads.AssertUb(UbRules.StaleHandle, () => Async.StartJob(ref stale, ctx, ref ret, null));

        // A model in which a pooled job may be resumed: the stale handle's job is pooled.
        PlantJobMachine(machine => machine.Configure(AsyncJobState.Pooled).Permit(JobTrigger.Resume, AsyncJobState.Running));
        AssertRefusalPermitted(JobTrigger.Resume, AsyncJobState.Pooled, () => Async.StartJob(ref stale, ctx, ref ret, null));
    });

    [Fact]
    public void ARestartOnAnotherThread_IsCheckedAgainstTheModel() => TestThreads.Run(() =>
    {
        AsyncWaitCtx ctx = AsyncWaitCtx.New();
        AsyncJob job = default;
        int ret = 0;
        Assert.Equal(AsyncResult.Pause, Async.StartJob(ref job, ctx, ref ret, Jobs.PauseOnceReturn7));
        AsyncJob copy = job;
        TestThreads.Run(() =>
        {
            int otherRet = 0;
            TestThreads.AssertUb(UbRules.CrossThreadResume, () => Async.StartJob(ref copy, ctx, ref otherRet, null));

            // A model whose Resume guard sees the starting thread wherever the restart runs.
            PlantJobMachine(guards: real => real with { SameThread = true });
            AssertRefusalPermitted(JobTrigger.Resume, AsyncJobState.Paused, () => Async.StartJob(ref copy, ctx, ref otherRet, null));
        });
    });

    [Fact]
    public void ARestartOfAJobStartedWithoutAWaitCtx_IsCheckedAgainstTheModel() => TestThreads.Run(() =>
    {
        AsyncJob job = default;
        int ret = 0;
        Assert.Equal(AsyncResult.Pause, Async.StartJob(ref job, null, ref ret, Jobs.PauseOnceReturn7));
        TestThreads.AssertUb(UbRules.NullWaitCtx, () => Async.StartJob(ref job, null, ref ret, null));

        // A model whose Resume guard sees a wait ctx where there is none.
        PlantJobMachine(guards: real => real with { HasWaitCtx = true });
        AssertRefusalPermitted(JobTrigger.Resume, AsyncJobState.Paused, () => Async.StartJob(ref job, null, ref ret, null));
    });

    [Fact]
    public void AStartWithAnExhaustedPool_IsCheckedAgainstTheModel() => TestThreads.Run(() =>
    {
        Assert.Equal(1, Async.InitThread(1, 0));
        AsyncWaitCtx ctx = AsyncWaitCtx.New();
        AsyncJob first = default, second = default;
        int ret = 0;
        Assert.Equal(AsyncResult.Pause, Async.StartJob(ref first, ctx, ref ret, Jobs.PauseOnceReturn7));
        Assert.Equal(AsyncResult.NoJobs, Async.StartJob(ref second, ctx, ref ret, Jobs.PauseOnceReturn7));

        // A model whose Create guard sees budget left in a pool that has none.
        PlantJobMachine(guards: real => real with { PoolHasBudget = true });
        AssertRefusalPermitted(JobTrigger.Create, AsyncJobState.Unallocated, () => Async.StartJob(ref second, ctx, ref ret, Jobs.PauseOnceReturn7));
    });

    [Fact]
    public void APoolBuiltPastItsMaxSize_IsFoundByItsConstructor() => TestThreads.Run(() =>
    {
        // The pool's constructor relies on its caller for init_size <= max_size (ASYNC_init_thread checks it), and
        // the model's PreCreate guard checks the budget before each creation. With both bypassed (a direct call, a
        // model whose guard sees budget left), the pool's own check of the finished pool must find the excess.
        AsyncThreadState thread = AsyncThreadState.Current;
        PlantJobMachine(guards: real => real with { PoolHasBudget = true });
        var e = Assert.Throws<InvariantViolationException>(() => new JobPool(1, 2, thread));
        Assert.Equal("invariant violated: curr_size never exceeds max_size", e.Message);
    });

    /// <summary>Makes the calling thread's checked models use a job machine built by <see cref="Machines.Job"/>, then changed.</summary>
    /// <param name="amend">Changes the machine's configuration.</param>
    /// <param name="guards">Changes the guard inputs the machine reads.</param>
    private static void PlantJobMachine(
        Action<StateMachine<AsyncJobState, JobTrigger>>? amend = null, Func<JobGuards, JobGuards>? guards = null) =>
        AsyncThreadState.UseCheckedModels(new CheckedModels((get, set, real) =>
        {
            StateMachine<AsyncJobState, JobTrigger> machine = Machines.Job(get, set, guards is null ? real : () => guards(real()));
            amend?.Invoke(machine);
            return machine;
        }));

    private static void AssertRefusalPermitted(JobTrigger trigger, AsyncJobState state, Action call)
    {
        var e = Assert.Throws<InvariantViolationException>(call);
        Assert.StartsWith($"model violation: job: the runtime refused {trigger} in {state} (", e.Message, StringComparison.Ordinal);
        Assert.EndsWith("), the model permits it", e.Message, StringComparison.Ordinal);
    }
}
