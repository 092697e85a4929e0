namespace AsyncRef.Campaigns.Generation;

/// <summary>
/// Mutations of a kept scenario for coverage-guided steering: a scenario that reached something new is varied
/// around, since its neighbours are likelier to reach the next new thing than a fresh random scenario is.
/// </summary>
internal sealed class ScenarioMutator(Random rng)
{
    private readonly ScenarioGenerator _fresh = new(rng);

    /// <summary>One to three mutations of <paramref name="parent"/>, one of them possibly a splice with <paramref name="other"/>.</summary>
    public GeneratedScenario Mutate(GeneratedScenario parent, GeneratedScenario other)
    {
        GeneratedScenario child = parent;
        int rounds = rng.Next(1, 4);
        for (int i = 0; i < rounds; i++)
        {
            child = MutateOnce(child, other);
        }

        return child;
    }

    private GeneratedScenario MutateOnce(GeneratedScenario s, GeneratedScenario other)
    {
        var main = s.Main.ToList();
        switch (rng.Next(9))
        {
            case 0: // insert fresh top-level lines
                main.InsertRange(rng.Next(main.Count + 1), _fresh.MainLines());
                return s with { Main = main };
            case 1 when main.Count > 1: // delete a line
                main.RemoveAt(rng.Next(main.Count));
                return s with { Main = main };
            case 2 when main.Count > 0: // repeat a block: more restarts, more failing calls, re-binding again
                int start = rng.Next(main.Count);
                int length = Math.Min(rng.Next(1, 4), main.Count - start);
                List<string> block = main.GetRange(start, length);
                int times = rng.Next(1, 8);
                for (int t = 0; t < times; t++)
                {
                    main.InsertRange(start + length, block);
                }

                return s with { Main = main };
            case 3 when main.Count > 1: // swap two lines
                int a = rng.Next(main.Count), b = rng.Next(main.Count);
                (main[a], main[b]) = (main[b], main[a]);
                return s with { Main = main };
            case 4: // splice: this scenario's head, the other's tail
                int cut = rng.Next(main.Count + 1);
                int from = rng.Next(other.Main.Count + 1);
                return s with { Main = [.. main.Take(cut), .. other.Main.Skip(from)] };
            case 5: // borrow a body
                int f = rng.Next(s.Bodies.Count);
                return s with { Bodies = Replace(s.Bodies, f, other.Bodies[rng.Next(other.Bodies.Count)]) };
            case 6 or 7: // insert body lines
                int g = rng.Next(s.Bodies.Count);
                var body = s.Bodies[g].ToList();
                int at = body.Count > 0 && body[^1].StartsWith("return", StringComparison.Ordinal) ? rng.Next(body.Count) : rng.Next(body.Count + 1);
                body.InsertRange(at, _fresh.BodyLines());
                return s with { Bodies = Replace(s.Bodies, g, body) };
            default: // delete a body line
                int h = rng.Next(s.Bodies.Count);
                if (s.Bodies[h].Count == 0)
                {
                    return s;
                }

                var shorter = s.Bodies[h].ToList();
                shorter.RemoveAt(rng.Next(shorter.Count));
                return s with { Bodies = Replace(s.Bodies, h, shorter) };
        }
    }

    private static IReadOnlyList<IReadOnlyList<string>> Replace(IReadOnlyList<IReadOnlyList<string>> bodies, int index, IReadOnlyList<string> body) =>
        bodies.Select((b, i) => i == index ? body : b).ToArray();
}
