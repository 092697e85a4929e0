using AsyncRef.Testing.Recording;

namespace AsyncRef.Testing.Monitors;

/// <summary>
/// A thread's error queue holds only its own errors, as OpenSSL's thread-local <c>ERR_STATE</c> does: an error raised
/// for another thread's job (inside a callback fired for that job's wait ctx, or by the job itself on a thread it
/// does not belong to) lands on the wrong queue, and the thread that drains it reports another thread's failure.
/// </summary>
internal sealed class ErrorIsolationMonitor : IAsyncMonitor
{
    public void OnErrorsDrained(Iteration it, ThreadRecord thread, IReadOnlyList<(AsyncError Error, ErrorCredit Credit)> credited, Site site)
    {
        foreach ((AsyncError error, ErrorCredit credit) in credited)
        {
            if (credit.Owner != thread)
            {
                it.Fail($"thread '{thread.Name}' drains error {error.Name} at {site}, but it belongs to thread '{credit.Owner.Name}': "
                    + $"raised at {credit.Site} {credit.Describe()}; a thread's errors are its own");
                return;
            }
        }
    }
}
