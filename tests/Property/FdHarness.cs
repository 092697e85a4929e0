namespace AsyncRef.Property;

/// <summary>Which bookkeeping the model follows: the facts, or a planted bug the property must find.</summary>
internal enum FdModelVariant
{
    Facts,

    /// <summary>OpenSSL before PR #2581: clear_fd marks every entry deleted, even one added since the last reset.</summary>
    ClearAlwaysMarksDeleted,
}

/// <summary>How often a run reached the states the generator is meant to reach.</summary>
internal sealed class FdCoverage
{
    public int DeletedReported;
    public int SetThenClearedInSegment;
    public int AppEditsWhilePaused;
    public int StaleCountsAtSecondJobStart;
    public int DuplicateKeysLive;

    public void Add(FdCoverage other)
    {
        DeletedReported += other.DeletedReported;
        SetThenClearedInSegment += other.SetThenClearedInSegment;
        AppEditsWhilePaused += other.AppEditsWhilePaused;
        StaleCountsAtSecondJobStart += other.StaleCountsAtSecondJobStart;
        DuplicateKeysLive += other.DuplicateKeysLive;
    }
}

/// <summary>Runs an <see cref="FdScript"/> on the reference runtime and on <see cref="FdModel"/>, step by step.</summary>
internal static class FdHarness
{
    private static readonly object[] Keys = Enumerable.Range(0, FdScript.KeyCount).Select(i => (object)$"K{i}").ToArray();

    /// <summary>Returns the failures (empty when the run agreed with the model throughout).</summary>
    public static IReadOnlyList<string> Run(FdScript script, FdModelVariant variant, out FdCoverage coverage)
    {
        var failures = new List<string>();
        var cov = new FdCoverage();
        coverage = cov;
        var thread = new Thread(() => RunOnThread(script, variant, failures, cov));
        thread.Start();
        thread.Join();
        return failures;
    }

    private static void RunOnThread(FdScript script, FdModelVariant variant, List<string> failures, FdCoverage coverage)
    {
        var model = new FdModel(variant);
        AsyncWaitCtx ctx = AsyncWaitCtx.New();
        var addedThisSegment = new HashSet<int>();
        var vanished = new HashSet<int>();
        var cleanups = new List<int>();

        void Apply(FdOp op, AsyncWaitCtx target, bool fromApp)
        {
            if (fromApp)
            {
                coverage.AppEditsWhilePaused++;
            }

            if (op.Kind == FdOpKind.Set)
            {
                target.SetWaitFd(Keys[op.Key], op.Fd, null, (_, _, fd, _) => cleanups.Add(fd));
                model.Set(op.Key, op.Fd);
                addedThisSegment.Add(op.Fd);
            }
            else
            {
                int? cleared = model.GetFd(op.Key);
                int expected = model.Clear(op.Key) ? 1 : 0;
                int actual = target.ClearFd(Keys[op.Key]);
                if (actual != expected)
                {
                    failures.Add($"clear_fd K{op.Key} returned {actual}, the model says {expected}");
                }

                if (cleared is int fd && addedThisSegment.Remove(fd))
                {
                    vanished.Add(fd);
                    coverage.SetThenClearedInSegment++;
                }
            }
        }

        void Check(string where, bool justReset = false)
        {
            FdObservation actual = Observe(ctx);
            FdObservation expected = model.Observe();
            if (!actual.SameAs(expected))
            {
                failures.Add($"{where}: reference {actual}, model {expected}");
            }

            // The invariants hold whatever the model says (S1: the counts are the array lengths; spec WCTX-06).
            if (actual.NumAdd != actual.Added.Length || actual.NumDel != actual.Deleted.Length)
            {
                failures.Add($"{where}: counts differ from the arrays: {actual}");
            }

            if (actual.Added.Intersect(actual.Deleted).Any() || actual.Deleted.Intersect(actual.All).Any()
                || actual.Added.Except(actual.All).Any())
            {
                failures.Add($"{where}: added/deleted/all overlap wrongly: {actual}");
            }

            if (actual.Added.Concat(actual.Deleted).Intersect(vanished).Any())
            {
                failures.Add($"{where}: an fd set and cleared before any reset was reported: {actual}");
            }

            if (justReset && (actual.NumAdd != 0 || actual.NumDel != 0))
            {
                failures.Add($"{where}: counts not reset by the restart: {actual}");
            }

            coverage.DeletedReported += actual.Deleted.Length;
            if (actual.FdByKey.Length != actual.All.Length)
            {
                coverage.DuplicateKeysLive++;
            }
        }

        for (int j = 0; j < script.Jobs.Count && failures.Count == 0; j++)
        {
            IReadOnlyList<Segment> segments = script.Jobs[j];
            int jobNumber = j + 1;
            AsyncJobFunc body = async _ =>
            {
                AsyncWaitCtx mine = Async.GetWaitCtx(Async.GetCurrentJob())!;
                for (int s = 0; s < segments.Count; s++)
                {
                    foreach (FdOp op in segments[s].JobOps)
                    {
                        Apply(op, mine, fromApp: false);
                    }

                    Check($"job {jobNumber} segment {s + 1}, before pausing");
                    if (s < segments.Count - 1)
                    {
                        await Async.PauseJob();
                        model.Reset();
                        addedThisSegment.Clear();
                        vanished.Clear();
                        Check($"job {jobNumber} segment {s + 2}, right after the restart", justReset: true);
                    }
                }

                return jobNumber;
            };

            if (j > 0 && (ctx.Describe().NumAdd > 0 || ctx.Describe().NumDel > 0))
            {
                coverage.StaleCountsAtSecondJobStart++;
            }

            AsyncJob job = default;
            int ret = 0;
            for (int s = 0; s < segments.Count && failures.Count == 0; s++)
            {
                AsyncResult result = Async.StartJob(ref job, ctx, ref ret, body);
                AsyncResult expected = s < segments.Count - 1 ? AsyncResult.Pause : AsyncResult.Finish;
                if (result != expected)
                {
                    failures.Add($"job {jobNumber} start {s + 1} returned {result}, expected {expected}");
                    return;
                }

                Check($"job {jobNumber} after start {s + 1} returned {result}");
                foreach (FdOp op in segments[s].AppOps)
                {
                    Apply(op, ctx, fromApp: true);
                }

                if (segments[s].AppOps.Count > 0)
                {
                    Check($"job {jobNumber} after the application's calls");
                }
            }

            if (failures.Count == 0 && ret != jobNumber)
            {
                failures.Add($"job {jobNumber} finished with ret {ret}");
            }
        }

        if (failures.Count > 0)
        {
            return;
        }

        int[] expectedCleanups = model.CleanupsAtFree();
        AsyncWaitCtx.Free(ctx);
        if (!cleanups.SequenceEqual(expectedCleanups))
        {
            failures.Add($"cleanups at free: reference [{string.Join(" ", cleanups)}], model [{string.Join(" ", expectedCleanups)}]");
        }
    }

    private static FdObservation Observe(AsyncWaitCtx ctx)
    {
        ctx.GetAllFds([], out int count);
        int[] all = new int[count];
        ctx.GetAllFds(all, out _);
        ctx.GetChangedFds([], out int numAdd, [], out int numDel);
        int[] added = new int[numAdd];
        int[] deleted = new int[numDel];
        ctx.GetChangedFds(added, out _, deleted, out _);
        var byKey = new int?[FdScript.KeyCount];
        for (int k = 0; k < byKey.Length; k++)
        {
            int fd = -1;
            object? data = null;
            byKey[k] = ctx.GetFd(Keys[k], ref fd, ref data) == 1 ? fd : null;
        }

        return new FdObservation(all, added, deleted, numAdd, numDel, byKey);
    }
}
