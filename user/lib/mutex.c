/*
 * mutex.c - a futex mutex (Ulrich Drepper, "Futexes Are Tricky", mutex 2):
 * state 0 unlocked, 1 locked, 2 locked and maybe waited for.  Unlock makes a
 * system call only when someone may be waiting.  See include/pakaya.h.
 */
#include "pakaya.h"

static uint32_t cas(volatile uint32_t *p, uint32_t expect, uint32_t desired)
{
    __atomic_compare_exchange_n(p, &expect, desired, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
    return expect; /* the old value */
}

void pk_mutex_lock(pk_mutex_t *m)
{
    uint32_t c = cas(&m->state, 0, 1);
    if (c == 0)
        return;
    if (c != 2)
        c = __atomic_exchange_n(&m->state, 2, __ATOMIC_ACQUIRE);
    while (c != 0) {
        pk_futex_wait(&m->state, 2, NULL, 1);
        c = __atomic_exchange_n(&m->state, 2, __ATOMIC_ACQUIRE);
    }
}

void pk_mutex_unlock(pk_mutex_t *m)
{
    if (__atomic_fetch_sub(&m->state, 1, __ATOMIC_RELEASE) != 1) {
        __atomic_store_n(&m->state, 0, __ATOMIC_RELEASE);
        pk_futex_wake(&m->state, 1, 1);
    }
}
