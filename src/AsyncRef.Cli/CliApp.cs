using System.CommandLine;
using System.ComponentModel;
using System.Globalization;
using AsyncRef.Model;
using AsyncRef.Scenarios;

namespace AsyncRef.Cli;

/// <summary>
/// <c>asyncref</c>: a thin shell over AsyncRef.Scenarios. Exit status 0 when all is well, 1 on a divergence or
/// failure, 2 on bad input (a parse error, a missing or unreadable file, bad options), which is always one line on
/// standard error (<c>FILE:LINE: message</c> or <c>asyncref: message</c>) and nothing on standard output.
/// </summary>
internal sealed class CliApp
{
    internal const int Ok = 0;
    internal const int Failure = 1;
    internal const int BadInput = 2;

    private readonly TextWriter _out;
    private readonly TextWriter _err;

    private CliApp(TextWriter stdout, TextWriter stderr)
    {
        _out = stdout;
        _err = stderr;
    }

    /// <summary>Runs the command line.</summary>
    /// <param name="args">The arguments.</param>
    /// <param name="stdout">Standard output.</param>
    /// <param name="stderr">Standard error.</param>
    /// <returns>The exit status.</returns>
    internal static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var app = new CliApp(stdout, stderr);
        try
        {
            RootCommand root = app.BuildCommands();
            ParseResult parsed = root.Parse(args);
            if (parsed.Errors.Count > 0)
            {
                // "Required command was not provided" hides the more useful "Unrecognized command 'frob'".
                string message = parsed.Errors.Select(e => e.Message).FirstOrDefault(m => m.StartsWith("Unrecognized", StringComparison.Ordinal))
                    ?? parsed.Errors[0].Message;
                return app.Usage(message);
            }

            return parsed.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false });
        }
        catch (Exception e)
        {
            // Never a stack trace: the runtime or the CLI itself failed.
            stderr.Write($"asyncref: internal error: {e.GetType().Name}: {OneLine(e.Message)}\n");
            return Failure;
        }
    }

    private RootCommand BuildCommands()
    {
        var json = new Option<bool>("--json") { Description = "Print machine-readable JSON instead of text." };

        var runFile = new Argument<string>("FILE") { Description = "The scenario (.scn)." };
        var run = new Command("run", "Run a scenario on the reference and print its log.") { runFile, json };
        run.SetAction(p => Guard(() => RunCommand(p.GetValue(runFile)!, p.GetValue(json))));

        var explainFile = new Argument<string>("FILE") { Description = "The scenario (.scn)." };
        var explain = new Command("explain", "Run a scenario and show, under each log line, the state that explains it.") { explainFile };
        explain.SetAction(p => Guard(() => ExplainCommand(p.GetValue(explainFile)!)));

        var verifyPaths = new Argument<string[]>("PATH") { Description = "Scenario files or directories (searched recursively).", Arity = ArgumentArity.OneOrMore };
        var verify = new Command("verify", "Compare the reference's log of each NAME.scn with NAME.out beside it.") { verifyPaths, json };
        verify.SetAction(p => Guard(() => new Verifier(this, p.GetValue(json)).Run(p.GetValue(verifyPaths)!)));

        var impl = new Option<string>("--impl") { Description = "The implementation's command; it is run as CMD FILE.scn (split like a shell would, no shell).", Required = true };
        var timeout = new Option<double>("--timeout")
        {
            Description = "Seconds each implementation run may take before it is killed.",
            DefaultValueFactory = _ => 10,
        };
        var checkPaths = new Argument<string[]>("PATH") { Description = "Scenario files or directories (searched recursively).", Arity = ArgumentArity.OneOrMore };
        var check = new Command("check", "Run every scenario on the reference and on another implementation, and compare the logs.")
        {
            impl, timeout, json, checkPaths,
        };
        check.SetAction(p => Guard(() => new Checker(this, p.GetValue(impl)!, p.GetValue(timeout), p.GetValue(json)).Run(p.GetValue(checkPaths)!)));

        var diagramsDir = new Argument<string>("DIR")
        {
            Description = "Where to write the diagrams.",
            Arity = ArgumentArity.ZeroOrOne,
            DefaultValueFactory = _ => "spec/diagrams",
        };
        var diagrams = new Command("diagrams", "Generate the spec's state diagrams (Mermaid and DOT) from the runtime's models.") { diagramsDir };
        diagrams.SetAction(p => Guard(() => DiagramsCommand(p.GetValue(diagramsDir)!)));

        return new RootCommand("AsyncRef: the reference implementation of OpenSSL's ASYNC API as a scenario oracle.")
        {
            run, explain, verify, check, diagrams, TraceCommand.Build(_out, _err),
        };
    }

    internal TextWriter Out => _out;

    /// <summary>Reports bad usage: one line on standard error.</summary>
    internal int Usage(string message)
    {
        _err.Write($"asyncref: {OneLine(message)}\n");
        return BadInput;
    }

    /// <summary>Loads a scenario, turning every failure into <see cref="BadInputException"/>.</summary>
    internal static Scenario Load(string path)
    {
        if (path.Length == 0)
        {
            throw new BadInputException("asyncref: cannot read '': the file name is empty");
        }

        if (Directory.Exists(path))
        {
            throw new BadInputException($"asyncref: cannot read {path}: it is a directory");
        }

        try
        {
            return Scenario.Load(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new BadInputException($"asyncref: cannot read {path}: no such file");
        }
        catch (ScenarioParseException e)
        {
            // Printed as is, like the adapter prints it: the parser already shows control characters as \xHH.
            throw new BadInputException(e.Message);
        }
        catch (ArgumentException)
        {
            throw new BadInputException($"asyncref: cannot read {OneLine(path)}: invalid file name");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new BadInputException($"asyncref: cannot read {path}: {OneLine(e.Message)}");
        }
    }

    /// <summary>Expands the paths and parses every scenario before anything runs: a bad file prints nothing on standard output.</summary>
    internal static List<(string File, Scenario Scenario)> LoadAll(IEnumerable<string> paths) =>
        ExpandPaths(paths).Select(f => (f, Load(f))).ToList();

    /// <summary>Expands files and directories (recursively, <c>*.scn</c>) into a sorted, distinct list of scenario files.</summary>
    internal static List<string> ExpandPaths(IEnumerable<string> paths)
    {
        var files = new SortedSet<string>(StringComparer.Ordinal);
        foreach (string path in paths)
        {
            if (path.Length == 0)
            {
                throw new BadInputException("asyncref: cannot read '': the file name is empty");
            }

            if (Directory.Exists(path))
            {
                int before = files.Count;
                files.UnionWith(Directory.EnumerateFiles(path, "*.scn", SearchOption.AllDirectories));
                if (files.Count == before)
                {
                    throw new BadInputException($"asyncref: no .scn files in {path}");
                }
            }
            else if (File.Exists(path))
            {
                files.Add(path);
            }
            else
            {
                throw new BadInputException($"asyncref: no such file or directory: {path}");
            }
        }

        return [.. files];
    }

    internal static string OneLine(string text) => text.ReplaceLineEndings(" ").Trim();

    private int Guard(Func<int> action)
    {
        try
        {
            return action();
        }
        catch (BadInputException e)
        {
            _err.Write(e.Message + "\n");
            return BadInput;
        }
    }

    private int RunCommand(string file, bool json)
    {
        Scenario scenario = Load(file);
        if (!json)
        {
            // Each line is written (and flushed) as soon as it is printed: if the run then fails, the lines before the
            // failure are on standard output.
            scenario.Run(line =>
            {
                _out.Write(line + "\n");
                _out.Flush();
            });
            return Ok;
        }

        ScenarioLog log = scenario.Run();
        _out.Write(Json.Write(w =>
        {
            w.WriteStartObject();
            w.WriteString("file", file);
            w.WriteString("profile", Json.Profile(scenario.Profile));
            w.WriteBoolean("stoppedAtUb", log.StoppedAtUb);
            Json.WriteNullableInt(w, "ubLine", log.UbLineIndex + 1);
            w.WriteStartArray("lines");
            foreach (string line in log.Lines)
            {
                w.WriteStringValue(line);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }));
        return Ok;
    }

    private int ExplainCommand(string file)
    {
        _out.Write(Load(file).Explain().ToText());
        return Ok;
    }

    private int DiagramsCommand(string directory)
    {
        try
        {
            SpecDiagrams.Write(directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new BadInputException($"asyncref: cannot write to {directory}: {OneLine(e.Message)}");
        }

        foreach ((string name, string _) in SpecDiagrams.Generate())
        {
            _out.Write(Path.Combine(directory, name) + "\n");
        }

        return Ok;
    }

    /// <summary>Bad input; the message is the complete line to print on standard error.</summary>
    internal sealed class BadInputException(string message) : Exception(message);

    /// <summary>Runs <c>check</c>.</summary>
    private sealed class Checker(CliApp app, string command, double timeoutSeconds, bool json)
    {
        /// <summary>The shortest time limit accepted, in seconds.</summary>
        private const double MinTimeoutSeconds = 0.001;

        /// <summary>What an implementation may print beyond <see cref="OutputFactor"/> times the reference's log.</summary>
        private const long OutputAllowance = 4L << 20;

        /// <summary>How many times the size of the reference's log an implementation may print (plus the allowance).</summary>
        private const long OutputFactor = 16;

        private static readonly double s_maxTimeoutSeconds = Math.Floor(ExternalImplementation.MaxTimeout.TotalSeconds);

        public int Run(string[] paths)
        {
            try
            {
                ExternalImplementation.SplitCommand(command);
            }
            catch (ArgumentException e)
            {
                return app.Usage($"--impl: {e.Message.Split(" (Parameter", 2)[0]}");
            }

            // NaN fails both comparisons.
            if (!(timeoutSeconds >= MinTimeoutSeconds && timeoutSeconds <= s_maxTimeoutSeconds))
            {
                return app.Usage(string.Create(
                    CultureInfo.InvariantCulture, $"--timeout must be a number of seconds from {MinTimeoutSeconds} to {s_maxTimeoutSeconds}"));
            }

            List<(string File, Scenario Scenario)> cases = LoadAll(paths);
            var results = new List<Result>();
            TimeSpan timeout = TimeSpan.FromSeconds(timeoutSeconds);
            foreach ((string file, Scenario scenario) in cases)
            {
                ScenarioLog reference = scenario.Run();
                long outputLimit = Math.Min(OutputFactor * System.Text.Encoding.UTF8.GetByteCount(reference.ToText()) + OutputAllowance, Array.MaxLength);
                Result result;
                try
                {
                    ImplementationRun run = ExternalImplementation.Run(command, file, timeout, outputLimit);
                    result = new Result(file, scenario.Profile, LogComparer.Compare(reference, run), run);
                }
                catch (Win32Exception e)
                {
                    if (results.Count == 0)
                    {
                        return app.Usage($"cannot run '{command}': {e.Message}");
                    }

                    result = new Result(file, scenario.Profile, new LogComparison(ComparisonVerdict.OtherCrashed, null, null, null, "could not be started: " + e.Message), null);
                }

                results.Add(result);
                if (!json)
                {
                    PrintCase(result.File, result.Comparison);
                }
            }

            List<string> problems = Problems(results);
            int Count(ComparisonVerdict v) => results.Count(r => r.Comparison.Verdict == v);
            var summary = new (string Label, string Key, int Count, bool Always)[]
            {
                ("cases", "cases", results.Count, true),
                ("matched", "matched", Count(ComparisonVerdict.Match), true),
                ("stopped at UB", "stoppedAtUb", Count(ComparisonVerdict.StoppedAtUb), true),
                ("divergent", "divergent", Count(ComparisonVerdict.Divergence), true),
                ("crashed", "crashed", Count(ComparisonVerdict.OtherCrashed), false),
                ("timeout", "timeout", Count(ComparisonVerdict.Timeout), false),
                ("too much output", "outputTooLarge", Count(ComparisonVerdict.OutputTooLarge), false),
                ("left running", "leftRunning", Count(ComparisonVerdict.LeftRunning), false),
                ("skipped (profile)", "skippedProfile", Count(ComparisonVerdict.SkippedProfile), false),
                ("rejected by impl", "otherParseError", Count(ComparisonVerdict.OtherParseError), false),
            };
            if (json)
            {
                app.Out.Write(Json.Write(w =>
                {
                    w.WriteStartObject();
                    w.WriteString("impl", command);
                    w.WriteStartArray("cases");
                    foreach (Result result in results)
                    {
                        w.WriteStartObject();
                        w.WriteString("file", result.File);
                        Json.WriteComparison(w, result.Comparison);
                        Json.WriteNullableInt(w, "exitCode", result.Run is { TimedOut: false, OutputLimitExceeded: false } run ? run.ExitCode : null);
                        w.WriteEndObject();
                    }

                    w.WriteEndArray();
                    w.WriteStartObject("summary");
                    foreach ((string _, string key, int count, bool _) in summary)
                    {
                        w.WriteNumber(key, count);
                    }

                    w.WriteEndObject();
                    w.WriteStartArray("problems");
                    foreach (string problem in problems)
                    {
                        w.WriteStringValue(problem);
                    }

                    w.WriteEndArray();
                    w.WriteEndObject();
                }));
            }
            else
            {
                app.Out.Write("\n");
                foreach ((string label, string _, int count, bool always) in summary)
                {
                    if (always || count > 0)
                    {
                        app.Out.Write(string.Create(CultureInfo.InvariantCulture, $"{label,-18}{count,5}\n"));
                    }
                }

                foreach (string problem in problems)
                {
                    app.Out.Write($"FAILED: {problem}\n");
                }
            }

            return problems.Count == 0 && results.All(r => r.Comparison.IsSuccess) ? Ok : Failure;
        }

        /// <summary>
        /// Failures of the run as a whole, even when every case passed: nothing was compared at all, or the
        /// implementation skipped cases of both profiles (an implementation behaves like one library, so it must run
        /// the cases of the other profile).
        /// </summary>
        private static List<string> Problems(List<Result> results)
        {
            var problems = new List<string>();
            List<Result> skipped = results.Where(r => r.Comparison.Verdict == ComparisonVerdict.SkippedProfile).ToList();
            if (results.Count > 0 && skipped.Count == results.Count)
            {
                problems.Add("no case was compared: the implementation skipped every case (exit status 3)");
            }

            if (skipped.Any(r => r.Profile == AsyncProfile.OpenSsl30) && skipped.Any(r => r.Profile == AsyncProfile.OpenSsl111))
            {
                problems.Add("the implementation skipped cases of both profiles (3.0 and 1.1.1): it must run one of them");
            }

            return problems;
        }

        private void PrintCase(string file, LogComparison result)
        {
            TextWriter o = app.Out;
            string label = result.Verdict switch
            {
                ComparisonVerdict.Match => "match",
                ComparisonVerdict.StoppedAtUb => "stopped-ub",
                ComparisonVerdict.Divergence => "DIVERGENCE",
                ComparisonVerdict.OtherCrashed => "CRASH",
                ComparisonVerdict.Timeout => "TIMEOUT",
                ComparisonVerdict.OutputTooLarge => "TOO-MUCH",
                ComparisonVerdict.LeftRunning => "LEFT-RUNNING",
                ComparisonVerdict.SkippedProfile => "skipped",
                _ => "REJECTED",
            };
            string detail = result.Verdict switch
            {
                ComparisonVerdict.Match => "",
                ComparisonVerdict.StoppedAtUb => ": reference: " + result.ReferenceLine,
                _ => ": " + result.Message,
            };
            o.Write($"{label,-12} {file}{detail}\n");
            if (result.Verdict == ComparisonVerdict.Divergence)
            {
                o.Write($"    reference: {result.ReferenceLine ?? "(no line)"}\n");
                o.Write($"    impl:      {result.OtherLine ?? "(no line)"}\n");
            }
        }

        private sealed record Result(string File, AsyncProfile Profile, LogComparison Comparison, ImplementationRun? Run);
    }

    /// <summary>Runs <c>verify</c>.</summary>
    private sealed class Verifier(CliApp app, bool json)
    {
        public int Run(string[] paths)
        {
            List<(string File, Scenario Scenario)> cases = LoadAll(paths);
            var results = new List<(string File, string Golden, LogComparison? Result, string? Problem)>();
            foreach ((string file, Scenario scenario) in cases)
            {
                string golden = Path.ChangeExtension(file, ".out");
                byte[]? expected = null;
                string? problem = null;
                try
                {
                    expected = File.ReadAllBytes(golden);
                }
                catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
                {
                    problem = $"no {golden}";
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    problem = $"cannot read {golden}: {OneLine(e.Message)}";
                }

                LogComparison? result = expected is null ? null : LogComparer.CompareWithGolden(scenario.Run(), expected);
                results.Add((file, golden, result, problem));
                if (!json)
                {
                    if (result is null)
                    {
                        app.Out.Write($"MISSING  {file}: {problem}\n");
                    }
                    else if (result.IsSuccess)
                    {
                        app.Out.Write($"ok       {file}\n");
                    }
                    else
                    {
                        app.Out.Write($"FAIL     {file}: {result.Message}\n");
                        app.Out.Write($"    reference: {result.ReferenceLine ?? "(no line)"}\n");
                        app.Out.Write($"    expected:  {result.OtherLine ?? "(no line)"}\n");
                    }
                }
            }

            int passed = results.Count(r => r.Result is { IsSuccess: true });
            int missing = results.Count(r => r.Result is null);
            int failed = results.Count - passed - missing;
            if (json)
            {
                app.Out.Write(Json.Write(w =>
                {
                    w.WriteStartObject();
                    w.WriteStartArray("cases");
                    foreach ((string file, string golden, LogComparison? result, string? problem) in results)
                    {
                        w.WriteStartObject();
                        w.WriteString("file", file);
                        w.WriteString("golden", golden);
                        if (result is null)
                        {
                            w.WriteString("verdict", "missing-out");
                            w.WriteString("message", problem);
                        }
                        else
                        {
                            Json.WriteComparison(w, result);
                        }

                        w.WriteEndObject();
                    }

                    w.WriteEndArray();
                    w.WriteStartObject("summary");
                    w.WriteNumber("cases", results.Count);
                    w.WriteNumber("ok", passed);
                    w.WriteNumber("failed", failed);
                    w.WriteNumber("missing", missing);
                    w.WriteEndObject();
                    w.WriteEndObject();
                }));
            }
            else
            {
                app.Out.Write(string.Create(CultureInfo.InvariantCulture, $"\nverify: {results.Count} cases, {passed} ok, {failed} differ, {missing} without .out\n"));
            }

            return passed == results.Count ? Ok : Failure;
        }
    }
}
