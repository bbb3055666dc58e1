/*
 * check.h - shared helpers for the test programs (header-only): names for
 * Linux errno values in raw results, a CHECK macro that prints a failed
 * condition and counts it, and a child-status formatter.  Output is
 * deterministic: no addresses, pids or times.  Also a page shared with fork
 * children and a one-shot "gate" on it (shared futex) to order parent and
 * child.
 */
#ifndef PAKAYA_CHECK_H
#define PAKAYA_CHECK_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

#include "pakaya.h"

static int check_failures;

/* CHECK(cond): print "FAIL: <cond> (line N)" and count it when cond is false. */
#define CHECK(cond)                                                       \
    do {                                                                  \
        if (!(cond)) {                                                    \
            printf("FAIL: %s (line %d)\n", #cond, __LINE__);              \
            check_failures++;                                             \
        }                                                                 \
    } while (0)

/*
 * CHECK_ERR(expr, e): expr (a C-convention call) must fail with -1 and errno
 * e (picolibc's <errno.h> name); prints what it got otherwise.
 */
#define CHECK_ERR(expr, e)                                                              \
    do {                                                                                \
        errno = 0;                                                                      \
        long r_ = (long)(expr);                                                         \
        if (r_ != -1 || errno != (e)) {                                                 \
            printf("FAIL: %s -> %ld errno %d, want -1 errno %d (line %d)\n", #expr, r_,  \
                   errno, (e), __LINE__);                                               \
            check_failures++;                                                           \
        }                                                                               \
    } while (0)

/* CHECK_OK(expr): expr (a C-convention call) must not return -1; prints errno otherwise. */
#define CHECK_OK(expr)                                                                  \
    do {                                                                                \
        errno = 0;                                                                      \
        if ((long)(expr) == -1) {                                                       \
            printf("FAIL: %s -> -1 errno %d (line %d)\n", #expr, errno, __LINE__);       \
            check_failures++;                                                           \
        }                                                                               \
    } while (0)

/* Exit status for main: 0 when every CHECK held, 1 otherwise. */
static inline int check_status(void)
{
    return check_failures == 0 ? 0 : 1;
}

/* Name of a Linux errno value (as raw results carry it, negated). */
static inline const char *linux_errname(long e)
{
    switch (e) {
    case 1: return "EPERM";
    case 2: return "ENOENT";
    case 3: return "ESRCH";
    case 4: return "EINTR";
    case 7: return "E2BIG";
    case 8: return "ENOEXEC";
    case 9: return "EBADF";
    case 10: return "ECHILD";
    case 11: return "EAGAIN";
    case 12: return "ENOMEM";
    case 13: return "EACCES";
    case 14: return "EFAULT";
    case 17: return "EEXIST";
    case 22: return "EINVAL";
    case 24: return "EMFILE";
    case 32: return "EPIPE";
    case 36: return "ENAMETOOLONG";
    case 38: return "ENOSYS";
    case 75: return "EOVERFLOW";
    case 90: return "EMSGSIZE";
    case 95: return "EOPNOTSUPP";
    case 110: return "ETIMEDOUT";
    default: return "E?";
    }
}

/* Raw result r as text: "ok" (r >= 0 and not shown), or "-14 EFAULT". */
static inline const char *raw_result(long r, char *buf, size_t size)
{
    if (PK_IS_ERR(r))
        snprintf(buf, size, "%ld %s", r, linux_errname(-r));
    else
        snprintf(buf, size, "ok");
    return buf;
}

/* A wait status as text: "exited 3", "killed by signal 11", ... */
static inline const char *status_text(int status, char *buf, size_t size)
{
    if (WIFEXITED(status))
        snprintf(buf, size, "exited %d", WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        snprintf(buf, size, "killed by signal %d", WTERMSIG(status));
    else if (WIFSTOPPED(status))
        snprintf(buf, size, "stopped by signal %d", WSTOPSIG(status));
    else
        snprintf(buf, size, "status 0x%x", status);
    return buf;
}

/* A zeroed page shared with fork children (MAP_SHARED | MAP_ANONYMOUS); exits 1 on failure. */
static inline volatile uint32_t *shared_page(void)
{
    void *p = mmap(NULL, 4096, PK_PROT_READ | PK_PROT_WRITE, PK_MAP_SHARED | PK_MAP_ANONYMOUS, -1, 0);
    if (p == PK_MAP_FAILED) {
        printf("FAIL: shared mmap\n");
        exit(1);
    }
    return p;
}

/* gate_open(g): set the word to 1 and wake its waiters (shared futex: works across fork). */
static inline void gate_open(volatile uint32_t *g)
{
    __atomic_store_n(g, 1, __ATOMIC_RELEASE);
    pk_futex_wake(g, 1000, 0);
}

/* gate_wait(g): wait until the word is 1 (timeouts of 100 ms, 100 tries); 0 ok, -1 gave up. */
static inline int gate_wait(volatile uint32_t *g)
{
    struct pk_timespec64 t = {0, 100000000};
    for (int i = 0; i < 100; i++) {
        if (__atomic_load_n(g, __ATOMIC_ACQUIRE) != 0)
            return 0;
        pk_futex_wait(g, 0, &t, 0);
    }
    return __atomic_load_n(g, __ATOMIC_ACQUIRE) != 0 ? 0 : -1;
}

#endif /* PAKAYA_CHECK_H */
