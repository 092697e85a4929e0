/* E2 (and E2b on 1.1.1): ASYNC_start_job called inside a running job, in three situations of the outer job. */
#include "common.h"

static ASYNC_WAIT_CTX *w;

static int inner(void *a) { (void)a; return 9; }

/* How many times the outer function has run: 1.1.1 runs it again and again (E2b). */
static int runs;

static int nested_start(void *a)
{
    (void)a;
    if (++runs > 100000) {
        printf("  the outer function ran %d times: stopped\n", runs - 1);
        _exit(3);
    }
    ASYNC_JOB *j2 = NULL;
    int r2 = -5;
    int r = ASYNC_start_job(&j2, w, &r2, inner, NULL, 0);
    if (runs <= 2) {
        printf("  run %d, nested start: %s r2=%d handle NULL: %s current job now NULL: %s\n", runs, rc(r), r2,
               yes_no(j2 == NULL), yes_no(ASYNC_get_current_job() == NULL));
        errors("after the nested start");
    }
    return 5;
}

static int simple(void *a) { (void)a; return 1; }

static int pause_then_nested(void *a)
{
    ASYNC_pause_job();
    return nested_start(a);
}

static void outer(int (*func)(void *), int resumes)
{
    ASYNC_JOB *job = NULL;
    int ret = 0;
    int r = ASYNC_start_job(&job, w, &ret, func, NULL, 0);
    for (int i = 0; i < resumes && r == ASYNC_PAUSE; i++)
        r = ASYNC_start_job(&job, w, &ret, func, NULL, 0);
    printf("  outer start: %s ret=%d\n", rc(r), ret);
}

static void fresh(void) { outer(nested_start, 0); }

static void recycled(void)
{
    ASYNC_init_thread(1, 0);
    outer(simple, 0);
    outer(nested_start, 0);
}

static void resumed(void) { outer(pause_then_nested, 1); }

int main(void)
{
    setup();
    w = ASYNC_WAIT_CTX_new();
    in_child("fresh outer job", fresh);
    in_child("recycled outer job", recycled);
    in_child("resumed outer job", resumed);
    return 0;
}
