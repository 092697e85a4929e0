/* E9: the application edits the wait ctx between PAUSE and the resume; an error queued in the job. */
#include "common.h"

static char KJ, KA;
static ASYNC_WAIT_CTX *w;

static void list(const char *when)
{
    size_t n = 0, na = 0, nd = 0;
    OSSL_ASYNC_FD all[8], add[8], del[8];
    ASYNC_WAIT_CTX_get_all_fds(w, NULL, &n);
    ASYNC_WAIT_CTX_get_all_fds(w, all, &n);
    ASYNC_WAIT_CTX_get_changed_fds(w, NULL, &na, NULL, &nd);
    ASYNC_WAIT_CTX_get_changed_fds(w, add, &na, del, &nd);
    printf("%-30s all[%zu]={", when, n);
    for (size_t i = 0; i < n; i++)
        printf(" %d", (int)all[i]);
    printf(" } add[%zu]={", na);
    for (size_t i = 0; i < na; i++)
        printf(" %d", (int)add[i]);
    printf(" } del[%zu]={", nd);
    for (size_t i = 0; i < nd; i++)
        printf(" %d", (int)del[i]);
    printf(" }\n");
}

static int job_fn(void *a)
{
    (void)a;
    ASYNC_WAIT_CTX_set_wait_fd(w, &KJ, 5, NULL, NULL);
    ERR_raise(ERR_LIB_ASYNC, ASYNC_R_INIT_FAILED);
    list("in the job before the pause");
    ASYNC_pause_job();
    list("in the job after the resume");
    ASYNC_pause_job();
    return 1;
}

int main(void)
{
    setup();
    w = ASYNC_WAIT_CTX_new();
    ASYNC_JOB *job = NULL;
    int ret = 0;
    printf("start: %s\n", rc(ASYNC_start_job(&job, w, &ret, job_fn, NULL, 0)));
    errors("seen by the caller");
    ASYNC_WAIT_CTX_set_wait_fd(w, &KA, 6, NULL, NULL);
    ASYNC_WAIT_CTX_clear_fd(w, &KJ);
    list("app: set KA=6, cleared KJ");
    ASYNC_start_job(&job, w, &ret, job_fn, NULL, 0);
    ASYNC_start_job(&job, w, &ret, job_fn, NULL, 0);
    ASYNC_WAIT_CTX_free(w);
    ASYNC_cleanup_thread();
    return 0;
}
