/* E11: an error the application queues while a job is paused is seen inside the job after the resume. */
#include "common.h"

static int job_fn(void *a)
{
    (void)a;
    ASYNC_pause_job();
    errors("seen inside the job after the resume");
    return 1;
}

int main(void)
{
    setup();
    ASYNC_WAIT_CTX *w = ASYNC_WAIT_CTX_new();
    ASYNC_JOB *job = NULL;
    int ret = 0;
    printf("start: %s\n", rc(ASYNC_start_job(&job, w, &ret, job_fn, NULL, 0)));
    ERR_raise(ERR_LIB_ASYNC, ASYNC_R_FAILED_TO_SET_POOL);
    printf("the application queued FAILED_TO_SET_POOL\n");
    printf("resume: %s\n", rc(ASYNC_start_job(&job, w, &ret, job_fn, NULL, 0)));
    ASYNC_WAIT_CTX_free(w);
    ASYNC_cleanup_thread();
    return 0;
}
