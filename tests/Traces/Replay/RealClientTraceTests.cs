using AsyncRef.Tests;
using AsyncRef.Traces.Format;

namespace AsyncRef.Traces.Tests.Replay;

/// <summary>
/// The reduced traces of real programs in <c>spec/traces/</c> (openssl speed, s_server, s_client, HAProxy, all with
/// dasync, recorded on libcrypto 3.0.19): each conforms, as real libcrypto's results must, and the counts in its
/// <c>.expected</c> file match the file itself (calls counted here from the records, independently of the checker).
/// </summary>
public sealed class RealClientTraceTests
{
    public static TheoryData<string> Traces() =>
        [.. Directory.GetFiles(Repository.PathOf("spec", "traces"), "*.trace").Select(f => Path.GetFileNameWithoutExtension(f)!).Order()];

    [Theory]
    [MemberData(nameof(Traces))]
    public void ReducedRealTrace_HasItsExpectedVerdict(string name)
    {
        string trace = Repository.PathOf("spec", "traces", name + ".trace");
        string expected = File.ReadAllText(Repository.PathOf("spec", "traces", name + ".expected")).Trim();
        Assert.Contains("0 divergences, 0 undefined", expected, StringComparison.Ordinal);
        Assert.StartsWith($"{CountCalls(trace)} calls, ", expected, StringComparison.Ordinal);

        (int exit, string stdout, _) = TraceFiles.Check(trace, checkedMode: true);
        Assert.Equal(0, exit);
        string[] lines = stdout.TrimEnd('\n').Split('\n');
        string summary = string.Join(", ", lines[^1].Split(", ").Take(3));
        string stats = System.Text.RegularExpressions.Regex.Replace(lines[^2], ", records [0-9]+", "");
        Assert.Equal(expected, $"{summary}; {stats}");
    }

    private static long CountCalls(string path)
    {
        using TraceReader reader = TraceReader.Open(path);
        var record = new TraceRecord();
        long calls = 0;
        while (reader.Read(record))
        {
            calls += record.Kind == RecordKind.Call ? 1 : 0;
        }

        return calls;
    }
}
