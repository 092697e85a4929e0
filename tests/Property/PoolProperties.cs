using FsCheck;
using FsCheck.Fluent;

namespace AsyncRef.Property;

/// <summary>What a generated job does when started.</summary>
public enum JobBody
{
    /// <summary>Returns at once.</summary>
    Return,

    /// <summary>Pauses once, then returns.</summary>
    PauseOnce,

    /// <summary>Blocks pausing and returns still blocked: the block counter leaks to the thread (spec PAUSE-06).</summary>
    BlockAndReturn,

    /// <summary>Unblocks once, then pauses once.</summary>
    UnblockThenPause,
}

/// <summary>One step of a pool script.</summary>
public abstract record PoolOp
{
    public sealed record Init(int Max, int InitSize) : PoolOp;

    public sealed record Start(JobBody Body) : PoolOp;

    /// <summary>Restarts the paused job at this index (modulo the number paused); a no-op when none is paused.</summary>
    public sealed record Resume(int Index) : PoolOp;

    public sealed record Cleanup : PoolOp;

    public sealed record BlockOutside : PoolOp;
}

/// <summary>Generators for pool scripts.</summary>
public static class PoolScriptArbitrary
{
    private static readonly Gen<PoolOp> Op = Gen.Frequency(
        (1, Gen.Zip(Gen.Choose(0, 3), Gen.Choose(0, 3)).Select(p => (PoolOp)new PoolOp.Init(p.Item1, p.Item2))),
        (6, Gen.Elements(Enum.GetValues<JobBody>()).Select(b => (PoolOp)new PoolOp.Start(b))),
        (5, Gen.Choose(0, 7).Select(i => (PoolOp)new PoolOp.Resume(i))),
        (1, Gen.Constant((PoolOp)new PoolOp.Cleanup())),
        (1, Gen.Constant((PoolOp)new PoolOp.BlockOutside())));

    /// <summary>The arbitrary for pool scripts, shrinking by dropping steps.</summary>
    public static Arbitrary<PoolOp[]> Scripts() => Arb.From(
        Gen.Choose(1, 30).SelectMany(n => Op.ArrayOf(n)),
        script => Enumerable.Range(0, script.Length).Select(i => script.Where((_, j) => j != i).ToArray()));
}

/// <summary>
/// The thread's pool and block counter, property-tested against a model written from the facts' pseudo-code
/// (§3.2, §3.5, §2.1, §2.2, §2.7): LIFO reuse, a creation budget that never goes down, NO_JOBS only when the idle
/// stack is empty and the budget used up, re-init replacing the pool, cleanup freeing idle jobs, a block counter
/// per thread that leaks across jobs.
/// </summary>
public sealed class PoolProperties
{
    [Fact]
    public void Pool_AgreesWithTheFactsModel()
    {
        FsCheck.Property property = Prop.ForAll(PoolScriptArbitrary.Scripts(), script =>
        {
            string? failure = PoolHarness.Run(script);
            if (failure is not null)
            {
                throw new InvalidOperationException(failure + "\nscript: " + string.Join(", ", script.Select(o => o.ToString())));
            }
        });
        property.Check(Config.QuickThrowOnFailure.WithMaxTest(WaitCtxProperties.MaxTest).WithQuietOnSuccess(true));
    }

    [Fact]
    public void Harness_DetectsAWrongModel()
    {
        // A FIFO pool instead of LIFO: the model must disagree with the runtime on some generated script.
        FsCheck.Property property = Prop.ForAll(PoolScriptArbitrary.Scripts(), script => PoolHarness.Run(script, fifo: true) is null);
        var failure = Assert.ThrowsAny<Exception>(() => property.Check(Config.QuickThrowOnFailure.WithMaxTest(1000).WithQuietOnSuccess(true)));
        Assert.Contains("Falsifiable", failure.Message, StringComparison.Ordinal);
    }
}

/// <summary>Runs a pool script on a fresh thread against the runtime and the model.</summary>
internal static class PoolHarness
{
    public static string? Run(PoolOp[] script, bool fifo = false)
    {
        string? failure = null;
        var thread = new Thread(() => failure = RunOnThread(script, fifo));
        thread.Start();
        thread.Join();
        return failure;
    }

    private sealed class Model(bool fifo)
    {
        public List<int>? Idle;            // top of the stack at the end
        public int Created;
        public int Max;
        public int Blocked;
        public int NextId;
        public readonly List<int> Paused = [];

        public int? Take()
        {
            if (Idle is null)
            {
                Idle = [];
                Created = 0;
                Max = 0;
            }

            if (Idle.Count > 0)
            {
                int index = fifo ? 0 : Idle.Count - 1;
                int id = Idle[index];
                Idle.RemoveAt(index);
                return id;
            }

            if (Max != 0 && Created >= Max)
            {
                return null;
            }

            Created++;
            return ++NextId;
        }
    }

    private static string? RunOnThread(PoolOp[] script, bool fifo)
    {
        var model = new Model(fifo);
        var ids = new Dictionary<long, int>();    // runtime object id -> model id
        var paused = new List<AsyncJob>();
        int leakedPaused = 0;
        AsyncWaitCtx ctx = AsyncWaitCtx.New();

        // Runtime job objects and model jobs must correspond one to one, learned as they first appear.
        string? Map(long objectId, int modelId)
        {
            if (ids.TryGetValue(objectId, out int known))
            {
                return known == modelId ? null : $"job object {objectId} is model job {known}, expected {modelId}";
            }

            if (ids.ContainsValue(modelId))
            {
                return $"model job {modelId} appeared as a second object";
            }

            ids[objectId] = modelId;
            return null;
        }

        for (int step = 0; step < script.Length; step++)
        {
            string where = $"step {step + 1} ({script[step]})";
            switch (script[step])
            {
                case PoolOp.Init init:
                    int r = Async.InitThread((nuint)init.Max, (nuint)init.InitSize);
                    int expected = init.InitSize > init.Max ? 0 : 1;
                    if (r != expected)
                    {
                        return $"{where}: init returned {r}";
                    }

                    if (expected == 1)
                    {
                        model.Idle = Enumerable.Range(0, init.InitSize).Select(_ => ++model.NextId).ToList();
                        model.Created = init.InitSize;
                        model.Max = init.Max;
                    }
                    else if (Async.DrainErrors().Select(e => e.Name).SingleOrDefault() != "INVALID_POOL_SIZE")
                    {
                        return $"{where}: no INVALID_POOL_SIZE queued";
                    }

                    break;

                case PoolOp.Start start:
                {
                    AsyncJob job = default;
                    int ret = -1;
                    int? id = model.Take();
                    AsyncResult result = Async.StartJob(ref job, ctx, ref ret, Body(start.Body));
                    if (id is null)
                    {
                        if (result != AsyncResult.NoJobs || !job.IsNull || ret != -1)
                        {
                            return $"{where}: expected NO_JOBS, got {result}";
                        }

                        break;
                    }

                    bool pauses = start.Body switch
                    {
                        JobBody.PauseOnce => model.Blocked == 0,
                        JobBody.UnblockThenPause => (model.Blocked = Math.Max(0, model.Blocked - 1)) == 0,
                        _ => false,
                    };
                    if (start.Body == JobBody.BlockAndReturn)
                    {
                        model.Blocked++;
                    }

                    if (pauses)
                    {
                        if (result != AsyncResult.Pause)
                        {
                            return $"{where}: expected PAUSE, got {result}";
                        }

                        if (Map(job.ObjectId, id.Value) is { } e)
                        {
                            return $"{where}: {e}";
                        }

                        model.Paused.Add(id.Value);
                        paused.Add(job);
                    }
                    else
                    {
                        if (result != AsyncResult.Finish || ret != (int)start.Body)
                        {
                            return $"{where}: expected FINISH {(int)start.Body}, got {result} {ret}";
                        }

                        model.Idle!.Add(id.Value);
                    }

                    break;
                }

                case PoolOp.Resume resume when paused.Count > 0:
                {
                    int index = resume.Index % paused.Count;
                    AsyncJob job = paused[index];
                    int ret = -1;
                    AsyncResult result = Async.StartJob(ref job, null, ref ret, null);
                    if (result != AsyncResult.Finish || !job.IsNull)
                    {
                        return $"{where}: expected FINISH, got {result}";
                    }

                    paused.RemoveAt(index);
                    model.Idle!.Add(model.Paused[index]);
                    model.Paused.RemoveAt(index);
                    break;
                }

                case PoolOp.Cleanup:
                    // Paused jobs leak, as documented; they are never restarted again (one whose function then returned
                    // would be UB-CLEANUP-WHILE-PAUSED), but the thread still counts them as paused.
                    Async.CleanupThread();
                    leakedPaused += paused.Count;
                    paused.Clear();
                    model.Paused.Clear();
                    model.Idle = null;
                    model.Blocked = 0;
                    break;

                case PoolOp.BlockOutside:
                    Async.BlockPause();
                    break;
            }

            AsyncThreadSnapshot snapshot = Async.DescribeThread();
            int[] idle = snapshot.IdleJobObjectIds.Select(o => ids.TryGetValue(o, out int m) ? m : -1).ToArray();
            int[] expectedIdle = model.Idle is null ? [] : Enumerable.Reverse(model.Idle).ToArray();
            if (idle.Contains(-1))
            {
                // Jobs the test never held a handle of (pre-created, or finished without pausing): match by position.
                for (int i = 0; i < idle.Length && i < expectedIdle.Length; i++)
                {
                    if (idle[i] == -1 && Map(snapshot.IdleJobObjectIds[i], expectedIdle[i]) is { } e)
                    {
                        return $"{where}: {e}";
                    }
                }

                idle = snapshot.IdleJobObjectIds.Select(o => ids.TryGetValue(o, out int m) ? m : -1).ToArray();
            }

            if (!idle.SequenceEqual(expectedIdle) || snapshot.BlockCounter != (uint)model.Blocked
                || snapshot.HasPool != (model.Idle is not null) || (snapshot.HasPool && (int)snapshot.PoolCreated != model.Created)
                || snapshot.PausedJobs != model.Paused.Count + leakedPaused)
            {
                return $"{where}: runtime idle=[{string.Join(" ", idle)}] created={snapshot.PoolCreated} blocked={snapshot.BlockCounter} paused={snapshot.PausedJobs}; "
                    + $"model idle=[{string.Join(" ", expectedIdle)}] created={model.Created} blocked={model.Blocked} paused={model.Paused.Count}+{leakedPaused} leaked";
            }
        }

        return null;
    }

    private static AsyncJobFunc Body(JobBody body) => body switch
    {
        JobBody.Return => _ => Return(0),
        JobBody.PauseOnce => async _ =>
        {
            await Async.PauseJob();
            return 1;
        },
        JobBody.BlockAndReturn => _ =>
        {
            Async.BlockPause();
            return Return(2);
        },
        _ => async _ =>
        {
            Async.UnblockPause();
            await Async.PauseJob();
            return 3;
        },
    };

#pragma warning disable CS1998 // A JobTask method that completes synchronously.
    private static async JobTask<int> Return(int value) => value;
#pragma warning restore CS1998
}
