using System.CommandLine;
using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using AsyncRef.Campaigns;
using AsyncRef.Oracle;

namespace AsyncRef.Cli;

/// <summary><c>gen</c>, <c>fuzz</c>, <c>fuzz-inputs</c>, <c>enumerate</c> and <c>merge</c>: differential campaigns (AsyncRef.Campaigns).</summary>
internal static class CampaignCommands
{
    internal static IEnumerable<Command> Create(CliContext cli)
    {
        yield return Gen(cli);
        yield return Fuzz(cli);
        yield return FuzzInputs(cli);
        yield return Enumerate(cli);
        yield return Merge(cli);
    }

    private static Option<string?> ImplOption() => new("--impl")
    {
        Description = "The implementation compared with the reference: run as CMD --batch when it offers batch mode, else CMD FILE.scn. Without it the reference runs alone.",
        HelpName = "CMD",
    };

    private static Option<string> ShardOption() => new("--shard")
    {
        Description = "Run shard I of N (0 <= I < N) of the campaign; `asyncref merge` combines the shards' reports.",
        HelpName = "I/N",
        DefaultValueFactory = _ => "0/1",
    };

    private static Option<string> OutOption(string what) => new("--out")
    {
        Description = $"Where to write {what}.",
        HelpName = "DIR",
        Required = true,
    };

    private static Option<string?> ProfileOption()
    {
        var profile = new Option<string?>("--profile")
        {
            Description = "Give every scenario this profile (1.1.1 for a 1.1.1 library, 3.0 for 3.0 and 3.1, 3.2 for 3.2 and later: with the stack functions); without it one in a hundred is 1.1.1 and an implementation of the other series skips it.",
        };
        profile.AcceptOnlyFromAmong("1.1.1", "3.0", "3.2");
        return profile;
    }

    private static Option<double> TimeoutOption() => new("--timeout")
    {
        Description = "Seconds one scenario may take on the implementation.",
        DefaultValueFactory = _ => 10,
    };

    private static Command Gen(CliContext cli)
    {
        var seed = new Option<int>("--seed") { Description = "The seed: scenario i of a seed is always the same.", Required = true };
        var count = new Option<long>("--count") { Description = "How many scenarios.", Required = true };
        var output = OutOption("the SEED-INDEX.scn files");
        var profile = ProfileOption();
        var gen = new Command("gen", "Write generated scenarios (the fuzz campaign's fresh scenarios) as .scn files.") { seed, count, output, profile };
        gen.SetAction(p => cli.Guard(() =>
        {
            long n = Positive(p.GetValue(count), "--count");
            IReadOnlyList<string> written = Io(() => CampaignRunner.Generate(p.GetValue(seed), n, p.GetValue(output)!, p.GetValue(profile)), p.GetValue(output)!);
            cli.Out.Write(string.Create(CultureInfo.InvariantCulture, $"{written.Count} scenarios written to {OracleText.Escape(p.GetValue(output)!)}\n"));
            return ExitStatus.Ok;
        }));
        return gen;
    }

    private static Command Fuzz(CliContext cli)
    {
        var impl = ImplOption();
        var seed = new Option<int>("--seed") { Description = "The seed: scenario i of a seed is always the same.", Required = true };
        var count = new Option<long>("--count") { Description = "Scenarios in the whole campaign (a shard runs its share).", Required = true };
        var shard = ShardOption();
        var output = OutOption("report.json and the divergences (each shrunk .scn with both logs)");
        var timeout = TimeoutOption();
        var workers = new Option<int>("--workers") { Description = "Scenarios run side by side (default: one per core).", DefaultValueFactory = _ => Environment.ProcessorCount };
        var unguided = new Option<bool>("--unguided") { Description = "Only fresh scenarios: no mutation of the scenarios that reached something new." };
        var profile = ProfileOption();
        var fuzz = new Command("fuzz", "Differential fuzzing: generated and coverage-guided scenarios on the reference and the implementation; every divergence is shrunk. Ends with the coverage table and `N scenarios, D divergences, R scenarios/s`.")
        {
            impl, seed, count, shard, output, timeout, workers, unguided, profile,
        };
        fuzz.SetAction(p => cli.Guard(() =>
        {
            var options = new FuzzOptions(p.GetValue(seed), Positive(p.GetValue(count), "--count"))
            {
                Implementation = Probed(p.GetValue(impl)),
                Shard = ParseShard(p.GetValue(shard)!),
                OutputDirectory = p.GetValue(output)!,
                Timeout = Seconds(p.GetValue(timeout)),
                Workers = (int)Positive(p.GetValue(workers), "--workers"),
                Guided = !p.GetValue(unguided),
                Profile = p.GetValue(profile),
            };
            return Verdict(Io(() => CampaignRunner.Fuzz(options, cli.Out), options.OutputDirectory));
        }));
        return fuzz;
    }

    private static Command FuzzInputs(CliContext cli)
    {
        var impl = new Option<string>("--impl") { Description = "The implementation, run as CMD --batch.", HelpName = "CMD", Required = true };
        var seed = new Option<int>("--seed") { Description = "The seed: file i of a seed is always the same.", Required = true };
        var count = new Option<long>("--count") { Description = "How many files.", Required = true };
        var corpus = new Option<string?>("--corpus") { Description = "A directory of .scn files to mutate besides generated scenarios.", HelpName = "DIR" };
        var output = OutOption("the failing files (failures/NAME.scn with NAME.scn.txt)");
        var timeout = TimeoutOption();
        var workers = new Option<int>("--workers") { Description = "Files run side by side (default: one per core).", DefaultValueFactory = _ => Environment.ProcessorCount };
        var command = new Command("fuzz-inputs", "Hostile inputs (mutated and generated files, every bound met and exceeded by one) on the reference and the implementation, under small limits both apply: no disagreement on accept/reject or the error line, no stack trace, hang or out-of-memory; crashes only on undefined behaviour. Ends with `fuzz-inputs: N files ..., R files/s`.")
        {
            impl, seed, count, corpus, output, timeout, workers,
        };
        command.SetAction(p => cli.Guard(() =>
        {
            var options = new InputFuzzOptions(p.GetValue(seed), Positive(p.GetValue(count), "--count"), Probed(p.GetValue(impl))!)
            {
                Corpus = p.GetValue(corpus),
                OutputDirectory = p.GetValue(output)!,
                Timeout = Seconds(p.GetValue(timeout)),
                Workers = (int)Positive(p.GetValue(workers), "--workers"),
            };
            InputFuzzResult result;
            try
            {
                result = Io(() => CampaignRunner.FuzzInputs(options, cli.Out), options.OutputDirectory);
            }
            catch (InvalidOperationException e)
            {
                throw new OracleInputException($"asyncref: {OracleText.OneLine(e.Message)}");
            }

            return result.Clean ? ExitStatus.Ok : ExitStatus.Failure;
        }));
        return command;
    }

    private static Command Enumerate(CliContext cli)
    {
        var impl = ImplOption();
        var depth = new Option<int>("--depth") { Description = "The most state-changing statements per scenario.", Required = true };
        var twoThreads = new Option<bool>("--two-threads") { Description = "Every letter also on a second logical thread (T2)." };
        var shard = ShardOption();
        var output = OutOption("report.json and the divergences");
        var timeout = TimeoutOption();
        var enumerate = new Command("enumerate", "Exhaustive small-scope checking: every scenario up to DEPTH statements over a bounded alphabet, on the reference and the implementation. Reports scenarios and distinct model states per depth.")
        {
            impl, depth, twoThreads, shard, output, timeout,
        };
        enumerate.SetAction(p => cli.Guard(() =>
        {
            var options = new EnumerateOptions((int)Positive(p.GetValue(depth), "--depth"))
            {
                Implementation = Probed(p.GetValue(impl)),
                TwoThreads = p.GetValue(twoThreads),
                Shard = ParseShard(p.GetValue(shard)!),
                OutputDirectory = p.GetValue(output)!,
                Timeout = Seconds(p.GetValue(timeout)),
            };
            return Verdict(Io(() => CampaignRunner.Enumerate(options, cli.Out), options.OutputDirectory));
        }));
        return enumerate;
    }

    private static Command Merge(CliContext cli)
    {
        var reports = new Argument<string[]>("REPORT") { Description = "Shard reports: report.json files or the directories holding them.", Arity = ArgumentArity.OneOrMore };
        var output = OutOption("the merged report.json");
        var merge = new Command("merge", "Combine the reports of a campaign's shards (divergences, coverage, counts) into one report.") { reports, output };
        merge.SetAction(p => cli.Guard(() =>
        {
            string[] paths = p.GetValue(reports)!;
            try
            {
                return Verdict(CampaignRunner.Merge(paths, p.GetValue(output)!, cli.Out));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
            {
                throw new OracleInputException(e is JsonException ? OracleText.OneLine(e.Message) : $"asyncref: cannot merge: {OracleText.OneLine(e.Message)}");
            }
        }));
        return merge;
    }

    private static int Verdict(CampaignResult result) => result.Divergences == 0 ? ExitStatus.Ok : ExitStatus.Failure;

    private static long Positive(long value, string option) =>
        value > 0 ? value : throw new OracleInputException($"asyncref: {option} must be positive, not {value.ToString(CultureInfo.InvariantCulture)}");

    private static TimeSpan Seconds(double seconds) =>
        seconds > 0 && seconds <= ExternalImplementation.MaxTimeout.TotalSeconds
            ? TimeSpan.FromSeconds(seconds)
            : throw new OracleInputException($"asyncref: --timeout must be a positive number of seconds, at most {ExternalImplementation.MaxTimeout.TotalSeconds.ToString("F0", CultureInfo.InvariantCulture)}");

    private static Shard ParseShard(string text)
    {
        try
        {
            return Shard.Parse(text);
        }
        catch (FormatException e)
        {
            throw new OracleInputException("asyncref: --shard: " + e.Message);
        }
    }

    /// <summary>Checks before the campaign that the implementation can be run at all.</summary>
    private static string? Probed(string? command)
    {
        if (command is null)
        {
            return null;
        }

        try
        {
            ExternalImplementation.Probe(command);
            return command;
        }
        catch (Exception e) when (e is ArgumentException or Win32Exception)
        {
            throw new OracleInputException($"asyncref: --impl {OracleText.Escape(command)}: {OracleText.OneLine(e.Message)}");
        }
    }

    private static T Io<T>(Func<T> action, string directory)
    {
        try
        {
            return action();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new OracleInputException($"asyncref: {OracleText.OneLine(e.Message)} (output in {OracleText.Escape(directory)})");
        }
    }
}
