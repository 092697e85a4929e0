using System.Runtime.CompilerServices;

namespace AsyncRef;

/// <summary>
/// What OpenSSL keeps per OS thread: the async ctx (current job, block counter), the pool and the error queue.
/// A job shares all of it with the code that starts it, because it runs on that code's thread.
/// </summary>
internal sealed class AsyncThreadState
{
    /// <summary>This thread's state, created on first use.</summary>
    [ThreadStatic]
    private static AsyncThreadState? t_current;

    /// <summary>
    /// The OS thread's models for checked mode, created on first use. They are per OS thread, not per state, because
    /// Stateless machines are not thread-safe, and nothing more: they hold only outcomes memoised by (state, trigger,
    /// guard inputs), the same for every thread, so the logical threads sharing an OS thread (<see cref="Exchange"/>)
    /// share them instead of building four machines each.
    /// </summary>
    [ThreadStatic]
    private static Model.CheckedModels? t_models;

    /// <summary>The thread's pool (<c>poolkey</c>), or null before <c>ASYNC_init_thread</c> or the first job.</summary>
    internal JobPool? Pool;

    /// <summary>The job executing on this thread (<c>ctx->currjob</c>), or null.</summary>
    internal JobCore? CurrentJob;

    /// <summary>The <c>ASYNC_block_pause</c> nesting counter: per thread, not per job (it leaks across jobs).</summary>
    internal uint Blocked;

    /// <summary>Jobs started on this thread that are paused now.</summary>
    internal int PausedJobs;

    /// <summary>
    /// <c>ASYNC_cleanup_thread</c> calls so far: a job started before the latest one outlived the thread state its
    /// fibre captured, so its function must not return (<see cref="UbRules.CleanupWhilePaused"/>).
    /// </summary>
    internal uint Cleanups;

    /// <summary>The behaviour this thread reproduces.</summary>
    internal AsyncProfile Profile;

    /// <summary>The process-wide stack functions this thread's jobs use.</summary>
    internal AsyncStackMemory StackMemory = AsyncStackMemory.Process;

    /// <summary>The thread's error queue: the 15 newest errors, oldest first.</summary>
    internal readonly ErrorQueue Errors = new();

    /// <summary>
    /// The box returned most recently, of any type, while this slot was empty: a one-slot cache in front of the free
    /// lists, so a helper that suspends once per use finds its box again without a free-list look-up.
    /// </summary>
    internal JobStep? SpareBox;

    /// <summary>Source of the free-list slots of the box types (<see cref="NewBoxFreeListSlot"/>).</summary>
    private static int s_boxFreeListSlots;

    /// <summary>
    /// This thread state's free job boxes: one list per box type, at the slot of that type, created on first use.
    /// They live here rather than in thread statics because every rent and return already holds the thread state
    /// (the running job's owner), which saves a thread-static look-up on each.
    /// </summary>
    private object?[] _boxFreeLists = [];

    /// <summary>A new slot in every thread state's box free lists, for one box type.</summary>
    internal static int NewBoxFreeListSlot() => Interlocked.Increment(ref s_boxFreeListSlots) - 1;

    /// <summary>The free list at <paramref name="slot"/>, or null before its first use.</summary>
    internal object? BoxFreeList(int slot)
    {
        object?[] lists = _boxFreeLists;
        return (uint)slot < (uint)lists.Length ? lists[slot] : null;
    }

    /// <summary>Installs the free list of the box type at <paramref name="slot"/>.</summary>
    internal void SetBoxFreeList(int slot, object list)
    {
        if (slot >= _boxFreeLists.Length)
        {
            Array.Resize(ref _boxFreeLists, Math.Max(slot + 1, _boxFreeLists.Length * 2));
        }

        _boxFreeLists[slot] = list;
    }

    // The creation is out of line so the JIT inlines this hot accessor (one thread-static read per StartJob).
    internal static AsyncThreadState Current => t_current ?? CreateCurrent();

    internal static AsyncThreadState? CurrentOrNull => t_current;

    /// <summary>
    /// Makes <paramref name="state"/> the calling OS thread's state and returns the one it replaces (null if none).
    /// For an interpreter that runs several logical threads one at a time on one OS thread, each with its own state,
    /// exactly as if each were its own OS thread; it restores the replaced state when it is done.
    /// </summary>
    /// <param name="state">The state to install, or null for none (the next use creates a fresh one).</param>
    /// <returns>The state the calling thread had.</returns>
    internal static AsyncThreadState? Exchange(AsyncThreadState? state)
    {
        AsyncThreadState? previous = t_current;
        t_current = state;
        return previous;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static AsyncThreadState CreateCurrent() => t_current = new AsyncThreadState();

    /// <summary>The calling OS thread's models for checked mode.</summary>
    internal static Model.CheckedModels CheckedModels => t_models ??= new Model.CheckedModels();

    /// <summary>
    /// Makes <paramref name="models"/> the calling OS thread's models (null: the next use builds the standard ones).
    /// Only tests call it, to plant a wrong model and show that checked mode reports where it disagrees with the runtime.
    /// </summary>
    /// <param name="models">The models to use.</param>
    internal static void UseCheckedModels(Model.CheckedModels? models) => t_models = models;
}
