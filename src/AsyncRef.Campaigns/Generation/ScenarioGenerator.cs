using System.Globalization;

namespace AsyncRef.Campaigns.Generation;

/// <summary>
/// Random scenarios over the whole v1 language, shaped like what user code does and what earlier campaigns found
/// divergences with: several logical threads, pools at their limits, many pauses, shared and re-bound contexts
/// (<c>ctx_new</c> of the same name again, also inside job bodies), contexts freed by their own jobs, long runs of
/// failing calls (more errors than the 15 a thread's queue keeps), restarts written the short way
/// (<c>start J C - -</c>), <c>-</c> as the function, and names reused.
/// </summary>
/// <remarks>
/// Hand-written over <see cref="Random"/> rather than FsCheck's <c>Gen</c>: a campaign must regenerate scenario
/// <c>i</c> of seed <c>S</c> alone (for shards and replays) and mutate kept scenarios, which FsCheck's generators do
/// not offer. Each scenario draws a <see cref="Shape"/> first, so that the extreme shapes are common, not rare
/// tails of one distribution.
/// </remarks>
internal sealed class ScenarioGenerator
{
    /// <summary>How many job functions every generated scenario defines (<c>F1</c>…<c>F4</c>).</summary>
    public const int FunctionCount = 4;

    private static readonly string[] s_threads = ["main", "T2", "T3"];
    private static readonly string[] s_contexts = ["C1", "C2", "C3"];
    private static readonly string[] s_keys = ["K1", "K2", "K3", "-"];
    private static readonly string[] s_data = ["D1", "D2", "-"];
    private static readonly string[] s_callbacks = ["CB1", "CB2", "-"];
    private static readonly string[] s_callbackArgs = ["A1", "A2", "-"];
    private static readonly string[] s_statuses = ["OK", "EAGAIN", "ERR", "UNSUPPORTED", "7", "-1", "0"];
    private static readonly string[] s_args = ["-", "\"ab\"", "ptr0", "\"two words\"", "\"\""];
    private static readonly string[] s_fds = ["3", "4", "5", "6", "7", "0", "-1", "2147483647"];
    private static readonly string[] s_validPools = ["1 0", "1 1", "2 1", "2 2", "3 0", "0 0", "4 4", "1 0"];
    private static readonly string[] s_invalidPools = ["1 2", "0 1", "2 5"];

    private readonly Random _rng;

    /// <summary>How many pauses each function's body has, so that restarts can follow a job's pauses.</summary>
    private readonly int[] _pauses = new int[FunctionCount];
    private Shape _shape = null!;

    /// <summary>Creates a generator drawing from <paramref name="rng"/>.</summary>
    public ScenarioGenerator(Random rng) => _rng = rng;

    /// <summary>
    /// The scenario of index <paramref name="index"/> in the campaign of <paramref name="seed"/>: the same triple always
    /// gives the same scenario.
    /// </summary>
    /// <param name="seed">The campaign's seed.</param>
    /// <param name="index">The scenario's index.</param>
    /// <param name="profile">
    /// <c>1.1.1</c>, <c>3.0</c> or <c>3.2</c> to give every scenario that profile (a campaign against one release); null
    /// mixes 3.0 and 1.1.1, one scenario in a hundred under 1.1.1. Under 3.2 the scenario of 3.0 gets stack-function
    /// statements besides (drawn from their own generator, so the rest stays the 3.0 scenario of the index).
    /// </param>
    /// <returns>The scenario.</returns>
    public static GeneratedScenario Generate(int seed, long index, string? profile = null)
    {
        GeneratedScenario scenario = InProfile(new ScenarioGenerator(new Random(Mix(seed, index))).Next(), profile);
        return profile == "3.2" ? WithStackFunctions(scenario, new Random(Mix(seed, index) ^ 0x3200)) : scenario;
    }

    /// <summary>
    /// <paramref name="scenario"/> under <paramref name="profile"/> (null leaves it as it is): without the statements
    /// that profile lacks, so a mutant of a 1.1.1 scenario stays a 1.1.1 scenario.
    /// </summary>
    /// <param name="scenario">The scenario.</param>
    /// <param name="profile"><c>1.1.1</c>, <c>3.0</c>, <c>3.2</c> or null.</param>
    /// <returns>The scenario under the profile.</returns>
    public static GeneratedScenario InProfile(GeneratedScenario scenario, string? profile) => profile switch
    {
        null => scenario,
        "3.2" => scenario with { Profile = "3.2" },
        "3.0" => Without(null, scenario, s_only32),
        "1.1.1" => Without("1.1.1", scenario, [.. s_only30, .. s_only32]),
        _ => throw new ArgumentOutOfRangeException(nameof(profile), profile, "the profiles are 1.1.1, 3.0 and 3.2"),
    };

    /// <summary>A seed for the pair: distinct pairs give well-spread seeds.</summary>
    public static int Mix(int seed, long index)
    {
        ulong x = ((ulong)(uint)seed << 32) ^ (ulong)index;
        x ^= x >> 33;
        x *= 0xff51afd7ed558ccdUL;
        x ^= x >> 33;
        x *= 0xc4ceb9fe1a85ec53UL;
        x ^= x >> 33;
        return (int)(x & int.MaxValue);
    }

    /// <summary>Draws a new scenario.</summary>
    public GeneratedScenario Next()
    {
        _shape = Shape.Draw(_rng);
        var bodies = new IReadOnlyList<string>[FunctionCount];
        for (int f = 0; f < FunctionCount; f++)
        {
            bodies[f] = Body();
            _pauses[f] = bodies[f].Count(l => l == "pause");
        }

        var main = new List<string>();
        foreach (string ctx in s_contexts.Take(_shape.Contexts))
        {
            main.Add("ctx_new " + ctx);
        }

        if (_shape.PoolFirst)
        {
            main.Add("init_thread " + Pick(_rng.Next(3) == 0 ? s_invalidPools : s_validPools));
        }

        int length = _rng.Next(1, _shape.MaxMainLines + 1);
        while (main.Count < length + _shape.Contexts)
        {
            main.AddRange(MainLines());
        }

        var scenario = new GeneratedScenario(null, bodies, main);
        return _rng.Next(100) == 0 ? Without("1.1.1", scenario, s_only30) : scenario;
    }

    /// <summary>One body line (or a short run of lines) for a job function.</summary>
    public IEnumerable<string> BodyLines()
    {
        _shape ??= Shape.Draw(_rng);
        int roll = _rng.Next(100);
        return roll switch
        {
            < 30 => [WaitCtxCall(BodyContext())],
            < 30 + 25 => ["pause"],
            < 62 => [Pick(["block_pause", "unblock_pause", "current_job", "wait_ctx", "arg", "errors"])],
            < 66 => ["init_thread " + Pick(_rng.Next(2) == 0 ? s_invalidPools : s_validPools)],
            < 74 => ["ctx_new " + Pick(s_contexts)], // re-binds a name inside the job
            < 78 => ["ctx_free ."], // a job frees its own context
            < 81 => ["ctx_free " + Pick(s_contexts), "ctx_new " + Pick(s_contexts)],
            < 86 => FailingRun(),
            < 88 => ["start J9 " + Pick(s_contexts) + " F1 -"], // nested start: undefined
            < 89 => ["cleanup_thread"], // inside a job: undefined
            < 90 => ["is_capable"],
            _ => ["pause", "pause"],
        };
    }

    /// <summary>One top-level line (or a short run of lines).</summary>
    public IEnumerable<string> MainLines()
    {
        _shape ??= Shape.Draw(_rng);
        string thread = Thread();
        string at = thread == "main" ? "" : "@" + thread + " ";
        int roll = _rng.Next(100);
        return roll switch
        {
            < 28 => [at + Start(thread)],
            < 38 => Drive(at, thread),
            < 56 => [at + WaitCtxCall(Context())],
            < 61 => [at + "ctx_new " + Pick(s_contexts)],
            < 65 => FreeAndMaybeRebind(at),
            < 71 => [at + "init_thread " + Pick(_rng.Next(3) == 0 ? s_invalidPools : s_validPools)],
            < 76 => FailingRun().Select(l => at + l).Append(at + "errors"),
            < 80 => [at + "errors"],
            < 81 => [at + "cleanup_thread"],
            < 83 => [at + "errors"],
            < 86 => [at + "pause"],
            < 96 => [at + Pick(["block_pause", "unblock_pause", "current_job", "is_capable"])],
            _ => [at + Start(Thread())], // a job variable of another thread: cross-thread restarts
        };
    }

    /// <summary>The scenario under <paramref name="profile"/>, without the statements that profile lacks.</summary>
    private static GeneratedScenario Without(string? profile, GeneratedScenario scenario, string[] lacking)
    {
        bool Kept(string line) => !lacking.Any(op => line.Contains(op, StringComparison.Ordinal));
        return new GeneratedScenario(profile, scenario.Bodies.Select(b => (IReadOnlyList<string>)b.Where(Kept).ToArray()).ToArray(), scenario.Main.Where(Kept).ToArray());
    }

    /// <summary>The statements profile 1.1.1 lacks (callback and status).</summary>
    private static readonly string[] s_only30 = ["set_callback ", "get_callback ", "call_callback ", "set_status ", "get_status "];

    /// <summary>The statements only profile 3.2 has (the stack functions; <c>set_mem_functions</c> contains the other's name too).</summary>
    private static readonly string[] s_only32 = ["mem_functions"];

    private static readonly string[] s_allocators = ["AL1", "AL2", "-", "default"];
    private static readonly string[] s_frees = ["FR1", "FR2", "-", "default"];

    /// <summary>
    /// Adds stack-function statements (profile 3.2): often a <c>set_mem_functions</c> first, before any job stack
    /// exists (so it takes effect and the recording functions report every stack), then sets and gets anywhere,
    /// on the thread of the line they precede (sets after the first stack are refused), and now and then in a body.
    /// </summary>
    private static GeneratedScenario WithStackFunctions(GeneratedScenario scenario, Random rng)
    {
        string Set() => $"set_mem_functions {s_allocators[rng.Next(s_allocators.Length)]} {s_frees[rng.Next(s_frees.Length)]}";
        string Call() => rng.Next(3) == 0 ? "get_mem_functions" : Set();

        var main = scenario.Main.ToList();
        int count = rng.Next(1, 5);
        for (int i = 0; i < count; i++)
        {
            int at = rng.Next(main.Count + 1);
            string thread = at < main.Count && main[at].StartsWith('@') ? main[at][..(main[at].IndexOf(' ', StringComparison.Ordinal) + 1)] : "";
            main.Insert(at, thread + Call());
        }

        if (rng.Next(2) == 0)
        {
            main.InsertRange(0, rng.Next(2) == 0 ? [Set()] : ["get_mem_functions", Set()]);
        }

        var bodies = scenario.Bodies.Select(b => (IReadOnlyList<string>)b.ToList()).ToArray();
        if (rng.Next(4) == 0)
        {
            var body = (List<string>)bodies[rng.Next(bodies.Length)];
            body.Insert(rng.Next(body.Count + 1), Call());
        }

        return new GeneratedScenario("3.2", bodies, main);
    }

    private IReadOnlyList<string> Body()
    {
        var body = new List<string>();
        int length = _rng.Next(0, _shape.MaxBodyLines + 1);
        while (body.Count < length)
        {
            body.AddRange(_rng.Next(100) < _shape.PausePercent ? ["pause"] : BodyLines());
        }

        if (_rng.Next(5) > 0)
        {
            body.Add("return " + _rng.Next(-3, 10).ToString(CultureInfo.InvariantCulture));
        }

        return body;
    }

    private string Start(string thread)
    {
        string job = JobOf(thread);
        string ctx = _rng.Next(30) == 0 ? "-" : Context();
        string func = _rng.Next(25) == 0 ? "-" : Function();
        return $"start {job} {ctx} {func} {Pick(s_args)}";
    }

    /// <summary>A context freed at top level, mostly created again under the same name right away.</summary>
    private IEnumerable<string> FreeAndMaybeRebind(string at)
    {
        string ctx = Pick(s_contexts);
        return _rng.Next(3) == 0 ? [at + "ctx_free " + ctx] : [at + "ctx_free " + ctx, at + "ctx_new " + ctx];
    }

    /// <summary>
    /// Starts a job and restarts it about as many times as its function pauses (sometimes once more, which starts a
    /// new job), often the short way (<c>start J C - -</c>).
    /// </summary>
    private IEnumerable<string> Drive(string at, string thread)
    {
        string job = JobOf(thread);
        string ctx = Context();
        int function = _rng.Next(FunctionCount);
        yield return $"{at}start {job} {ctx} {GeneratedScenario.FunctionName(function)} {Pick(s_args)}";
        int restarts = _rng.Next(4) == 0 ? _rng.Next(1, _shape.PausePercent > 40 ? 12 : 5) : _pauses[function];
        bool shortWay = _rng.Next(2) == 0;
        for (int i = 0; i < restarts; i++)
        {
            if (_rng.Next(4) == 0)
            {
                yield return at + WaitCtxCall(ctx);
            }

            yield return shortWay ? $"{at}start {job} {ctx} - -" : $"{at}start {job} {ctx} {Function()} -";
        }
    }

    /// <summary>A run of calls that each queue an error: more than the 15 a thread's error queue keeps.</summary>
    private IEnumerable<string> FailingRun()
    {
        int count = _rng.Next(3) == 0 ? _rng.Next(14, 25) : _rng.Next(1, 5);
        string call = "init_thread " + Pick(s_invalidPools);
        return Enumerable.Repeat(call, count);
    }

    private string WaitCtxCall(string ctx)
    {
        int roll = _rng.Next(100);
        return roll switch
        {
            < 30 => $"set_wait_fd {ctx} {Pick(s_keys)} {Pick(s_fds)} {Pick(s_data)} {(_rng.Next(3) == 0 ? "-" : "cleanup")}",
            < 42 => $"clear_fd {ctx} {Pick(s_keys)}",
            < 52 => $"get_fd {ctx} {Pick(s_keys)}",
            < 62 => $"get_all_fds {ctx}",
            < 75 => $"get_changed_fds {ctx}",
            < 81 => $"set_callback {ctx} {Pick(s_callbacks)} {Pick(s_callbackArgs)}",
            < 85 => $"get_callback {ctx}",
            < 89 => $"call_callback {ctx}",
            < 95 => $"set_status {ctx} {Pick(s_statuses)}",
            _ => $"get_status {ctx}",
        };
    }

    private string BodyContext() => _rng.Next(100) < 75 ? "." : Context();

    /// <summary>A context the prologue creates; rarely one it does not (only a re-binding <c>ctx_new</c> may create it).</summary>
    private string Context() => s_contexts[_rng.Next(_rng.Next(200) == 0 ? s_contexts.Length : _shape.Contexts)];

    private string Thread() => s_threads[_rng.Next(_shape.Threads)];

    /// <summary>Jobs J1, J2 belong to main, J3, J4 to T2, J5 to T3, so that most restarts stay on their thread.</summary>
    private string JobOf(string thread) => thread switch
    {
        "main" => Pick(["J1", "J2"]),
        "T2" => Pick(["J3", "J4"]),
        _ => "J5",
    };

    private string Function() => GeneratedScenario.FunctionName(_rng.Next(FunctionCount));

    private string Pick(string[] choices) => choices[_rng.Next(choices.Length)];

    /// <summary>The scenario-wide choices that make shapes differ more than line-by-line randomness would.</summary>
    private sealed record Shape(int Threads, int Contexts, int MaxMainLines, int MaxBodyLines, int PausePercent, bool PoolFirst)
    {
        public static Shape Draw(Random rng) => new(
            Threads: rng.Next(10) switch { < 6 => 1, < 9 => 2, _ => 3 },
            Contexts: rng.Next(1, 4),
            MaxMainLines: rng.Next(4) == 0 ? 60 : 25,
            MaxBodyLines: rng.Next(4) == 0 ? 14 : 6,
            PausePercent: rng.Next(3) == 0 ? 60 : 15,
            PoolFirst: rng.Next(3) == 0);
    }
}
