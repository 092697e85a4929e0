using System.Collections.Immutable;
using AsyncRef.Testing;

namespace AsyncRef.Systematic;

/// <summary>
/// A hunt runs each of its workers on one core while it explores (<see cref="Hunt.WithSingleCore"/>; one worker: the
/// whole process, several: each worker's threads) and must give the process its cores back: the rest of a user's test
/// run (other tests, the test host's own threads) must not stay on one core.
/// </summary>
public sealed class SingleCoreTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void AfterAHunt_EveryThreadStartedDuringIt_RunsOnTheProcessCoresAgain(int workers)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        Dictionary<int, string> before = AllowedCpus();
        string processCpus = before[Environment.ProcessId];
        // Shared by every execution, so no lock: Coyote ties a lock to one execution, and two workers' executions run at once.
        ImmutableHashSet<string> seen = [];
        HuntResult result = Hunts.Correct(output).Named($"SingleCore_GivesTheCoresBack_{workers}").WithIterations(200).WithSingleCore(true).WithParallelism(workers).Explore(session =>
        {
            Thread[] threads = [session.StartThread("T0", Hunts.PauseOnceThenCleanUp), session.StartThread("T1", Hunts.PauseOnceThenCleanUp)];
            foreach (Thread t in threads)
            {
                t.Join();
            }

            // The execution's threads ran on their worker's core.
            string cpus = File.ReadLines("/proc/thread-self/status").First(l => l.StartsWith("Cpus_allowed_list:", StringComparison.Ordinal))["Cpus_allowed_list:".Length..].Trim();
            ImmutableInterlocked.Update(ref seen, set => set.Add(cpus));
        });
        Assert.False(result.BugFound);
        if (Environment.ProcessorCount >= workers)
        {
            // One core per worker: each saw a single CPU, the workers different ones.
            Assert.True(seen.Count == workers && seen.All(c => int.TryParse(c, out _)), $"executions ran on CPUs {string.Join(" and ", seen)} with {workers} worker(s)");
        }

        Dictionary<int, string> after = AllowedCpus();
        Assert.Equal(processCpus, after[Environment.ProcessId]);
        int born = 0;
        foreach ((int thread, string cpus) in after)
        {
            if (before.TryGetValue(thread, out string? earlier))
            {
                Assert.Equal(earlier, cpus);
            }
            else
            {
                born++;
                Assert.True(cpus == processCpus, $"thread {thread}, started during the hunt, still runs on CPUs {cpus} (the process has {processCpus})");
            }
        }

        output.WriteLine($"{born} threads started during the hunt are alive; every thread runs on its earlier CPUs ({processCpus})");
    }

    /// <summary>Each thread of this process and the CPUs it may run on (Linux: <c>Cpus_allowed_list</c> in /proc/self/task).</summary>
    private static Dictionary<int, string> AllowedCpus()
    {
        var cpus = new Dictionary<int, string>();
        foreach (string dir in Directory.EnumerateDirectories("/proc/self/task"))
        {
            try
            {
                string? line = File.ReadLines(Path.Combine(dir, "status")).FirstOrDefault(l => l.StartsWith("Cpus_allowed_list:", StringComparison.Ordinal));
                if (line is not null && int.TryParse(Path.GetFileName(dir), out int id))
                {
                    cpus[id] = line["Cpus_allowed_list:".Length..].Trim();
                }
            }
            catch (IOException)
            {
                // The thread ended while it was read.
            }
        }

        return cpus;
    }
}
