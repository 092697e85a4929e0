/* E1: start results, *ret, the argument copy. */
#include "common.h"

static int count;
static const void *received;
static char before[5], after[5];

static int no_pause(void *a) { (void)a; return 42; }

static int pause_once(void *a)
{
    (void)a;
    count++;
    int r = ASYNC_pause_job();
    printf("  in job: pause returned %d\n", r);
    return 7;
}

static int record_arg(void *a)
{
    received = a;
    if (a != NULL)
        memcpy(before, a, 4);
    ASYNC_pause_job();
    if (a != NULL)
        memcpy(after, a, 4);
    return 1;
}

int main(void)
{
    setup();
    printf("is_capable=%d\n", ASYNC_is_capable());
    ASYNC_JOB *outside = ASYNC_get_current_job(); /* initialises ASYNC before the pause below */
    printf("outside a job: current job NULL: %s; pause returns %d\n", yes_no(outside == NULL), ASYNC_pause_job());

    ASYNC_WAIT_CTX *w = ASYNC_WAIT_CTX_new();
    ASYNC_JOB *job = NULL;
    int ret = -1;
    int r = ASYNC_start_job(&job, w, &ret, no_pause, NULL, 0);
    printf("no pause: %s ret=%d handle NULL: %s\n", rc(r), ret, yes_no(job == NULL));

    r = ASYNC_start_job(&job, w, &ret, pause_once, NULL, 0);
    printf("pause once, start: %s ret=%d (untouched) handle set: %s\n", rc(r), ret, yes_no(job != NULL));
    r = ASYNC_start_job(&job, w, &ret, pause_once, NULL, 0);
    printf("pause once, restart: %s ret=%d handle NULL: %s count=%d\n", rc(r), ret, yes_no(job == NULL), count);

    char buf[4] = { 'A', 'B', 'C', 'D' };
    r = ASYNC_start_job(&job, w, &ret, record_arg, buf, 4);
    printf("args, size 4: %s; the job got the caller's pointer: %s; it read '%.4s'\n", rc(r), yes_no(received == buf), before);
    memcpy(buf, "wxyz", 4);
    r = ASYNC_start_job(&job, w, &ret, record_arg, buf, 4);
    printf("after the caller overwrote its buffer: %s; the job reads '%.4s'\n", rc(r), after);

    r = ASYNC_start_job(&job, w, &ret, record_arg, NULL, 100);
    printf("args NULL, size 100: %s; the job got NULL: %s\n", rc(r), yes_no(received == NULL));
    ASYNC_start_job(&job, w, &ret, record_arg, NULL, 0);

    received = buf;
    r = ASYNC_start_job(&job, w, &ret, record_arg, buf, 0);
    printf("args non-NULL, size 0: %s; the job got NULL: %s\n", rc(r), yes_no(r == ASYNC_PAUSE && received == NULL));
    errors("after it");
    if (r == ASYNC_PAUSE)
        ASYNC_start_job(&job, w, &ret, record_arg, NULL, 0);

    ASYNC_WAIT_CTX_free(w);
    ASYNC_cleanup_thread();
    return 0;
}
