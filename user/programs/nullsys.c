/*
 * nullsys.c - system call round trip benchmark: n calls of getppid(), the
 * cheapest call with a result (no arguments, no side effect).
 *
 *   argv[1] = n calls     default n = 4000000   small n = 100000
 *
 * Output: "nullsys: n=<n> checksum=0x<...>" (FNV of "same answer as the
 * first call" per call, so it does not depend on the pid).  Exit 1 if an
 * answer differs.
 */
#include <stdio.h>

#include "bench.h"
#include "pakaya.h"

#define DEFAULT_N 4000000u

int main(int argc, char **argv)
{
    uint32_t n = bench_size(argc, argv, DEFAULT_N);
    long first = pk_syscall0(PK_SYS_GETPPID);
    uint32_t sum = FNV_INIT, same = 0;
    for (uint32_t i = 0; i < n; i++)
        same += pk_syscall0(PK_SYS_GETPPID) == first;
    sum = fnv_mix(sum, same);
    printf("nullsys: n=%lu checksum=0x%08lx\n", (unsigned long)n, (unsigned long)sum);
    return same == n ? 0 : 1;
}
