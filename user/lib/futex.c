/*
 * futex.c - futex wait and wake on futex_time64 (422).  See include/pakaya.h.
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
