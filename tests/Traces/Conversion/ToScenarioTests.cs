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
