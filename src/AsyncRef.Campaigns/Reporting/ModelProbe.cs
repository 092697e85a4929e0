using AsyncRef.Model;

namespace AsyncRef.Campaigns.Reporting;

/// <summary>
/// The model's own coverage (<see cref="ModelCoverage"/>): every state, transition and guard of the four Stateless
/// machines the reference's runs reached, recorded process-wide while a campaign runs.
/// </summary>
internal sealed class ModelProbe : IDisposable
{
    private readonly ModelCoverage _campaign = new();
    private long _reachedItems;

    private ModelProbe() => ModelCoverage.StartRecording(_campaign);

    /// <summary>Starts recording every transition the runtime takes into a campaign-wide recorder.</summary>
    public static ModelProbe Start() => new();

    /// <summary>The coverage sections the model supplies, by item: <c>model-state</c>, <c>model-transition</c>, <c>model-guard</c>.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> Universe() =>
        ModelCoverage.Catalogue.GroupBy(Section).ToDictionary(g => g.Key, g => (IReadOnlyList<string>)g.Select(Item).ToArray(), StringComparer.Ordinal);

    /// <summary>Whether the campaign reached a model item it had not reached at the last call.</summary>
    public bool ReachedSomethingNew()
    {
        long reached = _campaign.Counts.LongCount(c => c.Value > 0);
        bool fresh = reached > _reachedItems;
        _reachedItems = reached;
        return fresh;
    }

    /// <summary>The model items one run reaches, recorded apart from the campaign (the campaign's recorder is restored after).</summary>
    public HashSet<string> Of(Action run)
    {
        var alone = new ModelCoverage();
        ModelCoverage.StartRecording(alone);
        try
        {
            run();
        }
        finally
        {
            ModelCoverage.StartRecording(_campaign);
        }

        return [.. alone.Counts.Where(c => c.Value > 0).Select(c => Section(c.Key) + "|" + Item(c.Key))];
    }

    /// <summary>The campaign's hit counts as coverage features.</summary>
    public IEnumerable<KeyValuePair<string, long>> Features() =>
        _campaign.Counts.Where(c => c.Value > 0).Select(c => new KeyValuePair<string, long>(Section(c.Key) + "|" + Item(c.Key), c.Value));

    public void Dispose() => ModelCoverage.StopRecording();

    private static string Section(CoverageItem item) => item.Kind switch
    {
        CoverageKind.State => "model-state",
        CoverageKind.Transition => "model-transition",
        _ => "model-guard",
    };

    private static string Item(CoverageItem item) => item.Machine + ": " + item.Name;
}
