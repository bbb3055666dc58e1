/*
 * mutex.c - a futex mutex (Ulrich Drepper, "Futexes Are Tricky", mutex 2):
 * state 0 unlocked, 1 locked, 2 locked and maybe waited for.  Unlock makes a
 * system call only when someone may be waiting.  PK_SYNC_SHARED in `flags`
 * selects shared futex keys (a mutex in memory shared between processes).
 * See include/pakaya.h.
 */
#include "sync.h"

static uint32_t cas(volatile uint32_t *p, uint32_t expect, uint32_t desired)
{
    __atomic_compare_exchange_n(p, &expect, desired, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
    return expect; /* the old value */
}

int pk_mutex_init(pk_mutex_t *m, unsigned flags)
{
    if (flags & ~PK_SYNC_SHARED)
        return sync_fail(PK_EINVAL);
    m->flags = flags;
    __atomic_store_n(&m->state, 0, __ATOMIC_RELEASE);
    return 0;
}

int __pk_mutex_lock_contended(pk_mutex_t *m, const struct pk_timespec64 *abstime)
{
    int priv = sync_private(m->flags);
    while (__atomic_exchange_n(&m->state, 2, __ATOMIC_ACQUIRE) != 0) {
        /* EAGAIN (the state moved on) and EINTR: try again */
        if (sync_wait(&m->state, 2, abstime, priv) == -PK_ETIMEDOUT)
            return -PK_ETIMEDOUT;
    }
    return 0;
}

void pk_mutex_lock(pk_mutex_t *m)
{
    if (cas(&m->state, 0, 1) != 0)
        __pk_mutex_lock_contended(m, NULL);
}

int pk_mutex_trylock(pk_mutex_t *m)
{
    return cas(&m->state, 0, 1) == 0 ? 0 : sync_fail(PK_EBUSY);
}

int pk_mutex_timedlock(pk_mutex_t *m, const struct pk_timespec64 *abstime)
{
    if (cas(&m->state, 0, 1) == 0)
        return 0;
    if (!sync_valid_deadline(abstime))
        return sync_fail(PK_EINVAL);
    long r = __pk_mutex_lock_contended(m, abstime);
    return r < 0 ? sync_fail((int)-r) : 0;
}

void pk_mutex_unlock(pk_mutex_t *m)
{
    int priv = sync_private(m->flags); /* before the release: m may be gone after it */
    if (__atomic_fetch_sub(&m->state, 1, __ATOMIC_RELEASE) != 1) {
        __atomic_store_n(&m->state, 0, __ATOMIC_RELEASE);
        sync_wake(&m->state, 1, priv);
    }
}
