/*
 * The libcrypto side of the AsyncRef benchmarks: the same workloads as bench/AsyncRef.Bench, run on OpenSSL's
 * ASYNC fibres.
 *
 * Built twice from this one file:
 *   async_bench        (a program)        async_bench time [reps] | async_bench hold N
 *   libasyncbench.so   (-DAB_LIBRARY)     ab_run(workload, n): the same timed loops, called rep by rep from the
 *                                         C# process for the interleaved ("paired") ratios.
 *
 * Every loop checks each ASYNC_start_job result and aborts on a surprise, so a broken workload cannot pass for a
 * fast one. Times come from CLOCK_MONOTONIC around the whole loop; a rep is n cycles.
 */
#define _GNU_SOURCE
#include <openssl/async.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { W_CYCLE, W_NOPAUSE, W_PAUSE3, W_WAITFD, W_NESTED, W_COUNT };

/* Cycles per rep, sized so one rep takes roughly 0.1-0.3 s on a 2-core VM. */
static const long workload_n[W_COUNT] = { 1000000, 2000000, 400000, 600000, 1000000 };

static void die(const char *what, int got)
{
    fprintf(stderr, "async_bench: %s (got %d)\n", what, got);
    exit(2);
}

static int job_pause1(void *arg)
{
    (void)arg;
    if (!ASYNC_pause_job())
        die("ASYNC_pause_job failed", 0);
    return 1;
}

static int job_nopause(void *arg)
{
    (void)arg;
    return 1;
}

static int job_pause3(void *arg)
{
    (void)arg;
    for (int i = 0; i < 3; i++)
        if (!ASYNC_pause_job())
            die("ASYNC_pause_job failed", i);
    return 1;
}

/* The key of the wait fd: only its address matters. */
static char fd_key;

/* A producer's pattern: register the fd to wait on, pause, and clear it once woken. */
static int job_waitfd(void *arg)
{
    (void)arg;
    ASYNC_WAIT_CTX *w = ASYNC_get_wait_ctx(ASYNC_get_current_job());
    if (!ASYNC_WAIT_CTX_set_wait_fd(w, &fd_key, 42, NULL, NULL))
        die("set_wait_fd failed", 0);
    if (!ASYNC_pause_job())
        die("ASYNC_pause_job failed", 0);
    if (!ASYNC_WAIT_CTX_clear_fd(w, &fd_key))
        die("clear_fd failed", 0);
    return 1;
}

/* The pause sits one call deeper than the job function (in C that is just a call on the fibre's stack). */
__attribute__((noinline)) static int nested_helper(void)
{
    if (!ASYNC_pause_job())
        die("ASYNC_pause_job failed", 0);
    return 1;
}

static int job_nested(void *arg)
{
    (void)arg;
    return nested_helper();
}

static ASYNC_WAIT_CTX *wait_ctx;

static inline void expect(int got, int want)
{
    if (__builtin_expect(got != want, 0))
        die("unexpected ASYNC_start_job result", got);
}

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* One start -> pause -> resume -> finish per iteration (fn pauses exactly once). */
static void loop_one_pause(long n, int (*fn)(void *))
{
    for (long i = 0; i < n; i++) {
        ASYNC_JOB *job = NULL;
        int ret = 0;
        expect(ASYNC_start_job(&job, wait_ctx, &ret, fn, NULL, 0), ASYNC_PAUSE);
        expect(ASYNC_start_job(&job, wait_ctx, &ret, fn, NULL, 0), ASYNC_FINISH);
        if (ret != 1)
            die("bad ret", ret);
    }
}

static void loop_nopause(long n)
{
    for (long i = 0; i < n; i++) {
        ASYNC_JOB *job = NULL;
        int ret = 0;
        expect(ASYNC_start_job(&job, wait_ctx, &ret, job_nopause, NULL, 0), ASYNC_FINISH);
        if (ret != 1)
            die("bad ret", ret);
    }
}

static void loop_pause3(long n)
{
    for (long i = 0; i < n; i++) {
        ASYNC_JOB *job = NULL;
        int ret = 0;
        for (int p = 0; p < 3; p++)
            expect(ASYNC_start_job(&job, wait_ctx, &ret, job_pause3, NULL, 0), ASYNC_PAUSE);
        expect(ASYNC_start_job(&job, wait_ctx, &ret, job_pause3, NULL, 0), ASYNC_FINISH);
        if (ret != 1)
            die("bad ret", ret);
    }
}

/* Per pause: set_wait_fd (in the job), get_changed_fds (by the caller, while paused), clear_fd (in the job). */
static void loop_waitfd(long n)
{
    for (long i = 0; i < n; i++) {
        ASYNC_JOB *job = NULL;
        int ret = 0;
        OSSL_ASYNC_FD add[4], del[4];
        size_t nadd = 0, ndel = 0;
        expect(ASYNC_start_job(&job, wait_ctx, &ret, job_waitfd, NULL, 0), ASYNC_PAUSE);
        if (!ASYNC_WAIT_CTX_get_changed_fds(wait_ctx, add, &nadd, del, &ndel) || nadd != 1 || add[0] != 42)
            die("get_changed_fds: unexpected result", (int)nadd);
        expect(ASYNC_start_job(&job, wait_ctx, &ret, job_waitfd, NULL, 0), ASYNC_FINISH);
        if (ret != 1)
            die("bad ret", ret);
    }
}

static void run_loop(int w, long n)
{
    switch (w) {
    case W_CYCLE: loop_one_pause(n, job_pause1); break;
    case W_NOPAUSE: loop_nopause(n); break;
    case W_PAUSE3: loop_pause3(n); break;
    case W_WAITFD: loop_waitfd(n); break;
    case W_NESTED: loop_one_pause(n, job_nested); break;
    default: die("unknown workload", w);
    }
}

static void ensure_init(void)
{
    if (wait_ctx != NULL)
        return;
    if (!ASYNC_is_capable())
        die("ASYNC_is_capable() is 0", 0);
    wait_ctx = ASYNC_WAIT_CTX_new();
    if (wait_ctx == NULL)
        die("ASYNC_WAIT_CTX_new failed", 0);
}

/* Runs n cycles of workload w and returns ns per cycle (timed in C). Exported by libasyncbench.so. */
double ab_run(int w, long n)
{
    ensure_init();
    double t0 = now_ns();
    run_loop(w, n);
    return (now_ns() - t0) / (double)n;
}

/*
 * The clock probe: n steps of a chain of dependent multiply-adds, ns per step (timed in C). Each step waits for the
 * one before it and touches no memory, so its time follows the core clock and nothing else: the paired runner times
 * it next to every rep, so a change of the machine's phase shows as a change of this figure.
 */
static volatile unsigned long probe_sink;

double ab_probe(long n)
{
    unsigned long x = 1;
    double t0 = now_ns();
    for (long i = 0; i < n; i++)
        x = x * 0x9E3779B97F4A7C15ul + (unsigned long)i;
    double t = now_ns() - t0;
    probe_sink = x;
    return t / (double)n;
}

/*
 * The width probe: n steps of eight independent one-cycle chains (adds, xors and rotates on registers), ns per step.
 * Unlike the clock probe it keeps the core's integer units busy, so it also slows when another thread shares the
 * physical core (in a VM, for instance a hyperthread sibling running another VM, which the guest cannot see). The empty asm keeps the chains in
 * registers step by step, so the compiler can neither vectorise nor fold them.
 */
double ab_probe_wide(long n)
{
    unsigned long a = 1, b = 2, c = 3, d = 4, e = 5, f = 6, g = 7, h = 8;
    double t0 = now_ns();
    for (long i = 0; i < n; i++) {
        a += 1; b ^= 3; c += 5; d ^= 7;
        e = (e << 1) | (e >> 63); f += 11; g ^= 13; h += 17;
        __asm__ volatile("" : "+r"(a), "+r"(b), "+r"(c), "+r"(d), "+r"(e), "+r"(f), "+r"(g), "+r"(h));
    }
    double t = now_ns() - t0;
    probe_sink = a ^ b ^ c ^ d ^ e ^ f ^ g ^ h;
    return t / (double)n;
}

/* The default cycles per rep of workload w (for the C# paired runner). */
long ab_default_n(int w)
{
    return (w >= 0 && w < W_COUNT) ? workload_n[w] : 0;
}

#ifndef AB_LIBRARY

static const char *const workload_names[W_COUNT] = { "cycle", "nopause", "pause3", "waitfd", "nested" };

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* "time": every workload, rep by rep round-robin (so a slow phase hits all workloads alike); one line each. */
static int cmd_time(int reps)
{
    double samples[W_COUNT][64];
    if (reps < 1 || reps > 64)
        die("reps must be 1..64", reps);
    for (int w = 0; w < W_COUNT; w++)
        run_loop(w, workload_n[w] / 4); /* warm-up: pool, fibre stacks, caches */
    for (int r = 0; r < reps; r++)
        for (int w = 0; w < W_COUNT; w++)
            samples[w][r] = ab_run(w, workload_n[w]);
    for (int w = 0; w < W_COUNT; w++) {
        qsort(samples[w], (size_t)reps, sizeof(double), cmp_double);
        printf("c-time %s median_ns=%.2f min_ns=%.2f max_ns=%.2f reps=%d n=%ld\n", workload_names[w],
               reps % 2 ? samples[w][reps / 2] : (samples[w][reps / 2 - 1] + samples[w][reps / 2]) / 2,
               samples[w][0], samples[w][reps - 1], reps, workload_n[w]);
    }
    return 0;
}

/* A field of /proc/self/status in KiB (VmRSS, VmHWM, VmSize). */
static long status_kib(const char *field)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long v = -1;
    size_t len = strlen(field);
    if (f == NULL)
        return -1;
    while (fgets(line, sizeof line, f) != NULL)
        if (strncmp(line, field, len) == 0 && line[len] == ':') {
            v = strtol(line + len + 1, NULL, 10);
            break;
        }
    fclose(f);
    return v;
}

/* "hold N": N jobs paused at once on this thread, then all resumed to finish. RSS delta per paused job. */
static int cmd_hold(long n)
{
    ASYNC_JOB **jobs = calloc((size_t)n, sizeof *jobs);
    if (jobs == NULL)
        die("calloc failed", 0);
    memset(jobs, 0, (size_t)n * sizeof *jobs); /* touch the handle array before the baseline */
    loop_one_pause(1000, job_pause1);         /* thread state, pool, one warm job */
    long rss0 = status_kib("VmRSS");
    double t0 = now_ns();
    for (long i = 0; i < n; i++) {
        int ret = 0;
        expect(ASYNC_start_job(&jobs[i], wait_ctx, &ret, job_pause1, NULL, 0), ASYNC_PAUSE);
    }
    double t1 = now_ns();
    long rss1 = status_kib("VmRSS");
    long size1 = status_kib("VmSize");
    for (long i = 0; i < n; i++) {
        int ret = 0;
        expect(ASYNC_start_job(&jobs[i], wait_ctx, &ret, job_pause1, NULL, 0), ASYNC_FINISH);
        if (ret != 1)
            die("bad ret", ret);
    }
    double t2 = now_ns();
    printf("hold impl=libcrypto n=%ld rss_before_kib=%ld rss_paused_kib=%ld rss_per_job_b=%.1f vmsize_paused_kib=%ld "
           "peak_rss_kib=%ld start_pause_ns=%.1f resume_finish_ns=%.1f\n",
           n, rss0, rss1, (double)(rss1 - rss0) * 1024.0 / (double)n, size1, status_kib("VmHWM"),
           (t1 - t0) / (double)n, (t2 - t1) / (double)n);
    free(jobs);
    return 0;
}

int main(int argc, char **argv)
{
    ensure_init();
    if (argc >= 2 && strcmp(argv[1], "time") == 0)
        return cmd_time(argc >= 3 ? atoi(argv[2]) : 7);
    if (argc == 3 && strcmp(argv[1], "hold") == 0)
        return cmd_hold(atol(argv[2]));
    if (argc == 4 && strcmp(argv[1], "loop") == 0)
        for (int w = 0; w < W_COUNT; w++)
            if (strcmp(argv[2], workload_names[w]) == 0) {
                /* For perf stat: the same warm-up as "time", then N cycles; two N's give per-cycle counts. */
                run_loop(w, workload_n[w] / 4);
                run_loop(w, atol(argv[3]));
                return 0;
            }
    fprintf(stderr, "usage: async_bench time [reps] | async_bench hold N | async_bench loop WORKLOAD N\n");
    return 64;
}

#endif
