using AsyncRef.Scenarios;
using AsyncRef.Traces.Format;
using AsyncRef.Traces.Synthesis;

namespace AsyncRef.Traces.Tests.Conversion;

/// <summary>A trace and its scenario are two faces of one run: the scenario's log repeats the recorded results.</summary>
public sealed class ToScenarioTests
{
    [Fact]
    public void PauseOnce_BecomesAFunctionPerJob_WithPointersNamedByFirstUse()
    {
        (int exit, string scenario, string stderr) = TraceFiles.ToScenario(TraceFiles.Write(TraceFiles.PauseOnce));
        Assert.Equal(0, exit);
        Assert.Equal("", stderr);
        Assert.Contains("func f1\nset_wait_fd . k1 9 - cleanup\npause\nreturn 42\nend\n", scenario, StringComparison.Ordinal);
        Assert.Contains("ctx_new c1\nstart j1 c1 f1 -\nget_all_fds c1\nstart j1 c1 f1 -\nctx_free c1\n", scenario, StringComparison.Ordinal);

        string log = Scenario.Parse(scenario, "pause-once.scn").Run().ToText();
        Assert.Contains("main start => PAUSE #1", log, StringComparison.Ordinal);
        Assert.Contains("main get_all_fds => 1 [9]", log, StringComparison.Ordinal);
        Assert.Contains("main start => FINISH 42", log, StringComparison.Ordinal);
        Assert.Contains("main ! cleanup k1 9 -", log, StringComparison.Ordinal);
    }

    [Fact]
    public void LongRun_SharesIdenticalBodies_AndItsLogRepeatsEveryRecordedStartResult()
    {
        string path = TraceFiles.Temp("synthetic.trace");
        using (FileStream stream = File.Create(path))
        {
            SyntheticTrace.Write(stream, 3000);
        }

        (int exit, string scenario, _) = TraceFiles.ToScenario(path);
        Assert.Equal(0, exit);
        Scenario parsed = Scenario.Parse(scenario, "synthetic.scn");
        // The first job of each of the 8 slots sets its own fd; every later job does the same thing: 9 functions.
        Assert.Equal(9, parsed.Functions.Count);

        string[] predicted = parsed.Run().Lines.Where(l => l.Contains(" start => ", StringComparison.Ordinal))
            .Select(l => l.Split(" => ")[1].Split(' ')[0]).ToArray();
        Assert.Equal(RecordedStartResults(path), predicted);
    }

    [Fact]
    public void TraceWithMoreThan64JobFunctions_IsSplitAtQuiescentPoints_IntoScenariosWithinTheLimit()
    {
        const int connections = 100;
        string path = TraceFiles.Write(w =>
        {
            for (int i = 1; i <= connections; i++)
            {
                // One "connection": its own ctx, one job that waits on its own fd (a distinct body each), the ctx freed.
                const ulong site = 0x1000, ctx = 0x5000, job = 0x6000, slot = 0x7000, key = 0x8000;
                w.Call(0, TraceFunction.CtxNew, site);
                w.Return(0, TraceFunction.CtxNew, ctx);
                w.Call(0, TraceFunction.StartJob, site, slot, 0, ctx, 0x7100, 0x400, 0, 0);
                w.Write(RecordKind.BodyEnter, TraceFunction.None, 0, [0x400, 0]);
                w.Call(0, TraceFunction.SetWaitFd, site, ctx, key, (ulong)(100 + i), 0, 0);
                w.Return(0, TraceFunction.SetWaitFd, 1);
                w.Call(0, TraceFunction.PauseJob, site);
                w.Return(0, TraceFunction.StartJob, 2, job, 0);
                w.Call(0, TraceFunction.StartJob, site, slot, job, ctx, 0x7100, 0x400, 0, 0);
                w.Return(0, TraceFunction.PauseJob, 1);
                w.Write(RecordKind.BodyReturn, TraceFunction.None, 0, [(ulong)i]);
                w.Return(0, TraceFunction.StartJob, 3, 0, (ulong)i);
                w.Call(0, TraceFunction.CtxFree, site, ctx);
                w.Return(0, TraceFunction.CtxFree, 0);
            }
        });

        (int exit, _, string stderr) = TraceFiles.ToScenario(path);
        Assert.Equal(0, exit);
        Assert.Contains("defines 100 distinct job functions, more than the 64", stderr, StringComparison.Ordinal);

        string directory = TraceFiles.Temp("parts");
        var stdout = new StringWriter();
        var errors = new StringWriter();
        Assert.Equal(0, TraceTools.SplitToScenarios(path, directory, stdout, errors));
        Assert.Equal("", errors.ToString());
        string[] files = stdout.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, files.Length);

        var predicted = new List<string>();
        int functions = 0;
        foreach (string file in files)
        {
            Scenario part = Scenario.Parse(File.ReadAllText(file), Path.GetFileName(file));
            Assert.InRange(part.Functions.Count, 1, 64);
            functions += part.Functions.Count;
            predicted.AddRange(part.Run().Lines.Where(l => l.Contains(" start => ", StringComparison.Ordinal))
                .Select(l => l.Split(" => ")[1]));
        }

        Assert.Equal(connections, functions);
        // Every start's outcome and every job's return value, across the parts, as the program recorded them.
        string[] recorded = Enumerable.Range(1, connections).SelectMany(i => new[] { "PAUSE #1", $"FINISH {i}" }).ToArray();
        Assert.Equal(recorded, predicted.Select(p => p.StartsWith("PAUSE", StringComparison.Ordinal) ? "PAUSE #1" : p).ToArray());
    }

    private static string[] RecordedStartResults(string path)
    {
        var results = new List<string>();
        using TraceReader reader = TraceReader.Open(path);
        var record = new TraceRecord();
        while (reader.Read(record))
        {
            if (record.Kind == RecordKind.Return && record.Function == TraceFunction.StartJob)
            {
                results.Add(((AsyncResult)record.Int(0)).ToString().ToUpperInvariant());
            }
        }

        return [.. results];
    }
}
