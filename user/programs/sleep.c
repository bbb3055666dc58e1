/*
 * sleep.c - clocks and sleeping on clock_gettime64 / clock_nanosleep_time64.
 *
 * Checks (no times are printed, only comparisons): CLOCK_MONOTONIC never goes
 * back over many reads; nanosleep, usleep and a relative clock_nanosleep
 * sleep at least as long as asked; an absolute (TIMER_ABSTIME) sleep ends
 * at or after its deadline, one in the past returns at once; sleep(0) is 0;
 * CLOCK_REALTIME is after 2020; the CPU-time clocks advance with work and
 * not while sleeping much; bad arguments: tv_nsec >= 1e9 and a negative
 * tv_sec give EINVAL, an unknown clock EINVAL, a NULL timespec EFAULT,
 * clock_nanosleep on the thread CPU-time clock EOPNOTSUPP (95), as Linux.
 *
 *   sleep
 *
 * Output: one line per check; "sleep ok"; exit 0 (1 if a check fails).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "pakaya.h"

#define MS 1000000ull

static uint64_t ns(int clk)
{
    struct pk_timespec64 t = {0, 0};
    CHECK(pk_clock_gettime(clk, &t) == 0);
    return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

static const char *yes(int c)
{
    CHECK(c);
    return c ? "yes" : "no";
}

static volatile uint32_t sink;

int main(void)
{
    puts("sleep: start");
    uint64_t prev = ns(CLOCK_MONOTONIC);
    int never_back = 1;
    for (int i = 0; i < 1000; i++) {
        uint64_t now = ns(CLOCK_MONOTONIC);
        never_back &= now >= prev;
        prev = now;
    }
    printf("monotonic never goes back: %s\n", yes(never_back));

    uint64_t t0 = ns(CLOCK_MONOTONIC);
    struct timespec req = {0, 20 * (long)MS};
    CHECK(nanosleep(&req, NULL) == 0);
    uint64_t t1 = ns(CLOCK_MONOTONIC);
    printf("nanosleep 20 ms: slept at least that: %s\n", yes(t1 - t0 >= 20 * MS));

    CHECK(usleep(15000) == 0);
    uint64_t t2 = ns(CLOCK_MONOTONIC);
    printf("usleep 15 ms: slept at least that: %s\n", yes(t2 - t1 >= 15 * MS));

    struct timespec rel = {0, 10 * (long)MS};
    CHECK(clock_nanosleep(CLOCK_MONOTONIC, 0, &rel, NULL) == 0);
    uint64_t t3 = ns(CLOCK_MONOTONIC);
    printf("clock_nanosleep relative 10 ms: %s\n", yes(t3 - t2 >= 10 * MS));

    uint64_t deadline = t3 + 25 * MS;
    struct timespec abs = {(time_t)(deadline / 1000000000ull), (long)(deadline % 1000000000ull)};
    CHECK(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &abs, NULL) == 0);
    uint64_t t4 = ns(CLOCK_MONOTONIC);
    printf("clock_nanosleep absolute +25 ms: woke at or after the deadline: %s\n",
           yes(t4 >= deadline));

    struct timespec past = {0, 1};
    CHECK(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &past, NULL) == 0);
    uint64_t t5 = ns(CLOCK_MONOTONIC);
    printf("clock_nanosleep absolute in the past: returned within 5 ms: %s\n",
           yes(t5 - t4 < 5 * MS));
    printf("sleep(0): %u\n", sleep(0));

    printf("realtime after 2020: %s\n", yes(ns(CLOCK_REALTIME) / 1000000000ull > 1577836800ull));

    uint64_t c0 = ns(CLOCK_PROCESS_CPUTIME_ID), h0 = ns(CLOCK_THREAD_CPUTIME_ID);
    for (uint32_t i = 0; i < 3000000; i++)
        sink += i * i;
    uint64_t c1 = ns(CLOCK_PROCESS_CPUTIME_ID), h1 = ns(CLOCK_THREAD_CPUTIME_ID);
    printf("cpu-time clocks advance with work: %s\n", yes(c1 > c0 && h1 > h0));
    struct timespec nap = {0, 50 * (long)MS};
    CHECK(nanosleep(&nap, NULL) == 0);
    uint64_t c2 = ns(CLOCK_PROCESS_CPUTIME_ID);
    printf("process cpu time grows less than 25 ms in a 50 ms sleep: %s\n",
           yes(c2 - c1 < 25 * MS));

    struct pk_timespec64 bad_nsec = {0, 1000000000};
    struct pk_timespec64 neg_sec = {-1, 0};
    struct pk_timespec64 ok = {0, 1000};
    struct pk_timespec64 out;
    long r;
    r = pk_syscall4(PK_SYS_CLOCK_NANOSLEEP_TIME64, PK_CLOCK_MONOTONIC, 0, (long)&bad_nsec, 0);
    printf("tv_nsec = 1e9: %ld\n", r);
    CHECK(r == -PK_EINVAL);
    r = pk_syscall4(PK_SYS_CLOCK_NANOSLEEP_TIME64, PK_CLOCK_MONOTONIC, 0, (long)&neg_sec, 0);
    printf("tv_sec = -1: %ld\n", r);
    CHECK(r == -PK_EINVAL);
    r = pk_syscall4(PK_SYS_CLOCK_NANOSLEEP_TIME64, PK_CLOCK_THREAD_CPUTIME_ID, 0, (long)&ok, 0);
    printf("clock_nanosleep on the thread cpu clock: %ld\n", r);
    CHECK(r == -PK_EOPNOTSUPP);
    r = pk_syscall4(PK_SYS_CLOCK_NANOSLEEP_TIME64, 99, 0, (long)&ok, 0);
    printf("clock_nanosleep on clock 99: %ld\n", r);
    CHECK(r == -PK_EINVAL);
    r = pk_syscall2(PK_SYS_CLOCK_GETTIME64, 99, (long)&out);
    printf("clock_gettime clock 99: %ld\n", r);
    CHECK(r == -PK_EINVAL);
    r = pk_syscall2(PK_SYS_CLOCK_GETTIME64, PK_CLOCK_MONOTONIC, 0);
    printf("clock_gettime NULL: %ld\n", r);
    CHECK(r == -PK_EFAULT);
    r = pk_syscall4(PK_SYS_CLOCK_NANOSLEEP_TIME64, PK_CLOCK_MONOTONIC, 0, 0, 0);
    printf("clock_nanosleep NULL: %ld\n", r);
    CHECK(r == -PK_EFAULT);

    puts(check_failures == 0 ? "sleep ok" : "sleep FAILED");
    return check_status();
}
