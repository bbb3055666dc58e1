/*
 * shm.c - Pakaya shared regions (calls 510-513).  See include/pakaya.h.
 */
#include "pakaya.h"

int pk_shm_create(size_t size)
{
    return (int)pk_ret(pk_syscall1(PK_SYS_SHM_CREATE, (long)size));
}

void *pk_shm_map(int handle, void *addr, int prot)
{
    long r = pk_syscall3(PK_SYS_SHM_MAP, handle, (long)addr, prot);
    if (PK_IS_ERR(r)) {
        pk_ret(r);
        return PK_MAP_FAILED;
    }
    return (void *)r;
}

int pk_shm_grant(int handle, pid_t pid)
{
    return (int)pk_ret(pk_syscall2(PK_SYS_SHM_GRANT, handle, pid));
}

int pk_shm_close(int handle)
{
    return (int)pk_ret(pk_syscall1(PK_SYS_SHM_CLOSE, handle));
}
