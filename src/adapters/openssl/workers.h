/*
 * workers.h - logical threads of a scenario, each a distinct OS thread (so each has its own
 * OpenSSL thread state: async ctx, pool, block counter, error queue).
 *
 * Hand-off is strict: worker_run() gives one task to one worker and returns only when it has
 * completed, so statements never overlap whatever thread runs them.
 */
#ifndef ASYNCREF_WORKERS_H
#define ASYNCREF_WORKERS_H

#include <stddef.h>

/* Prepares n logical threads named names[0..n-1]; OS threads are created on first use. */
void workers_init(size_t n, char *const *names);

/* Runs fn(arg) on logical thread `index` and waits for it to return. Logical thread 0 (`main`)
 * is the calling OS thread itself. */
void worker_run(int index, void (*fn)(void *), void *arg);

/* Lets every started worker thread exit and joins it. */
void workers_shutdown(void);

/* The logical thread executing the caller right now (read afresh on every call, because a
 * job's code may be resumed on another OS thread than the one it paused on). */
const char *current_thread_name(void);
int current_thread_index(void);

#endif
