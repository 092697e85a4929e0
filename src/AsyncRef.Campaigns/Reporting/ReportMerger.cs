using System.Globalization;

namespace AsyncRef.Campaigns.Reporting;

/// <summary>Combines the reports of a campaign's shards.</summary>
internal static class ReportMerger
{
    /// <summary>
    /// Sums counts, outcomes, coverage and divergence classes (a class found by several shards keeps the first
    /// shard's minimal scenario); time is the longest shard's, as shards run side by side; depth rows add up, with
    /// distinct states counted once over all shards by their digests (summed, an upper bound, when a shard's report
    /// has none).
    /// </summary>
    public static CampaignReport Merge(IReadOnlyList<CampaignReport> shards)
    {
        if (shards.Count == 0)
        {
            throw new ArgumentException("no reports to merge", nameof(shards));
        }

        var merged = new CampaignReport
        {
            Kind = shards[0].Kind,
            Parameters = shards[0].Parameters,
            Mode = shards[0].Mode,
            Shards = string.Create(CultureInfo.InvariantCulture, $"{string.Join(",", shards.Select(s => s.Shards))} merged"),
        };
        foreach (CampaignReport shard in shards)
        {
            merged.Scenarios += shard.Scenarios;
            merged.Seconds = Math.Max(merged.Seconds, shard.Seconds);
            Add(merged.Outcomes, shard.Outcomes);
            Add(merged.Coverage, shard.Coverage);
            foreach (DivergenceClass d in shard.Divergences)
            {
                DivergenceClass? known = merged.Divergences.Find(m => m.Signature == d.Signature);
                if (known is null)
                {
                    merged.Divergences.Add(new DivergenceClass { Signature = d.Signature, Count = d.Count, Message = d.Message, File = d.File });
                }
                else
                {
                    known.Count += d.Count;
                }
            }

            foreach (DepthRow row in shard.Depths)
            {
                DepthRow? known = merged.Depths.Find(m => m.Depth == row.Depth);
                if (known is null)
                {
                    merged.Depths.Add(new DepthRow { Depth = row.Depth, Scenarios = row.Scenarios, DistinctStates = row.DistinctStates, Seconds = row.Seconds, StateDigests = row.StateDigests });
                }
                else
                {
                    known.Scenarios += row.Scenarios;
                    known.Seconds = Math.Max(known.Seconds, row.Seconds);
                    if (known.StateDigests is not null && row.StateDigests is not null)
                    {
                        known.StateDigests = [.. known.StateDigests.Union(row.StateDigests).Order()];
                        known.DistinctStates = known.StateDigests.Count;
                    }
                    else
                    {
                        known.StateDigests = null;
                        known.DistinctStates += row.DistinctStates;
                    }
                }
            }
        }

        // The merged rate is that of the slowest shard's comparing time, as shards run side by side.
        merged.ShrinkSeconds = merged.Seconds - shards.Max(s => s.Seconds - s.ShrinkSeconds);
        merged.Depths.Sort((a, b) => a.Depth.CompareTo(b.Depth));
        return merged;
    }

    private static void Add(Dictionary<string, long> into, Dictionary<string, long> from)
    {
        foreach ((string key, long count) in from)
        {
            into[key] = into.GetValueOrDefault(key) + count;
        }
    }
}
