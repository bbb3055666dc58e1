/*
 * random.c - getrandom.  See include/pakaya.h.
 */
#include "pakaya.h"

ssize_t getrandom(void *buf, size_t count, unsigned int flags)
{
    return (ssize_t)pk_ret(pk_syscall3(PK_SYS_GETRANDOM, (long)buf, (long)count, (long)flags));
}
