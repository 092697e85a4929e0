/* E13: recursion on a job's default 32 KiB stack (no guard page). Built with -O0 so each frame is ~1 KiB. */
#include "common.h"

static int kib;

static int deep(int n)
{
    volatile char frame[1024];
    frame[0] = (char)n;
    return n == 0 ? frame[0] : deep(n - 1) + 1;
}

static int job_fn(void *a)
{
    (void)a;
    return deep(kib);
}

static void recurse(void)
{
    ASYNC_WAIT_CTX *w = ASYNC_WAIT_CTX_new();
    ASYNC_JOB *job = NULL;
    int ret = 0;
    int r = ASYNC_start_job(&job, w, &ret, job_fn, NULL, 0);
    printf("  %d KiB: %s\n", kib, rc(r));
}

int main(void)
{
    setup();
    const int sizes[] = { 16, 28, 40, 64, 200 };
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        char name[32];
        kib = sizes[i];
        snprintf(name, sizeof name, "%d KiB of recursion", kib);
        in_child(name, recurse);
    }
    return 0;
}
