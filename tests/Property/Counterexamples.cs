namespace AsyncRef.Property;

/// <summary>Writes counterexamples as replayable scenario files under <c>artifacts/counterexamples/</c>.</summary>
internal static class Counterexamples
{
    /// <summary>Writes (overwrites) <c>NAME.scn</c>; FsCheck's last failing call is its shrunk counterexample.</summary>
    public static string Write(string name, string scenario)
    {
        string directory = Repository.PathOf("artifacts", "counterexamples");
        Directory.CreateDirectory(directory);
        string path = Path.Combine(directory, name + ".scn");
        File.WriteAllText(path, scenario);
        return path;
    }
}
