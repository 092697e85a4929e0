using System.Text;

namespace AsyncRef.Campaigns.Generation;

/// <summary>
/// A scenario kept as lines, so that mutation and shrinking work on statements: the job functions <c>F1</c>…<c>Fn</c>
/// (their body lines) and the top-level lines in file order (the <c>ctx_new</c> prologue included, so that it can be
/// mutated and shrunk like anything else).
/// </summary>
/// <param name="Profile">The <c>profile</c> line's value (<c>1.1.1</c>), or null for the default (3.0).</param>
/// <param name="Bodies">The body of <c>F1</c>, <c>F2</c>, … in order.</param>
/// <param name="Main">The top-level lines.</param>
internal sealed record GeneratedScenario(string? Profile, IReadOnlyList<IReadOnlyList<string>> Bodies, IReadOnlyList<string> Main)
{
    /// <summary>The number of statements (body and top-level lines).</summary>
    public int Size => Main.Count + Bodies.Sum(b => b.Count);

    /// <summary>
    /// The scenario as a <c>.scn</c> file. A function no <c>start</c> names is left out (it can never run), so a shrunk
    /// scenario shows only what matters.
    /// </summary>
    /// <param name="title">The comment on the first line.</param>
    /// <returns>The text.</returns>
    public string ToText(string title)
    {
        var text = new StringBuilder();
        foreach (string titleLine in title.Split('\n'))
        {
            text.Append("# ").Append(titleLine).Append('\n');
        }

        if (Profile is not null)
        {
            text.Append("profile ").Append(Profile).Append('\n');
        }

        HashSet<string> used = UsedFunctions();
        for (int f = 0; f < Bodies.Count; f++)
        {
            string name = FunctionName(f);
            if (!used.Contains(name))
            {
                continue;
            }

            text.Append("func ").Append(name).Append('\n');
            foreach (string line in Bodies[f])
            {
                text.Append("  ").Append(line).Append('\n');
            }

            text.Append("end\n");
        }

        foreach (string line in Main)
        {
            text.Append(line).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>The name of function <paramref name="index"/> (0-based).</summary>
    public static string FunctionName(int index) => "F" + (index + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <inheritdoc/>
    public override string ToString() => $"{Bodies.Sum(b => b.Count)} body lines, {Main.Count} top-level lines";

    private HashSet<string> UsedFunctions()
    {
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (string line in Main.Concat(Bodies.SelectMany(b => b)))
        {
            string[] words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            int op = words.Length > 0 && words[0].StartsWith('@') ? 1 : 0;
            if (words.Length > op + 3 && words[op] == "start")
            {
                used.Add(words[op + 3]);
            }
        }

        return used;
    }
}
