using System.CommandLine;
using AsyncRef.Traces;

namespace AsyncRef.Cli;

/// <summary>The <c>trace</c> command group: wiring only; the work is in AsyncRef.Traces.</summary>
internal static class TraceCommand
{
    internal static Command Build(TextWriter stdout, TextWriter stderr)
    {
        var json = new Option<bool>("--json") { Description = "Print one JSON document instead of text." };
        var checkedMode = new Option<bool>("--checked") { Description = "Run the reference in checked mode (every transition validated against its model)." };
        var calls = new Option<bool>("--calls") { Description = "List every call's recorded and predicted values." };
        var checkFile = new Argument<string>("TRACE") { Description = "A trace written by libasyncref-trace.so." };
        var check = new Command("check", "Replay a recorded trace on the reference: every result compared, undefined uses named. Exit 0 conforming, 1 divergence or UB, 2 bad trace.")
        {
            checkFile, json, checkedMode, calls,
        };
        check.SetAction(p => TraceTools.Check(
            p.GetValue(checkFile)!,
            new TraceCheckOptions { Json = p.GetValue(json), CheckedMode = p.GetValue(checkedMode), ListCalls = p.GetValue(calls) },
            stdout,
            stderr));

        var scnFile = new Argument<string>("TRACE") { Description = "A trace written by libasyncref-trace.so." };
        var toScn = new Command("to-scn", "Write the scenario (.scn) equivalent to a trace on standard output.") { scnFile };
        toScn.SetAction(p => TraceTools.ToScenario(p.GetValue(scnFile)!, stdout, stderr));

        var synthFile = new Argument<string>("TRACE") { Description = "The trace file to write." };
        var synthCalls = new Option<long>("--calls") { Description = "How many API calls the trace records.", DefaultValueFactory = _ => 1_000_000 };
        var synth = new Command("synthesize", "Write a synthetic, conforming trace (benchmarks and memory checks).") { synthFile, synthCalls };
        synth.SetAction(p => TraceTools.Synthesize(p.GetValue(synthFile)!, p.GetValue(synthCalls), stderr));

        return new Command("trace", "Traces of real programs recorded by the LD_PRELOAD tracer.") { check, toScn, synth };
    }
}
