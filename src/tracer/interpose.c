/*
 * LD_PRELOAD interposer over the 20 functions of OpenSSL 3.0's ASYNC API. Each wrapper records a CALL record at
 * entry (so a call during which the program crashed still appears), forwards to the real function found with
 * dlsym(RTLD_NEXT), and records a RETURN record with the result and the values written through out-parameters.
 * Job functions and fd cleanup callbacks are wrapped so that their entry and return are recorded too.
 *
 * Wait-ctx calls run under a lock striped by ctx address, held from the CALL record to the RETURN record: two
 * threads sharing a ctx are then recorded in the order their calls really took effect.
 */
#define _GNU_SOURCE
#include "recorder.h"
#include "trace_format.h"

#include <dlfcn.h>
#include <openssl/async.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

#define U(x) ((uint64_t)(uintptr_t)(x))
#define SITE U(__builtin_return_address(0))
#define REAL(name) \
    static __typeof__(&name) real; \
    if (!real) real = (__typeof__(&name))dlsym(RTLD_NEXT, #name)

/* Whether the thread is inside an API function (and not in a job function or cleanup it called). libcrypto's own
 * calls of its API through the PLT (ASYNC_start_job calls ASYNC_init_thread in 3.0) are then forwarded unrecorded:
 * they are part of the outer call's semantics. Each wrapper saves and restores the flag, which keeps it right across
 * the fibre switches of pause and restart: a fibre always resumes inside a wrapper frame that restores its own value. */
static TRACER_TLS int t_in_api;
#define ENTER() int saved_in_api = t_in_api; t_in_api = 1
#define LEAVE() t_in_api = saved_in_api

typedef void (*fd_cleanup_fn)(ASYNC_WAIT_CTX *, const void *, OSSL_ASYNC_FD, void *);

/* ---- ctx stripes ---- */

#define STRIPES 64
static pthread_mutex_t g_stripes[STRIPES] = { [0 ... STRIPES - 1] = PTHREAD_MUTEX_INITIALIZER };
static TRACER_TLS int t_stripe_held = -1;

static int stripe_enter(const void *ctx)
{
    /* A cleanup callback runs inside ASYNC_WAIT_CTX_free: a thread already holding a stripe takes no other. */
    if (!recorder_enabled() || t_stripe_held >= 0)
        return -1;
    int s = (int)((U(ctx) >> 4) % STRIPES);
    pthread_mutex_lock(&g_stripes[s]);
    t_stripe_held = s;
    return s;
}

static void stripe_leave(int s)
{
    if (s < 0)
        return;
    t_stripe_held = -1;
    pthread_mutex_unlock(&g_stripes[s]);
}

/* ---- fd cleanup callbacks: (ctx, key) -> the program's callback ---- */

struct cleanup_entry {
    ASYNC_WAIT_CTX *ctx;
    const void *key;
    fd_cleanup_fn cleanup;
    struct cleanup_entry *next;
};

#define CLEANUP_BUCKETS 1024
static struct cleanup_entry *g_cleanups[CLEANUP_BUCKETS];
static pthread_mutex_t g_cleanup_lock = PTHREAD_MUTEX_INITIALIZER;

static unsigned cleanup_bucket(const void *ctx) { return (unsigned)((U(ctx) >> 4) % CLEANUP_BUCKETS); }

static void cleanup_add(ASYNC_WAIT_CTX *ctx, const void *key, fd_cleanup_fn cleanup)
{
    struct cleanup_entry *e = malloc(sizeof *e);
    if (!e)
        return;
    e->ctx = ctx;
    e->key = key;
    e->cleanup = cleanup;
    pthread_mutex_lock(&g_cleanup_lock);
    e->next = g_cleanups[cleanup_bucket(ctx)];
    g_cleanups[cleanup_bucket(ctx)] = e;
    pthread_mutex_unlock(&g_cleanup_lock);
}

/* Removes and returns the newest entry for (ctx, key), as OpenSSL finds the newest fd entry for a key. */
static fd_cleanup_fn cleanup_take(ASYNC_WAIT_CTX *ctx, const void *key)
{
    fd_cleanup_fn found = NULL;
    pthread_mutex_lock(&g_cleanup_lock);
    for (struct cleanup_entry **p = &g_cleanups[cleanup_bucket(ctx)]; *p; p = &(*p)->next) {
        if ((*p)->ctx == ctx && (*p)->key == key) {
            struct cleanup_entry *e = *p;
            found = e->cleanup;
            *p = e->next;
            free(e);
            break;
        }
    }
    pthread_mutex_unlock(&g_cleanup_lock);
    return found;
}

static void cleanup_forget_ctx(ASYNC_WAIT_CTX *ctx)
{
    pthread_mutex_lock(&g_cleanup_lock);
    for (struct cleanup_entry **p = &g_cleanups[cleanup_bucket(ctx)]; *p;) {
        if ((*p)->ctx == ctx) {
            struct cleanup_entry *e = *p;
            *p = e->next;
            free(e);
        } else {
            p = &(*p)->next;
        }
    }
    pthread_mutex_unlock(&g_cleanup_lock);
}

static void traced_cleanup(ASYNC_WAIT_CTX *ctx, const void *key, OSSL_ASYNC_FD fd, void *data)
{
    fd_cleanup_fn cleanup = cleanup_take(ctx, key);
    uint64_t v[4] = { U(ctx), U(key), (uint64_t)(int64_t)fd, U(data) };
    recorder_emit(TK_CLEANUP_ENTER, 0, v, 4);
    int saved_in_api = t_in_api;
    t_in_api = 0;
    if (cleanup)
        cleanup(ctx, key, fd, data);
    t_in_api = saved_in_api;
    recorder_emit(TK_CLEANUP_RETURN, 0, NULL, 0);
}

/* ---- job functions ---- */

/* The function of the job being created: ASYNC_start_job enters a new job on the calling thread before it
 * returns, so the wrapper reads it from thread-local storage at once. */
static TRACER_TLS int (*t_pending_func)(void *);

static int traced_job(void *args)
{
    int (*func)(void *) = t_pending_func;
    t_pending_func = NULL;
    uint64_t v[2] = { U(func), U(args) };
    recorder_emit(TK_BODY_ENTER, 0, v, 2);
    int saved_in_api = t_in_api;
    t_in_api = 0;
    int r = func(args);
    t_in_api = saved_in_api;
    uint64_t rv = (uint64_t)(int64_t)r;
    recorder_emit(TK_BODY_RETURN, 0, &rv, 1);
    return r;
}

/* ---- the API ---- */

static void call(uint8_t fn, const uint64_t *v, size_t n) { recorder_emit(TK_CALL, fn, v, n); }
static void ret(uint8_t fn, const uint64_t *v, size_t n) { recorder_emit(TK_RETURN, fn, v, n); }
static void ret1(uint8_t fn, uint64_t r) { ret(fn, &r, 1); }
#define I(x) ((uint64_t)(int64_t)(x))

int ASYNC_init_thread(size_t max_size, size_t init_size)
{
    REAL(ASYNC_init_thread);
    if (t_in_api)
        return real(max_size, init_size);
    ENTER();
    uint64_t v[3] = { SITE, max_size, init_size };
    call(TF_INIT_THREAD, v, 3);
    int r = real(max_size, init_size);
    ret1(TF_INIT_THREAD, I(r));
    LEAVE();
    return r;
}

void ASYNC_cleanup_thread(void)
{
    REAL(ASYNC_cleanup_thread);
    if (t_in_api) {
        real();
        return;
    }
    ENTER();
    uint64_t v[1] = { SITE };
    call(TF_CLEANUP_THREAD, v, 1);
    real();
    ret1(TF_CLEANUP_THREAD, 0);
    LEAVE();
}

ASYNC_WAIT_CTX *ASYNC_WAIT_CTX_new(void)
{
    REAL(ASYNC_WAIT_CTX_new);
    if (t_in_api)
        return real();
    ENTER();
    uint64_t v[1] = { SITE };
    call(TF_CTX_NEW, v, 1);
    ASYNC_WAIT_CTX *r = real();
    ret1(TF_CTX_NEW, U(r));
    LEAVE();
    return r;
}

void ASYNC_WAIT_CTX_free(ASYNC_WAIT_CTX *ctx)
{
    REAL(ASYNC_WAIT_CTX_free);
    if (t_in_api) {
        real(ctx);
        return;
    }
    ENTER();
    int s = stripe_enter(ctx);
    uint64_t v[2] = { SITE, U(ctx) };
    call(TF_CTX_FREE, v, 2);
    real(ctx);
    if (ctx)
        cleanup_forget_ctx(ctx);
    ret1(TF_CTX_FREE, 0);
    stripe_leave(s);
    LEAVE();
}

int ASYNC_WAIT_CTX_set_wait_fd(ASYNC_WAIT_CTX *ctx, const void *key, OSSL_ASYNC_FD fd, void *custom_data,
                               void (*cleanup)(ASYNC_WAIT_CTX *, const void *, OSSL_ASYNC_FD, void *))
{
    REAL(ASYNC_WAIT_CTX_set_wait_fd);
    if (t_in_api)
        return real(ctx, key, fd, custom_data, cleanup);
    ENTER();
    int s = stripe_enter(ctx);
    uint64_t v[6] = { SITE, U(ctx), U(key), I(fd), U(custom_data), U(cleanup) };
    call(TF_SET_WAIT_FD, v, 6);
    int traced = cleanup != NULL && recorder_enabled();
    int r = real(ctx, key, fd, custom_data, traced ? traced_cleanup : cleanup);
    if (traced && r == 1)
        cleanup_add(ctx, key, cleanup);
    ret1(TF_SET_WAIT_FD, I(r));
    stripe_leave(s);
    LEAVE();
    return r;
}

int ASYNC_WAIT_CTX_get_fd(ASYNC_WAIT_CTX *ctx, const void *key, OSSL_ASYNC_FD *fd, void **custom_data)
{
    REAL(ASYNC_WAIT_CTX_get_fd);
    if (t_in_api)
        return real(ctx, key, fd, custom_data);
    ENTER();
    int s = stripe_enter(ctx);
    uint64_t v[5] = { SITE, U(ctx), U(key), U(fd), U(custom_data) };
    call(TF_GET_FD, v, 5);
    int r = real(ctx, key, fd, custom_data);
    uint64_t out[3] = { I(r), r == 1 && fd ? I(*fd) : 0, r == 1 && custom_data ? U(*custom_data) : 0 };
    ret(TF_GET_FD, out, 3);
    stripe_leave(s);
    LEAVE();
    return r;
}

int ASYNC_WAIT_CTX_get_all_fds(ASYNC_WAIT_CTX *ctx, OSSL_ASYNC_FD *fd, size_t *numfds)
{
    REAL(ASYNC_WAIT_CTX_get_all_fds);
    if (t_in_api)
        return real(ctx, fd, numfds);
    ENTER();
    int s = stripe_enter(ctx);
    uint64_t v[4] = { SITE, U(ctx), U(fd), U(numfds) };
    call(TF_GET_ALL_FDS, v, 4);
    int r = real(ctx, fd, numfds);
    uint64_t out[2 + 64];
    uint64_t *values = out;
    size_t n = numfds ? *numfds : 0;
    size_t listed = fd ? n : 0;
    if (listed > 64 && !(values = malloc((2 + listed) * sizeof *values)))
        values = out, listed = 0;
    values[0] = I(r);
    values[1] = n;
    for (size_t i = 0; i < listed; i++)
        values[2 + i] = I(fd[i]);
    ret(TF_GET_ALL_FDS, values, 2 + listed);
    if (values != out)
        free(values);
    stripe_leave(s);
    LEAVE();
    return r;
}

int ASYNC_WAIT_CTX_get_changed_fds(ASYNC_WAIT_CTX *ctx, OSSL_ASYNC_FD *addfd, size_t *numaddfds,
                                   OSSL_ASYNC_FD *delfd, size_t *numdelfds)
{
    REAL(ASYNC_WAIT_CTX_get_changed_fds);
    if (t_in_api)
        return real(ctx, addfd, numaddfds, delfd, numdelfds);
    ENTER();
    int s = stripe_enter(ctx);
    uint64_t v[6] = { SITE, U(ctx), U(addfd), U(numaddfds), U(delfd), U(numdelfds) };
    call(TF_GET_CHANGED_FDS, v, 6);
    int r = real(ctx, addfd, numaddfds, delfd, numdelfds);
    size_t na = numaddfds ? *numaddfds : 0, nd = numdelfds ? *numdelfds : 0;
    size_t la = addfd ? na : 0, ld = delfd ? nd : 0;
    uint64_t out[3 + 64];
    uint64_t *values = out;
    if (la + ld > 64 && !(values = malloc((3 + la + ld) * sizeof *values)))
        values = out, la = ld = 0;
    values[0] = I(r);
    values[1] = na;
    values[2] = nd;
    for (size_t i = 0; i < la; i++)
        values[3 + i] = I(addfd[i]);
    for (size_t i = 0; i < ld; i++)
        values[3 + la + i] = I(delfd[i]);
    ret(TF_GET_CHANGED_FDS, values, 3 + la + ld);
    if (values != out)
        free(values);
    stripe_leave(s);
    LEAVE();
    return r;
}

int ASYNC_WAIT_CTX_clear_fd(ASYNC_WAIT_CTX *ctx, const void *key)
{
    REAL(ASYNC_WAIT_CTX_clear_fd);
    if (t_in_api)
        return real(ctx, key);
    ENTER();
    int s = stripe_enter(ctx);
    uint64_t v[3] = { SITE, U(ctx), U(key) };
    call(TF_CLEAR_FD, v, 3);
    int r = real(ctx, key);
    /* A cleared entry's cleanup is never called; only the entry's own record is dropped. Entries that only got
     * marked deleted keep their record until the ctx is freed, which forgets them all. */
    if (r == 1 && recorder_enabled())
        (void)cleanup_take(ctx, key);
    ret1(TF_CLEAR_FD, I(r));
    stripe_leave(s);
    LEAVE();
    return r;
}

int ASYNC_WAIT_CTX_set_callback(ASYNC_WAIT_CTX *ctx, ASYNC_callback_fn callback, void *callback_arg)
{
    REAL(ASYNC_WAIT_CTX_set_callback);
    if (t_in_api)
        return real(ctx, callback, callback_arg);
    ENTER();
    int s = stripe_enter(ctx);
    uint64_t v[4] = { SITE, U(ctx), U(callback), U(callback_arg) };
    call(TF_SET_CALLBACK, v, 4);
    int r = real(ctx, callback, callback_arg);
    ret1(TF_SET_CALLBACK, I(r));
    stripe_leave(s);
    LEAVE();
    return r;
}

int ASYNC_WAIT_CTX_get_callback(ASYNC_WAIT_CTX *ctx, ASYNC_callback_fn *callback, void **callback_arg)
{
    REAL(ASYNC_WAIT_CTX_get_callback);
    if (t_in_api)
        return real(ctx, callback, callback_arg);
    ENTER();
    int s = stripe_enter(ctx);
    uint64_t v[4] = { SITE, U(ctx), U(callback), U(callback_arg) };
    call(TF_GET_CALLBACK, v, 4);
    int r = real(ctx, callback, callback_arg);
    uint64_t out[3] = { I(r), r == 1 && callback ? U(*callback) : 0, r == 1 && callback_arg ? U(*callback_arg) : 0 };
    ret(TF_GET_CALLBACK, out, 3);
    stripe_leave(s);
    LEAVE();
    return r;
}

int ASYNC_WAIT_CTX_set_status(ASYNC_WAIT_CTX *ctx, int status)
{
    REAL(ASYNC_WAIT_CTX_set_status);
    if (t_in_api)
        return real(ctx, status);
    ENTER();
    int s = stripe_enter(ctx);
    uint64_t v[3] = { SITE, U(ctx), I(status) };
    call(TF_SET_STATUS, v, 3);
    int r = real(ctx, status);
    ret1(TF_SET_STATUS, I(r));
    stripe_leave(s);
    LEAVE();
    return r;
}

int ASYNC_WAIT_CTX_get_status(ASYNC_WAIT_CTX *ctx)
{
    REAL(ASYNC_WAIT_CTX_get_status);
    if (t_in_api)
        return real(ctx);
    ENTER();
    int s = stripe_enter(ctx);
    uint64_t v[2] = { SITE, U(ctx) };
    call(TF_GET_STATUS, v, 2);
    int r = real(ctx);
    ret1(TF_GET_STATUS, I(r));
    stripe_leave(s);
    LEAVE();
    return r;
}

int ASYNC_is_capable(void)
{
    REAL(ASYNC_is_capable);
    if (t_in_api)
        return real();
    ENTER();
    uint64_t v[1] = { SITE };
    call(TF_IS_CAPABLE, v, 1);
    int r = real();
    ret1(TF_IS_CAPABLE, I(r));
    LEAVE();
    return r;
}

int ASYNC_start_job(ASYNC_JOB **job, ASYNC_WAIT_CTX *ctx, int *retp, int (*func)(void *), void *args, size_t size)
{
    REAL(ASYNC_start_job);
    if (t_in_api)
        return real(job, ctx, retp, func, args, size);
    ENTER();
    uint64_t v[8] = { SITE, U(job), job ? U(*job) : 0, U(ctx), U(retp), U(func), U(args), size };
    call(TF_START_JOB, v, 8);
    int fresh = recorder_enabled() && job != NULL && *job == NULL && func != NULL;
    if (fresh)
        t_pending_func = func;
    int r = real(job, ctx, retp, fresh ? traced_job : func, args, size);
    t_pending_func = NULL;
    uint64_t out[3] = { I(r), job ? U(*job) : 0, r == ASYNC_FINISH && retp ? I(*retp) : 0 };
    ret(TF_START_JOB, out, 3);
    LEAVE();
    return r;
}

int ASYNC_pause_job(void)
{
    REAL(ASYNC_pause_job);
    if (t_in_api)
        return real();
    ENTER();
    uint64_t v[1] = { SITE };
    call(TF_PAUSE_JOB, v, 1);
    int r = real();
    ret1(TF_PAUSE_JOB, I(r));
    LEAVE();
    return r;
}

ASYNC_JOB *ASYNC_get_current_job(void)
{
    REAL(ASYNC_get_current_job);
    if (t_in_api)
        return real();
    ENTER();
    uint64_t v[1] = { SITE };
    call(TF_GET_CURRENT_JOB, v, 1);
    ASYNC_JOB *r = real();
    ret1(TF_GET_CURRENT_JOB, U(r));
    LEAVE();
    return r;
}

ASYNC_WAIT_CTX *ASYNC_get_wait_ctx(ASYNC_JOB *job)
{
    REAL(ASYNC_get_wait_ctx);
    if (t_in_api)
        return real(job);
    ENTER();
    uint64_t v[2] = { SITE, U(job) };
    call(TF_GET_WAIT_CTX, v, 2);
    ASYNC_WAIT_CTX *r = real(job);
    ret1(TF_GET_WAIT_CTX, U(r));
    LEAVE();
    return r;
}

void ASYNC_block_pause(void)
{
    REAL(ASYNC_block_pause);
    if (t_in_api) {
        real();
        return;
    }
    ENTER();
    uint64_t v[1] = { SITE };
    call(TF_BLOCK_PAUSE, v, 1);
    real();
    ret1(TF_BLOCK_PAUSE, 0);
    LEAVE();
}

void ASYNC_unblock_pause(void)
{
    REAL(ASYNC_unblock_pause);
    if (t_in_api) {
        real();
        return;
    }
    ENTER();
    uint64_t v[1] = { SITE };
    call(TF_UNBLOCK_PAUSE, v, 1);
    real();
    ret1(TF_UNBLOCK_PAUSE, 0);
    LEAVE();
}
