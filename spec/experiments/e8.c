/* E8: a paused job resumed on another thread; a paused job resumed after ASYNC_cleanup_thread. */
#include "common.h"

#include <pthread.h>

static ASYNC_WAIT_CTX *w;
static ASYNC_JOB *job;
static int ret;

static int traveller(void *a)
{
    (void)a;
    printf("  job: running on the starting thread\n");
    ASYNC_pause_job();
    printf("  job: resumed on the other thread, it is that thread's current job: %s\n", yes_no(ASYNC_get_current_job() != NULL));
    ASYNC_pause_job();
    printf("  job: resumed again on the other thread, returning\n");
    return 1;
}

static void *other_thread(void *unused)
{
    (void)unused;
    printf("  other thread, resume 1: %s\n", rc(ASYNC_start_job(&job, w, &ret, traveller, NULL, 0)));
    printf("  other thread, resume 2:\n");
    int r = ASYNC_start_job(&job, w, &ret, traveller, NULL, 0);
    printf("  other thread, resume 2 returned %s\n", rc(r));
    return NULL;
}

static void cross_thread(void)
{
    printf("  starting thread: %s\n", rc(ASYNC_start_job(&job, w, &ret, traveller, NULL, 0)));
    pthread_t t;
    pthread_create(&t, NULL, other_thread, NULL);
    pthread_join(t, NULL);
}

static int survivor(void *a)
{
    (void)a;
    ASYNC_pause_job();
    printf("  job: resumed after cleanup_thread\n");
    return 1;
}

static void after_cleanup(void)
{
    printf("  start: %s\n", rc(ASYNC_start_job(&job, w, &ret, survivor, NULL, 0)));
    ASYNC_cleanup_thread();
    int r = ASYNC_start_job(&job, w, &ret, survivor, NULL, 0);
    printf("  resume returned %s\n", rc(r));
}

int main(void)
{
    setup();
    w = ASYNC_WAIT_CTX_new();
    in_child("resumed on another thread", cross_thread);
    in_child("resumed after cleanup_thread", after_cleanup);
    return 0;
}
