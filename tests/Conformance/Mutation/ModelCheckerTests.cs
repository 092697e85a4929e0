using AsyncRef.Model;

namespace AsyncRef.Conformance.Mutation;

/// <summary>
/// The checked-mode models themselves (<see cref="CheckedModels"/>), written to kill the mutants `make mutation`
/// found alive: a runtime that disagrees with a machine is reported, with a message that names the machine, the
/// trigger and both states, and the memo of fired outcomes is invisible (every situation gives what a machine that
/// never saw another situation gives). The expected outcomes are the spec's machines (spec/diagrams).
/// </summary>
public sealed class ModelCheckerTests
{
    [Fact]
    public void JobTriggerTheMachineDoesNotPermit_IsAViolationNamingTriggerAndState() => TestThreads.Run(() =>
    {
        AsyncThreadState thread = AsyncThreadState.Current;
        var models = new CheckedModels();
        var e = Assert.Throws<InvariantViolationException>(() =>
            models.Job(new JobCore(), JobTrigger.Release, thread, null, AsyncJobState.Pooled));
        Assert.Equal("model violation: job: Release is not permitted in Unallocated", e.Message);

        // A guarded trigger whose guard is false names the unmet guard.
        var full = new JobPool(1, 1, thread);
        e = Assert.Throws<InvariantViolationException>(() =>
            models.Job(new JobCore(), JobTrigger.Create, thread, full, AsyncJobState.Running));
        Assert.Equal("model violation: job: Create is not permitted in Unallocated (unmet: max_size is 0 or curr_size < max_size)", e.Message);
    });

    [Fact]
    public void AResumeWithTwoUnmetGuards_NamesBoth() => TestThreads.Run(() =>
    {
        // A paused job restarted on another thread, started without a wait ctx: both guards of Resume are false
        // (job lifecycle diagram).
        AsyncThreadState thread = AsyncThreadState.Current;
        var models = new CheckedModels();
        var paused = new JobCore { Owner = new AsyncThreadState() };
        typeof(JobCore).GetProperty(nameof(JobCore.State), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!
            .SetValue(paused, AsyncJobState.Paused);
        var e = Assert.Throws<InvariantViolationException>(() =>
            models.Job(paused, JobTrigger.Resume, thread, null, AsyncJobState.Running));
        Assert.Equal(
            "model violation: job: Resume is not permitted in Paused (unmet: on the thread that started it, started with a wait ctx)",
            e.Message);
    });

    [Fact]
    public void JobTarget_OtherThanTheMachines_IsAViolation() => TestThreads.Run(() =>
    {
        AsyncThreadState thread = AsyncThreadState.Current;
        var models = new CheckedModels();
        JobCore job = Running(thread);

        // Return leads from Running to Finishing (job lifecycle); a runtime writing Pooled is wrong, twice (memoised).
        for (int i = 0; i < 2; i++)
        {
            var e = Assert.Throws<InvariantViolationException>(() => models.Job(job, JobTrigger.Return, thread, null, AsyncJobState.Pooled));
            Assert.StartsWith("model violation: job: Return from Running (", e.Message, StringComparison.Ordinal);
            Assert.EndsWith(") leads to Finishing, the runtime goes to Pooled", e.Message, StringComparison.Ordinal);
        }

        models.Job(job, JobTrigger.Return, thread, null, AsyncJobState.Finishing);
    });

    [Fact]
    public void JobRefusal_OfAPermittedTrigger_IsAViolation() => TestThreads.Run(() =>
    {
        AsyncThreadState thread = AsyncThreadState.Current;
        var models = new CheckedModels();
        var e = Assert.Throws<InvariantViolationException>(() => models.JobRefused(Running(thread), JobTrigger.Return, thread));
        Assert.StartsWith("model violation: job: the runtime refused Return in Running (", e.Message, StringComparison.Ordinal);
        Assert.EndsWith("), the model permits it", e.Message, StringComparison.Ordinal);

        // A creation with no pool yet has budget (max_size 0 means unlimited): refusing it is wrong too.
        Assert.Throws<InvariantViolationException>(() => models.JobRefused(null, JobTrigger.Create, thread));

        // Resume of a running job is refused by the machine as well: agreement.
        models.JobRefused(Running(thread), JobTrigger.Resume, thread);
    });

    [Fact]
    public void WaitCtxTarget_OtherThanTheMachines_AndATriggerOnAFreedContext_AreViolations() => TestThreads.Run(() =>
    {
        var models = new CheckedModels();
        AsyncWaitCtx ctx = AsyncWaitCtx.New();
        var e = Assert.Throws<InvariantViolationException>(() => models.WaitCtx(ctx, WaitCtxTrigger.SetCallback, WaitCtxState.NoCallback));
        Assert.Equal("model violation: wait ctx: SetCallback from NoCallback (active jobs 0) leads to CallbackSet, the runtime goes to NoCallback", e.Message);
        models.WaitCtx(ctx, WaitCtxTrigger.SetCallback, WaitCtxState.CallbackSet);

        AsyncWaitCtx.Free(ctx);
        e = Assert.Throws<InvariantViolationException>(() => models.WaitCtx(ctx, WaitCtxTrigger.SetWaitFd, WaitCtxState.Freed));
        Assert.Equal("model violation: wait ctx: SetWaitFd is not permitted in Freed", e.Message);
    });

    [Fact]
    public void FdEntryTarget_OtherThanTheMachines_AndATriggerOnAGoneEntry_AreViolations()
    {
        var models = new CheckedModels();
        var e = Assert.Throws<InvariantViolationException>(() => models.FdEntry(FdEntryState.Added, FdEntryTrigger.Reset, FdEntryState.Gone));
        Assert.Equal("model violation: fd entry: Reset from Added leads to Old, the runtime goes to Gone", e.Message);
        e = Assert.Throws<InvariantViolationException>(() => models.FdEntry(FdEntryState.Gone, FdEntryTrigger.Clear, FdEntryState.Gone));
        Assert.Equal("model violation: fd entry: Clear is not permitted in Gone", e.Message);
    }

    /// <summary>
    /// Every (state, trigger, guard inputs) of the job machine, on one instance that has already fired all the
    /// situations before it, accepts exactly the target a fresh instance accepts: the memo key keeps situations apart.
    /// Two passes, the second after every situation has been memoised, so a key that merges a refused situation with
    /// a permitted one is caught whichever comes first.
    /// </summary>
    [Fact]
    public void JobMachine_MemoisedOutcomes_MatchAFreshMachineInEverySituation() => TestThreads.Run(() =>
    {
        AsyncThreadState thread = AsyncThreadState.Current;
        var full = new JobPool(1, 1, thread);
        var other = new AsyncThreadState();
        AsyncWaitCtx ctx = AsyncWaitCtx.New();
        var shared = new CheckedModels();
        int permitted = 0;
        foreach (AsyncJobState state in Enum.GetValues<AsyncJobState>().Concat(Enum.GetValues<AsyncJobState>()))
        {
            foreach (JobTrigger trigger in Enum.GetValues<JobTrigger>())
            {
                for (int bits = 0; bits < 16; bits++)
                {
                    JobCore job = JobIn(state, thread);
                    JobPool? pool = (bits & 1) != 0 ? null : full;
                    job.Owner = (bits & 4) != 0 ? thread : other;
                    job.WaitCtx = (bits & 8) != 0 ? ctx : null;
                    thread.Blocked = (bits & 2) != 0 ? 1u : 0u;
                    var fresh = new CheckedModels();
                    foreach (AsyncJobState target in Enum.GetValues<AsyncJobState>())
                    {
                        bool expected = Accepts(() => fresh.Job(job, trigger, thread, pool, target));
                        bool actual = Accepts(() => shared.Job(job, trigger, thread, pool, target));
                        Assert.True(expected == actual, $"{trigger} from {state}, guard bits {bits}, target {target}: fresh {expected}, memoised {actual}");
                        permitted += expected ? 1 : 0;
                    }

                    thread.Blocked = 0;
                }
            }
        }

        // Sanity: the situations the diagram permits (and the ignored blocked pause) are accepted somewhere.
        Assert.True(permitted > 60, $"only {permitted} situations accepted");
    });

    [Fact]
    public void WaitCtxAndFdEntryMachines_MemoisedOutcomes_MatchAFreshMachineInEverySituation() => TestThreads.Run(() =>
    {
        var shared = new CheckedModels();
        foreach (WaitCtxState state in new[] { WaitCtxState.NoCallback, WaitCtxState.CallbackSet, WaitCtxState.Freed })
        {
            foreach (WaitCtxTrigger trigger in Enum.GetValues<WaitCtxTrigger>())
            {
                AsyncWaitCtx ctx = CtxIn(state);
                var fresh = new CheckedModels();
                foreach (WaitCtxState target in Enum.GetValues<WaitCtxState>())
                {
                    bool expected = Accepts(() => fresh.WaitCtx(ctx, trigger, target));
                    Assert.Equal(expected, Accepts(() => shared.WaitCtx(ctx, trigger, target)));
                }
            }
        }

        foreach (FdEntryState state in Enum.GetValues<FdEntryState>())
        {
            foreach (FdEntryTrigger trigger in Enum.GetValues<FdEntryTrigger>())
            {
                var fresh = new CheckedModels();
                foreach (FdEntryState target in Enum.GetValues<FdEntryState>())
                {
                    bool expected = Accepts(() => fresh.FdEntry(state, trigger, target));
                    Assert.Equal(expected, Accepts(() => shared.FdEntry(state, trigger, target)));
                }
            }
        }
    });

    [Fact]
    public void SpecDiagrams_Write_WritesWhatGenerateGives()
    {
        string directory = Path.Combine(Path.GetTempPath(), $"asyncref-diagrams-{Guid.NewGuid():N}", "nested");
        try
        {
            SpecDiagrams.Write(directory);
            IReadOnlyList<KeyValuePair<string, string>> files = SpecDiagrams.Generate();
            Assert.Equal(8, files.Count);
            Assert.Equal(files.Select(f => f.Key).Order(StringComparer.Ordinal), Directory.EnumerateFiles(directory).Select(Path.GetFileName).Order(StringComparer.Ordinal));
            Assert.All(files, f => Assert.Equal(f.Value, File.ReadAllText(Path.Combine(directory, f.Key))));
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(directory)!, recursive: true);
        }
    }

    [Fact]
    public void Coverage_OfAnItemNotInTheCatalogue_NamesTheItem()
    {
        var e = Assert.Throws<ArgumentException>(() => new ModelCoverage().HitsOf(new CoverageItem("job", CoverageKind.State, "Sleeping")));
        Assert.StartsWith("not an item of the model: job state Sleeping", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Coverage_NothingRecorded_ReachesNothing()
    {
        var coverage = new ModelCoverage();
        foreach (string machine in ModelCoverage.MachineNames)
        {
            Assert.Empty(coverage.Reached(machine));
            Assert.Equal(ModelCoverage.ItemsOf(machine), coverage.NotReached(machine));
        }
    }

    private static bool Accepts(Action fire)
    {
        try
        {
            fire();
            return true;
        }
        catch (InvariantViolationException)
        {
            return false;
        }
    }

    private static JobCore Running(AsyncThreadState thread)
    {
        var job = new JobCore();
        job.Transition(JobTrigger.Create, thread);
        return job;
    }

    /// <summary>A job object in <paramref name="state"/>, brought there through the machine's own edges.</summary>
    private static JobCore JobIn(AsyncJobState state, AsyncThreadState thread)
    {
        var job = new JobCore();
        JobTrigger[] path = state switch
        {
            AsyncJobState.Unallocated => [],
            AsyncJobState.Pooled => [JobTrigger.PreCreate],
            AsyncJobState.Running => [JobTrigger.Create],
            AsyncJobState.Paused => [JobTrigger.Create, JobTrigger.Pause],
            AsyncJobState.Finishing => [JobTrigger.Create, JobTrigger.Return],
            _ => [JobTrigger.PreCreate, JobTrigger.Free],
        };
        foreach (JobTrigger trigger in path)
        {
            job.Transition(trigger, thread);
        }

        Assert.Equal(state, job.State);
        return job;
    }

    private static AsyncWaitCtx CtxIn(WaitCtxState state)
    {
        AsyncWaitCtx ctx = AsyncWaitCtx.New();
        if (state == WaitCtxState.CallbackSet)
        {
            AsyncWaitCtx.SetCallback(ctx, _ => 1, null);
        }
        else if (state == WaitCtxState.Freed)
        {
            AsyncWaitCtx.Free(ctx);
        }

        Assert.Equal(state, ctx.State);
        return ctx;
    }
}
