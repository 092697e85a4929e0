namespace AsyncRef.Oracle.Checking;

/// <summary>
/// Hands results on in input order although they finish in any order: each is released as soon as every earlier
/// one has finished, so the text output is the same whatever the parallelism, and still streams.
/// </summary>
internal sealed class OrderedReleaser<T>(int count, Action<T> release)
{
    private readonly object _lock = new();
    private readonly T[] _done = new T[count];
    private readonly bool[] _finished = new bool[count];
    private int _next;

    internal void Finished(int index, T result)
    {
        lock (_lock)
        {
            _done[index] = result;
            _finished[index] = true;
            while (_next < count && _finished[_next])
            {
                release(_done[_next]);
                _done[_next] = default!;
                _next++;
            }
        }
    }
}
