/*
 * time.c - clocks and sleeping on the time64 calls (clock_gettime64 403,
 * clock_nanosleep_time64 407).  CLOCK_* and TIMER_ABSTIME are Linux's values
 * (pakaya.h redefines picolibc's).  See include/pakaya.h.
 */
#include <errno.h>
#include <time.h>
#include <unistd.h>

#include "pakaya.h"

static struct pk_timespec64 to64(const struct timespec *ts)
{
    struct pk_timespec64 t = {.tv_sec = ts->tv_sec, .tv_nsec = ts->tv_nsec};
    return t;
}

static void from64(struct timespec *ts, const struct pk_timespec64 *t)
{
    ts->tv_sec = (time_t)t->tv_sec;
    ts->tv_nsec = (long)t->tv_nsec;
}

int pk_clock_gettime(int clk, struct pk_timespec64 *ts)
{
    return (int)pk_ret(pk_syscall2(PK_SYS_CLOCK_GETTIME64, clk, (long)ts));
}

int pk_clock_nanosleep(int clk, int flags, const struct pk_timespec64 *req, struct pk_timespec64 *rem)
{
    return (int)pk_ret(
        pk_syscall4(PK_SYS_CLOCK_NANOSLEEP_TIME64, clk, flags, (long)req, (long)rem));
}

uint64_t pk_monotonic_ns(void)
{
    struct pk_timespec64 t;
    if (pk_clock_gettime(PK_CLOCK_MONOTONIC, &t) < 0)
        return 0;
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

int pk_deadline_after(struct pk_timespec64 *out, uint64_t ns)
{
    if (pk_clock_gettime(PK_CLOCK_MONOTONIC, out) < 0)
        return -1;
    uint64_t total = (uint64_t)out->tv_nsec + ns % 1000000000u;
    out->tv_sec += (int64_t)(ns / 1000000000u + total / 1000000000u);
    out->tv_nsec = (int64_t)(total % 1000000000u);
    return 0;
}

int clock_gettime(clockid_t clk, struct timespec *ts)
{
    struct pk_timespec64 t;
    if (pk_clock_gettime((int)clk, &t) < 0)
        return -1;
    from64(ts, &t);
    return 0;
}

int clock_nanosleep(clockid_t clk, int flags, const struct timespec *req, struct timespec *rem)
{
    struct pk_timespec64 r = to64(req), left = {0, 0};
    if (pk_clock_nanosleep((int)clk, flags, &r, &left) < 0) {
        int e = errno;
        if (e == EINTR && rem != NULL && (flags & TIMER_ABSTIME) == 0)
            from64(rem, &left);
        return e;
    }
    return 0;
}

int nanosleep(const struct timespec *req, struct timespec *rem)
{
    int e = clock_nanosleep(CLOCK_MONOTONIC, 0, req, rem);
    if (e != 0) {
        errno = e;
        return -1;
    }
    return 0;
}

int usleep(useconds_t us)
{
    struct timespec t = {.tv_sec = us / 1000000, .tv_nsec = (long)(us % 1000000) * 1000};
    return nanosleep(&t, NULL);
}

unsigned sleep(unsigned seconds)
{
    struct timespec t = {.tv_sec = seconds, .tv_nsec = 0}, left = {0, 0};
    if (nanosleep(&t, &left) < 0 && errno == EINTR)
        return (unsigned)left.tv_sec + (left.tv_nsec > 0);
    return 0;
}
