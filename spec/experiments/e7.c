/* E7: the callback and status of a wait ctx (3.0+). */
#include "common.h"

#if OPENSSL_VERSION_NUMBER >= 0x30000000L

static int callback(void *arg) { (void)arg; return 1; }
static int pause_once(void *a) { (void)a; ASYNC_pause_job(); return 1; }

int main(void)
{
    setup();
    ASYNC_WAIT_CTX *w = ASYNC_WAIT_CTX_new();
    ASYNC_callback_fn f = (ASYNC_callback_fn)1;
    void *arg = (void *)2;
    int r = ASYNC_WAIT_CTX_get_callback(w, &f, &arg);
    printf("new ctx: get_callback=%d outputs untouched: %s; status=%d\n", r, yes_no(f == (ASYNC_callback_fn)1 && arg == (void *)2),
           ASYNC_WAIT_CTX_get_status(w));
    printf("set_callback(NULL ctx) = %d\n", ASYNC_WAIT_CTX_set_callback(NULL, callback, NULL));
    printf("set_callback(ctx, NULL, arg) = %d\n", ASYNC_WAIT_CTX_set_callback(w, NULL, (void *)5));
    r = ASYNC_WAIT_CTX_get_callback(w, &f, &arg);
    printf("  get_callback=%d outputs untouched: %s\n", r, yes_no(f == (ASYNC_callback_fn)1 && arg == (void *)2));
    printf("set_callback(ctx, cb, NULL) = %d\n", ASYNC_WAIT_CTX_set_callback(w, callback, NULL));
    r = ASYNC_WAIT_CTX_get_callback(w, &f, &arg);
    printf("  get_callback=%d same function: %s arg NULL: %s\n", r, yes_no(f == callback), yes_no(arg == NULL));
    r = ASYNC_WAIT_CTX_set_status(w, 42);
    printf("set_status(42) = %d, get_status = %d\n", r, ASYNC_WAIT_CTX_get_status(w));
    r = ASYNC_WAIT_CTX_set_status(w, -1);
    printf("set_status(-1) = %d, get_status = %d\n", r, ASYNC_WAIT_CTX_get_status(w));
    ASYNC_WAIT_CTX_set_status(w, ASYNC_STATUS_OK);
    ASYNC_JOB *job = NULL;
    int ret = 0;
    while (ASYNC_start_job(&job, w, &ret, pause_once, NULL, 0) == ASYNC_PAUSE)
        ;
    r = ASYNC_WAIT_CTX_get_callback(w, &f, &arg);
    printf("after a whole job: status=%d get_callback=%d same function: %s\n", ASYNC_WAIT_CTX_get_status(w), r, yes_no(f == callback));
    ASYNC_WAIT_CTX_free(NULL);
    printf("ASYNC_WAIT_CTX_free(NULL): no effect\n");
    ASYNC_WAIT_CTX_free(w);
    ASYNC_cleanup_thread();
    return 0;
}
#else
int main(void)
{
    printf("needs OpenSSL 3.0 or later (this is %s)\n", OpenSSL_version(OPENSSL_VERSION));
    return 0;
}
#endif
