using System.Diagnostics;
using System.Globalization;
using System.Text;
using AsyncRef.Campaigns.Execution;
using AsyncRef.Scenarios;

namespace AsyncRef.Campaigns.Inputs;

/// <summary>
/// The hostile-input campaign (<c>asyncref fuzz-inputs</c>): every file of <see cref="HostileInputs"/> goes through the
/// reference (in this process) and the implementation (in batch mode), under the same <see cref="ScenarioLimits"/>.
/// Both must accept it or both reject it with the same <c>FILE:LINE: message</c>; the reference must never fail
/// (an exception other than a parse error is what a stack trace would show), run out of memory or take too long; the
/// implementation may crash or hang only where the reference stopped at undefined behaviour (libcrypto itself
/// crashes there), and everything it does after that point is allowed. Logs are not compared: that is
/// <c>asyncref fuzz</c>'s work.
/// </summary>
internal sealed class InputFuzzCampaign(InputFuzzOptions options, TextWriter output)
{
    /// <summary>The most failing files saved, per campaign.</summary>
    private const int MaxSaved = 200;

    private readonly HostileInputs _inputs = new(options.Seed, LoadCorpus(options.Corpus), options.Limits);
    private readonly long[] _counts = new long[Enum.GetValues<Outcome>().Length];
    private int _saved;

    private enum Outcome
    {
        Accepted,
        Rejected,
        Disagreement,
        ReferenceFailure,
        Crash,
        Hang,
        OutOfMemory,
        CrashOnUb,
        HangOnUb,
    }

    public InputFuzzResult Run()
    {
        Directory.CreateDirectory(options.OutputDirectory);
        var clock = Stopwatch.StartNew();
        int workers = (int)Math.Clamp(options.Workers, 1, Math.Max(1, options.Count));
        Dictionary<string, string> environment = Variables(options.Limits);
        long done = 0;
        long step = Math.Max(1, options.Count / 10);
        Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, w =>
        {
            BatchImplementation impl = Start(environment);
            try
            {
                for (long i = w; i < options.Count; i += workers)
                {
                    (Outcome outcome, BatchImplementation next) = RunOne(impl, i, environment);
                    impl = next;
                    Interlocked.Increment(ref _counts[(int)outcome]);
                    if (Interlocked.Increment(ref done) % step == 0)
                    {
                        lock (output)
                        {
                            output.Write(string.Create(CultureInfo.InvariantCulture, $"fuzz-inputs: {Volatile.Read(ref done)} of {options.Count} files, {Failures()} failures\n"));
                            output.Flush();
                        }
                    }
                }
            }
            finally
            {
                impl.Dispose();
            }
        });

        double rate = options.Count / Math.Max(clock.Elapsed.TotalSeconds, 1e-9);
        var result = new InputFuzzResult(
            options.Count, Count(Outcome.Accepted), Count(Outcome.Rejected), Count(Outcome.Disagreement), Count(Outcome.ReferenceFailure),
            Count(Outcome.Crash), Count(Outcome.Hang), Count(Outcome.OutOfMemory), Count(Outcome.CrashOnUb), Count(Outcome.HangOnUb), rate);
        output.Write(string.Create(CultureInfo.InvariantCulture,
            $"fuzz-inputs: {result.Files} files (seed {options.Seed}), {result.Accepted} accepted, {result.Rejected} rejected by both, {result.Disagreements} disagreements, {result.ReferenceFailures} reference failures, {result.Crashes} crashes (and {result.CrashesOnUb} on UB, allowed), {result.Hangs} hangs (and {result.HangsOnUb} on UB, allowed), {result.OutOfMemory} out of memory, {rate:F0} files/s\n"));
        if (!result.Clean)
        {
            output.Write($"fuzz-inputs: the failing files are in {options.OutputDirectory}\n");
        }

        return result;
    }

    /// <summary>The limits as the variables the implementation reads.</summary>
    private static Dictionary<string, string> Variables(ScenarioLimits limits) => new(StringComparer.Ordinal)
    {
        [ScenarioLimits.MaxFileBytesVariable] = limits.MaxFileBytes.ToString(CultureInfo.InvariantCulture),
        [ScenarioLimits.MaxLineBytesVariable] = limits.MaxLineBytes.ToString(CultureInfo.InvariantCulture),
        [ScenarioLimits.MaxStatementsVariable] = limits.MaxStatements.ToString(CultureInfo.InvariantCulture),
        [ScenarioLimits.MaxThreadsVariable] = limits.MaxThreads.ToString(CultureInfo.InvariantCulture),
        [ScenarioLimits.MaxJobsVariable] = limits.MaxJobs.ToString(CultureInfo.InvariantCulture),
        [ScenarioLimits.MaxContextsVariable] = limits.MaxContexts.ToString(CultureInfo.InvariantCulture),
        [ScenarioLimits.MaxLogBytesVariable] = limits.MaxLogBytes.ToString(CultureInfo.InvariantCulture),
    };

    private static IReadOnlyList<byte[]> LoadCorpus(string? directory) =>
        directory is null
            ? []
            : Directory.GetFiles(directory, "*.scn", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Select(File.ReadAllBytes).ToList();

    private long Count(Outcome outcome) => Interlocked.Read(ref _counts[(int)outcome]);

    private long Failures() =>
        Count(Outcome.Disagreement) + Count(Outcome.ReferenceFailure) + Count(Outcome.Crash) + Count(Outcome.Hang) + Count(Outcome.OutOfMemory);

    private BatchImplementation Start(Dictionary<string, string> environment) =>
        BatchImplementation.TryStart(options.Implementation, options.Timeout, environment)
        ?? throw new InvalidOperationException($"{options.Implementation} does not offer batch mode (--batch)");

    private (Outcome Outcome, BatchImplementation Impl) RunOne(BatchImplementation impl, long index, Dictionary<string, string> environment)
    {
        (byte[] bytes, string origin) = _inputs.Get(index);
        string name = string.Create(CultureInfo.InvariantCulture, $"in-{index:D7}.scn");
        Func<ImplementationRun> pending = impl.Submit(bytes, name);
        Reference reference = RunReference(bytes, name);
        ImplementationRun other;
        try
        {
            other = pending();
        }
        catch (IOException e)
        {
            // The batch process itself died: a crash of the implementation; a fresh one takes the next files.
            impl.Dispose();
            Save(name, bytes, origin, reference, "the batch process failed: " + e.Message, null);
            return (Outcome.Crash, Start(environment));
        }

        (Outcome outcome, string? why) = Judge(reference, other);
        if (why is not null)
        {
            Save(name, bytes, origin, reference, why, other);
        }

        return (outcome, impl);
    }

    private Reference RunReference(byte[] bytes, string name)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            Scenario scenario = Scenario.ParseUtf8(bytes, name, options.Limits);
            ScenarioLog log = scenario.Run(_ =>
            {
                // The reference cannot be killed: the time is checked at every log line (no statement runs unboundedly).
                if (clock.Elapsed > options.Timeout)
                {
                    throw new TimeoutException("the reference took longer than the time limit");
                }
            });
            return clock.Elapsed > options.Timeout ? new Reference(Kind.Hang, "parsing took too long") : new Reference(log.StoppedAtUb ? Kind.Ub : Kind.Accepted, null);
        }
        catch (ScenarioParseException e)
        {
            return clock.Elapsed > options.Timeout ? new Reference(Kind.Hang, "parsing took too long") : new Reference(Kind.Rejected, e.Message);
        }
        catch (TimeoutException e)
        {
            return new Reference(Kind.Hang, e.Message);
        }
        catch (OutOfMemoryException e)
        {
            return new Reference(Kind.OutOfMemory, e.Message);
        }
        catch (Exception e)
        {
            // What the CLI would print as "internal error" (a bug in AsyncRef): kept whole, stack trace included.
            return new Reference(Kind.Failed, e.ToString());
        }
    }

    private static (Outcome, string?) Judge(Reference reference, ImplementationRun other)
    {
        switch (reference.Kind)
        {
            case Kind.Failed:
                return (Outcome.ReferenceFailure, "the reference failed");
            case Kind.OutOfMemory:
                return (Outcome.OutOfMemory, "the reference ran out of memory");
            case Kind.Hang:
                return (Outcome.Hang, "the reference hung");
        }

        string err = other.Stderr;
        string firstLine = err.Split('\n')[0];
        if (err.Contains("internal error", StringComparison.Ordinal) || err.Contains("   at ", StringComparison.Ordinal))
        {
            return (Outcome.Crash, "the implementation printed a stack trace");
        }

        bool ub = reference.Kind == Kind.Ub;
        if (err.Contains("out of memory", StringComparison.OrdinalIgnoreCase))
        {
            // After undefined behaviour (a freed context reused) the adapter may ask for absurd sizes and abort.
            return ub ? (Outcome.CrashOnUb, null) : (Outcome.OutOfMemory, "the implementation ran out of memory");
        }

        bool runTimeBound = firstLine.Contains(": the log is larger than ", StringComparison.Ordinal);
        if (other.TimedOut)
        {
            return ub ? (Outcome.HangOnUb, null) : (Outcome.Hang, "the implementation hung");
        }

        switch (other.ExitCode)
        {
            case 0:
            case 3:
                // 3: the profile is not the linked library's, or a run that undefined behaviour sent round a loop
                // stopped; either way the file parsed.
                return reference.Kind == Kind.Rejected && !(other.ExitCode == 3 && reference.Message!.Contains(": the log is larger than ", StringComparison.Ordinal))
                    ? (Outcome.Disagreement, "the reference rejected it, the implementation accepted it")
                    : (reference.Kind == Kind.Rejected ? Outcome.Rejected : Outcome.Accepted, null);
            case 2:
                if (reference.Kind == Kind.Rejected)
                {
                    return firstLine == reference.Message && err.TrimEnd('\n').IndexOf('\n', StringComparison.Ordinal) < 0
                        ? (Outcome.Rejected, null)
                        : (Outcome.Disagreement, "both rejected it, with different errors");
                }

                // After the reference's undefined behaviour the implementation may print more, up to the log bound.
                return ub && runTimeBound ? (Outcome.Accepted, null) : (Outcome.Disagreement, "the reference accepted it, the implementation rejected it");
            default:
                return ub ? (Outcome.CrashOnUb, null) : (Outcome.Crash, "the implementation crashed");
        }
    }

    private void Save(string name, byte[] bytes, string origin, Reference reference, string why, ImplementationRun? other)
    {
        if (Interlocked.Increment(ref _saved) > MaxSaved)
        {
            return;
        }

        string directory = Path.Combine(options.OutputDirectory, "failures");
        Directory.CreateDirectory(directory);
        File.WriteAllBytes(Path.Combine(directory, name), bytes);
        File.WriteAllText(Path.Combine(directory, name + ".txt"), new StringBuilder()
            .Append(why).Append('\n')
            .Append("made from: ").Append(origin).Append('\n')
            .Append("reference: ").Append(reference.Kind).Append(' ').Append(reference.Message).Append('\n')
            .Append(other is null ? "" : string.Create(CultureInfo.InvariantCulture, $"implementation: exit {other.ExitCode}, timed out {other.TimedOut}, stderr: {other.Stderr}\n"))
            .ToString());
    }

    private enum Kind
    {
        Accepted,
        Ub,
        Rejected,
        Failed,
        OutOfMemory,
        Hang,
    }

    private sealed record Reference(Kind Kind, string? Message);
}
