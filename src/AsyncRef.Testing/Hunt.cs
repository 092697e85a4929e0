using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using AsyncRef.Testing.Monitors;
using AsyncRef.Testing.Recording;
using AsyncRef.Testing.Reporting;
using Microsoft.Coyote;
using Microsoft.Coyote.Logging;
using Microsoft.Coyote.SystematicTesting;

namespace AsyncRef.Testing;

/// <summary>
/// A systematic bug hunt: runs a test body many times under Coyote, which controls every thread switch, and
/// reports the first execution that breaks an assertion, a monitor, or deadlocks. Configure it fluently, then
/// call <see cref="Explore"/>:
/// <code>
/// HuntResult result = Hunt.Create().WithIterations(1000).WithSeed(7).Explore(session => { ... });
/// result.ThrowIfBug();
/// </code>
/// On a bug it writes <c>NAME.trace</c>, <c>NAME.report.txt</c> and (when expressible) <c>NAME.scn</c> to the output
/// directory, prints their paths and the replay command. Environment overrides for CI: <c>ASYNCREF_HUNT_ITERATIONS</c>,
/// <c>ASYNCREF_HUNT_SEED</c>, <c>ASYNCREF_HUNT_OUTPUT</c>, <c>ASYNCREF_HUNT_REPLAY=PATH/NAME.trace</c>, which makes
/// the hunt called NAME replay that trace instead of exploring, and <c>ASYNCREF_HUNT_SUMMARY=FILE</c>, which appends
/// one tab-separated line per exploration (name, seed, iterations, bug found, iterations/s wall and CPU, steps,
/// workers), and <c>ASYNCREF_HUNT_WORKERS</c> (see <see cref="WithParallelism"/>). Hunts in one process run one at a
/// time.
/// </summary>
public sealed class Hunt
{
    /// <summary>Coyote's runtime is process-wide: explorations must not overlap.</summary>
    private static readonly object s_exclusive = new();

    /// <summary>How long an execution may take no step before it is reported as a potential deadlock or hang.</summary>
    private const uint DeadlockTimeoutMilliseconds = 10_000;

    /// <summary>A worker's first engine explores this many executions, each next one twice as many, up to <see cref="MaxChunk"/>.</summary>
    private const int FirstChunk = 16;

    private const int MaxChunk = 1024;

    private string? _name;
    private int _iterations = 1000;
    private uint _seed = 20261123;
    private HuntStrategy _strategy = HuntStrategy.Random;
    private bool _strict = true;
    private TimeSpan? _timeout;
    private int _livenessBound = 100;
    private uint _maxSteps = 20000;
    private AsyncMonitors _monitors = AsyncMonitors.All;
    private bool _checkedRuntime;
    private bool _singleCore = true;
    private int _workers = 1;
    private string? _outputDirectory;
    private Action<string> _output = Console.WriteLine;

    private Hunt()
    {
    }

    /// <summary>A hunt with the defaults: 1,000 iterations, seed 20261123, random strategy, strict mode, every monitor, one worker.</summary>
    /// <returns>The hunt, to configure.</returns>
    public static Hunt Create() => new();

    /// <summary>Names the hunt (its files and the replay filter); by default the name of the method that calls <see cref="Explore"/>.</summary>
    /// <param name="name">A file-name-safe name.</param>
    /// <returns>This hunt.</returns>
    public Hunt Named(string name)
    {
        _name = name;
        return this;
    }

    /// <summary>Executions to explore (<c>ASYNCREF_HUNT_ITERATIONS</c> overrides it).</summary>
    /// <param name="iterations">At least 1.</param>
    /// <returns>This hunt.</returns>
    public Hunt WithIterations(int iterations)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, 1);
        _iterations = iterations;
        return this;
    }

    /// <summary>The seed of Coyote's choices: the same seed explores the same executions (<c>ASYNCREF_HUNT_SEED</c> overrides it).</summary>
    /// <param name="seed">Any value.</param>
    /// <returns>This hunt.</returns>
    public Hunt WithSeed(uint seed)
    {
        _seed = seed;
        return this;
    }

    /// <summary>The exploration strategy.</summary>
    /// <param name="strategy">The strategy.</param>
    /// <returns>This hunt.</returns>
    public Hunt WithStrategy(HuntStrategy strategy)
    {
        _strategy = strategy;
        return this;
    }

    /// <summary>
    /// Strict mode (on by default): concurrency Coyote does not control (an assembly left unrewritten, a primitive it
    /// cannot intercept) is a failure rather than a silently partial exploration.
    /// </summary>
    /// <param name="strict">Whether uncontrolled concurrency fails the hunt.</param>
    /// <returns>This hunt.</returns>
    public Hunt WithStrictMode(bool strict)
    {
        _strict = strict;
        return this;
    }

    /// <summary>Stops exploring after <paramref name="timeout"/> even if iterations remain.</summary>
    /// <param name="timeout">At least one second.</param>
    /// <returns>This hunt.</returns>
    public Hunt WithTimeout(TimeSpan timeout)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(timeout, TimeSpan.FromSeconds(1));
        _timeout = timeout;
        return this;
    }

    /// <summary>The liveness bound: the most times one job may pause with status <c>EAGAIN</c> in a row (default 100).</summary>
    /// <param name="bound">At least 1.</param>
    /// <returns>This hunt.</returns>
    public Hunt WithLivenessBound(int bound)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bound, 1);
        _livenessBound = bound;
        return this;
    }

    /// <summary>Scheduling steps per execution before Coyote cuts it short (default 20,000).</summary>
    /// <param name="steps">At least 100.</param>
    /// <returns>This hunt.</returns>
    public Hunt WithMaxSteps(int steps)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 100);
        _maxSteps = (uint)steps;
        return this;
    }

    /// <summary>The monitors to attach (default: <see cref="AsyncMonitors.All"/>).</summary>
    /// <param name="monitors">The monitors.</param>
    /// <returns>This hunt.</returns>
    public Hunt WithMonitors(AsyncMonitors monitors)
    {
        _monitors = monitors;
        return this;
    }

    /// <summary>
    /// Whether the runtime validates its own transitions against its models while the hunt runs
    /// (<see cref="Async.CheckedMode"/>). Off by default: it checks AsyncRef, not your code, and costs about half of
    /// the exploration's time. The previous setting is restored afterwards.
    /// </summary>
    /// <param name="enabled">Whether checked mode is on during the hunt.</param>
    /// <returns>This hunt.</returns>
    public Hunt WithCheckedRuntime(bool enabled)
    {
        _checkedRuntime = enabled;
        return this;
    }

    /// <summary>
    /// Whether each worker of the exploration runs on one core (on by default; with one worker on Linux and Windows, with
    /// several on Linux). Coyote runs one controlled thread at a time and hands control to another at most steps; on one
    /// core a handoff is a local switch instead of a wake-up of another core, which made one worker on the standard engine
    /// test explore about 1.6 times as many iterations per second, and two workers pinned to a core each about 1.6 times
    /// as many as two unpinned. The cores are given back afterwards.
    /// </summary>
    /// <param name="enabled">Whether to pin each worker to one core.</param>
    /// <returns>This hunt.</returns>
    public Hunt WithSingleCore(bool enabled)
    {
        _singleCore = enabled;
        return this;
    }

    /// <summary>
    /// Explores with <paramref name="workers"/> independent Coyote engines at once, each on its own core (default 1;
    /// <c>ASYNCREF_HUNT_WORKERS</c> overrides it), as <c>coyote test --parallel</c> does with processes. Coyote seeds execution k of a hunt
    /// with the hunt's seed + k; worker i explores its share of those seeds, the next block after worker i - 1's. With
    /// the random and probabilistic strategies an execution depends on its seed alone, so the workers together explore
    /// the same executions as one, and the reported bug (the lowest worker's first, hence the first in seed order), its
    /// iteration, seed and trace are the same for every worker count. Prioritization, delay bounding and the portfolio
    /// learn from one execution for the next, so they always run as one worker.
    /// Unlike Coyote's processes, the workers share the process: executions of different workers run at the same time,
    /// so the body must build everything it uses (as it should anyway); state kept between executions (a static, an object
    /// captured from outside the body) is used by two at once, and Coyote reports a lock or semaphore used so as "created
    /// in a previous test iteration". Hence one worker by default.
    /// </summary>
    /// <param name="workers">At least 1; <see cref="Environment.ProcessorCount"/> uses every core.</param>
    /// <returns>This hunt.</returns>
    public Hunt WithParallelism(int workers)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);
        _workers = workers;
        return this;
    }

    /// <summary>Where traces, reports and scenarios go (default: <c>ASYNCREF_HUNT_OUTPUT</c>, else <c>hunt-results</c> under the current directory).</summary>
    /// <param name="directory">A directory; created when needed.</param>
    /// <returns>This hunt.</returns>
    public Hunt WithOutputDirectory(string directory)
    {
        _outputDirectory = directory;
        return this;
    }

    /// <summary>Where the hunt prints its summary (default: standard output); for example xunit's <c>ITestOutputHelper.WriteLine</c>.</summary>
    /// <param name="writeLine">Receives whole lines.</param>
    /// <returns>This hunt.</returns>
    public Hunt WithOutput(Action<string> writeLine)
    {
        _output = writeLine;
        return this;
    }

    /// <summary>
    /// Explores <paramref name="body"/>: each execution builds its own system (fds, engines, threads) inside the body,
    /// starts threads through <see cref="HuntSession.StartThread"/> and calls the ASYNC API through
    /// <see cref="TracedAsync"/>. Stops at the first bug.
    /// </summary>
    /// <param name="body">One execution of the test.</param>
    /// <param name="caller">Filled in by the compiler: the default name.</param>
    /// <returns>What was found.</returns>
    /// <exception cref="InvalidOperationException">The assemblies are not rewritten, or Coyote saw uncontrolled concurrency in strict mode.</exception>
    public HuntResult Explore(Action<HuntSession> body, [CallerMemberName] string caller = "")
    {
        string name = _name ?? caller;
        string? replay = Environment.GetEnvironmentVariable("ASYNCREF_HUNT_REPLAY");
        if (!string.IsNullOrEmpty(replay) && Path.GetFileNameWithoutExtension(replay) == name)
        {
            return Replay(replay, body);
        }

        lock (s_exclusive)
        {
            using var checkedMode = new CheckedModeScope(_checkedRuntime);
            int iterations = Iterations();
            uint seed = Seed();
            int workers = Math.Min(Workers(), iterations);
            using var cores = new CoreScope(_singleCore, workers);
            var stopwatch = Stopwatch.StartNew();
            TimeSpan cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var runs = new WorkerRun[workers];
            for (int i = 0, first = 0; i < workers; first += runs[i].Share, i++)
            {
                runs[i] = new WorkerRun(i, first, iterations / workers + (i < iterations % workers ? 1 : 0));
            }

            var finders = new FinderSignal(workers);
            Thread[] others = [.. runs.Skip(1).Select(run => new Thread(() => RunWorker(run, body, seed, cores, finders, stopwatch)) { Name = $"hunt worker {run.Index}", IsBackground = true })];
            foreach (Thread thread in others)
            {
                thread.Start();
            }

            RunWorker(runs[0], body, seed, cores, finders, stopwatch);
            foreach (Thread thread in others)
            {
                thread.Join();
            }

            stopwatch.Stop();
            TimeSpan cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;

            // The lowest worker that found a bug (or failed) decides: every lower one explored its whole share cleanly.
            WorkerRun? finder = runs.FirstOrDefault(run => run.Bug is not null || run.Error is not null);
            finder?.Error?.Throw();
            int explored = runs.Sum(run => run.Explored);
            double steps = (double)runs.Sum(run => run.Steps) / Math.Max(1, runs.Sum(run => run.Paths));
            HuntWorker[] workerResults = [.. runs.Select(run => new HuntWorker(run.Index, unchecked(seed + (uint)run.First), run.Explored, run.Elapsed))];
            if (finder?.Bug is not { } bug)
            {
                var clean = new HuntResult(name, explored, stopwatch.Elapsed, cpu, steps) { Workers = workerResults };
                _output(clean.Summary);
                AppendSummary(clean);
                return clean;
            }

            var origin = new BugOrigin(finder.Index, bug.Iteration, unchecked(seed + (uint)bug.Iteration - 1), workerResults);
            HuntResult found = Analyse(name, bug.Trace, bug.Message, body, explored, (stopwatch.Elapsed, cpu, steps), origin);
            _output(found.Summary);
            AppendSummary(found);
            return found;
        }
    }

    /// <summary>Replays a trace written by <see cref="Explore"/> and reports the bug it reproduces.</summary>
    /// <param name="tracePath">A <c>.trace</c> file.</param>
    /// <param name="body">The same test body that produced it.</param>
    /// <returns>What the replay found (no bug when the trace no longer reproduces one).</returns>
    public HuntResult Replay(string tracePath, Action<HuntSession> body)
    {
        string name = Path.GetFileNameWithoutExtension(tracePath);
        lock (s_exclusive)
        {
            using var checkedMode = new CheckedModeScope(_checkedRuntime);
            var stopwatch = Stopwatch.StartNew();
            string trace = File.ReadAllText(tracePath);
            (Iteration? recorded, string? bug) = RunRecorded(trace, body);
            stopwatch.Stop();
            if (bug is null || recorded is null)
            {
                return new HuntResult(name, 1, stopwatch.Elapsed, TimeSpan.Zero, 0);
            }

            return Build(name, trace, bug, recorded, 1, (stopwatch.Elapsed, TimeSpan.Zero, 0), origin: null);
        }
    }

    private uint Seed() => uint.TryParse(Environment.GetEnvironmentVariable("ASYNCREF_HUNT_SEED"), out uint s) ? s : _seed;

    private int Iterations() => int.TryParse(Environment.GetEnvironmentVariable("ASYNCREF_HUNT_ITERATIONS"), out int n) && n > 0 ? n : _iterations;

    /// <summary>
    /// Prioritization, delay bounding and the portfolio carry what they learnt from one execution into the next (the
    /// longest schedule seen, the rotation of strategies): split between workers they would explore other executions
    /// than one engine does, so they run as one worker, in one engine, as Coyote runs them.
    /// </summary>
    private bool Learns => _strategy is HuntStrategy.Prioritization or HuntStrategy.DelayBounding or HuntStrategy.Portfolio;

    private int Workers() => Learns ? 1
        : int.TryParse(Environment.GetEnvironmentVariable("ASYNCREF_HUNT_WORKERS"), out int n) && n > 0 ? n : _workers;

    private void AppendSummary(HuntResult result)
    {
        if (Environment.GetEnvironmentVariable("ASYNCREF_HUNT_SUMMARY") is { Length: > 0 } path)
        {
            // The iterations column is the number of the failing execution for a bug (what one worker needs), else those explored.
            int iterations = result.BugFound ? result.BugIteration : result.Iterations;
            File.AppendAllText(path, string.Create(
                CultureInfo.InvariantCulture,
                $"{result.Name}\t{Seed()}\t{iterations}\t{(result.BugFound ? "bug" : "clean")}\t{result.IterationsPerSecond:F0}\t{result.IterationsPerCpuSecond:F0}\t{result.StepsPerIteration:F0}\t{result.Workers.Count}\n"));
        }
    }

    /// <summary>
    /// Explores worker <paramref name="run"/>'s share: the executions of seeds <c>seed + First</c> onwards. Coyote seeds
    /// execution k of an engine with the engine's seed + k and, with a strategy that learns nothing across executions,
    /// nothing else carries over: the workers together explore exactly the executions one engine would, and the lowest
    /// worker's first bug is the one engine's first bug. A worker explores in engines of growing size (16 executions,
    /// then 32, up to 1,024) so that it can stop between them: when a lower worker found a bug (this one's could not be
    /// reported) or the timeout passed. One worker without a timeout explores in one engine.
    /// </summary>
    private void RunWorker(WorkerRun run, Action<HuntSession> body, uint seed, CoreScope cores, FinderSignal finders, Stopwatch clock)
    {
        var watch = Stopwatch.StartNew();
        bool chunked = !Learns && (finders.Workers > 1 || _timeout is not null);
        int chunk = chunked ? FirstChunk : run.Share;
        try
        {
            while (run.Explored < run.Share && !finders.LowerFound(run.Index) && !(chunked && clock.Elapsed >= _timeout))
            {
                int size = Math.Min(chunk, run.Share - run.Explored);
                int firstNumber = run.First + run.Explored;
                int executed = 0;
                Configuration config = Configure(size, unchecked(seed + (uint)firstNumber), coyoteTimeout: !chunked);
                using TestingEngine engine = TestingEngine.Create(config, Execution(body, recording: false, () => firstNumber + ++executed, _ => { }, () => cores.PinCurrentThread(run.Index)));
                engine.SetLogger(new TextWriterLogger(TextWriter.Null, VerbosityLevel.None));
                cores.Attach(engine, run.Index);
                engine.Run();
                CheckSetup(engine);
                TestReport report = engine.TestReport;
                run.Explored += executed;
                run.Steps += report.TotalExploredFairSteps + report.TotalExploredUnfairSteps;
                run.Paths += report.NumOfExploredFairPaths + report.NumOfExploredUnfairPaths;
                if (report.NumOfFoundBugs > 0)
                {
                    run.Bug = (firstNumber + executed, engine.ReproducibleTrace, report.BugReports.First());
                    finders.Found(run.Index);
                    break;
                }

                chunk = Math.Min(chunk * 2, MaxChunk);
            }
        }
        catch (Exception e)
        {
            run.Error = ExceptionDispatchInfo.Capture(e);
            finders.Found(run.Index);
        }

        run.Elapsed = watch.Elapsed;
    }

    private Configuration Configure(int iterations, uint seed, bool coyoteTimeout)
    {
        Configuration config = Configuration.Create()
            .WithTestingIterations((uint)iterations)
            .WithRandomGeneratorSeed(seed)
            .WithMaxSchedulingSteps(_maxSteps)
            .WithPartiallyControlledConcurrencyAllowed(!_strict)
            .WithTelemetryEnabled(false)
            // The execution graph feeds Coyote's DGML trace files, which a hunt never writes: it cost a tenth of each step.
            .WithTraceAnalysisEnabled(false)
            // Real deadlocks are detected when every operation blocks; this timer only catches steps that stop coming.
            // At Coyote's 1 s default, a first iteration still being JIT-compiled on a loaded machine was reported as one.
            .WithDeadlockTimeout(DeadlockTimeoutMilliseconds);
        config = _strategy switch
        {
            HuntStrategy.Random => config.WithRandomStrategy(),
            HuntStrategy.Prioritization => config.WithPrioritizationStrategy(isFair: true),
            HuntStrategy.Probabilistic => config.WithProbabilisticStrategy(),
            HuntStrategy.DelayBounding => config.WithDelayBoundingStrategy(isFair: true),
            _ => config,
        };

        // Coyote's own timeout keeps an engine exploring past its iterations until it expires; chunked workers check the time between engines instead.
        return coyoteTimeout && _timeout is { } timeout ? config.WithTestingTimeout((int)Math.Ceiling(timeout.TotalSeconds)) : config;
    }

    /// <summary>One execution: a fresh iteration state, the body, then the end-of-execution checks.</summary>
    private Func<Task> Execution(Action<HuntSession> body, bool recording, Func<int> nextNumber, Action<Iteration> started, Action threadStarted) => () =>
    {
        threadStarted();
        var iteration = new Iteration(nextNumber(), recording, MonitorSet.Create(_monitors), _livenessBound);
        Iteration.Current = iteration;
        started(iteration);
        iteration.Adopt("main");
        var session = new HuntSession(iteration, threadStarted);
        try
        {
            body(session);
            session.JoinAll();
        }
        catch (Exception e) when (!HuntSession.IsCoyoteControl(e))
        {
            iteration.Fail($"thread 'main' threw {e.GetType().Name}: {e.Message}");
        }

        iteration.End();
        return Task.CompletedTask;
    };

    /// <summary>Replays <paramref name="trace"/> once with recording on.</summary>
    private (Iteration? Recorded, string? Bug) RunRecorded(string trace, Action<HuntSession> body)
    {
        Iteration? recorded = null;
        Configuration config = Configuration.Create().WithTelemetryEnabled(false).WithTraceAnalysisEnabled(false)
            .WithDeadlockTimeout(DeadlockTimeoutMilliseconds).WithReproducibleTrace(trace);
        using TestingEngine engine = TestingEngine.Create(config, Execution(body, recording: true, () => 1, it => recorded = it, () => { }));
        engine.SetLogger(new TextWriterLogger(TextWriter.Null, VerbosityLevel.None));
        engine.Run();
        CheckSetup(engine);
        return (recorded, engine.TestReport.BugReports.FirstOrDefault());
    }

    private HuntResult Analyse(string name, string trace, string coyoteMessage, Action<HuntSession> body, int iterations, (TimeSpan Wall, TimeSpan Cpu, double Steps) cost, BugOrigin origin)
    {
        (Iteration? recorded, string? replayed) = RunRecorded(trace, body);
        if (recorded is null || replayed is null)
        {
            // The recording replay must reproduce the bug; if it ever does not, the raw finding is still reported.
            recorded = null;
        }

        return Build(name, trace, coyoteMessage, recorded, iterations, cost, origin);
    }

    /// <summary>The result of a bug; its files are written when it was found by exploring (<paramref name="origin"/>), not replayed.</summary>
    private HuntResult Build(string name, string trace, string coyoteMessage, Iteration? recorded, int iterations, (TimeSpan Wall, TimeSpan Cpu, double Steps) cost, BugOrigin? origin)
    {
        string bug = recorded is null ? coyoteMessage : FailureAnalysis.Headline(recorded, coyoteMessage, _monitors);
        string directory = Path.GetFullPath(_outputDirectory ?? Environment.GetEnvironmentVariable("ASYNCREF_HUNT_OUTPUT") ?? "hunt-results");
        string tracePath = Path.Combine(directory, name + ".trace");
        string replayCommand = string.Create(
            CultureInfo.InvariantCulture,
            $"ASYNCREF_HUNT_REPLAY={tracePath} dotnet test --filter \"FullyQualifiedName~{name}\"");
        string? scenario = recorded is null ? null : ScenarioWriter.TryWrite(recorded, name);
        // The execution's number and schedule are the same for every worker count; which worker held its seed is not.
        string? foundBy = origin is { Workers.Length: > 1 }
            ? $"Found by: worker {origin.Worker} of {origin.Workers.Length}, at seed {origin.Seed} (workers from seeds {string.Join(", ", origin.Workers.Select(w => w.FirstSeed))})"
            : null;
        string reportText = FailureReport.Render(name, bug, coyoteMessage, recorded, origin?.Iteration ?? 1, foundBy, replayCommand);
        string reportPath = Path.Combine(directory, name + ".report.txt");
        string? scenarioPath = scenario is null ? null : Path.Combine(directory, name + ".scn");
        if (origin is not null)
        {
            Directory.CreateDirectory(directory);
            File.WriteAllText(tracePath, trace);
            File.WriteAllText(reportPath, reportText);
            if (scenario is not null)
            {
                File.WriteAllText(scenarioPath!, scenario);
            }
        }

        return new HuntResult(name, iterations, cost.Wall, cost.Cpu, cost.Steps)
        {
            Bug = bug,
            CoyoteMessage = coyoteMessage,
            Report = reportText,
            TracePath = tracePath,
            ReportPath = reportPath,
            ScenarioPath = scenarioPath,
            ReplayCommand = replayCommand,
            BugIteration = origin?.Iteration ?? 1,
            BugSeed = origin?.Seed,
            Worker = origin?.Worker ?? 0,
            Workers = origin?.Workers ?? [],
        };
    }

    private void CheckSetup(TestingEngine engine)
    {
        if (!engine.IsTestRewritten())
        {
            throw new InvalidOperationException(
                "the test assembly is not rewritten for Coyote: reference the AsyncRef.Testing package, or import its build/AsyncRef.Testing.targets next to a project reference");
        }

        TestReport report = engine.TestReport;
        if (_strict && report.UncontrolledInvocations.Count > 0)
        {
            throw new InvalidOperationException(
                "uncontrolled concurrency (rewrite the assembly that holds it, or avoid the API): " + string.Join(", ", report.UncontrolledInvocations));
        }

        if (report.InternalErrors.Count > 0)
        {
            throw new InvalidOperationException("Coyote internal error: " + string.Join("; ", report.InternalErrors));
        }
    }

    /// <summary>Where a bug was found: the worker, the execution's number counted from the hunt's seed, and its seed.</summary>
    private sealed record BugOrigin(int Worker, int Iteration, uint Seed, HuntWorker[] Workers);

    /// <summary>One worker's share of the executions (numbers <c>First + 1</c> onwards) and what it found.</summary>
    private sealed class WorkerRun(int index, int first, int share)
    {
        public int Index { get; } = index;

        public int First { get; } = first;

        public int Share { get; } = share;

        public int Explored { get; set; }

        public long Steps { get; set; }

        public long Paths { get; set; }

        public TimeSpan Elapsed { get; set; }

        public (int Iteration, string Trace, string Message)? Bug { get; set; }

        public ExceptionDispatchInfo? Error { get; set; }
    }

    /// <summary>The lowest worker that found a bug or failed so far: the workers above it stop, those below go on.</summary>
    private sealed class FinderSignal(int workers)
    {
        private int _lowest = int.MaxValue;

        public int Workers { get; } = workers;

        public bool LowerFound(int worker) => Volatile.Read(ref _lowest) < worker;

        public void Found(int worker)
        {
            int seen = Volatile.Read(ref _lowest);
            while (worker < seen)
            {
                int previous = Interlocked.CompareExchange(ref _lowest, worker, seen);
                if (previous == seen)
                {
                    return;
                }

                seen = previous;
            }
        }
    }

    /// <summary>Sets <see cref="Async.CheckedMode"/> for the hunt and restores it after.</summary>
    private readonly struct CheckedModeScope : IDisposable
    {
        private readonly bool _previous;

        public CheckedModeScope(bool enabled)
        {
            _previous = Async.CheckedMode;
            Async.CheckedMode = enabled;
        }

        public void Dispose() => Async.CheckedMode = _previous;
    }
}
