using AsyncRef.Testing;

namespace AsyncRef.Systematic;

/// <summary>
/// A hunt runs on one core while it explores (<see cref="Hunt.WithSingleCore"/>) and must give the process its cores
/// back: the rest of a user's test run (other tests, the test host's own threads) must not stay on one core.
/// </summary>
public sealed class SingleCoreTests(ITestOutputHelper output)
{
    [Fact]
    public void AfterAHunt_EveryThreadStartedDuringIt_RunsOnTheProcessCoresAgain()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        Dictionary<int, string> before = AllowedCpus();
        string processCpus = before[Environment.ProcessId];
        HuntResult result = Hunts.Correct(output).Named("SingleCore_GivesTheCoresBack").WithIterations(200).WithSingleCore(true).Explore(session =>
        {
            Thread[] threads = [session.StartThread("T0", Job), session.StartThread("T1", Job)];
            foreach (Thread t in threads)
            {
                t.Join();
            }
        });
        Assert.False(result.BugFound);

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

    private static void Job()
    {
        AsyncWaitCtx ctx = TracedAsync.NewWaitCtx();
        AsyncJob job = default;
        int ret = 0;
        while (TracedAsync.StartJob(ref job, ctx, ref ret, PauseOnce) == AsyncResult.Pause)
        {
            Thread.Yield();
        }

        TracedAsync.FreeWaitCtx(ctx);
        TracedAsync.CleanupThread();
    }

    private static async JobTask<int> PauseOnce(byte[]? args)
    {
        await TracedAsync.PauseJob();
        return 1;
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
