using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace AsyncRef.Bench;

/// <summary>The workloads, numbered as in bench/c/async_bench.c (<c>W_CYCLE</c> … <c>W_NESTED</c>).</summary>
public enum Workload
{
    Cycle = 0,
    NoPause = 1,
    Pause3 = 2,
    WaitFd = 3,
    Nested = 4,
}

/// <summary>The job functions: one per C job function in bench/c/async_bench.c, doing the same thing.</summary>
internal static class Jobs
{
    /// <summary>The key of the wait fd: only its identity matters (C uses the address of a static char).</summary>
    private static readonly object FdKey = new();

    // Cached delegates: the application keeps its job function as C keeps a function pointer.
    internal static readonly AsyncJobFunc PauseOnce = PauseOnceJob;
    internal static readonly AsyncJobFunc NoPause = NoPauseJob;
    internal static readonly AsyncJobFunc PauseThrice = PauseThriceJob;
    internal static readonly AsyncJobFunc WaitFd = WaitFdJob;
    internal static readonly AsyncJobFunc Nested = NestedJob;

    private static async JobTask<int> PauseOnceJob(byte[]? args)
    {
        if (await Async.PauseJob() != 1)
        {
            Fail.With("ASYNC_pause_job failed");
        }

        return 1;
    }

#pragma warning disable CS1998 // A job function that never awaits is still a JobTask method (C: `return 1;`).
    private static async JobTask<int> NoPauseJob(byte[]? args) => 1;
#pragma warning restore CS1998

    private static async JobTask<int> PauseThriceJob(byte[]? args)
    {
        for (int i = 0; i < 3; i++)
        {
            if (await Async.PauseJob() != 1)
            {
                Fail.With("ASYNC_pause_job failed");
            }
        }

        return 1;
    }

    /// <summary>A producer's pattern: register the fd to wait on, pause, and clear it once woken.</summary>
    private static async JobTask<int> WaitFdJob(byte[]? args)
    {
        AsyncWaitCtx ctx = Async.GetWaitCtx(Async.GetCurrentJob())!;
        if (ctx.SetWaitFd(FdKey, 42, null, null) != 1)
        {
            Fail.With("set_wait_fd failed");
        }

        if (await Async.PauseJob() != 1)
        {
            Fail.With("ASYNC_pause_job failed");
        }

        if (ctx.ClearFd(FdKey) != 1)
        {
            Fail.With("clear_fd failed");
        }

        return 1;
    }

    /// <summary>The pause sits in a helper the job function awaits (its own state machine and box).</summary>
    private static async JobTask<int> NestedHelper()
    {
        if (await Async.PauseJob() != 1)
        {
            Fail.With("ASYNC_pause_job failed");
        }

        return 1;
    }

    private static async JobTask<int> NestedJob(byte[]? args) => await NestedHelper();
}

/// <summary>
/// One thread's driver of the workloads: the same loops as bench/c/async_bench.c, every result checked. A driver
/// must be used on the thread that created it (jobs and the pool are per thread).
/// </summary>
public sealed class Driver
{
    private readonly AsyncWaitCtx _ctx = AsyncWaitCtx.New();

    /// <summary>start → pause → resume → finish.</summary>
    public int Cycle() => OnePause(Jobs.PauseOnce);

    /// <summary>start → finish, no pause.</summary>
    public int NoPause()
    {
        AsyncJob job = default;
        int ret = 0;
        Expect(Async.StartJob(ref job, _ctx, ref ret, Jobs.NoPause), AsyncResult.Finish);
        return ret;
    }

    /// <summary>start → 3 pauses → finish (4 calls of StartJob).</summary>
    public int Pause3()
    {
        AsyncJob job = default;
        int ret = 0;
        for (int p = 0; p < 3; p++)
        {
            Expect(Async.StartJob(ref job, _ctx, ref ret, Jobs.PauseThrice), AsyncResult.Pause);
        }

        Expect(Async.StartJob(ref job, _ctx, ref ret, Jobs.PauseThrice), AsyncResult.Finish);
        return ret;
    }

    /// <summary>One pause with set_wait_fd (job), get_changed_fds (caller, while paused), clear_fd (job).</summary>
    public int WaitFd()
    {
        AsyncJob job = default;
        int ret = 0;
        Span<int> add = stackalloc int[4];
        Span<int> del = stackalloc int[4];
        Expect(Async.StartJob(ref job, _ctx, ref ret, Jobs.WaitFd), AsyncResult.Pause);
        if (_ctx.GetChangedFds(add, out int numAdd, del, out _) != 1 || numAdd != 1 || add[0] != 42)
        {
            Fail.With("get_changed_fds: unexpected result");
        }

        Expect(Async.StartJob(ref job, _ctx, ref ret, Jobs.WaitFd), AsyncResult.Finish);
        return ret;
    }

    /// <summary>A full cycle whose pause sits in a nested JobTask helper.</summary>
    public int Nested() => OnePause(Jobs.Nested);

    /// <summary>Runs <paramref name="n"/> cycles of <paramref name="w"/> (the C side's <c>run_loop</c>).</summary>
    /// <remarks>
    /// Each workload's loop is a method of its own, never inlined here: it is called once per rep, so it reaches
    /// full tier-1 code after its own warm-up calls (one shared loop method would run its loops as on-stack-replacement
    /// code for as long as its call count, shared by all workloads, stays under the tiering threshold).
    /// </remarks>
    public int Run(Workload w, long n) => w switch
    {
        Workload.Cycle => RunCycle(n),
        Workload.NoPause => RunNoPause(n),
        Workload.Pause3 => RunPause3(n),
        Workload.WaitFd => RunWaitFd(n),
        Workload.Nested => RunNested(n),
        _ => Fail.With<int>($"unknown workload {w}"),
    };

    [MethodImpl(MethodImplOptions.NoInlining)]
    private int RunCycle(long n)
    {
        int sum = 0;
        for (long i = 0; i < n; i++)
        {
            sum += Cycle();
        }

        return sum;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private int RunNoPause(long n)
    {
        int sum = 0;
        for (long i = 0; i < n; i++)
        {
            sum += NoPause();
        }

        return sum;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private int RunPause3(long n)
    {
        int sum = 0;
        for (long i = 0; i < n; i++)
        {
            sum += Pause3();
        }

        return sum;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private int RunWaitFd(long n)
    {
        int sum = 0;
        for (long i = 0; i < n; i++)
        {
            sum += WaitFd();
        }

        return sum;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private int RunNested(long n)
    {
        int sum = 0;
        for (long i = 0; i < n; i++)
        {
            sum += Nested();
        }

        return sum;
    }

    /// <summary>Starts one pausing job and leaves it paused in <paramref name="job"/> (the memory rows).</summary>
    public void StartPaused(ref AsyncJob job)
    {
        int ret = 0;
        Expect(Async.StartJob(ref job, _ctx, ref ret, Jobs.PauseOnce), AsyncResult.Pause);
    }

    /// <summary>Resumes a job left by <see cref="StartPaused"/> to its finish.</summary>
    public void ResumeToFinish(ref AsyncJob job)
    {
        int ret = 0;
        Expect(Async.StartJob(ref job, _ctx, ref ret, Jobs.PauseOnce), AsyncResult.Finish);
        if (ret != 1)
        {
            Fail.With($"bad ret {ret}");
        }
    }

    private int OnePause(AsyncJobFunc func)
    {
        AsyncJob job = default;
        int ret = 0;
        Expect(Async.StartJob(ref job, _ctx, ref ret, func), AsyncResult.Pause);
        Expect(Async.StartJob(ref job, _ctx, ref ret, func), AsyncResult.Finish);
        return ret;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Expect(AsyncResult got, AsyncResult want)
    {
        if (got != want)
        {
            Fail.Unexpected(got, want);
        }
    }
}

/// <summary>A throw helper, kept out of line so the checks cost a compare and a branch.</summary>
internal static class Fail
{
    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static void With(string what) => throw new InvalidOperationException("bench: " + what);

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static T With<T>(string what) => throw new InvalidOperationException("bench: " + what);

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static string Usage() => Usage<string>();

    [DoesNotReturn]
    internal static T Usage<T>() => throw new ArgumentException("bad arguments; run without arguments for the usage");

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static void Unexpected(AsyncResult got, AsyncResult want) => With($"unexpected StartJob result {got}, wanted {want}");
}
