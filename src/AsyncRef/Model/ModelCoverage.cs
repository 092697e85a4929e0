using Stateless.Reflection;

namespace AsyncRef.Model;

/// <summary>What a <see cref="CoverageItem"/> names.</summary>
internal enum CoverageKind
{
    /// <summary>A state of a machine (superstates included).</summary>
    State,

    /// <summary>A transition: a trigger permitted or ignored in a state, as the Stateless definition declares it.</summary>
    Transition,

    /// <summary>A guard of a guarded transition, reached when the transition fired (the guard held).</summary>
    Guard,
}

/// <summary>One state, transition or guard of one of the four machines.</summary>
/// <param name="Machine">The machine: <see cref="ModelCoverage.JobMachine"/>, <see cref="ModelCoverage.WaitCtxMachine"/>, <see cref="ModelCoverage.StatusMachine"/> or <see cref="ModelCoverage.FdEntryMachine"/>.</param>
/// <param name="Kind">What the item names.</param>
/// <param name="Name">
/// The state's name (<c>Paused</c>); a transition as <c>From --Trigger--&gt; To</c>, or <c>From --Trigger--&gt; ignored</c>
/// (<c>From</c> is the state that declares it, possibly a superstate); a guard as its transition, <c>: </c>, and the
/// guard's description.
/// </param>
internal sealed record CoverageItem(string Machine, CoverageKind Kind, string Name)
{
    /// <inheritdoc/>
    public override string ToString() => $"{Machine} {Kind.ToString().ToLowerInvariant()} {Name}";
}

/// <summary>
/// Coverage measured by the model: how often each state, transition and guard of the four Stateless machines was
/// reached. The list of all items (<see cref="Catalogue"/>) comes from the machine definitions themselves, so a
/// campaign can report what it never reached.
/// </summary>
/// <remarks>
/// <para>
/// Recording is opt-in and process-wide: <see cref="StartRecording"/> routes every transition the runtime takes, on
/// any thread, through the Stateless machines (as checked mode does) and counts it into the given instance, until
/// <see cref="StopRecording"/>. When nothing records and checked mode is off, the runtime's transitions cost one flag
/// test (the same one checked mode uses), nothing more.
/// </para>
/// <para>
/// Instances are mergeable (<see cref="Merge"/>), and <see cref="Counts"/> / <see cref="Add"/> carry them between
/// processes (shards) by item, so the counts of runs of different builds merge as long as item names match.
/// Counting is thread-safe (interlocked); reading while another thread records gives a consistent-enough snapshot.
/// </para>
/// </remarks>
internal sealed class ModelCoverage
{
    /// <summary>The job lifecycle machine (<see cref="Machines.Job"/>).</summary>
    internal const string JobMachine = "job";

    /// <summary>The wait-context machine (<see cref="Machines.WaitCtx"/>).</summary>
    internal const string WaitCtxMachine = "wait-ctx";

    /// <summary>The status mailbox machine (<see cref="Machines.WaitStatus"/>).</summary>
    internal const string StatusMachine = "wait-ctx-status";

    /// <summary>The fd-entry machine (<see cref="Machines.FdEntry"/>).</summary>
    internal const string FdEntryMachine = "fd-entry";

    /// <summary>The recorder that transitions are counted into, or null.</summary>
    private static volatile ModelCoverage? s_recording;

    /// <summary>Hits per item, parallel to <see cref="Catalogue"/>.</summary>
    private readonly long[] _hits = new long[Catalog.Items.Length];

    /// <summary>The four machines' names, in a fixed order (job, wait-ctx, wait-ctx-status, fd-entry).</summary>
    internal static IReadOnlyList<string> MachineNames { get; } = [JobMachine, WaitCtxMachine, StatusMachine, FdEntryMachine];

    /// <summary>Every state, transition and guard of the four machines, machine by machine, in definition order.</summary>
    internal static IReadOnlyList<CoverageItem> Catalogue => Catalog.Items;

    /// <summary>The recorder in use, or null when nothing records.</summary>
    internal static ModelCoverage? Recording => s_recording;

    /// <summary>Every item with its hit count, in <see cref="Catalogue"/> order (for reports and for carrying between processes).</summary>
    internal IReadOnlyList<KeyValuePair<CoverageItem, long>> Counts
    {
        get
        {
            var counts = new KeyValuePair<CoverageItem, long>[_hits.Length];
            for (int i = 0; i < counts.Length; i++)
            {
                counts[i] = new(Catalog.Items[i], Interlocked.Read(ref _hits[i]));
            }

            return counts;
        }
    }

    /// <summary>Starts counting every transition the runtime takes, on every thread, into <paramref name="into"/>.</summary>
    /// <param name="into">The recorder; several runs may record into the same one in turn.</param>
    internal static void StartRecording(ModelCoverage into)
    {
        s_recording = into;
        Async.RefreshModelling();
    }

    /// <summary>Stops recording.</summary>
    /// <returns>The recorder that was in use, or null.</returns>
    internal static ModelCoverage? StopRecording()
    {
        ModelCoverage? recorder = s_recording;
        s_recording = null;
        Async.RefreshModelling();
        return recorder;
    }

    /// <summary>Every item of one machine, in definition order.</summary>
    /// <param name="machine">One of <see cref="MachineNames"/>.</param>
    /// <returns>The machine's states, transitions and guards.</returns>
    internal static IReadOnlyList<CoverageItem> ItemsOf(string machine) =>
        Catalog.Items.Where(item => item.Machine == machine).ToArray();

    /// <summary>How often <paramref name="item"/> was reached.</summary>
    /// <param name="item">An item of <see cref="Catalogue"/>.</param>
    /// <returns>The count (0 if never).</returns>
    internal long HitsOf(CoverageItem item) => Interlocked.Read(ref _hits[Catalog.IndexOf(item)]);

    /// <summary>The items of <paramref name="machine"/> reached at least once.</summary>
    /// <param name="machine">One of <see cref="MachineNames"/>.</param>
    /// <returns>The reached items, in definition order.</returns>
    internal IReadOnlyList<CoverageItem> Reached(string machine) => Select(machine, reached: true);

    /// <summary>The items of <paramref name="machine"/> never reached.</summary>
    /// <param name="machine">One of <see cref="MachineNames"/>.</param>
    /// <returns>The items not reached, in definition order.</returns>
    internal IReadOnlyList<CoverageItem> NotReached(string machine) => Select(machine, reached: false);

    /// <summary>Adds another recorder's counts to this one (shards, or successive runs).</summary>
    /// <param name="other">The counts to add.</param>
    internal void Merge(ModelCoverage other)
    {
        for (int i = 0; i < _hits.Length; i++)
        {
            Interlocked.Add(ref _hits[i], Interlocked.Read(ref other._hits[i]));
        }
    }

    /// <summary>Adds <paramref name="hits"/> to an item, e.g. when reading back counts another process wrote.</summary>
    /// <param name="item">An item of <see cref="Catalogue"/>.</param>
    /// <param name="hits">The count to add.</param>
    /// <exception cref="ArgumentException">The item is not in the catalogue (a different model version).</exception>
    internal void Add(CoverageItem item, long hits) => Interlocked.Add(ref _hits[Catalog.IndexOf(item)], hits);

    /// <summary>Counts one fired (or ignored) transition of the job machine.</summary>
    internal static void RecordJob(AsyncJobState from, JobTrigger trigger, AsyncJobState? to) =>
        s_recording?.Count(Catalog.Job, (int)from, (int)trigger, to is { } t ? (int)t : -1);

    /// <summary>Counts one fired (or ignored) transition of the wait-context machine.</summary>
    internal static void RecordWaitCtx(WaitCtxState from, WaitCtxTrigger trigger, WaitCtxState? to) =>
        s_recording?.Count(Catalog.WaitCtx, (int)from, (int)trigger, to is { } t ? (int)t : -1);

    /// <summary>Counts one transition of the status machine.</summary>
    internal static void RecordStatus(WaitStatusState from, WaitStatusState to) =>
        s_recording?.Count(Catalog.Status, (int)from, (int)WaitStatusTrigger.SetStatus, (int)to);

    /// <summary>Counts one fired (or ignored) transition of the fd-entry machine.</summary>
    internal static void RecordFdEntry(FdEntryState from, FdEntryTrigger trigger, FdEntryState? to) =>
        s_recording?.Count(Catalog.FdEntry, (int)from, (int)trigger, to is { } t ? (int)t : -1);

    private IReadOnlyList<CoverageItem> Select(string machine, bool reached)
    {
        var items = new List<CoverageItem>();
        for (int i = 0; i < _hits.Length; i++)
        {
            if (Catalog.Items[i].Machine == machine && (Interlocked.Read(ref _hits[i]) > 0) == reached)
            {
                items.Add(Catalog.Items[i]);
            }
        }

        return items;
    }

    private void Count(Catalog.MachineIndex machine, int from, int trigger, int to)
    {
        if (!machine.Fired.TryGetValue((from, trigger, to), out int[]? items))
        {
            throw new InvariantViolationException(
                $"model coverage: {machine.Name} has no transition from state {from} by trigger {trigger} to {(to < 0 ? "ignored" : to)}");
        }

        foreach (int item in items)
        {
            Interlocked.Increment(ref _hits[item]);
        }
    }

    /// <summary>The catalogue of items, built once from the Stateless definitions.</summary>
    private static class Catalog
    {
        internal static readonly CoverageItem[] Items;
        internal static readonly MachineIndex Job;
        internal static readonly MachineIndex WaitCtx;
        internal static readonly MachineIndex Status;
        internal static readonly MachineIndex FdEntry;
        private static readonly Dictionary<CoverageItem, int> s_index = [];

        static Catalog()
        {
            var items = new List<CoverageItem>();
            AsyncJobState job = default;
            WaitCtxState ctx = WaitCtxState.NoCallback;
            WaitStatusState status = default;
            FdEntryState entry = default;
            Job = Build(JobMachine, Machines.Job(() => job, s => job = s, () => default).GetInfo(), items);
            WaitCtx = Build(WaitCtxMachine, Machines.WaitCtx(() => ctx, s => ctx = s, () => false).GetInfo(), items);
            Status = Build(StatusMachine, Machines.WaitStatus(() => status, s => status = s, out _).GetInfo(), items);
            FdEntry = Build(FdEntryMachine, Machines.FdEntry(() => entry, s => entry = s).GetInfo(), items);
            Items = [.. items];
            for (int i = 0; i < Items.Length; i++)
            {
                s_index.Add(Items[i], i);
            }
        }

        internal static int IndexOf(CoverageItem item) =>
            s_index.TryGetValue(item, out int index) ? index : throw new ArgumentException($"not an item of the model: {item}", nameof(item));

        /// <summary>
        /// Lists a machine's states, transitions and guards, and maps each (leaf state, trigger, target or -1 when
        /// ignored) to the items it reaches: both states, their superstates, the declaring transition and its guards.
        /// </summary>
        private static MachineIndex Build(string name, StateMachineInfo info, List<CoverageItem> items)
        {
            var stateItems = new Dictionary<object, int>();
            var declared = new Dictionary<(object State, object Trigger), List<(int Target, int[] Items)>>();
            foreach (StateInfo state in info.States)
            {
                stateItems[state.UnderlyingState] = Add(items, new CoverageItem(name, CoverageKind.State, state.UnderlyingState.ToString()!));
            }

            foreach (StateInfo state in info.States)
            {
                foreach (FixedTransitionInfo t in state.FixedTransitions)
                {
                    string label = $"{state.UnderlyingState} --{t.Trigger.UnderlyingTrigger}--> {t.DestinationState.UnderlyingState}";
                    Declare(declared, state.UnderlyingState, t.Trigger.UnderlyingTrigger, (int)t.DestinationState.UnderlyingState, TransitionItems(name, label, t, items));
                }

                foreach (IgnoredTransitionInfo t in state.IgnoredTriggers)
                {
                    string label = $"{state.UnderlyingState} --{t.Trigger.UnderlyingTrigger}--> ignored";
                    Declare(declared, state.UnderlyingState, t.Trigger.UnderlyingTrigger, -1, TransitionItems(name, label, t, items));
                }
            }

            var fired = new Dictionary<(int, int, int), int[]>();
            foreach (StateInfo leaf in info.States)
            {
                foreach (StateInfo other in info.States)
                {
                    foreach (object trigger in Enum.GetValues(info.TriggerType))
                    {
                        // The closest declaring state wins, as in Stateless: the state itself, then its superstates.
                        for (StateInfo? declaring = leaf; declaring is not null; declaring = declaring.Superstate)
                        {
                            if (!declared.TryGetValue((declaring.UnderlyingState, trigger), out var candidates))
                            {
                                continue;
                            }

                            foreach ((int target, int[] transitionItems) in candidates)
                            {
                                int to = target < 0 ? (int)leaf.UnderlyingState : target;
                                if (to != (int)other.UnderlyingState)
                                {
                                    continue;
                                }

                                var reached = new List<int>(transitionItems);
                                AddWithSuperstates(reached, leaf, stateItems);
                                AddWithSuperstates(reached, other, stateItems);
                                fired.TryAdd(((int)leaf.UnderlyingState, (int)trigger, target < 0 ? -1 : to), [.. reached.Distinct()]);
                            }

                            break;
                        }
                    }
                }
            }

            return new MachineIndex(name, fired);
        }

        private static int[] TransitionItems(string machine, string label, TransitionInfo transition, List<CoverageItem> items)
        {
            var indices = new List<int> { Add(items, new CoverageItem(machine, CoverageKind.Transition, label)) };
            foreach (InvocationInfo guard in transition.GuardConditionsMethodDescriptions)
            {
                indices.Add(Add(items, new CoverageItem(machine, CoverageKind.Guard, $"{label}: {guard.Description}")));
            }

            return [.. indices];
        }

        private static void Declare(
            Dictionary<(object, object), List<(int, int[])>> declared, object state, object trigger, int target, int[] transitionItems)
        {
            if (!declared.TryGetValue((state, trigger), out var list))
            {
                declared[(state, trigger)] = list = [];
            }

            list.Add((target, transitionItems));
        }

        private static void AddWithSuperstates(List<int> reached, StateInfo state, Dictionary<object, int> stateItems)
        {
            for (StateInfo? s = state; s is not null; s = s.Superstate)
            {
                reached.Add(stateItems[s.UnderlyingState]);
            }
        }

        private static int Add(List<CoverageItem> items, CoverageItem item)
        {
            items.Add(item);
            return items.Count - 1;
        }

        /// <summary>One machine's map from a fired transition to the items it reaches.</summary>
        internal sealed record MachineIndex(string Name, Dictionary<(int From, int Trigger, int To), int[]> Fired);
    }
}
