/*
 * barrier.c - pk_barrier_t, a reusable barrier: an arrival count and a
 * generation counter (the futex word) that the last arrival advances.  See
 * include/pakaya.h.
 */
#include "sync.h"

#define SC __ATOMIC_SEQ_CST

int pk_barrier_init(pk_barrier_t *b, unsigned flags, unsigned count)
{
    if ((flags & ~PK_SYNC_SHARED) != 0 || count == 0)
        return sync_fail(PK_EINVAL);
    b->arrived = 0;
    b->count = count;
    b->flags = flags;
    __atomic_store_n(&b->gen, 0, __ATOMIC_RELEASE);
    return 0;
}

int pk_barrier_wait(pk_barrier_t *b)
{
    int priv = sync_private(b->flags);
    uint32_t count = b->count; /* read now: once released, the others may reuse b */
    /* this cycle's generation: it cannot end before we arrive */
    uint32_t gen = __atomic_load_n(&b->gen, SC);
    if (__atomic_add_fetch(&b->arrived, 1, SC) == count) {
        /* last: reset the count for the next cycle before anyone is released into it */
        __atomic_store_n(&b->arrived, 0, SC);
        __atomic_store_n(&b->gen, gen + 1, SC);
        if (count > 1)
            sync_wake(&b->gen, 0x7fffffff, priv);
        return PK_BARRIER_SERIAL_THREAD;
    }
    while (__atomic_load_n(&b->gen, SC) == gen)
        sync_wait(&b->gen, gen, NULL, priv); /* EAGAIN: it moved on; EINTR: look again */
    return 0;
}
