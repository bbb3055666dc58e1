/*
 * pakaya.h - the Pakaya C SDK: system call numbers and libpakaya wrappers.
 *
 * System call ABI (identical to Linux riscv32, so every program also runs
 * unchanged under qemu-riscv32):
 *
 *   - `ecall` with the call number in a7 and up to six arguments in a0..a5;
 *   - the result comes back in a0; a value in [-4095, -1] is a negated errno
 *     (the raw pk_syscall* helpers return it as is, the libc-style wrappers
 *     below store it in `errno` and return -1 instead);
 *   - every other register is preserved.
 *
 * Calls that Linux has use their Linux riscv32 number and semantics; rv32 has
 * only the 64-bit-time forms of the clock and futex calls.  Pakaya-only calls
 * (ports, capabilities, spawn, ...) will be numbered from 500 up and are listed
 * in docs/syscalls.md.
 *
 * Programs start with the Linux/System V initial stack (argc, argv, envp,
 * auxv); lib/crt0.S turns it into main(argc, argv, envp), sets `environ`, sets
 * up thread-local storage for picolibc (errno lives there) and calls
 * exit(main(...)), which flushes stdout and stderr.
 */
#ifndef PAKAYA_H
#define PAKAYA_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- System call numbers (Linux riscv32) -------------------------------- */
/* Pakaya implements the calls listed in docs/syscalls.md (so far: write, writev, exit, exit_group,
 * set_tid_address, getpid, gettid, brk); any other number returns -ENOSYS (38), as Linux does. */

#define PK_SYS_READ 63                    /* read(fd, buf, count) */
#define PK_SYS_WRITE 64                   /* write(fd, buf, count) */
#define PK_SYS_WRITEV 66                  /* writev(fd, iov, iovcnt) */
#define PK_SYS_EXIT 93                    /* exit(status): this thread */
#define PK_SYS_EXIT_GROUP 94              /* exit_group(status): process */
#define PK_SYS_SET_TID_ADDRESS 96         /* set_tid_address(tidptr): returns the tid */
#define PK_SYS_SCHED_YIELD 124            /* sched_yield() */
#define PK_SYS_KILL 129                   /* kill(pid, sig) */
#define PK_SYS_GETPID 172                 /* getpid() */
#define PK_SYS_GETTID 178                 /* gettid() */
#define PK_SYS_BRK 214                    /* brk(addr), see pk_brk() */
#define PK_SYS_MUNMAP 215                 /* munmap(addr, len) */
#define PK_SYS_MMAP2 222                  /* mmap2(addr, len, prot, flags, fd, pgoff) */
#define PK_SYS_MPROTECT 226               /* mprotect(addr, len, prot) */
#define PK_SYS_CLOCK_GETTIME64 403        /* clock_gettime64(clk, ts) */
#define PK_SYS_CLOCK_NANOSLEEP_TIME64 407 /* clock_nanosleep_time64(...) */
#define PK_SYS_FUTEX_TIME64 422           /* futex_time64(...) */

/* First number of the Pakaya-only calls. */
#define PK_SYS_PAKAYA_BASE 500

/* ---- auxiliary vector types (subset of <elf.h> AT_*) -------------------- */

#define PK_AT_NULL 0
#define PK_AT_PHDR 3
#define PK_AT_PHENT 4
#define PK_AT_PHNUM 5
#define PK_AT_PAGESZ 6
#define PK_AT_ENTRY 9
#define PK_AT_RANDOM 25

/* ---- raw system calls ---------------------------------------------------- */

/*
 * pk_syscall6(n, a..f): issue system call n.  Returns the raw a0, i.e. a
 * negated errno on failure.  Unused arguments may be passed as 0.
 */
static inline long pk_syscall6(long n, long a, long b, long c, long d, long e, long f)
{
    register long a7 __asm__("a7") = n;
    register long a0 __asm__("a0") = a;
    register long a1 __asm__("a1") = b;
    register long a2 __asm__("a2") = c;
    register long a3 __asm__("a3") = d;
    register long a4 __asm__("a4") = e;
    register long a5 __asm__("a5") = f;
    __asm__ volatile("ecall"
                     : "+r"(a0)
                     : "r"(a7), "r"(a1), "r"(a2), "r"(a3), "r"(a4), "r"(a5)
                     : "memory");
    return a0;
}

static inline long pk_syscall0(long n) { return pk_syscall6(n, 0, 0, 0, 0, 0, 0); }
static inline long pk_syscall1(long n, long a) { return pk_syscall6(n, a, 0, 0, 0, 0, 0); }
static inline long pk_syscall2(long n, long a, long b) { return pk_syscall6(n, a, b, 0, 0, 0, 0); }
static inline long pk_syscall3(long n, long a, long b, long c)
{
    return pk_syscall6(n, a, b, c, 0, 0, 0);
}

/* True when a raw result is a negated errno. */
#define PK_IS_ERR(r) ((unsigned long)(r) > (unsigned long)-4096L)

/* ---- libpakaya wrappers (lib/syscall.c) ----------------------------------- */

/*
 * read / write: as POSIX.  Return the byte count, or -1 with errno set.
 * (Also declared by <unistd.h>.)
 */
ssize_t read(int fd, void *buf, size_t count);
ssize_t write(int fd, const void *buf, size_t count);

/*
 * _exit(status): end the whole process at once (exit_group), without running
 * atexit handlers or flushing stdio.  exit() (picolibc) runs atexit handlers
 * and destructors - libpakaya's destructor flushes stdout/stderr - and then
 * calls _exit().
 */
void _exit(int status) __attribute__((__noreturn__));

/* pk_exit_thread(status): the plain `exit` call (93): ends this thread only. */
void pk_exit_thread(int status) __attribute__((__noreturn__));

/*
 * pk_brk(addr): the raw Linux brk call.  pk_brk(0) returns the current break;
 * pk_brk(addr) moves the break to addr and returns the new break, or returns
 * the old (unchanged) break when the request cannot be satisfied.
 */
void *pk_brk(void *addr);

/*
 * brk(addr): the classic C-library form: set the break to addr; 0 on success,
 * -1 with errno = ENOMEM on failure.
 */
int brk(void *addr);

/*
 * sbrk(incr): move the break by incr bytes (may be negative).  Returns the old
 * break, or (void *)-1 with errno = ENOMEM.  picolibc's malloc uses this.
 */
void *sbrk(ptrdiff_t incr);

/* pk_getauxval(type): value of auxv entry `type`, or 0 if absent. */
unsigned long pk_getauxval(unsigned long type);

/* The auxiliary vector from the initial stack ({type, value} pairs, AT_NULL ends). */
extern unsigned long *__pk_auxv;

#ifdef __cplusplus
}
#endif

#endif /* PAKAYA_H */
