using BenchmarkDotNet.Attributes;

namespace AsyncRef.Bench;

/// <summary>
/// The reference's rows, each in both modes. One benchmark operation is one whole cycle of the workload, the unit
/// the C side times too. Allocation per operation comes from the MemoryDiagnoser.
/// </summary>
[MemoryDiagnoser]
public class ReferenceBenchmarks
{
    private Driver _driver = null!;

    /// <summary><see cref="Async.CheckedMode"/> during the benchmark.</summary>
    [ParamsAllValues]
    public bool Checked { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        Async.CheckedMode = Checked;
        _driver = new Driver();
        // Fill this thread's pool and box free lists, so every measured operation is a steady-state one.
        foreach (Workload w in Enum.GetValues<Workload>())
        {
            _driver.Run(w, 1000);
        }
    }

    [GlobalCleanup]
    public void Cleanup() => Async.CheckedMode = false;

    [Benchmark(Description = "cycle")]
    public int Cycle() => _driver.Cycle();

    [Benchmark(Description = "nopause")]
    public int StartFinish() => _driver.NoPause();

    [Benchmark(Description = "pause3")]
    public int Pause3() => _driver.Pause3();

    [Benchmark(Description = "waitfd")]
    public int WaitFd() => _driver.WaitFd();

    [Benchmark(Description = "nested")]
    public int Nested() => _driver.Nested();
}
