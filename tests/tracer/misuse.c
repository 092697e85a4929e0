/*
 * A program for the tracer's tests. `misuse ok` uses the whole ASYNC API correctly, on two threads; every other
 * mode commits one undefined use (the UB rules of spec/semantics.md) and then stops. The line that commits it is
 * marked with a comment naming the rule: the tests check that `asyncref trace check` reports that rule at that
 * line. Some of these crash in real libcrypto (that is what undefined means): the tracer's signal flush keeps the
 * trace up to the crashing call.
 */
#define _GNU_SOURCE
#include <openssl/async.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int g_key;
static int g_cleanups;

static void on_cleanup(ASYNC_WAIT_CTX *ctx, const void *key, OSSL_ASYNC_FD fd, void *data)
{
    (void)ctx; (void)key; (void)data;
    close(fd);
    g_cleanups++;
}

static int on_callback(void *arg) { (void)arg; return 1; }

/* A job in the style of dasync: finds or creates its wait fd, pauses once, returns its argument. */
static int pausing_job(void *args)
{
    ASYNC_JOB *job = ASYNC_get_current_job();
    ASYNC_WAIT_CTX *ctx = ASYNC_get_wait_ctx(job);
    OSSL_ASYNC_FD fd;
    void *data;
    if (ctx != NULL && !ASYNC_WAIT_CTX_get_fd(ctx, &g_key, &fd, &data)) {
        int pipefds[2];
        if (pipe(pipefds) != 0)
            return -1;
        close(pipefds[1]);
        ASYNC_WAIT_CTX_set_wait_fd(ctx, &g_key, pipefds[0], NULL, on_cleanup);
    }
    ASYNC_pause_job();
    return args ? *(int *)args : 7;
}

static int blocked_job(void *args)
{
    (void)args;
    ASYNC_block_pause();
    ASYNC_pause_job(); /* blocked: returns at once */
    ASYNC_unblock_pause();
    return 3;
}

static int run_to_finish(ASYNC_WAIT_CTX *ctx, int (*func)(void *), int arg)
{
    ASYNC_JOB *job = NULL;
    int ret = 0;
    while (ASYNC_start_job(&job, ctx, &ret, func, &arg, sizeof arg) == ASYNC_PAUSE) {
        OSSL_ASYNC_FD fds[4];
        size_t n = 0, added = 0, deleted = 0;
        ASYNC_WAIT_CTX_get_all_fds(ctx, NULL, &n);
        ASYNC_WAIT_CTX_get_all_fds(ctx, fds, &n);
        ASYNC_WAIT_CTX_get_changed_fds(ctx, NULL, &added, NULL, &deleted);
    }
    return ret;
}

static void *second_thread(void *arg)
{
    (void)arg;
    ASYNC_WAIT_CTX *ctx = ASYNC_WAIT_CTX_new();
    run_to_finish(ctx, pausing_job, 5);
    ASYNC_WAIT_CTX_free(ctx);
    ASYNC_cleanup_thread();
    return NULL;
}

static int conforming(void)
{
    ASYNC_is_capable();
    ASYNC_init_thread(4, 1);
    ASYNC_WAIT_CTX *ctx = ASYNC_WAIT_CTX_new();
    ASYNC_WAIT_CTX_set_callback(ctx, on_callback, &g_key);
    ASYNC_callback_fn cb;
    void *cb_arg;
    ASYNC_WAIT_CTX_get_callback(ctx, &cb, &cb_arg);
    ASYNC_WAIT_CTX_set_status(ctx, ASYNC_STATUS_EAGAIN);
    ASYNC_WAIT_CTX_get_status(ctx);
    run_to_finish(ctx, pausing_job, 1);
    run_to_finish(ctx, pausing_job, 2);
    run_to_finish(NULL, blocked_job, 0);
    ASYNC_WAIT_CTX_clear_fd(ctx, &g_key);

    pthread_t other;
    pthread_create(&other, NULL, second_thread, NULL);
    pthread_join(other, NULL);

    ASYNC_WAIT_CTX_free(ctx);
    ASYNC_cleanup_thread();
    return 0;
}

static ASYNC_WAIT_CTX *g_ctx;
static ASYNC_JOB *g_paused;

static int nesting_job(void *args)
{
    (void)args;
    ASYNC_JOB *inner = NULL;
    int ret;
    ASYNC_start_job(&inner, NULL, &ret, blocked_job, NULL, 0); /* UB-NESTED-START */
    return 0;
}

static int cleanup_job(void *args)
{
    (void)args;
    ASYNC_cleanup_thread(); /* UB-CLEANUP-IN-JOB */
    return 0;
}

static int plain_pause(void *args)
{
    (void)args;
    ASYNC_pause_job();
    return 0;
}

static void *resume_elsewhere(void *arg)
{
    (void)arg;
    int ret;
    ASYNC_start_job(&g_paused, g_ctx, &ret, plain_pause, NULL, 0); /* UB-CROSS-THREAD-RESUME */
    return NULL;
}

static int misuse(const char *mode)
{
    ASYNC_WAIT_CTX *ctx = ASYNC_WAIT_CTX_new();
    ASYNC_JOB *job = NULL;
    int ret = 0;
    if (!strcmp(mode, "nested-start")) {
        ASYNC_start_job(&job, ctx, &ret, nesting_job, NULL, 0);
    } else if (!strcmp(mode, "stale-handle")) {
        ASYNC_start_job(&job, ctx, &ret, plain_pause, NULL, 0);
        ASYNC_JOB *copy = job;
        ASYNC_start_job(&job, ctx, &ret, plain_pause, NULL, 0);
        ASYNC_start_job(&copy, ctx, &ret, plain_pause, NULL, 0); /* UB-STALE-HANDLE */
    } else if (!strcmp(mode, "cross-thread-resume")) {
        g_ctx = ctx;
        ASYNC_start_job(&g_paused, ctx, &ret, plain_pause, NULL, 0);
        pthread_t other;
        pthread_create(&other, NULL, resume_elsewhere, NULL);
        pthread_join(other, NULL);
    } else if (!strcmp(mode, "cleanup-while-paused")) {
        ASYNC_start_job(&job, ctx, &ret, plain_pause, NULL, 0);
        /* The cleanup only leaks the paused job; C is undefined where the leaked job's function returns. */
        ASYNC_cleanup_thread(); /* UB-CLEANUP-WHILE-PAUSED */
        ASYNC_start_job(&job, ctx, &ret, plain_pause, NULL, 0); /* UB-CLEANUP-WHILE-PAUSED */
    } else if (!strcmp(mode, "cleanup-in-job")) {
        ASYNC_start_job(&job, ctx, &ret, cleanup_job, NULL, 0);
    } else if (!strcmp(mode, "null-wait-ctx")) {
        ASYNC_start_job(&job, NULL, &ret, plain_pause, NULL, 0);
        ASYNC_start_job(&job, NULL, &ret, plain_pause, NULL, 0); /* UB-NULL-WAIT-CTX */
    } else if (!strcmp(mode, "null-ret")) {
        ASYNC_start_job(&job, ctx, NULL, blocked_job, NULL, 0); /* UB-NULL-RET */
    } else if (!strcmp(mode, "ctx-freed-in-use")) {
        ASYNC_start_job(&job, ctx, &ret, plain_pause, NULL, 0);
        /* Undefined at the free or at the resume, depending on where the reference reports it. */
        ASYNC_WAIT_CTX_free(ctx); /* UB-CTX-FREED-IN-USE */
        ASYNC_start_job(&job, ctx, &ret, plain_pause, NULL, 0); /* UB-CTX-FREED-IN-USE */
    } else if (!strcmp(mode, "ctx-use-after-free")) {
        ASYNC_WAIT_CTX_free(ctx);
        ASYNC_WAIT_CTX_get_status(ctx); /* UB-CTX-USE-AFTER-FREE */
    } else if (!strcmp(mode, "null-job")) {
        ASYNC_get_wait_ctx(NULL); /* UB-NULL-JOB */
    } else {
        fprintf(stderr, "misuse: unknown mode %s\n", mode);
        return 2;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: misuse ok|nested-start|stale-handle|cross-thread-resume|cleanup-while-paused|"
                        "cleanup-in-job|null-wait-ctx|null-ret|ctx-freed-in-use|ctx-use-after-free|null-job\n");
        return 2;
    }
    return !strcmp(argv[1], "ok") ? conforming() : misuse(argv[1]);
}
