/* E12: a custom fibre-stack allocator (ASYNC_set_mem_functions, OpenSSL 3.2 and later). */
#include "common.h"

#if OPENSSL_VERSION_NUMBER >= 0x30200000L
static size_t requested;
static int allocations, frees;

static void *my_alloc(size_t *num)
{
    requested = *num;
    allocations++;
    *num = 131072;
    return malloc(*num);
}

static void my_free(void *p)
{
    frees++;
    free(p);
}

static int deep(int n)
{
    volatile char frame[1024];
    frame[0] = (char)n;
    return n == 0 ? frame[0] : deep(n - 1) + 1;
}

static int job_fn(void *a)
{
    (void)a;
    ASYNC_pause_job();
    return deep(80);
}

int main(void)
{
    setup();
    ASYNC_stack_alloc_fn af = NULL;
    ASYNC_stack_free_fn ff = NULL;
    ASYNC_get_mem_functions(&af, &ff);
    printf("default functions non-NULL: %s\n", yes_no(af != NULL && ff != NULL));
    printf("set(NULL, NULL) = %d\n", ASYNC_set_mem_functions(NULL, NULL));
    ASYNC_stack_alloc_fn af2 = NULL;
    ASYNC_get_mem_functions(&af2, NULL);
    printf("unchanged after NULLs: %s\n", yes_no(af2 == af));
    printf("set(custom) = %d\n", ASYNC_set_mem_functions(my_alloc, my_free));
    ASYNC_WAIT_CTX *w = ASYNC_WAIT_CTX_new();
    ASYNC_JOB *job = NULL;
    int ret = 0;
    int r = ASYNC_start_job(&job, w, &ret, job_fn, NULL, 0);
    printf("start: %s allocations=%d requested=%zu\n", rc(r), allocations, requested);
    r = ASYNC_start_job(&job, w, &ret, job_fn, NULL, 0);
    printf("80 KiB of recursion on the 128 KiB stack: %s ret=%d\n", rc(r), ret);
    printf("set after the first stack = %d\n", ASYNC_set_mem_functions(my_alloc, my_free));
    ASYNC_cleanup_thread();
    printf("frees after cleanup_thread = %d\n", frees);
    ASYNC_WAIT_CTX_free(w);
    return 0;
}
#else
int main(void)
{
    printf("needs OpenSSL 3.2 or later (this is %s)\n", OpenSSL_version(OPENSSL_VERSION));
    return 0;
}
#endif
