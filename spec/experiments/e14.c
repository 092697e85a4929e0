/* E14: the per-thread error queue is a ring of 16 slots that keeps the 15 newest errors. */
#include "common.h"

/* Queues n errors: the reasons 1..n of the ASYNC library, so the survivors can be told apart. */
static void queue_and_drain(int n)
{
    for (int i = 1; i <= n; i++)
        ERR_raise(ERR_LIB_ASYNC, i);
    unsigned long e;
    int count = 0, first = 0, last = 0;
    while ((e = ERR_get_error()) != 0) {
        if (count++ == 0)
            first = ERR_GET_REASON(e);
        last = ERR_GET_REASON(e);
    }
    printf("queued %2d, drained %2d: reasons %d to %d\n", n, count, first, last);
}

int main(void)
{
    setup();
    queue_and_drain(14);
    queue_and_drain(15);
    queue_and_drain(16);
    queue_and_drain(20);
    return 0;
}
