using System.Globalization;
using AsyncRef.Campaigns.Enumeration;
using AsyncRef.Campaigns.Execution;
using AsyncRef.Campaigns.Generation;
using AsyncRef.Campaigns.Inputs;
using AsyncRef.Campaigns.Reporting;

namespace AsyncRef.Campaigns;

/// <summary>
/// The campaigns behind <c>asyncref gen</c>, <c>fuzz</c>, <c>enumerate</c> and <c>merge</c>. Each writes its report
/// as text (ending with <c>N scenarios, D divergences, R scenarios/s</c>) and saves it as <c>report.json</c> for
/// <see cref="Merge"/>.
/// </summary>
public static class CampaignRunner
{
    /// <summary>Writes scenarios <c>0</c>…<c>count-1</c> of <paramref name="seed"/> as <c>SEED-INDEX.scn</c> files.</summary>
    /// <param name="seed">The seed.</param>
    /// <param name="count">How many scenarios.</param>
    /// <param name="directory">The directory (created if needed).</param>
    /// <param name="profile"><c>1.1.1</c>, <c>3.0</c> or <c>3.2</c> for every scenario; null mixes 3.0 and 1.1.1 (as <c>fuzz</c> does).</param>
    /// <returns>The paths written.</returns>
    public static IReadOnlyList<string> Generate(int seed, long count, string directory, string? profile = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        Directory.CreateDirectory(directory);
        var written = new List<string>();
        for (long index = 0; index < count; index++)
        {
            string path = Path.Combine(directory, string.Create(CultureInfo.InvariantCulture, $"{seed}-{index:D6}.scn"));
            File.WriteAllText(path, ScenarioGenerator.Generate(seed, index, profile).ToText(string.Create(CultureInfo.InvariantCulture, $"asyncref gen --seed {seed}: scenario {index}")));
            written.Add(path);
        }

        return written;
    }

    /// <summary>Runs a differential fuzz campaign (or its shard) and writes the report to <paramref name="output"/>.</summary>
    /// <param name="options">The settings.</param>
    /// <param name="output">Where the report (and progress lines) go.</param>
    /// <returns>The counts.</returns>
    public static CampaignResult Fuzz(FuzzOptions options, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        using ModelProbe model = ModelProbe.Start();
        return Finish(WithModel(new FuzzCampaign(options, output, model).Run(), model, options.OutputDirectory), options.OutputDirectory, output);
    }

    /// <summary>Runs the hostile-input campaign; the report ends with one summary line (files, disagreements, crashes, hangs, rate).</summary>
    /// <param name="options">The settings.</param>
    /// <param name="output">Where progress and the summary go.</param>
    /// <returns>The counts.</returns>
    /// <exception cref="InvalidOperationException">The implementation does not offer batch mode.</exception>
    public static InputFuzzResult FuzzInputs(InputFuzzOptions options, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        return new InputFuzzCampaign(options, output).Run();
    }

    /// <summary>Runs an exhaustive enumeration (or its shard) and writes the report to <paramref name="output"/>.</summary>
    /// <param name="options">The settings.</param>
    /// <param name="output">Where the report goes.</param>
    /// <returns>The counts.</returns>
    public static CampaignResult Enumerate(EnumerateOptions options, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        using ModelProbe model = ModelProbe.Start();
        return Finish(WithModel(EnumerationCampaign.RunParallel(options, output), model, options.OutputDirectory), options.OutputDirectory, output);
    }

    /// <summary>Combines shard reports (<c>report.json</c> files or directories holding one) into one report.</summary>
    /// <param name="reports">The shard reports.</param>
    /// <param name="outputDirectory">Where the merged <c>report.json</c> is saved.</param>
    /// <param name="output">Where the merged report goes.</param>
    /// <returns>The combined counts.</returns>
    /// <exception cref="IOException">A report cannot be read.</exception>
    /// <exception cref="System.Text.Json.JsonException">A file is not a report.</exception>
    public static CampaignResult Merge(IReadOnlyList<string> reports, string outputDirectory, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(reports);
        ArgumentNullException.ThrowIfNull(output);
        CampaignReport merged = ReportMerger.Merge(reports.Select(r => CampaignReport.Load(Directory.Exists(r) ? Path.Combine(r, "report.json") : r)).ToList());
        Directory.CreateDirectory(outputDirectory);
        merged.Save(Path.Combine(outputDirectory, "report.json"));
        return Finish(merged, outputDirectory, output);
    }

    /// <summary>Adds the model's coverage (states, transitions, guards reached) to the report and saves it again.</summary>
    private static CampaignReport WithModel(CampaignReport report, ModelProbe model, string directory)
    {
        foreach ((string feature, long count) in model.Features())
        {
            report.Coverage[feature] = count;
        }

        report.Save(Path.Combine(directory, "report.json"));
        return report;
    }

    private static CampaignResult Finish(CampaignReport report, string directory, TextWriter output)
    {
        output.Write(report.ToText());
        return new CampaignResult(report.Scenarios, report.DivergenceCount, report.Rate, Path.Combine(directory, "report.json"));
    }
}
