using AsyncRef;
using AsyncRef.Testing;
using Xunit;
using Xunit.Abstractions;

namespace HuntYourEngine;

/// <summary>
/// Step 2, the test: one execution builds the system (the engine, its worker, an application thread running jobs
/// with a callback-driven loop), and the hunt runs it under Coyote with every monitor attached.
/// </summary>
public sealed class ToyEngineTests(ITestOutputHelper output)
{
    private const int Jobs = 2;

    [Fact]
    public void CorrectEngine_SurvivesEveryExploredInterleaving()
    {
        // One worker per core: the body builds everything it uses, so executions of different workers share nothing.
        HuntResult result = Hunt.Create().WithIterations(200).WithSeed(7).WithParallelism(Environment.ProcessorCount).WithOutput(output.WriteLine)
            .Explore(session => Run(session, new ToyEngine(publishesDoneBeforeResult: false)));
        Assert.False(result.BugFound, result.Summary + "\n" + result.Report);
    }

    [Fact]
    public void Planted_ResultPublishedAfterDone_IsFound()
    {
        Action<HuntSession> body = session => Run(session, new ToyEngine(publishesDoneBeforeResult: true));
        HuntResult found = Hunt.Create().WithIterations(1000).WithSeed(7).WithOutput(output.WriteLine).Explore(body);
        Assert.True(found.BugFound, found.Summary);
        Assert.Contains("returned 0", found.Bug);

        // Step 3, the report: found.Report (also in found.ReportPath) names threads, jobs #N and source lines.
        HuntResult replay = Hunt.Create().Replay(found.TracePath!, body);
        Assert.Equal(found.Bug, replay.Bug);
    }

    /// <summary>An application thread runs <see cref="Jobs"/> jobs, resuming each when its callback fires.</summary>
    private static void Run(HuntSession session, ToyEngine engine)
    {
        Thread worker = session.StartThread("worker", engine.Work);
        Thread app = session.StartThread("app", () =>
        {
            var gate = new object();
            var ready = new Queue<int>();
            var ctxs = new AsyncWaitCtx[Jobs];
            var jobs = new AsyncJob[Jobs];
            var rets = new int[Jobs];
            int finished = 0;
            for (int i = 0; i < Jobs; i++)
            {
                int id = i;
                ctxs[i] = TracedAsync.NewWaitCtx();
                TracedAsync.SetCallback(ctxs[i], _ =>
                {
                    lock (gate)
                    {
                        ready.Enqueue(id);
                        Monitor.PulseAll(gate);
                    }

                    return 1;
                }, null);
                int input = i + 2;
                if (TracedAsync.StartJob(ref jobs[i], ctxs[i], ref rets[i], _ => engine.SquareAsync(input)) == AsyncResult.Finish)
                {
                    CheckResult(session, id, rets[id]);
                    finished++;
                }
            }

            while (finished < Jobs)
            {
                int id;
                lock (gate)
                {
                    while (ready.Count == 0)
                    {
                        Monitor.Wait(gate);
                    }

                    id = ready.Dequeue();
                }

                if (!jobs[id].IsNull && TracedAsync.StartJob(ref jobs[id], ctxs[id], ref rets[id], null) == AsyncResult.Finish)
                {
                    CheckResult(session, id, rets[id]);
                    finished++;
                }
            }

            foreach (AsyncWaitCtx ctx in ctxs)
            {
                TracedAsync.FreeWaitCtx(ctx);
            }

            TracedAsync.CleanupThread();
        });
        app.Join();
        engine.Stop();
        worker.Join();
    }

    private static void CheckResult(HuntSession session, int id, int ret) =>
        session.Check(ret == (id + 2) * (id + 2), $"the job of request {id} returned {ret}, expected {(id + 2) * (id + 2)}");
}
