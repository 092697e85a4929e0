/* E6: ASYNC_block_pause and ASYNC_unblock_pause; the block counter belongs to the thread. */
#include "common.h"

static int leaky_block(void *a) { (void)a; ASYNC_block_pause(); return 1; }
static int pause_once(void *a) { (void)a; ASYNC_pause_job(); return 2; }

static int nested_block(void *a)
{
    (void)a;
    ASYNC_block_pause();
    ASYNC_block_pause();
    ASYNC_unblock_pause();
    ASYNC_pause_job(); /* still blocked: no pause */
    ASYNC_unblock_pause();
    ASYNC_pause_job();
    return 4;
}

static int extra_unblock(void *a)
{
    (void)a;
    ASYNC_unblock_pause();
    ASYNC_unblock_pause();
    ASYNC_block_pause();
    ASYNC_unblock_pause();
    ASYNC_pause_job();
    return 5;
}

static int unblock_then_pause(void *a)
{
    (void)a;
    ASYNC_unblock_pause();
    ASYNC_pause_job();
    return 6;
}

static void finish(ASYNC_JOB **job, ASYNC_WAIT_CTX *w, int (*f)(void *))
{
    int ret = 0;
    while (ASYNC_start_job(job, w, &ret, f, NULL, 0) == ASYNC_PAUSE)
        ;
}

int main(void)
{
    setup();
    ASYNC_WAIT_CTX *w = ASYNC_WAIT_CTX_new();
    ASYNC_JOB *job = NULL;
    int ret = 0;
    ASYNC_get_current_job(); /* initialises ASYNC */
    ASYNC_block_pause();
    printf("block outside a job, then a job pauses: %s\n", rc(ASYNC_start_job(&job, w, &ret, pause_once, NULL, 0)));
    finish(&job, w, pause_once);
    printf("block x2, unblock x1, pause; unblock, pause: %s", rc(ASYNC_start_job(&job, w, &ret, nested_block, NULL, 0)));
    int r = ASYNC_start_job(&job, w, &ret, nested_block, NULL, 0);
    printf(" then %s ret=%d\n", rc(r), ret);
    printf("extra unblocks do not underflow: %s\n", rc(ASYNC_start_job(&job, w, &ret, extra_unblock, NULL, 0)));
    finish(&job, w, extra_unblock);
    printf("a job finishes while blocked: %s\n", rc(ASYNC_start_job(&job, w, &ret, leaky_block, NULL, 0)));
    r = ASYNC_start_job(&job, w, &ret, pause_once, NULL, 0);
    printf("the next job tries to pause: %s ret=%d\n", rc(r), ret);
    ASYNC_unblock_pause();
    printf("after an unblock outside any job: %s\n", rc(ASYNC_start_job(&job, w, &ret, pause_once, NULL, 0)));
    printf("a job that unblocks first, then pauses: %s\n", rc(ASYNC_start_job(&job, w, &ret, unblock_then_pause, NULL, 0)));
    finish(&job, w, unblock_then_pause);
    ASYNC_start_job(&job, w, &ret, leaky_block, NULL, 0);
    ASYNC_cleanup_thread();
    printf("blocked again, then cleanup_thread, then a job pauses: %s\n", rc(ASYNC_start_job(&job, w, &ret, pause_once, NULL, 0)));
    finish(&job, w, pause_once);
    ASYNC_WAIT_CTX_free(w);
    return 0;
}
