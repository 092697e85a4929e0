/* E4: wait-ctx bookkeeping outside any job, then inside a job over two pauses and FINISH. */
#include "common.h"

static char K1, K2; /* keys: their addresses */
static ASYNC_WAIT_CTX *w;

static void cleanup(ASYNC_WAIT_CTX *ctx, const void *key, OSSL_ASYNC_FD fd, void *data)
{
    (void)ctx;
    (void)data;
    printf("  cleanup key=%s fd=%d\n", key == &K1 ? "K1" : key == &K2 ? "K2" : "?", (int)fd);
}

static void list(const char *when)
{
    size_t n = 0, na = 0, nd = 0;
    OSSL_ASYNC_FD all[16], add[16], del[16];
    ASYNC_WAIT_CTX_get_all_fds(w, NULL, &n);
    ASYNC_WAIT_CTX_get_all_fds(w, all, &n);
    ASYNC_WAIT_CTX_get_changed_fds(w, NULL, &na, NULL, &nd);
    ASYNC_WAIT_CTX_get_changed_fds(w, add, &na, del, &nd);
    printf("%-34s all[%zu]={", when, n);
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
    ASYNC_WAIT_CTX_set_wait_fd(w, &K1, 10, NULL, cleanup);
    ASYNC_WAIT_CTX_set_wait_fd(w, &K2, 20, NULL, cleanup);
    ASYNC_pause_job();
    list("in the job after resume 1");
    ASYNC_WAIT_CTX_clear_fd(w, &K1);
    ASYNC_WAIT_CTX_set_wait_fd(w, &K1, 11, NULL, cleanup);
    ASYNC_WAIT_CTX_set_wait_fd(w, &K2, 21, NULL, cleanup);
    ASYNC_pause_job();
    ASYNC_WAIT_CTX_clear_fd(w, &K2);
    return 1;
}

int main(void)
{
    setup();
    OSSL_ASYNC_FD fd = 0;
    void *data = NULL;
    w = ASYNC_WAIT_CTX_new();
    ASYNC_WAIT_CTX_set_wait_fd(w, &K1, 1, NULL, cleanup);
    ASYNC_WAIT_CTX_set_wait_fd(w, &K2, 2, NULL, cleanup);
    ASYNC_WAIT_CTX_set_wait_fd(w, &K1, 3, NULL, cleanup);
    list("outside: set K1=1, K2=2, K1=3");
    int found = ASYNC_WAIT_CTX_get_fd(w, &K1, &fd, &data);
    printf("get_fd(K1) = %d, fd %d\n", found, (int)fd);
    printf("clear_fd(K1) = %d\n", ASYNC_WAIT_CTX_clear_fd(w, &K1));
    list("after the clear");
    found = ASYNC_WAIT_CTX_get_fd(w, &K1, &fd, &data);
    printf("get_fd(K1) = %d, fd %d\n", found, (int)fd);
    size_t na = 99, nd = 99;
    OSSL_ASYNC_FD del[4] = { -7, -7, -7, -7 };
    ASYNC_WAIT_CTX_get_changed_fds(w, NULL, &na, del, &nd);
    printf("changed with a NULL add array: na=%zu nd=%zu del[0]=%d (untouched)\n", na, nd, (int)del[0]);
    printf("free:\n");
    ASYNC_WAIT_CTX_free(w);

    w = ASYNC_WAIT_CTX_new();
    ASYNC_JOB *job = NULL;
    int ret = 0;
    int r = ASYNC_start_job(&job, w, &ret, job_fn, NULL, 0);
    list(r == ASYNC_PAUSE ? "after PAUSE 1" : "?");
    r = ASYNC_start_job(&job, w, &ret, job_fn, NULL, 0);
    list(r == ASYNC_PAUSE ? "after PAUSE 2" : "?");
    r = ASYNC_start_job(&job, w, &ret, job_fn, NULL, 0);
    list(r == ASYNC_FINISH ? "after FINISH (no reset)" : "?");
    printf("free:\n");
    ASYNC_WAIT_CTX_free(w);
    ASYNC_cleanup_thread();
    return 0;
}
