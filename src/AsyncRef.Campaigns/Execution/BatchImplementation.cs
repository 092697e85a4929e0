using System.Diagnostics;
using System.Globalization;
using System.Text;
using AsyncRef.Oracle;
using AsyncRef.Scenarios;

namespace AsyncRef.Campaigns.Execution;

/// <summary>
/// An implementation in batch mode (<c>CMD --batch</c>, the v1 extension in <c>spec/scenario-language.md</c>): one
/// process runs many scenarios, each as if it were its own <c>CMD FILE.scn</c> run, so a campaign's rate is not
/// bound by process start-up.
/// </summary>
/// <remarks>
/// The exchange: the implementation first prints <c>asyncref-batch 1</c>. Each request is
/// <c>run LEN TIMEOUT_MS NAME</c> and LEN bytes of scenario; each answer is
/// <c>done KIND CODE OUTLEN ERRLEN</c> (KIND <c>exit</c>, <c>signal</c> or <c>timeout</c>) and the run's standard output
/// and error bytes. End of input ends the process.
/// </remarks>
internal sealed class BatchImplementation : IImplementation
{
    /// <summary>The greeting line of protocol version 1.</summary>
    public const string Greeting = "asyncref-batch 1";

    private readonly Process _process;
    private readonly Stream _input;
    private readonly Stream _output;
    private readonly int _timeoutMs;

    private BatchImplementation(Process process, int timeoutMs)
    {
        _process = process;
        _input = process.StandardInput.BaseStream;
        _output = new BufferedStream(process.StandardOutput.BaseStream, 1 << 16);
        _timeoutMs = timeoutMs;
    }

    public string Mode => "batch";

    /// <summary>Starts <c>CMD --batch</c>; returns null if the implementation does not answer with the greeting.</summary>
    /// <param name="command">The implementation's command.</param>
    /// <param name="timeout">The time limit of one scenario.</param>
    /// <param name="environment">Variables set for the implementation (the input fuzz campaign's limits), or null.</param>
    public static BatchImplementation? TryStart(string command, TimeSpan timeout, IReadOnlyDictionary<string, string>? environment = null)
    {
        IReadOnlyList<string> words = ExternalImplementation.SplitCommand(command);
        var start = new ProcessStartInfo(words[0])
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string word in words.Skip(1))
        {
            start.ArgumentList.Add(word);
        }

        start.ArgumentList.Add("--batch");
        foreach ((string name, string value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        Process process = Process.Start(start) ?? throw new InvalidOperationException("the process did not start");
        process.ErrorDataReceived += (_, _) => { }; // the batch process itself says nothing useful on stderr; drain it
        process.BeginErrorReadLine();
        var batch = new BatchImplementation(process, (int)Math.Clamp(timeout.TotalMilliseconds, 1, int.MaxValue));
        string? greeting = batch.ReadLine();
        if (greeting == Greeting)
        {
            return batch;
        }

        batch.Dispose();
        return null;
    }

    public Func<ImplementationRun> Submit(string text, string fileName) => Submit(Encoding.UTF8.GetBytes(text), fileName);

    /// <summary>Hands over a scenario's bytes as they are (the input fuzz campaign's may be any bytes).</summary>
    /// <param name="scenario">The file's bytes.</param>
    /// <param name="fileName">The file name the implementation reports parse errors under.</param>
    /// <returns>A function that waits for the run.</returns>
    public Func<ImplementationRun> Submit(byte[] scenario, string fileName)
    {
        byte[] header = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"run {scenario.Length} {_timeoutMs} {fileName}\n"));
        _input.Write(header);
        _input.Write(scenario);
        _input.Flush();
        return Receive;
    }

    public void Dispose()
    {
        try
        {
            _input.Close();
            if (!_process.WaitForExit(2000))
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (Exception e) when (e is IOException or InvalidOperationException)
        {
            // It is gone already.
        }

        _process.Dispose();
    }

    private ImplementationRun Receive()
    {
        string line = ReadLine() ?? throw new IOException("the batch implementation ended without answering");
        string[] words = line.Split(' ');
        if (words.Length != 5 || words[0] != "done"
            || !int.TryParse(words[2], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int code)
            || !int.TryParse(words[3], NumberStyles.None, CultureInfo.InvariantCulture, out int outLength)
            || !int.TryParse(words[4], NumberStyles.None, CultureInfo.InvariantCulture, out int errLength))
        {
            throw new IOException("the batch implementation answered a malformed header: " + line);
        }

        byte[] stdout = ReadExactly(outLength);
        string stderr = Encoding.UTF8.GetString(ReadExactly(errLength));
        return words[1] switch
        {
            "exit" => new ImplementationRun(code, stdout, stderr, TimedOut: false),
            "signal" => new ImplementationRun(128 + code, stdout, stderr, TimedOut: false),
            "timeout" => new ImplementationRun(-1, stdout, stderr, TimedOut: true),
            _ => throw new IOException("the batch implementation answered an unknown status: " + line),
        };
    }

    private byte[] ReadExactly(int length)
    {
        byte[] buffer = new byte[length];
        _output.ReadExactly(buffer);
        return buffer;
    }

    /// <summary>Reads one <c>\n</c>-terminated header line byte by byte (the bytes after it belong to the answer).</summary>
    private string? ReadLine()
    {
        var line = new List<byte>(64);
        while (true)
        {
            int b = _output.ReadByte();
            if (b < 0)
            {
                return null;
            }

            if (b == '\n')
            {
                return Encoding.UTF8.GetString(line.ToArray());
            }

            line.Add((byte)b);
        }
    }
}
