using System.Globalization;
using AsyncRef.Scenarios;

namespace AsyncRef.Campaigns;

/// <summary>Which part of a campaign this process runs: shard <see cref="Index"/> of <see cref="Count"/> (0-based).</summary>
/// <param name="Index">The shard, from 0 to <paramref name="Count"/> - 1.</param>
/// <param name="Count">How many shards the campaign is split into.</param>
public readonly record struct Shard(int Index, int Count)
{
    /// <summary>The whole campaign: shard 0 of 1.</summary>
    public static Shard Whole => new(0, 1);

    /// <summary>Parses <c>I/N</c> (0 ≤ I &lt; N).</summary>
    /// <param name="text">The text.</param>
    /// <returns>The shard.</returns>
    /// <exception cref="FormatException">Not of the form <c>I/N</c> with 0 ≤ I &lt; N.</exception>
    public static Shard Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string[] parts = text.Split('/');
        return parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int index)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int count)
            && count > 0 && index < count
            ? new Shard(index, count)
            : throw new FormatException($"'{text}' is not a shard I/N with 0 <= I < N");
    }

    /// <summary>Whether the item of global index <paramref name="index"/> belongs to this shard (round robin).</summary>
    /// <param name="index">The item's index in the whole campaign.</param>
    /// <returns>Whether this shard runs it.</returns>
    public bool Owns(long index) => index % Count == Index;

    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Index}/{Count}");
}

/// <summary>The settings of <c>asyncref fuzz</c>.</summary>
/// <param name="Seed">The campaign's seed: scenario <c>i</c> of a seed is always the same.</param>
/// <param name="Count">Scenarios in the whole campaign (a shard runs its share of them).</param>
public sealed record FuzzOptions(int Seed, long Count)
{
    /// <summary>The implementation compared with the reference (<c>CMD</c>, run as <c>CMD --batch</c> when it offers batch mode, else <c>CMD FILE.scn</c>); null runs the reference alone.</summary>
    public string? Implementation { get; init; }

    /// <summary>The part of the campaign to run.</summary>
    public Shard Shard { get; init; } = Shard.Whole;

    /// <summary>Where <c>report.json</c> and <c>divergences/</c> are written.</summary>
    public string OutputDirectory { get; init; } = "fuzz-out";

    /// <summary>The time limit of one scenario on the implementation.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Whether kept scenarios that reached something new are mutated (half of the scenarios); false runs fresh scenarios only.</summary>
    public bool Guided { get; init; } = true;

    /// <summary>Scenarios run side by side (each worker with its own implementation process); the default is one per core.</summary>
    public int Workers { get; init; } = Environment.ProcessorCount;

    /// <summary>
    /// <c>1.1.1</c>, <c>3.0</c> or <c>3.2</c> (3.0 with the stack functions): every scenario, generated or mutated,
    /// under that profile (a campaign against one release); null mixes 3.0 and 1.1.1, one generated scenario in a
    /// hundred under 1.1.1.
    /// </summary>
    public string? Profile { get; init; }
}

/// <summary>The settings of <c>asyncref enumerate</c>.</summary>
/// <param name="Depth">The most statements per scenario.</param>
public sealed record EnumerateOptions(int Depth)
{
    /// <summary>The implementation compared with the reference; null runs the reference alone.</summary>
    public string? Implementation { get; init; }

    /// <summary>Whether the alphabet has a second logical thread (<c>T2</c>).</summary>
    public bool TwoThreads { get; init; }

    /// <summary>Workers side by side (each with its own implementation process); the default is one per core.</summary>
    public int Workers { get; init; } = Environment.ProcessorCount;

    /// <summary>The part of the enumeration to run.</summary>
    public Shard Shard { get; init; } = Shard.Whole;

    /// <summary>Where <c>report.json</c> and <c>divergences/</c> are written.</summary>
    public string OutputDirectory { get; init; } = "enumerate-out";

    /// <summary>The time limit of one scenario on the implementation.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);
}

/// <summary>What a campaign, a shard or a merge found.</summary>
/// <param name="Scenarios">Scenarios run.</param>
/// <param name="Divergences">Scenarios on which the implementations diverged.</param>
/// <param name="ScenariosPerSecond">The rate.</param>
/// <param name="ReportPath">The saved <c>report.json</c>.</param>
public sealed record CampaignResult(long Scenarios, long Divergences, double ScenariosPerSecond, string ReportPath);

/// <summary>The settings of <c>asyncref fuzz-inputs</c>, the hostile-input campaign.</summary>
/// <param name="Seed">The campaign's seed: file <c>i</c> of a seed is always the same.</param>
/// <param name="Count">How many files.</param>
/// <param name="Implementation">The implementation compared with the reference, run as <c>CMD --batch</c>.</param>
public sealed record InputFuzzOptions(int Seed, long Count, string Implementation)
{
    /// <summary>
    /// The campaign's bounds, small so that a file can meet or exceed each of them cheaply: 64 KiB files, 1 KiB lines,
    /// 512 statements, 16 logical threads, 32 job and 32 context variables, 16 KiB of log. Both sides apply them.
    /// </summary>
    public static ScenarioLimits SmallLimits { get; } = new()
    {
        MaxFileBytes = 64 << 10, MaxLineBytes = 1 << 10, MaxStatements = 512, MaxThreads = 16, MaxJobs = 32, MaxContexts = 32, MaxLogBytes = 16 << 10,
    };

    /// <summary>A directory whose <c>.scn</c> files (searched recursively) are mutated besides generated scenarios; null: generated ones only.</summary>
    public string? Corpus { get; init; }

    /// <summary>Where the failing files are saved (<c>failures/</c>, each with a <c>.txt</c> saying why).</summary>
    public string OutputDirectory { get; init; } = "fuzz-inputs-out";

    /// <summary>The time limit of one file on either side.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Files run side by side (each worker with its own implementation process); the default is one per core.</summary>
    public int Workers { get; init; } = Environment.ProcessorCount;

    /// <summary>The bounds both sides apply (<see cref="SmallLimits"/> by default).</summary>
    public ScenarioLimits Limits { get; init; } = SmallLimits;
}

/// <summary>What the hostile-input campaign found.</summary>
/// <param name="Files">Files run.</param>
/// <param name="Accepted">Files both sides accepted.</param>
/// <param name="Rejected">Files both sides rejected with the same error line.</param>
/// <param name="Disagreements">Files one side accepted and the other rejected, or rejected with different errors.</param>
/// <param name="ReferenceFailures">Files on which the reference failed (an exception a stack trace would show).</param>
/// <param name="Crashes">Files the implementation crashed on where the reference found no undefined behaviour.</param>
/// <param name="Hangs">Files either side did not finish within the time limit (the implementation: outside undefined behaviour).</param>
/// <param name="OutOfMemory">Files either side ran out of memory on.</param>
/// <param name="CrashesOnUb">Files the implementation crashed on after the reference's undefined behaviour (allowed).</param>
/// <param name="HangsOnUb">Files the implementation hung on after the reference's undefined behaviour (allowed).</param>
/// <param name="FilesPerSecond">The rate.</param>
public sealed record InputFuzzResult(
    long Files, long Accepted, long Rejected, long Disagreements, long ReferenceFailures, long Crashes, long Hangs, long OutOfMemory,
    long CrashesOnUb, long HangsOnUb, double FilesPerSecond)
{
    /// <summary>Whether nothing failed: no disagreement, reference failure, crash or hang outside undefined behaviour, or out-of-memory.</summary>
    public bool Clean => Disagreements + ReferenceFailures + Crashes + Hangs + OutOfMemory == 0;
}
