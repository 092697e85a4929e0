using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;
using AsyncRef.Scenarios;

namespace AsyncRef.Campaigns.Reporting;

/// <summary>
/// What a campaign reached, as hit counts per feature. A feature is <c>SECTION|ITEM</c>: <c>ub</c> (a UB rule the
/// reference reported), <c>rule</c> (a spec rule a log line witnesses), <c>result</c> (a statement's class of result),
/// <c>model-state</c>, <c>model-transition</c> and <c>model-guard</c> (the Stateless machines' own coverage, see
/// <see cref="ModelProbe"/>), and
/// <c>guide</c> (pairs of consecutive result classes, which only steer generation and are not shown).
/// </summary>
internal sealed class Coverage
{
    /// <summary>The sections in the order the table shows them.</summary>
    public static readonly string[] ShownSections = ["model-state", "model-transition", "model-guard", "ub", "rule", "result"];

    /// <summary>
    /// UB rules of the runtime's API that no scenario can reach: the interpreter always passes a <c>ret</c> pointer
    /// and arrays of the right size, never asks for the wait ctx of a NULL job, and writes a finished job's handle back
    /// to NULL, so it never restarts a stale one.
    /// </summary>
    public static readonly IReadOnlySet<string> ApiOnly = new HashSet<string>(StringComparer.Ordinal)
    {
        UbRules.StaleHandle, UbRules.NullRet, UbRules.NullJob, UbRules.FdArrayTooSmall,
    };

    private readonly Dictionary<string, long> _hits = new(StringComparer.Ordinal);

    /// <summary>Every feature reached, with its hit count.</summary>
    public IReadOnlyDictionary<string, long> Hits => _hits;

    /// <summary>Adds the hits of <paramref name="features"/>; returns whether any of them was new.</summary>
    public bool Add(IEnumerable<string> features)
    {
        bool fresh = false;
        foreach (string feature in features)
        {
            ref long hits = ref CollectionsMarshal.GetValueRefOrAddDefault(_hits, feature, out bool existed);
            fresh |= !existed;
            hits++;
        }

        return fresh;
    }

    /// <summary>Adds counts (merging shards).</summary>
    public void AddCounts(IReadOnlyDictionary<string, long> counts)
    {
        foreach ((string feature, long count) in counts)
        {
            _hits[feature] = _hits.GetValueOrDefault(feature) + count;
        }
    }

    /// <summary>The features a reference run reached, read from its log and the scenario.</summary>
    public static HashSet<string> Of(Scenario? scenario, ScenarioLog? log)
    {
        var features = new HashSet<string>(StringComparer.Ordinal);
        if (scenario is null || log is null)
        {
            return features;
        }

        HashSet<int> bodyLines = [.. scenario.Functions.SelectMany(f => f.Body).Select(s => s.Line)];
        string previous = "begin";
        foreach (string line in log.Lines)
        {
            string cls = ResultClass(line, bodyLines, out string? ub);
            if (ub is not null)
            {
                features.Add("ub|" + ub);
                features.Add("rule|" + ub);
            }

            features.Add("result|" + cls);
            foreach (string rule in Witnesses(cls))
            {
                features.Add("rule|" + rule);
            }

            features.Add("guide|" + previous + " -> " + cls);
            previous = cls;
        }

        return features;
    }

    /// <summary>
    /// The universe of each shown section, so the table can list what was never reached: UB rules from
    /// <see cref="UbRules"/>, witnessed spec rules, the result classes of every statement, and the model's states and
    /// transitions and guards from the machine definitions.
    /// </summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> Universe()
    {
        string[] ubRules = typeof(UbRules).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(string))
            .Select(f => (string)f.GetRawConstantValue()!)
            .Where(id => id.StartsWith("UB-", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToArray();
        IReadOnlyDictionary<string, IReadOnlyList<string>> model = ModelProbe.Universe();
        return new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal)
        {
            ["ub"] = ubRules,
            ["rule"] = [.. s_witnesses.SelectMany(w => w.Rules).Distinct().Order(StringComparer.Ordinal), .. ubRules],
            ["result"] = s_resultClasses,
            ["model-state"] = model.GetValueOrDefault("model-state") ?? [],
            ["model-transition"] = model.GetValueOrDefault("model-transition") ?? [],
            ["model-guard"] = model.GetValueOrDefault("model-guard") ?? [],
        };
    }

    /// <summary>The class of a log line's result: the statement, where it ran, and the shape of what it returned.</summary>
    /// <remarks>
    /// The line's words are the parts between single spaces (<c>LINE THREAD OP =&gt; RESULT…</c>), found by index
    /// rather than by splitting the whole line: this runs for every log line of every campaign scenario.
    /// </remarks>
    internal static string ResultClass(string logLine, IReadOnlySet<int> bodyLines, out string? ubRule)
    {
        ubRule = null;
        int space1 = logLine.IndexOf(' ', StringComparison.Ordinal);
        int space2 = space1 < 0 ? -1 : logLine.IndexOf(' ', space1 + 1);
        if (space2 < 0)
        {
            return "?";
        }

        int space3 = logLine.IndexOf(' ', space2 + 1);
        int space4 = space3 < 0 ? -1 : logLine.IndexOf(' ', space3 + 1);
        int lineNumber = int.TryParse(logLine.AsSpan(0, space1), NumberStyles.None, CultureInfo.InvariantCulture, out int n) ? n : 0;
        string where = bodyLines.Contains(lineNumber) ? "job" : logLine.AsSpan(space1 + 1, space2 - space1 - 1) is "main" ? "top" : "top@thread";
        string op = space3 < 0 ? logLine[(space2 + 1)..] : logLine[(space2 + 1)..space3];
        if (op == "!")
        {
            return "event " + (space3 < 0 ? "?" : space4 < 0 ? logLine[(space3 + 1)..] : logLine[(space3 + 1)..space4]);
        }

        string result = space4 < 0 ? "" : logLine[(space4 + 1)..];
        if (result.StartsWith("UB ", StringComparison.Ordinal))
        {
            string[] words = logLine.Split(' ');
            ubRule = words.Length > 5 ? words[5] : "?";
            return $"{op} {Place(where)}=> UB";
        }

        return $"{op} {Place(where)}=> {Shape(op, result)}";
    }

    private static string Place(string where) => where == "top" ? "" : "(" + where + ") ";

    private static string Shape(string op, string result)
    {
        switch (op)
        {
            case "start":
                return result.Split(' ')[0];
            case "current_job":
                return result.StartsWith('#') ? "#N" : result;
            case "wait_ctx":
                return result == "NULL" ? "NULL" : "NAME";
            case "arg":
                return result == "NULL" ? "NULL" : "STRING";
            case "get_fd":
                return result.Split(' ')[0];
            case "get_callback":
                return result.Split(" ")[0];
            case "get_all_fds":
                return "1 [" + Bucket(Count(result)) + " fds]";
            case "get_changed_fds":
                string[] parts = result.Split(" del=");
                return $"1 add={Bucket(Count(parts[0]))} del={(parts.Length > 1 ? Bucket(Count(parts[1])) : "?")}";
            case "errors":
                int errors = Count(result);
                return errors switch { 0 => "[]", < 15 => "[1-14 errors]", 15 => "[15 errors, the ring is full]", _ => "[more than 15]" };
            case "get_status":
                return result is "0" or "1" or "2" or "3" ? result : "OTHER";
            default:
                return result;
        }
    }

    private static int Count(string list)
    {
        int open = list.IndexOf('[', StringComparison.Ordinal);
        int close = list.IndexOf(']', StringComparison.Ordinal);
        return open < 0 || close <= open + 1 ? 0 : list[(open + 1)..close].Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
    }

    private static string Bucket(int count) => count switch { 0 => "0", 1 => "1", _ => "2+" };

    private static string[] Witnesses(string resultClass) => s_witnessesByClass.GetValueOrDefault(resultClass, []);

    /// <summary>Result classes that by themselves show a spec rule applied (the log line is the rule's observable).</summary>
    private static readonly (string Class, string[] Rules)[] s_witnesses =
    [
        ("start => FINISH", ["JOB-01"]),
        ("start => PAUSE", ["JOB-02", "PAUSE-01"]),
        ("start => NO_JOBS", ["POOL-04"]),
        ("start => ERR", ["JOB-08"]),
        ("current_job (job) => #N", ["JOB-05"]),
        ("current_job => NULL", ["JOB-06"]),
        ("wait_ctx (job) => NULL", ["JOB-10"]),
        ("init_thread => 0", ["POOL-02"]),
        ("pause => 1", ["PAUSE-02"]),
        ("pause (job) => 1", ["PAUSE-01"]),
        ("block_pause => ok", ["PAUSE-04"]),
        ("get_all_fds => 1 [2+ fds]", ["WCTX-05"]),
        ("get_changed_fds => 1 add=1 del=0", ["WCTX-06"]),
        ("clear_fd => 0", ["WCTX-09"]),
        ("event cleanup", ["WCTX-14"]),
        ("get_callback => 0", ["CBST-04"]),
        ("get_callback => 1", ["CBST-02"]),
        ("get_status => OTHER", ["CBST-05"]),
        ("event callback", ["CBST-07"]),
        ("errors (top@thread) => [1-14 errors]", ["THR-03"]),
        ("init_thread (top@thread) => 1", ["THR-01"]),
    ];

    /// <summary>The rules each result class witnesses (<see cref="s_witnesses"/> by class, for the per-line look-up).</summary>
    private static readonly Dictionary<string, string[]> s_witnessesByClass = s_witnesses
        .GroupBy(w => w.Class, StringComparer.Ordinal)
        .ToDictionary(g => g.Key, g => g.SelectMany(w => w.Rules).ToArray(), StringComparer.Ordinal);

    /// <summary>Every result class the language can print (top level; in a job and on another thread they are listed as reached).</summary>
    private static readonly string[] s_resultClasses =
    [
        "init_thread => 1", "init_thread => 0", "cleanup_thread => ok", "is_capable => 1", "ctx_new => ok", "ctx_free => ok",
        "start => PAUSE", "start => FINISH", "start => NO_JOBS", "start => ERR", "start => UB",
        "pause => 1", "pause (job) => 1", "block_pause => ok", "unblock_pause => ok",
        "current_job => NULL", "current_job (job) => #N", "wait_ctx (job) => NAME", "wait_ctx (job) => NULL",
        "arg (job) => STRING", "arg (job) => NULL", "set_wait_fd => 1", "get_fd => 1", "get_fd => 0",
        "get_all_fds => 1 [0 fds]", "get_all_fds => 1 [1 fds]", "get_all_fds => 1 [2+ fds]",
        "get_changed_fds => 1 add=0 del=0", "get_changed_fds => 1 add=1 del=0", "get_changed_fds => 1 add=2+ del=0",
        "get_changed_fds => 1 add=0 del=1", "get_changed_fds => 1 add=1 del=1", "get_changed_fds => 1 add=0 del=2+",
        "clear_fd => 1", "clear_fd => 0", "set_callback => 1", "get_callback => 1",
        "get_callback => 0", "call_callback => 1", "call_callback => 0", "set_status => 1",
        "get_status => 0", "get_status => 1", "get_status => 2", "get_status => 3", "get_status => OTHER",
        "errors => []", "errors => [1-14 errors]", "errors => [15 errors, the ring is full]",
        "event cleanup", "event callback",
    ];
}
