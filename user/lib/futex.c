/*
 * futex.c - futex wait, wake and requeue on futex_time64 (422).  See
 * include/pakaya.h.
 */
#include "pakaya.h"

int pk_futex_wait(volatile uint32_t *uaddr, uint32_t val, const struct pk_timespec64 *timeout,
                  int private)
{
    int op = PK_FUTEX_WAIT | (private ? PK_FUTEX_PRIVATE_FLAG : 0);
    return (int)pk_ret(pk_syscall4(PK_SYS_FUTEX_TIME64, (long)uaddr, op, (long)val, (long)timeout));
}

int pk_futex_wake(volatile uint32_t *uaddr, int n, int private)
{
    int op = PK_FUTEX_WAKE | (private ? PK_FUTEX_PRIVATE_FLAG : 0);
    return (int)pk_ret(pk_syscall3(PK_SYS_FUTEX_TIME64, (long)uaddr, op, n));
}

int pk_futex_wait_until(volatile uint32_t *uaddr, uint32_t val,
                        const struct pk_timespec64 *abstime, int private)
{
    if (abstime == NULL)
        return pk_futex_wait(uaddr, val, NULL, private);
    int op = PK_FUTEX_WAIT_BITSET | (private ? PK_FUTEX_PRIVATE_FLAG : 0);
    return (int)pk_ret(pk_syscall6(PK_SYS_FUTEX_TIME64, (long)uaddr, op, (long)val, (long)abstime, 0,
                                   (long)PK_FUTEX_BITSET_MATCH_ANY));
}

int pk_futex_cmp_requeue(volatile uint32_t *uaddr, int nwake, int nmove, volatile uint32_t *uaddr2,
                         uint32_t val, int private)
{
    int op = PK_FUTEX_CMP_REQUEUE | (private ? PK_FUTEX_PRIVATE_FLAG : 0);
    return (int)pk_ret(pk_syscall6(PK_SYS_FUTEX_TIME64, (long)uaddr, op, nwake, nmove,
                                   (long)uaddr2, (long)val));
}
