/*
 * condvar.c - pk_cond_t, a condition variable on a sequence counter (the
 * futex word), with FUTEX_CMP_REQUEUE onto the mutex for a private
 * broadcast.  The design and why no wakeup is lost: include/pakaya.h.
 */
#include "sync.h"

#define SC __ATOMIC_SEQ_CST

int pk_cond_init(pk_cond_t *c, unsigned flags)
{
    if (flags & ~PK_SYNC_SHARED)
        return sync_fail(PK_EINVAL);
    c->waiters = 0;
    c->mutex = NULL;
    c->flags = flags;
    __atomic_store_n(&c->seq, 0, __ATOMIC_RELEASE);
    return 0;
}

static int cond_wait(pk_cond_t *c, pk_mutex_t *m, const struct pk_timespec64 *abstime)
{
    if (((c->flags ^ m->flags) & PK_SYNC_SHARED) != 0 || !sync_valid_deadline(abstime))
        return sync_fail(PK_EINVAL);
    int priv = sync_private(c->flags);
    if (priv)
        __atomic_store_n(&c->mutex, m, __ATOMIC_RELAXED); /* the requeue target */
    /*
     * Count ourselves in, then read the counter, both while holding m: a
     * signaller that changes the predicate after we release m adds to the
     * counter after this read (so the futex wait below returns at once), and
     * sees waiters != 0 (so it makes the wake call).
     */
    __atomic_fetch_add(&c->waiters, 1, SC);
    uint32_t seq = __atomic_load_n(&c->seq, SC);
    pk_mutex_unlock(m);
    long r = sync_wait(&c->seq, seq, abstime, priv);
    __atomic_fetch_sub(&c->waiters, 1, SC);
    /* contended (state 2): others may have been requeued behind us onto m */
    __pk_mutex_lock_contended(m, NULL);
    if (r == -PK_ETIMEDOUT && __atomic_load_n(&c->seq, SC) == seq)
        return sync_fail(PK_ETIMEDOUT);
    return 0; /* woken, signalled meanwhile, EAGAIN or EINTR (spurious) */
}

int pk_cond_wait(pk_cond_t *c, pk_mutex_t *m)
{
    return cond_wait(c, m, NULL);
}

int pk_cond_timedwait(pk_cond_t *c, pk_mutex_t *m, const struct pk_timespec64 *abstime)
{
    return cond_wait(c, m, abstime);
}

int pk_cond_signal(pk_cond_t *c)
{
    __atomic_fetch_add(&c->seq, 1, SC);
    if (__atomic_load_n(&c->waiters, SC) != 0)
        sync_wake(&c->seq, 1, sync_private(c->flags));
    return 0;
}

int pk_cond_broadcast(pk_cond_t *c)
{
    uint32_t seq = __atomic_add_fetch(&c->seq, 1, SC);
    if (__atomic_load_n(&c->waiters, SC) == 0)
        return 0;
    int priv = sync_private(c->flags);
    pk_mutex_t *m = __atomic_load_n(&c->mutex, __ATOMIC_RELAXED);
    if (priv && m != NULL) {
        /*
         * Wake one, move the rest onto the mutex word: each is woken by the
         * unlock before it.  EAGAIN: the counter moved on (another signal or
         * broadcast): wake everyone instead.
         */
        long r = pk_syscall6(PK_SYS_FUTEX_TIME64, (long)&c->seq, PK_FUTEX_CMP_REQUEUE | priv, 1,
                             0x7fffffff, (long)&m->state, (long)seq);
        if (r >= 0)
            return 0;
    }
    sync_wake(&c->seq, 0x7fffffff, priv);
    return 0;
}
