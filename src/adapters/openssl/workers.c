/*
 * workers.c - one OS thread per logical thread, driven by a single coordinator.
 *
 * The coordinator is itself the OS thread of logical thread 0 (`main`): it runs main's tasks
 * directly, so a scenario with one logical thread never hands a statement over (a hand-over costs
 * spinning or futex calls and context switches, most of a short scenario's time). Every other
 * logical thread is its own pthread, created on first use.
 *
 * Only one task is ever in flight. A task is handed over through the worker's `pending` flag
 * (release/acquire), and its completion by clearing it. Each side first spins briefly on the
 * flag, since statements are usually short, and only then sleeps on a condition variable under
 * the one mutex: a sleeper announces itself (`sleeping`, `g_coord_waiting`) and re-checks the
 * flag under the mutex, and the other side signals only an announced sleeper, under the mutex,
 * so no wake-up is lost. Without the spin, every statement costs several futex calls and two
 * context switches.
 */
#include "workers.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Polls of a flag before sleeping (some tens of microseconds). */
#define SPIN_POLLS 20000

typedef struct {
    const char *name;
    int index;
    int started;
    int quit;           /* under g_lock */
    int sleeping;       /* under g_lock: the worker waits on `wake` */
    pthread_t tid;
    pthread_cond_t wake;
    void (*fn)(void *); /* the task, valid while pending */
    void *arg;
    atomic_int pending; /* 1 from hand-over to completion */
} worker_t;

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_done = PTHREAD_COND_INITIALIZER;
static int g_coord_waiting; /* under g_lock: the coordinator waits on g_done */
static pthread_key_t g_self;  /* worker_t * of the calling OS thread */
static worker_t *g_workers;
static size_t g_nworkers;

static void die(const char *what, int err)
{
    fprintf(stderr, "asyncref-openssl: %s: %s\n", what, strerror(err));
    abort();
}

void workers_init(size_t n, char *const *names)
{
    int err = pthread_key_create(&g_self, NULL);
    if (err != 0)
        die("pthread_key_create", err);
    g_workers = calloc(n ? n : 1, sizeof *g_workers);
    if (g_workers == NULL)
        die("calloc", ENOMEM);
    g_nworkers = n;
    for (size_t i = 0; i < n; i++) {
        g_workers[i].name = names[i];
        g_workers[i].index = (int)i;
        pthread_cond_init(&g_workers[i].wake, NULL);
    }
    if (n > 0)
        pthread_setspecific(g_self, &g_workers[0]);
}

static int spin_until(atomic_int *flag, int value)
{
    for (int i = 0; i < SPIN_POLLS; i++)
        if (atomic_load_explicit(flag, memory_order_acquire) == value)
            return 1;
    return 0;
}

static void *worker_main(void *p)
{
    worker_t *w = p;
    pthread_setspecific(g_self, w);
    for (;;) {
        if (!spin_until(&w->pending, 1)) {
            pthread_mutex_lock(&g_lock);
            w->sleeping = 1;
            while (!atomic_load_explicit(&w->pending, memory_order_acquire) && !w->quit)
                pthread_cond_wait(&w->wake, &g_lock);
            w->sleeping = 0;
            int quit = !atomic_load_explicit(&w->pending, memory_order_acquire);
            pthread_mutex_unlock(&g_lock);
            if (quit)
                break;
        }
        w->fn(w->arg);
        atomic_store_explicit(&w->pending, 0, memory_order_release);
        pthread_mutex_lock(&g_lock);
        if (g_coord_waiting)
            pthread_cond_signal(&g_done);
        pthread_mutex_unlock(&g_lock);
    }
    /* Returning runs OpenSSL's thread-stop handler: the idle pool is freed, paused jobs leak. */
    return NULL;
}

void worker_run(int index, void (*fn)(void *), void *arg)
{
    worker_t *w = &g_workers[index];
    if (index == 0) {
        fn(arg);
        return;
    }
    if (!w->started) {
        int err = pthread_create(&w->tid, NULL, worker_main, w);
        if (err != 0)
            die("pthread_create", err);
        w->started = 1;
    }
    w->fn = fn;
    w->arg = arg;
    atomic_store_explicit(&w->pending, 1, memory_order_release);
    pthread_mutex_lock(&g_lock);
    if (w->sleeping)
        pthread_cond_signal(&w->wake);
    pthread_mutex_unlock(&g_lock);
    if (spin_until(&w->pending, 0))
        return;
    pthread_mutex_lock(&g_lock);
    g_coord_waiting = 1;
    while (atomic_load_explicit(&w->pending, memory_order_acquire))
        pthread_cond_wait(&g_done, &g_lock);
    g_coord_waiting = 0;
    pthread_mutex_unlock(&g_lock);
}

void workers_shutdown(void)
{
    for (size_t i = 0; i < g_nworkers; i++) {
        worker_t *w = &g_workers[i];
        if (!w->started)
            continue;
        pthread_mutex_lock(&g_lock);
        w->quit = 1;
        if (w->sleeping)
            pthread_cond_signal(&w->wake);
        pthread_mutex_unlock(&g_lock);
        pthread_join(w->tid, NULL);
    }
    for (size_t i = 0; i < g_nworkers; i++)
        pthread_cond_destroy(&g_workers[i].wake);
    pthread_setspecific(g_self, NULL);
    free(g_workers);
    g_workers = NULL;
    g_nworkers = 0;
    pthread_key_delete(g_self);
}

/* noinline: the lookup must happen at the call, never be hoisted across a job's pause. */
__attribute__((noinline)) static worker_t *self(void)
{
    return pthread_getspecific(g_self);
}

const char *current_thread_name(void)
{
    worker_t *w = self();
    return w ? w->name : "?";
}

int current_thread_index(void)
{
    worker_t *w = self();
    return w ? w->index : -1;
}
