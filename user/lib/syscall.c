/*
 * syscall.c - libpakaya's system call wrappers: what picolibc needs from the
 * operating system (write, read, _exit, sbrk) on the Linux riscv32 ABI.
 * See include/pakaya.h.
 */
#include <errno.h>
#include <stdint.h>
#include <unistd.h>

#include "pakaya.h"

unsigned long *__pk_auxv; /* set by crt0 */

ssize_t read(int fd, void *buf, size_t count)
{
    return pk_ret(pk_syscall3(PK_SYS_READ, fd, (long)buf, (long)count));
}

ssize_t write(int fd, const void *buf, size_t count)
{
    return pk_ret(pk_syscall3(PK_SYS_WRITE, fd, (long)buf, (long)count));
}

void _exit(int status)
{
    for (;;)
        pk_syscall1(PK_SYS_EXIT_GROUP, status);
}

void pk_exit_thread(int status)
{
    for (;;)
        pk_syscall1(PK_SYS_EXIT, status);
}

void *pk_brk(void *addr)
{
    return (void *)pk_syscall1(PK_SYS_BRK, (long)addr);
}

/* Current break as libpakaya last saw it; 0 until first asked. */
static uintptr_t cur_brk;

static uintptr_t current_brk(void)
{
    if (cur_brk == 0)
        cur_brk = (uintptr_t)pk_brk(0);
    return cur_brk;
}

int brk(void *addr)
{
    uintptr_t got = (uintptr_t)pk_brk(addr);
    cur_brk = got;
    if (got != (uintptr_t)addr) {
        errno = ENOMEM;
        return -1;
    }
    return 0;
}

void *sbrk(ptrdiff_t incr)
{
    uintptr_t old = current_brk();
    if (incr == 0)
        return (void *)old;
    uintptr_t want = old + (uintptr_t)incr;
    /* Refuse wrap-around in either direction. */
    if ((incr > 0 && want < old) || (incr < 0 && want > old)) {
        errno = ENOMEM;
        return (void *)-1;
    }
    uintptr_t got = (uintptr_t)pk_brk((void *)want);
    cur_brk = got;
    if (got != want) {
        errno = ENOMEM;
        return (void *)-1;
    }
    return (void *)old;
}

unsigned long pk_getauxval(unsigned long type)
{
    unsigned long *p = __pk_auxv;
    if (p == 0)
        return 0;
    for (; p[0] != PK_AT_NULL; p += 2)
        if (p[0] == type)
            return p[1];
    return 0;
}
