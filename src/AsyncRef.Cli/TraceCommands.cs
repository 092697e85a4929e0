using System.CommandLine;
using AsyncRef.Traces;

namespace AsyncRef.Cli;

/// <summary><c>trace check</c>, <c>trace to-scn</c>, <c>trace synthesize</c>: wiring only; the work is in AsyncRef.Traces.</summary>
internal static class TraceCommands
{
    internal static IEnumerable<Command> Create(CliContext cli)
    {
        var json = new Option<bool>("--json") { Description = "Print one JSON document instead of text." };
        var calls = new Option<bool>("--calls") { Description = "List every call's recorded and predicted values." };
        var checkFile = TraceArgument();
        var check = new Command(
            "check",
            "Replay a recorded trace on the reference: every result compared, undefined uses named. Exit 0 conforming, 1 divergence or UB, 2 bad trace.")
        {
            checkFile, json, calls,
        };
        check.SetAction(p => TraceTools.Check(
            p.GetValue(checkFile)!, new TraceCheckOptions { Json = p.GetValue(json), ListCalls = p.GetValue(calls) }, cli.Out, cli.Err));

        var scnFile = TraceArgument();
        var split = new Option<string>("--split")
        {
            Description = "Write the scenario as DIR/part-001.scn, ... instead, each within the 64-function limit, split where no job is paused or running and no wait ctx is alive.",
            HelpName = "DIR",
        };
        var toScn = new Command("to-scn", "Write the scenario (.scn) equivalent to a trace on standard output.") { scnFile, split };
        toScn.SetAction(p => p.GetValue(split) is { } directory
            ? TraceTools.SplitToScenarios(p.GetValue(scnFile)!, directory, cli.Out, cli.Err)
            : TraceTools.ToScenario(p.GetValue(scnFile)!, cli.Out, cli.Err));

        var output = new Argument<string>("TRACE") { Description = "The trace file to write (a FIFO works: it is streamed)." };
        var count = new Option<long>("--calls") { Description = "How many API calls the trace records.", DefaultValueFactory = _ => 1_000_000 };
        var synthesize = new Command("synthesize", "Write a synthetic, conforming trace (for benchmarks and memory checks).") { output, count };
        synthesize.SetAction(p => TraceTools.Synthesize(p.GetValue(output)!, p.GetValue(count), cli.Err));

        var reduceIn = TraceArgument();
        var reduceOut = new Argument<string>("OUT") { Description = "The reduced trace to write." };
        var keep = new Option<long>("--calls") { Description = "Keep at least this many calls.", DefaultValueFactory = _ => 1000 };
        var reduce = new Command("reduce", "Write the first calls of a trace, cut where nothing is running, as a complete trace.") { reduceIn, reduceOut, keep };
        reduce.SetAction(p => TraceTools.Reduce(p.GetValue(reduceIn)!, p.GetValue(reduceOut)!, p.GetValue(keep), cli.Err));

        yield return new Command("trace", "Traces of real programs recorded by artifacts/libasyncref-trace.so (spec/trace-format.md).")
        {
            check, toScn, reduce, synthesize,
        };
    }

    private static Argument<string> TraceArgument() =>
        new("TRACE") { Description = "A trace written by libasyncref-trace.so (ASYNCREF_TRACE=FILE)." };
}
