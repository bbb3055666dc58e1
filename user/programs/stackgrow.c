/*
 * stackgrow.c - the main stack grows on demand.
 *
 * Checks: a recursion whose frames (1 KiB of locals each, all touched) add up
 * to n MiB runs to the end and unwinds with the right checksum (the stack
 * grows page by page, up to 8 MiB); then a fork child that recurses 64 MiB
 * deep runs into the limit (the guard page below the stack) and dies of
 * SIGSEGV, seen by the parent through waitid.
 *
 *   stackgrow [n]    n MiB deep (1..7, default 6)
 *
 * Output: "stackgrow: 6 MiB: depth 6144 checksum 0x<...> ok", "stackgrow:
 * 64 MiB child: signal 11"; exit 0 (1 if a check fails, 2 on a bad argument).
 * Under Pakaya the child gets a crash report on stderr.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "pakaya.h"

#define FRAME 1024u

/* One 1 KiB frame per level, written at both ends; returns a checksum of the levels. */
static uint32_t __attribute__((noinline)) dive(uint32_t depth)
{
    volatile uint8_t frame[FRAME];
    frame[0] = (uint8_t)depth;
    frame[FRAME - 1] = (uint8_t)(depth >> 8);
    uint32_t below = depth == 0 ? 0 : dive(depth - 1);
    return below * 31u + frame[0] + frame[FRAME - 1];
}

/* What dive(depth) returns, computed in a loop. */
static uint32_t expected(uint32_t depth)
{
    uint32_t r = 0;
    for (uint32_t d = 0; d <= depth; d++)
        r = r * 31u + (uint8_t)d + (uint8_t)(d >> 8);
    return r;
}

int main(int argc, char **argv)
{
    uint32_t mib = 6;
    if (argc > 1) {
        mib = (uint32_t)atoi(argv[1]);
        if (mib < 1 || mib > 7) {
            fprintf(stderr, "stackgrow: n must be 1..7 (MiB)\n");
            return 2;
        }
    }
    uint32_t depth = mib * 1024u; /* >= n MiB: each level uses more than FRAME bytes */
    uint32_t sum = dive(depth);
    CHECK(sum == expected(depth));
    printf("stackgrow: %lu MiB: depth %lu checksum 0x%08lx %s\n", (unsigned long)mib,
           (unsigned long)depth, (unsigned long)sum, sum == expected(depth) ? "ok" : "WRONG");

    fflush(stdout);
    pid_t pid = pk_fork();
    if (pid == 0)
        _exit((int)(dive(64u * 1024u) & 1)); /* never returns: the stack limit stops it */
    struct pk_siginfo info;
    memset(&info, 0, sizeof info);
    CHECK(pid > 0 && pk_waitid(PK_P_PID, pid, &info, PK_WEXITED) == 0);
    int killed = info.si_code == PK_CLD_KILLED || info.si_code == PK_CLD_DUMPED;
    printf("stackgrow: 64 MiB child: %s %d\n", killed ? "signal" : "exit", (int)info.si_status);
    CHECK(killed && info.si_status == PK_SIGSEGV);
    return check_status();
}
