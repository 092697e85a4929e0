namespace AsyncRef.Campaigns.Enumeration;

/// <summary>
/// The bounded alphabet of small-scope enumeration: every state-changing statement over two contexts, two keys,
/// two fd values, two job variables and three fixed job functions (one or two logical threads). Queries are not
/// letters: they are pure (the spec's rules change no state for them), so each scenario ends with an observation
/// block that asks all of them, which covers every place a query could have been put.
/// </summary>
internal sealed class Alphabet
{
    /// <summary>The job functions every enumerated scenario defines: between them they use every body-only statement.</summary>
    public static readonly (string Name, string[] Body)[] Functions =
    [
        ("F1", ["pause", "return 1"]),
        ("F2", ["set_wait_fd . K1 5 D1 cleanup", "pause", "clear_fd . K1", "block_pause", "pause", "unblock_pause", "wait_ctx", "arg", "current_job", "init_thread 1 2", "errors", "return 2"]),
        ("F3", ["ctx_free .", "return 3"]),
    ];

    private Alphabet(IReadOnlyList<Letter> letters) => Letters = letters;

    /// <summary>The letters in enumeration order.</summary>
    public IReadOnlyList<Letter> Letters { get; }

    /// <summary>The single-thread alphabet, or with every letter also on thread <c>T2</c>.</summary>
    public static Alphabet Create(bool twoThreads)
    {
        var letters = new List<string>();
        foreach (string c in new[] { "C1", "C2" })
        {
            letters.Add($"ctx_new {c}");
            letters.Add($"ctx_free {c}");
        }

        foreach (string j in new[] { "J1", "J2" })
        {
            foreach (string c in new[] { "C1", "C2" })
            {
                foreach (string f in new[] { "F1", "F2", "F3", "-" })
                {
                    letters.Add($"start {j} {c} {f} -");
                }
            }

            letters.Add($"start {j} - F1 -");
        }

        foreach (string c in new[] { "C1", "C2" })
        {
            foreach (string k in new[] { "K1", "K2" })
            {
                letters.Add($"set_wait_fd {c} {k} 3 D1 cleanup");
                letters.Add($"set_wait_fd {c} {k} 4 D1 cleanup");
                letters.Add($"clear_fd {c} {k}");
            }

            letters.Add($"set_callback {c} CB1 A1");
            letters.Add($"set_status {c} 7");
        }

        letters.AddRange(["init_thread 1 0", "init_thread 1 2", "cleanup_thread", "block_pause", "unblock_pause", "pause", "errors"]);
        IEnumerable<string> all = twoThreads ? letters.Concat(letters.Select(l => "@T2 " + l)) : letters;
        return new Alphabet(all.Select(Letter.Of).ToArray());
    }
}

/// <summary>One letter: a top-level statement and the names it uses, for the symmetry and definition checks.</summary>
/// <param name="Text">The statement.</param>
/// <param name="Names">Every symmetric name it mentions (contexts, keys, jobs, fd values, threads).</param>
/// <param name="Creates">The context it creates (<c>ctx_new</c>), or null.</param>
/// <param name="Frees">The context it frees at top level (<c>ctx_free</c>), or null.</param>
internal sealed record Letter(string Text, IReadOnlyList<string> Names, string? Creates, string? Frees)
{
    /// <summary>
    /// The interchangeable names, in the order a canonical scenario first uses them: the second of each pair only
    /// after the first. Keys are not among them: <c>F2</c>'s body names <c>K1</c>, so <c>K1</c> and <c>K2</c> differ.
    /// </summary>
    public static readonly (string First, string Second)[] Symmetric = [("C1", "C2"), ("J1", "J2"), ("3", "4")];

    /// <summary>Reads the letter's names from its text.</summary>
    public static Letter Of(string text)
    {
        string[] words = text.Split(' ');
        int op = words[0].StartsWith('@') ? 1 : 0;
        string[] names = [.. words.Skip(op + 1).Where(w => Symmetric.Any(s => s.First == w || s.Second == w)), .. op == 1 ? ["T2"] : Array.Empty<string>()];
        return new Letter(
            text,
            names,
            words[op] == "ctx_new" ? words[op + 1] : null,
            words[op] == "ctx_free" ? words[op + 1] : null);
    }
}
