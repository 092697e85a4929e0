using AsyncRef.Campaigns.Generation;

namespace AsyncRef.Campaigns.Shrinking;

/// <summary>
/// Delta debugging over statements: removes ever smaller chunks of lines (top-level and body lines alike) while the
/// scenario still fails the same way, until no single line can go. The result is 1-minimal: removing any one line
/// loses the failure.
/// </summary>
internal static class Shrinker
{
    /// <summary>Shrinks <paramref name="failing"/> while <paramref name="stillFails"/> holds, within <paramref name="budget"/> attempts.</summary>
    /// <returns>The smallest failing scenario found and the number of attempts made.</returns>
    public static (GeneratedScenario Scenario, int Attempts) Shrink(GeneratedScenario failing, Func<GeneratedScenario, bool> stillFails, int budget = 3000)
    {
        List<Line> lines = Flatten(failing);
        int attempts = 0;
        int chunk = Math.Max(1, lines.Count / 2);
        while (attempts < budget)
        {
            bool removed = false;
            for (int start = 0; start < lines.Count && attempts < budget;)
            {
                List<Line> candidate = [.. lines.Take(start), .. lines.Skip(start + chunk)];
                attempts++;
                if (candidate.Count < lines.Count && stillFails(Build(failing, candidate)))
                {
                    lines = candidate;
                    removed = true;
                }
                else
                {
                    start += chunk;
                }
            }

            if (chunk == 1 && !removed)
            {
                break;
            }

            chunk = removed ? chunk : Math.Max(1, chunk / 2);
        }

        return (Build(failing, lines), attempts);
    }

    /// <summary>A line and where it lives: a function's body (0-based) or the top level (-1).</summary>
    private readonly record struct Line(int Function, string Text);

    private static List<Line> Flatten(GeneratedScenario s) =>
        [.. s.Bodies.SelectMany((body, f) => body.Select(text => new Line(f, text))), .. s.Main.Select(text => new Line(-1, text))];

    private static GeneratedScenario Build(GeneratedScenario shape, List<Line> lines) => shape with
    {
        Bodies = Enumerable.Range(0, shape.Bodies.Count).Select(f => (IReadOnlyList<string>)lines.Where(l => l.Function == f).Select(l => l.Text).ToArray()).ToArray(),
        Main = lines.Where(l => l.Function < 0).Select(l => l.Text).ToArray(),
    };
}
