/*
 * workers.c - one OS thread per logical thread, driven by a single coordinator.
 *
 * One mutex guards all hand-off state; each worker has its own condition variable to be woken,
 * and the coordinator waits on a shared one for completion. Only one task is ever in flight.
 */
#include "workers.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *name;
    int index;
    int started;
    int quit;
    pthread_t tid;
    pthread_cond_t wake;
    void (*fn)(void *); /* pending task, NULL when idle */
    void *arg;
} worker_t;

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_done = PTHREAD_COND_INITIALIZER;
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
}

static void *worker_main(void *p)
{
    worker_t *w = p;
    pthread_setspecific(g_self, w);
    pthread_mutex_lock(&g_lock);
    for (;;) {
        while (w->fn == NULL && !w->quit)
            pthread_cond_wait(&w->wake, &g_lock);
        if (w->fn == NULL)
            break; /* quit */
        void (*fn)(void *) = w->fn;
        void *arg = w->arg;
        pthread_mutex_unlock(&g_lock);
        fn(arg);
        pthread_mutex_lock(&g_lock);
        w->fn = NULL;
        pthread_cond_signal(&g_done);
    }
    pthread_mutex_unlock(&g_lock);
    /* Returning runs OpenSSL's thread-stop handler: the idle pool is freed, paused jobs leak. */
    return NULL;
}

void worker_run(int index, void (*fn)(void *), void *arg)
{
    worker_t *w = &g_workers[index];
    if (!w->started) {
        int err = pthread_create(&w->tid, NULL, worker_main, w);
        if (err != 0)
            die("pthread_create", err);
        w->started = 1;
    }
    pthread_mutex_lock(&g_lock);
    w->fn = fn;
    w->arg = arg;
    pthread_cond_signal(&w->wake);
    while (w->fn != NULL)
        pthread_cond_wait(&g_done, &g_lock);
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
        pthread_cond_signal(&w->wake);
        pthread_mutex_unlock(&g_lock);
        pthread_join(w->tid, NULL);
    }
    for (size_t i = 0; i < g_nworkers; i++)
        pthread_cond_destroy(&g_workers[i].wake);
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
