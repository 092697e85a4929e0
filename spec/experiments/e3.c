/* E3: pool sizes and their errors, NO_JOBS, reuse order, a second ASYNC_init_thread, the default pool. */
#include "common.h"

static ASYNC_JOB *current;

static int only_pause(void *a) { (void)a; ASYNC_pause_job(); return 1; }
static int save_current(void *a) { (void)a; current = ASYNC_get_current_job(); return 1; }

int main(void)
{
    setup();
    ASYNC_WAIT_CTX *w = ASYNC_WAIT_CTX_new();
    int ret = 0;
    printf("init_thread(1, 2) = %d\n", ASYNC_init_thread(1, 2));
    errors("after it");
    printf("init_thread(0, 1) = %d\n", ASYNC_init_thread(0, 1));
    errors("after it");
    printf("init_thread(0, 0) = %d\n", ASYNC_init_thread(0, 0));
    ASYNC_cleanup_thread();

    printf("init_thread(3, 3) = %d\n", ASYNC_init_thread(3, 3));
    ASYNC_JOB *a = NULL, *b = NULL, *c = NULL, *d = NULL;
    printf("a: %s  ", rc(ASYNC_start_job(&a, w, &ret, only_pause, NULL, 0)));
    printf("b: %s  ", rc(ASYNC_start_job(&b, w, &ret, only_pause, NULL, 0)));
    printf("c: %s\n", rc(ASYNC_start_job(&c, w, &ret, only_pause, NULL, 0)));
    printf("d: %s, handle NULL: %s\n", rc(ASYNC_start_job(&d, w, &ret, only_pause, NULL, 0)), yes_no(d == NULL));
    errors("after d");
    ASYNC_JOB *job_c = c;
    ASYNC_start_job(&b, w, &ret, only_pause, NULL, 0);
    ASYNC_start_job(&a, w, &ret, only_pause, NULL, 0);
    ASYNC_start_job(&c, w, &ret, only_pause, NULL, 0);
    printf("finished b, a, c in that order\n");
    ASYNC_JOB *e = NULL;
    ASYNC_start_job(&e, w, &ret, save_current, NULL, 0);
    printf("the next job runs on c's object: %s\n", yes_no(current == job_c));
    ASYNC_start_job(&e, w, &ret, save_current, NULL, 0);
    printf("and the one after it too: %s\n", yes_no(current == job_c));
    ASYNC_cleanup_thread();

    printf("init_thread(1, 0) = %d\n", ASYNC_init_thread(1, 0));
    ASYNC_JOB *x = NULL, *y = NULL;
    printf("x: %s\n", rc(ASYNC_start_job(&x, w, &ret, only_pause, NULL, 0)));
    printf("init_thread(1, 0) again = %d\n", ASYNC_init_thread(1, 0));
    printf("y: %s (x is still paused)\n", rc(ASYNC_start_job(&y, w, &ret, only_pause, NULL, 0)));
    printf("x: %s  ", rc(ASYNC_start_job(&x, w, &ret, only_pause, NULL, 0)));
    printf("y: %s\n", rc(ASYNC_start_job(&y, w, &ret, only_pause, NULL, 0)));
    ASYNC_JOB *p = NULL, *q = NULL, *s = NULL;
    printf("p: %s  ", rc(ASYNC_start_job(&p, w, &ret, only_pause, NULL, 0)));
    printf("q: %s  ", rc(ASYNC_start_job(&q, w, &ret, only_pause, NULL, 0)));
    printf("s: %s (the new pool, maximum 1, held two idle jobs)\n", rc(ASYNC_start_job(&s, w, &ret, only_pause, NULL, 0)));
    ASYNC_start_job(&p, w, &ret, only_pause, NULL, 0);
    ASYNC_start_job(&q, w, &ret, only_pause, NULL, 0);
    ASYNC_cleanup_thread();

    ASYNC_JOB *z = NULL;
    printf("a start with no init_thread: %s\n", rc(ASYNC_start_job(&z, w, &ret, only_pause, NULL, 0)));
    ASYNC_start_job(&z, w, &ret, only_pause, NULL, 0);
    printf("init_thread(2, 0) after it = %d\n", ASYNC_init_thread(2, 0));
    ASYNC_cleanup_thread();
    ASYNC_cleanup_thread();
    printf("cleanup_thread twice: no harm\n");
    ASYNC_WAIT_CTX_free(w);
    return 0;
}
