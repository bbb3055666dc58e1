/*
 * mman.c - mmap (on mmap2), munmap, mprotect.  See include/pakaya.h.
 */
#include <errno.h>

#include "pakaya.h"

#define PK_PAGE_SIZE 4096

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t offset)
{
    if (offset < 0 || offset % PK_PAGE_SIZE != 0) {
        errno = EINVAL;
        return PK_MAP_FAILED;
    }
    long r = pk_syscall6(PK_SYS_MMAP2, (long)addr, (long)len, prot, flags, fd,
                         (long)(offset / PK_PAGE_SIZE));
    if (PK_IS_ERR(r)) {
        pk_ret(r);
        return PK_MAP_FAILED;
    }
    return (void *)r;
}

int munmap(void *addr, size_t len)
{
    return (int)pk_ret(pk_syscall2(PK_SYS_MUNMAP, (long)addr, (long)len));
}

int mprotect(void *addr, size_t len, int prot)
{
    return (int)pk_ret(pk_syscall3(PK_SYS_MPROTECT, (long)addr, (long)len, prot));
}
