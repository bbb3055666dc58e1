/*
 * sem.c - pk_sem_t, a counting semaphore: the futex word is the count; a
 * waiter count lets post skip the wake call when nobody waits.  See
 * include/pakaya.h.
 */
#include "sync.h"

#define SC __ATOMIC_SEQ_CST

int pk_sem_init(pk_sem_t *s, unsigned flags, unsigned value)
{
    if ((flags & ~PK_SYNC_SHARED) != 0 || value > PK_SEM_VALUE_MAX)
        return sync_fail(PK_EINVAL);
    s->waiters = 0;
    s->flags = flags;
    __atomic_store_n(&s->value, value, __ATOMIC_RELEASE);
    return 0;
}

/* Take one unit if the count is > 0: 1, else 0. */
static int take(pk_sem_t *s)
{
    uint32_t v = __atomic_load_n(&s->value, SC);
    while (v != 0) {
        if (__atomic_compare_exchange_n(&s->value, &v, v - 1, 1, SC, SC))
            return 1;
    }
    return 0;
}

static int sem_wait(pk_sem_t *s, const struct pk_timespec64 *abstime)
{
    if (take(s))
        return 0;
    if (!sync_valid_deadline(abstime))
        return sync_fail(PK_EINVAL);
    int priv = sync_private(s->flags);
    int timed_out = 0;
    /* counted in before the next look at the count: post sees us or we see its unit */
    __atomic_fetch_add(&s->waiters, 1, SC);
    while (!take(s)) {
        /* sleeps only while the count is 0; EAGAIN, EINTR, woken: look again */
        if (sync_wait(&s->value, 0, abstime, priv) == -PK_ETIMEDOUT) {
            timed_out = !take(s);
            break;
        }
    }
    __atomic_fetch_sub(&s->waiters, 1, SC);
    return timed_out ? sync_fail(PK_ETIMEDOUT) : 0;
}

int pk_sem_wait(pk_sem_t *s)
{
    return sem_wait(s, NULL);
}

int pk_sem_timedwait(pk_sem_t *s, const struct pk_timespec64 *abstime)
{
    return sem_wait(s, abstime);
}

int pk_sem_trywait(pk_sem_t *s)
{
    return take(s) ? 0 : sync_fail(PK_EAGAIN);
}

int pk_sem_post(pk_sem_t *s)
{
    int priv = sync_private(s->flags);
    uint32_t v = __atomic_load_n(&s->value, SC);
    do {
        if (v >= PK_SEM_VALUE_MAX)
            return sync_fail(PK_EOVERFLOW);
    } while (!__atomic_compare_exchange_n(&s->value, &v, v + 1, 1, SC, SC));
    if (__atomic_load_n(&s->waiters, SC) != 0)
        sync_wake(&s->value, 1, priv);
    return 0;
}

int pk_sem_getvalue(pk_sem_t *s)
{
    return (int)__atomic_load_n(&s->value, SC);
}
