using Stateless.Graph;

namespace AsyncRef.Model;

/// <summary>Generates the spec's state diagrams (Mermaid and DOT) from the machines the runtime is checked against.</summary>
public static class SpecDiagrams
{
    /// <summary>The diagrams, as (file name, content) pairs, in a fixed order.</summary>
    /// <returns>Eight files: job-lifecycle, wait-ctx, wait-ctx-status and fd-entry, each as <c>.mmd</c> and <c>.dot</c>.</returns>
    public static IReadOnlyList<KeyValuePair<string, string>> Generate()
    {
        AsyncJobState job = AsyncJobState.Unallocated;
        WaitCtxState ctx = WaitCtxState.NoCallback;
        WaitStatusState status = WaitStatusState.Unsupported;
        FdEntryState entry = FdEntryState.Added;
        var machines = new (string Name, Stateless.Reflection.StateMachineInfo Info)[]
        {
            ("job-lifecycle", Machines.Job(() => job, s => job = s, () => default).GetInfo()),
            ("wait-ctx", Machines.WaitCtx(() => ctx, s => ctx = s, () => false).GetInfo()),
            ("wait-ctx-status", Machines.WaitStatus(() => status, s => status = s, out _).GetInfo()),
            ("fd-entry", Machines.FdEntry(() => entry, s => entry = s).GetInfo()),
        };
        var files = new List<KeyValuePair<string, string>>();
        foreach ((string name, Stateless.Reflection.StateMachineInfo info) in machines)
        {
            files.Add(new(name + ".mmd", Normalize(MermaidGraph.Format(info))));
            files.Add(new(name + ".dot", Normalize(UmlDotGraph.Format(info))));
        }

        return files;
    }

    /// <summary>Writes <see cref="Generate"/>'s files into <paramref name="directory"/>, creating it if needed.</summary>
    /// <param name="directory">The target directory (the spec's is <c>spec/diagrams</c>).</param>
    public static void Write(string directory)
    {
        Directory.CreateDirectory(directory);
        foreach ((string name, string content) in Generate())
        {
            File.WriteAllText(Path.Combine(directory, name), content);
        }
    }

    private static string Normalize(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd() + "\n";
}
