using AsyncRef.Oracle;
using AsyncRef.Scenarios;

namespace AsyncRef.Campaigns.Execution;

/// <summary>The plain contract: one <c>CMD FILE.scn</c> process per scenario (for implementations without batch mode).</summary>
internal sealed class ProcessPerScenario(string command, TimeSpan timeout) : IImplementation
{
    private readonly string _scratch = Directory.CreateTempSubdirectory("asyncref-campaign-").FullName;
    private long _next;

    public string Mode => "process per scenario";

    public Func<ImplementationRun> Submit(string text, string fileName)
    {
        // The file name is kept (parse errors name it), inside a directory of its own per run.
        string directory = Path.Combine(_scratch, (_next++).ToString(System.Globalization.CultureInfo.InvariantCulture));
        Directory.CreateDirectory(directory);
        string path = Path.Combine(directory, Path.GetFileName(fileName));
        File.WriteAllText(path, text);
        Task<ImplementationRun> run = Task.Run(() => ExternalImplementation.Run(command, path, timeout));
        return () =>
        {
            try
            {
                return run.GetAwaiter().GetResult();
            }
            finally
            {
                Directory.Delete(directory, recursive: true);
            }
        };
    }

    public void Dispose() => Directory.Delete(_scratch, recursive: true);
}
