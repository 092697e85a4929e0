using AsyncRef.Traces.Format;

namespace AsyncRef.Traces.Replay;

/// <summary>One logical thread of a trace, replayed on an OS thread of its own.</summary>
internal sealed class ReplayThread(uint id) : IDisposable
{
    internal uint Id { get; } = id;

    /// <summary>Released when this thread's record is next (or when the replay stops).</summary>
    internal SemaphoreSlim Baton { get; } = new(0);

    /// <summary>The job function given to the reference for new jobs started on this thread.</summary>
    internal AsyncJobFunc Body { get; set; } = null!;

    /// <summary>The fd cleanup given to the reference for entries set on this thread.</summary>
    internal AsyncWaitFdCleanup Cleanup { get; set; } = null!;

    /// <summary>The innermost call waiting for its RETURN record, to name it if the trace ends there.</summary>
    internal OpenCall? OpenCall { get; set; }

    /// <summary>Whether this thread read the end of the file.</summary>
    internal bool SawEnd { get; set; }

    /// <summary>Jobs of this thread still paused when the replay ended.</summary>
    internal int PausedAtEnd { get; set; }

    public void Dispose() => Baton.Dispose();
}

/// <summary>A call whose RETURN record is awaited.</summary>
/// <param name="Record">The CALL record's number.</param>
/// <param name="Function">The function.</param>
/// <param name="Site">The raw call site.</param>
internal readonly record struct OpenCall(long Record, TraceFunction Function, ulong Site);
