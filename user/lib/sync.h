/*
 * sync.h - libpakaya-internal helpers for the futex-based locks (mutex.c,
 * condvar.c, sem.c, barrier.c): raw futex calls that return the negated
 * errno instead of touching errno (so a successful lock leaves errno alone),
 * the futex private flag for an object's PK_SYNC_SHARED flag, and the
 * contended mutex lock that condition variables need.  Not installed.
 */
#ifndef PAKAYA_LIB_SYNC_H
#define PAKAYA_LIB_SYNC_H

#include "pakaya.h"

/* The op bits for an object with these flags: private unless PK_SYNC_SHARED. */
static inline int sync_private(uint32_t flags)
{
    return (flags & PK_SYNC_SHARED) ? 0 : PK_FUTEX_PRIVATE_FLAG;
}

/* Sleep while *w == val until woken or the absolute CLOCK_MONOTONIC deadline (NULL: none). Raw. */
static inline long sync_wait(volatile uint32_t *w, uint32_t val, const struct pk_timespec64 *abstime,
                             int priv)
{
    if (abstime == NULL)
        return pk_syscall4(PK_SYS_FUTEX_TIME64, (long)w, PK_FUTEX_WAIT | priv, (long)val, 0);
    return pk_syscall6(PK_SYS_FUTEX_TIME64, (long)w, PK_FUTEX_WAIT_BITSET | priv, (long)val,
                       (long)abstime, 0, (long)PK_FUTEX_BITSET_MATCH_ANY);
}

/* Wake up to n waiters on w. Raw: the number woken or a negated errno. */
static inline long sync_wake(volatile uint32_t *w, int n, int priv)
{
    return pk_syscall3(PK_SYS_FUTEX_TIME64, (long)w, PK_FUTEX_WAKE | priv, n);
}

/* 1 when a deadline is well formed (or absent), else 0. */
static inline int sync_valid_deadline(const struct pk_timespec64 *abstime)
{
    return abstime == NULL || (abstime->tv_nsec >= 0 && abstime->tv_nsec < 1000000000);
}

/* Set errno to Linux errno e (translated) and return -1. */
static inline int sync_fail(int e)
{
    return (int)pk_ret(-e);
}

/*
 * Take m in state 2 ("locked, maybe waited for") whatever its state: for a
 * thread leaving a condition wait, which may have been requeued onto m's word
 * with others behind it (condvar.c).  With abstime, -PK_ETIMEDOUT when it passes.
 */
int __pk_mutex_lock_contended(pk_mutex_t *m, const struct pk_timespec64 *abstime);

#endif /* PAKAYA_LIB_SYNC_H */
