/*
 * check.h - shared helpers for the test programs (header-only): names for
 * Linux errno values in raw results, a CHECK macro that prints a failed
 * condition and counts it, and a child-status formatter.  Output is
 * deterministic: no addresses, pids or times.
 */
#ifndef PAKAYA_CHECK_H
#define PAKAYA_CHECK_H

#include <stdio.h>
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
    case 36: return "ENAMETOOLONG";
    case 38: return "ENOSYS";
    case 75: return "EOVERFLOW";
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

#endif /* PAKAYA_CHECK_H */
