namespace AsyncRef;

/// <summary>
/// An <c>ASYNC_JOB *</c>: a handle to a job object and to one use of it. Job objects are pooled and recycled
/// (LIFO) exactly as in OpenSSL, so two handles can name the same <see cref="ObjectId"/>; a handle from a previous
/// use is stale and is rejected (<see cref="UbRules.StaleHandle"/>). <c>default</c> is the null handle.
/// </summary>
public readonly struct AsyncJob : IEquatable<AsyncJob>
{
    internal AsyncJob(JobCore core)
    {
        Core = core;
        Generation = core.Generation;
    }

    /// <summary>The job object, or null for the null handle.</summary>
    internal JobCore? Core { get; }

    /// <summary>Which use of the job object this handle names.</summary>
    internal uint Generation { get; }

    /// <summary>Whether this is the null handle (C's <c>NULL</c>).</summary>
    public bool IsNull => Core is null;

    /// <summary>A process-unique number of the job object (0 for the null handle); reuse from the pool keeps it.</summary>
    public long ObjectId => Core?.ObjectId ?? 0;

    /// <summary>
    /// The state of the job object right now (<see cref="AsyncJobState.Unallocated"/> for the null handle). For a
    /// stale handle this is the state of the object's current use.
    /// </summary>
    public AsyncJobState ObjectState => Core?.State ?? AsyncJobState.Unallocated;

    /// <summary>Whether this handle names the object's current use (false for a stale handle of a finished use).</summary>
    public bool IsCurrentUse => Core is not null && Core.Generation == Generation;

    /// <summary>Compares two handles.</summary>
    /// <param name="left">A handle.</param>
    /// <param name="right">Another handle.</param>
    public static bool operator ==(AsyncJob left, AsyncJob right) => left.Equals(right);

    /// <summary>Compares two handles.</summary>
    /// <param name="left">A handle.</param>
    /// <param name="right">Another handle.</param>
    public static bool operator !=(AsyncJob left, AsyncJob right) => !left.Equals(right);

    /// <inheritdoc/>
    public bool Equals(AsyncJob other) => ReferenceEquals(Core, other.Core) && Generation == other.Generation;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is AsyncJob other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(ObjectId, Generation);

    /// <inheritdoc/>
    public override string ToString() => IsNull ? "NULL" : $"job {ObjectId} (use {Generation})";
}
