namespace AsyncRef.Testing;

/// <summary>What one worker of a hunt explored (<see cref="Hunt.WithParallelism"/>).</summary>
public sealed class HuntWorker
{
    internal HuntWorker(int index, uint firstSeed, int iterations, TimeSpan elapsed)
    {
        Index = index;
        FirstSeed = firstSeed;
        Iterations = iterations;
        Elapsed = elapsed;
    }

    /// <summary>The worker's number, from 0.</summary>
    public int Index { get; }

    /// <summary>The seed of the worker's first execution; its next ones follow.</summary>
    public uint FirstSeed { get; }

    /// <summary>Executions the worker explored (fewer than its share when a lower worker found a bug first, or the timeout passed).</summary>
    public int Iterations { get; }

    /// <summary>Wall-clock time the worker explored.</summary>
    public TimeSpan Elapsed { get; }

    /// <summary>The worker's executions per second of wall-clock time.</summary>
    public double IterationsPerSecond => Elapsed.TotalSeconds > 0 ? Iterations / Elapsed.TotalSeconds : 0;
}
