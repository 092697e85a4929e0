/*
 * E15: when ASYNC_set_mem_functions (OpenSSL 3.2 and later) may be called, what ASYNC_get_mem_functions
 * returns, and which calls allocate and free fibre stacks through the custom functions. Each case runs in a
 * fresh forked child, because whether customisation is still allowed is process-wide state.
 */
#include "common.h"

#if OPENSSL_VERSION_NUMBER >= 0x30200000L
#include <pthread.h>

static int allocations, frees;
static size_t requested;

static void *counting_alloc(size_t *num)
{
    requested = *num;
    allocations++;
    return malloc(*num);
}

static void counting_free(void *p)
{
    if (p != NULL)
        frees++;
    free(p);
}

static void *other_alloc(size_t *num)
{
    return malloc(*num);
}

static void *failing_alloc(size_t *num)
{
    (void)num;
    allocations++;
    return NULL;
}

static int finish_at_once(void *a)
{
    (void)a;
    return 1;
}

static int pause_once(void *a)
{
    (void)a;
    ASYNC_pause_job();
    return 2;
}

static void counts(const char *when)
{
    printf("  %s: allocations=%d frees=%d\n", when, allocations, frees);
}

static void defaults(void)
{
    ASYNC_stack_alloc_fn a1 = NULL, a2 = NULL;
    ASYNC_stack_free_fn f1 = NULL;
    ASYNC_get_mem_functions(&a1, &f1);
    printf("  before any set, both non-NULL: %s\n", yes_no(a1 != NULL && f1 != NULL));
    ASYNC_get_mem_functions(NULL, NULL);
    ASYNC_get_mem_functions(&a2, NULL);
    printf("  get with NULL out-pointers is harmless, alloc again the same: %s\n", yes_no(a2 == a1));
    printf("  set(NULL, NULL) = %d\n", ASYNC_set_mem_functions(NULL, NULL));
    ASYNC_get_mem_functions(&a2, NULL);
    printf("  unchanged: %s\n", yes_no(a2 == a1));
    printf("  set(counting, counting) = %d\n", ASYNC_set_mem_functions(counting_alloc, counting_free));
    printf("  set(other, NULL) = %d\n", ASYNC_set_mem_functions(other_alloc, NULL));
    ASYNC_stack_alloc_fn a3 = NULL;
    ASYNC_stack_free_fn f3 = NULL;
    ASYNC_get_mem_functions(&a3, &f3);
    printf("  get: alloc is other: %s, free is still counting: %s\n", yes_no(a3 == other_alloc),
           yes_no(f3 == counting_free));
    printf("  set(default alloc, default free) = %d\n", ASYNC_set_mem_functions(a1, f1));
    ASYNC_get_mem_functions(&a3, &f3);
    printf("  the defaults are back: %s\n", yes_no(a3 == a1 && f3 == f1));
    errors("after the sets");
}

static void calls_that_allow(void)
{
    ASYNC_is_capable();
    ASYNC_get_current_job();
    ASYNC_block_pause();
    ASYNC_unblock_pause();
    printf("  after is_capable, get_current_job, block/unblock: set = %d\n",
           ASYNC_set_mem_functions(counting_alloc, counting_free));
    printf("  after init_thread(4, 0): %d, set = %d\n", ASYNC_init_thread(4, 0),
           ASYNC_set_mem_functions(counting_alloc, counting_free));
    printf("  after a refused init_thread(1, 2): %d, set = %d\n", ASYNC_init_thread(1, 2),
           ASYNC_set_mem_functions(counting_alloc, counting_free));
    ASYNC_WAIT_CTX *w = ASYNC_WAIT_CTX_new();
    ASYNC_cleanup_thread();
    printf("  after ctx_new and cleanup_thread: set = %d\n", ASYNC_set_mem_functions(counting_alloc, counting_free));
    ASYNC_WAIT_CTX_free(w);
    counts("no stack yet");
    errors("after the calls");
}

static void init_thread_allocates(void)
{
    ASYNC_set_mem_functions(counting_alloc, counting_free);
    printf("  init_thread(4, 2) = %d\n", ASYNC_init_thread(4, 2));
    counts("after init_thread(4, 2)");
    printf("  requested size: %zu\n", requested);
    printf("  set now = %d\n", ASYNC_set_mem_functions(counting_alloc, counting_free));
    printf("  set(NULL, NULL) now = %d\n", ASYNC_set_mem_functions(NULL, NULL));
    errors("after the refused sets");
    ASYNC_cleanup_thread();
    counts("after cleanup_thread");
    printf("  set after every stack was freed = %d\n", ASYNC_set_mem_functions(counting_alloc, counting_free));
}

static void start_allocates(void)
{
    ASYNC_set_mem_functions(counting_alloc, counting_free);
    ASYNC_WAIT_CTX *w = ASYNC_WAIT_CTX_new();
    ASYNC_JOB *j1 = NULL, *j2 = NULL;
    int ret = 0;
    printf("  start (finishes) = %s\n", rc(ASYNC_start_job(&j1, w, &ret, finish_at_once, NULL, 0)));
    counts("after it");
    printf("  start again (pool job reused) = %s\n", rc(ASYNC_start_job(&j1, w, &ret, finish_at_once, NULL, 0)));
    counts("after it");
    printf("  start J1 = %s, start J2 = %s\n", rc(ASYNC_start_job(&j1, w, &ret, pause_once, NULL, 0)),
           rc(ASYNC_start_job(&j2, w, &ret, pause_once, NULL, 0)));
    counts("two paused jobs");
    printf("  restart J1 = %s\n", rc(ASYNC_start_job(&j1, w, &ret, pause_once, NULL, 0)));
    ASYNC_cleanup_thread();
    counts("cleanup_thread with J2 paused");
    ASYNC_WAIT_CTX_free(w);
}

static void *other_thread(void *a)
{
    (void)a;
    ASYNC_WAIT_CTX *w = ASYNC_WAIT_CTX_new();
    ASYNC_JOB *j = NULL;
    int ret = 0;
    printf("  other thread: start = %s\n", rc(ASYNC_start_job(&j, w, &ret, finish_at_once, NULL, 0)));
    counts("other thread, before it ends");
    ASYNC_WAIT_CTX_free(w);
    return NULL;
}

static void process_wide(void)
{
    ASYNC_set_mem_functions(counting_alloc, counting_free);
    pthread_t t;
    pthread_create(&t, NULL, other_thread, NULL);
    pthread_join(t, NULL);
    counts("the other thread ended");
    printf("  set on the main thread = %d\n", ASYNC_set_mem_functions(counting_alloc, counting_free));
}

static void allocation_fails(void)
{
    ASYNC_set_mem_functions(failing_alloc, counting_free);
    ASYNC_WAIT_CTX *w = ASYNC_WAIT_CTX_new();
    ASYNC_JOB *j = NULL;
    int ret = 0;
    printf("  start = %s\n", rc(ASYNC_start_job(&j, w, &ret, finish_at_once, NULL, 0)));
    counts("after it");
    errors("after it");
    printf("  set after the failed allocation = %d\n", ASYNC_set_mem_functions(counting_alloc, counting_free));
    printf("  init_thread(2, 2) = %d\n", ASYNC_init_thread(2, 2));
    counts("after it");
    errors("after it");
    ASYNC_WAIT_CTX_free(w);
}

int main(void)
{
    setup();
    in_child("defaults, NULL arguments, repeated sets", defaults);
    in_child("calls that create no stack", calls_that_allow);
    in_child("init_thread pre-creates stacks", init_thread_allocates);
    in_child("start creates stacks, pool reuse, cleanup", start_allocates);
    in_child("a stack made on another thread", process_wide);
    in_child("the allocator returns NULL", allocation_fails);
    return 0;
}
#else
int main(void)
{
    printf("needs OpenSSL 3.2 or later (this is %s)\n", OpenSSL_version(OPENSSL_VERSION));
    return 0;
}
#endif
