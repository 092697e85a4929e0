namespace AsyncRef;

/// <summary>
/// A thread's OpenSSL error queue (<c>ERR_STATE</c>): a ring of <see cref="Slots"/> slots in which one slot always
/// stays empty, so it holds the <see cref="Capacity"/> newest errors; queuing one more drops the oldest
/// (<c>crypto/err/err.c</c>: <c>ERR_NUM_ERRORS</c>, the ring's <c>top</c>/<c>bottom</c> indexes).
/// </summary>
internal sealed class ErrorQueue
{
    /// <summary><c>ERR_NUM_ERRORS</c> in every profile.</summary>
    internal const int Slots = 16;

    /// <summary>The most errors the ring holds: one slot separates its newest entry from its oldest.</summary>
    internal const int Capacity = Slots - 1;

    private readonly Queue<AsyncError> _errors = new(Capacity + 1);

    /// <summary>Errors queued now.</summary>
    internal int Count => _errors.Count;

    /// <summary>Queues an error, dropping the oldest one when the ring is full.</summary>
    internal void Enqueue(AsyncError error)
    {
        _errors.Enqueue(error);
        if (_errors.Count > Capacity)
        {
            _errors.Dequeue();
        }
    }

    /// <summary>The queued errors, oldest first.</summary>
    internal AsyncError[] ToArray() => _errors.ToArray();

    /// <summary>Empties the queue.</summary>
    internal void Clear() => _errors.Clear();
}
