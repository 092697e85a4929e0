/* E10: a job restarts another paused job from inside itself. */
#include "common.h"

static ASYNC_WAIT_CTX *w;
static ASYNC_JOB *b;

static int job_b(void *a) { (void)a; ASYNC_pause_job(); return 22; }

static int job_a(void *a)
{
    (void)a;
    int rb = 0;
    int r = ASYNC_start_job(&b, w, &rb, job_b, NULL, 0);
    printf("  A: restarting B from inside A: %s rb=%d B NULL: %s\n", rc(r), rb, yes_no(b == NULL));
    printf("  A: pausing\n");
    ASYNC_pause_job();
    printf("  A: past the pause, returning\n");
    return 1;
}

static void run(void)
{
    int ret = 0;
    printf("  B: %s\n", rc(ASYNC_start_job(&b, w, &ret, job_b, NULL, 0)));
    ASYNC_JOB *a = NULL;
    int r = ASYNC_start_job(&a, w, &ret, job_a, NULL, 0);
    printf("  A's start returned %s\n", rc(r));
}

int main(void)
{
    setup();
    w = ASYNC_WAIT_CTX_new();
    in_child("B resumed inside A", run);
    return 0;
}
