/* E5: a NULL wait ctx, a NULL ret, a stale finished handle, the arguments of a restart. */
#include "common.h"

static ASYNC_WAIT_CTX *w1, *w2;
static ASYNC_WAIT_CTX *seen_ctx;

static int pause_once(void *a) { (void)a; ASYNC_pause_job(); return 1; }
static int no_pause(void *a) { (void)a; return 3; }
static int other(void *a) { (void)a; return 99; }

static int record_ctx(void *a)
{
    (void)a;
    ASYNC_pause_job();
    seen_ctx = ASYNC_get_wait_ctx(ASYNC_get_current_job());
    return 1;
}

static void null_ctx_resumed(void)
{
    ASYNC_JOB *job = NULL;
    int ret = 0;
    printf("  NULL wait ctx, start: %s\n", rc(ASYNC_start_job(&job, NULL, &ret, pause_once, NULL, 0)));
    printf("  resume:\n");
    ASYNC_start_job(&job, NULL, &ret, pause_once, NULL, 0);
    printf("  resume returned\n");
}

static void null_ret(void)
{
    ASYNC_JOB *job = NULL;
    int ret = 0;
    printf("  NULL ret, start: %s\n", rc(ASYNC_start_job(&job, w1, &ret, pause_once, NULL, 0)));
    ASYNC_start_job(&job, w1, NULL, pause_once, NULL, 0);
    printf("  FINISH returned\n");
}

static void null_handle(void)
{
    printf("  ASYNC_get_wait_ctx(NULL):\n");
    printf("  returned: %s\n", yes_no(ASYNC_get_wait_ctx(NULL) == NULL));
}

int main(void)
{
    setup();
    w1 = ASYNC_WAIT_CTX_new();
    w2 = ASYNC_WAIT_CTX_new();
    in_child("NULL wait ctx resumed", null_ctx_resumed);
    ASYNC_JOB *job = NULL;
    int ret = 0;
    int r = ASYNC_start_job(&job, NULL, &ret, no_pause, NULL, 0);
    printf("NULL wait ctx, no pause: %s ret=%d\n", rc(r), ret);
    in_child("NULL ret at FINISH", null_ret);

    ASYNC_init_thread(2, 0);
    r = ASYNC_start_job(&job, w1, &ret, pause_once, NULL, 0);
    ASYNC_JOB *stale = job;
    r = ASYNC_start_job(&job, w1, &ret, pause_once, NULL, 0);
    printf("finish: %s ret=%d\n", rc(r), ret);
    ret = -1;
    r = ASYNC_start_job(&stale, w1, &ret, other, NULL, 0);
    printf("restart of the finished handle: %s ret=%d (the old ret) handle NULL: %s\n", rc(r), ret, yes_no(stale == NULL));
    ASYNC_JOB *a = NULL, *b = NULL;
    r = ASYNC_start_job(&a, w1, &ret, pause_once, NULL, 0);
    printf("a: %s\n", rc(r));
    r = ASYNC_start_job(&b, w1, &ret, other, NULL, 0);
    printf("b: %s ret=%d (b's own function returns 99)\n", rc(r), ret);
    in_child("ASYNC_get_wait_ctx(NULL)", null_handle);

    ASYNC_JOB *c = NULL;
    ASYNC_init_thread(0, 0);
    r = ASYNC_start_job(&c, w1, &ret, record_ctx, NULL, 0);
    r = ASYNC_start_job(&c, w2, &ret, other, NULL, 0);
    printf("restart with another ctx and function: %s ret=%d; the job's ctx is the first: %s, the second: %s\n", rc(r), ret,
           yes_no(seen_ctx == w1), yes_no(seen_ctx == w2));
    return 0;
}
