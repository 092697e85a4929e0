using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using AsyncRef.Oracle.Verdicts;
using AsyncRef.Scenarios;

namespace AsyncRef.Oracle.Checking;

/// <summary>
/// Runs <c>check</c>: every case on the reference and on another implementation, <see cref="CheckOptions.Jobs"/> at a
/// time, each side under the time limit, and compares the logs. Every case gets a verdict, whatever goes wrong with it.
/// </summary>
public sealed class CheckRunner
{
    private readonly CheckOptions _options;

    /// <summary>Creates a runner; the options are validated first.</summary>
    /// <param name="options">The options.</param>
    /// <exception cref="OracleInputException">An option is out of range, the command cannot be split, or its program cannot be found.</exception>
    public CheckRunner(CheckOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        try
        {
            ExternalImplementation.SplitCommand(options.Command);
        }
        catch (ArgumentException e)
        {
            throw new OracleInputException($"asyncref: --impl: {e.Message.Split(" (Parameter", 2)[0]}");
        }

        double maxSeconds = Math.Floor(ExternalImplementation.MaxTimeout.TotalSeconds);
        if (!(options.Timeout >= CheckOptions.MinTimeout && options.Timeout.TotalSeconds <= maxSeconds))
        {
            throw new OracleInputException(string.Create(
                CultureInfo.InvariantCulture, $"asyncref: --timeout must be a number of seconds from {CheckOptions.MinTimeout.TotalSeconds} to {maxSeconds}"));
        }

        if (options.Jobs is < 1 or > CheckOptions.MaxJobs)
        {
            throw new OracleInputException($"asyncref: -j must be from 1 to {CheckOptions.MaxJobs}");
        }

        try
        {
            ExternalImplementation.Probe(options.Command);
        }
        catch (Win32Exception e)
        {
            throw new OracleInputException($"asyncref: cannot run '{OracleText.Escape(options.Command)}': {e.Message}");
        }

        _options = options;
    }

    /// <summary>Runs the cases.</summary>
    /// <param name="files">The scenario files, in report order.</param>
    /// <param name="done">Results already known (a resumed run): those cases are not run again.</param>
    /// <param name="finished">Called with each new result as soon as its case finishes (any order, one call at a time).</param>
    /// <param name="inOrder">Called with every result, known ones included, in the order of <paramref name="files"/>, as soon as it and all before it are known.</param>
    /// <returns>The results, in the order of <paramref name="files"/>.</returns>
    public IReadOnlyList<CaseResult> Run(
        IReadOnlyList<string> files, IReadOnlyDictionary<string, CaseResult> done, Action<CaseResult> finished, Action<CaseResult> inOrder) =>
        RunCases(files, _options.Jobs, RunCase, done, finished, inOrder);

    /// <summary>Runs <paramref name="runCase"/> on every file not in <paramref name="done"/>, <paramref name="jobs"/> at a time (check's and verify's loop).</summary>
    internal static IReadOnlyList<CaseResult> RunCases(
        IReadOnlyList<string> files, int jobs, Func<string, CaseResult> runCase, IReadOnlyDictionary<string, CaseResult> done, Action<CaseResult> finished, Action<CaseResult> inOrder)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(done);
        ArgumentNullException.ThrowIfNull(finished);
        ArgumentNullException.ThrowIfNull(inOrder);
        var results = new CaseResult[files.Count];
        var releaser = new OrderedReleaser<CaseResult>(files.Count, inOrder);
        var todo = new ConcurrentQueue<int>();
        for (int i = 0; i < files.Count; i++)
        {
            if (done.TryGetValue(files[i], out CaseResult? known))
            {
                results[i] = known;
            }
            else
            {
                todo.Enqueue(i);
            }
        }

        var finishLock = new object();
        void Finish(int index, CaseResult result, bool isNew)
        {
            results[index] = result;
            if (isNew)
            {
                lock (finishLock)
                {
                    finished(result);
                }
            }

            releaser.Finished(index, result);
        }

        // Known results first, so a resumed run prints them before the new ones.
        for (int i = 0; i < files.Count; i++)
        {
            if (results[i] is { } known)
            {
                Finish(i, known, isNew: false);
            }
        }

        // Dedicated threads, not the thread pool: each worker blocks while its implementation runs, and the pool's
        // threads must stay free to read the implementations' output.
        Exception? failure = null;
        var workers = Enumerable.Range(0, Math.Min(jobs, Math.Max(todo.Count, 1))).Select(n => new Thread(() =>
        {
            try
            {
                while (todo.TryDequeue(out int index))
                {
                    Finish(index, runCase(files[index]), isNew: true);
                }
            }
            catch (Exception e)
            {
                // Only a failing callback (a full disk under --results, say) gets here: stop the run with it.
                Interlocked.CompareExchange(ref failure, e, null);
                todo.Clear();
            }
        })
        { IsBackground = true, Name = "asyncref check " + n }).ToList();
        workers.ForEach(w => w.Start());
        workers.ForEach(w => w.Join());
        if (failure is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        }

        return results;
    }

    /// <summary>
    /// Failures of the run as a whole, even when every case passed: nothing was compared at all, or the
    /// implementation skipped cases of both profiles (an implementation behaves like one library, so it must run
    /// the cases of the other profile).
    /// </summary>
    /// <param name="results">The results.</param>
    /// <returns>One line per problem.</returns>
    public static IReadOnlyList<string> Problems(IReadOnlyList<CaseResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var problems = new List<string>();
        List<CaseResult> skipped = results.Where(r => r.Verdict == Verdict.SkippedProfile).ToList();
        if (results.Count > 0 && skipped.Count == results.Count)
        {
            problems.Add("no case was compared: the implementation skipped every case (exit status 3)");
        }

        if (skipped.Any(r => r.Profile == "3.0") && skipped.Any(r => r.Profile == "1.1.1"))
        {
            problems.Add("the implementation skipped cases of both profiles (3.0 and 1.1.1): it must run one of them");
        }

        return problems;
    }

    private CaseResult RunCase(string file)
    {
        var clock = Stopwatch.StartNew();
        LoadedCase loaded = CaseLoader.Load(file);
        if (loaded.Rejection is { } rejected)
        {
            return rejected with { Seconds = clock.Elapsed.TotalSeconds };
        }

        Scenario scenario = loaded.Scenario!;
        string profile = OracleText.ProfileName(scenario.Profile);
        ScenarioLog? reference;
        try
        {
            reference = ReferenceRunner.Run(scenario, _options.Timeout);
        }
        catch (ScenarioParseException e)
        {
            // The run broke the log bound: like a parse error, the case cannot be judged.
            return new CaseResult(file, Verdict.Rejected, e.Message) { Profile = profile, Rules = loaded.Rules, Seconds = clock.Elapsed.TotalSeconds };
        }
        catch (Exception e)
        {
            // A bug in AsyncRef (an invariant it broke): the case cannot be judged, the run goes on.
            return new CaseResult(file, Verdict.Rejected, $"{OracleText.Escape(file)}: the reference failed: {e.GetType().Name}: {OracleText.OneLine(e.Message)}")
            {
                Profile = profile, Rules = loaded.Rules, Seconds = clock.Elapsed.TotalSeconds,
            };
        }

        if (reference is null)
        {
            return new CaseResult(file, Verdict.Timeout, ReferenceRunner.TimeoutMessage(_options.Timeout))
            {
                Profile = profile, Rules = loaded.Rules, Seconds = clock.Elapsed.TotalSeconds,
            };
        }

        IReadOnlyList<string> rules = WithUbRule(loaded.Rules, reference);
        long logBytes = reference.Lines.Sum(l => (long)Encoding.UTF8.GetByteCount(l) + 1);
        long outputLimit = Math.Min(CheckOptions.OutputFactor * logBytes + CheckOptions.OutputAllowance, ExternalImplementation.DefaultOutputLimit);
        ImplementationRun run;
        try
        {
            run = ExternalImplementation.Run(_options.Command, file, _options.Timeout, outputLimit);
        }
        catch (Win32Exception e)
        {
            return new CaseResult(file, Verdict.Crashed, "could not be started: " + OracleText.OneLine(e.Message))
            {
                Profile = profile, Rules = rules, Seconds = clock.Elapsed.TotalSeconds,
            };
        }

        LogComparison comparison = LogComparer.Compare(reference, run);
        return FromComparison(file, comparison) with
        {
            ExitCode = run is { TimedOut: false, OutputLimitExceeded: false } ? run.ExitCode : null,
            Profile = profile,
            Rules = rules,
            Seconds = clock.Elapsed.TotalSeconds,
        };
    }

    /// <summary>A case result from a comparison, every text escaped.</summary>
    internal static CaseResult FromComparison(string file, LogComparison comparison) =>
        new(file, VerdictTable.From(comparison.Verdict), OracleText.Escape(comparison.Message))
        {
            Line = comparison.Line,
            ReferenceLine = comparison.ReferenceLine is { } r ? OracleText.Escape(r) : null,
            OtherLine = comparison.OtherLine is { } o ? OracleText.Escape(o) : null,
        };

    /// <summary>The rules, plus the rule id of the reference's <c>UB</c> line (<c>… => UB RULE-ID explanation</c>).</summary>
    internal static IReadOnlyList<string> WithUbRule(IReadOnlyList<string> rules, ScenarioLog reference)
    {
        if (reference.UbLineIndex is not { } ub)
        {
            return rules;
        }

        string line = reference.Lines[ub];
        int at = line.IndexOf("=> UB ", StringComparison.Ordinal);
        if (at < 0)
        {
            return rules;
        }

        string id = line[(at + 6)..].Split(' ', 2)[0];
        return rules.Contains(id, StringComparer.Ordinal) ? rules : [.. rules, id];
    }
}
