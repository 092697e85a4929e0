using System.Diagnostics;
using System.Reflection;

namespace AsyncRef.Scenarios.Tests;

/// <summary>Helpers shared by the tests.</summary>
internal static class TestSupport
{
    /// <summary>Runs the asyncref command line in-process; returns its exit status, standard output and error.</summary>
    internal static (int Status, string Out, string Err) RunCli(params string[] args)
    {
        var stdout = new StringWriter { NewLine = "\n" };
        var stderr = new StringWriter { NewLine = "\n" };
        int status = AsyncRef.Cli.AsyncRefCommandLine.Run(args, stdout, stderr);
        return (status, stdout.ToString(), stderr.ToString());
    }

    /// <summary>
    /// The built CLI as a process, run as <c>dotnet AsyncRef.Cli.dll</c> the way artifacts/asyncref runs it, with
    /// <paramref name="stdin"/> on its standard input; returns its exit status, standard output and error.
    /// </summary>
    internal static (int Status, string Out, string Err) RunCliProcess(string stdin, params string[] args)
    {
        string dll = Metadata("CliAssembly");
        Assert.True(File.Exists(dll), "build src/AsyncRef.Cli first: " + dll);
        var start = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(dll);
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(start)!;
        process.StandardInput.Write(stdin);
        process.StandardInput.Close();
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(60)), "asyncref did not finish");
        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Joins lines with LF (so line N of a scenario is <c>lines[N - 1]</c>) and ends the text with LF.</summary>
    internal static string Text(params string[] lines) => string.Concat(lines.Select(l => l + "\n"));

    internal static Scenario Parse(params string[] lines) => Scenario.Parse(Text(lines), "t.scn");

    internal static ScenarioLog Run(params string[] lines) => Parse(lines).Run();

    internal static string Metadata(string key) =>
        typeof(TestSupport).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;

    internal static string RepositoryRoot => Path.GetFullPath(Metadata("RepositoryRoot"));
}

/// <summary>A temporary directory, deleted on dispose.</summary>
internal sealed class TempDir : IDisposable
{
    public TempDir() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "asyncref-tests-" + Guid.NewGuid().ToString("N"));

    public string Write(string name, string content)
    {
        string file = System.IO.Path.Combine(Path, name);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(file)!);
        File.WriteAllText(file, content);
        return file;
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
