/*
 * spawnwait.c - process creation benchmark: n times fork (clone SIGCHLD), the
 * child calls _exit(i & 127) at once, the parent waits for it with waitid.
 *
 *   argv[1] = n processes     default n = 1000   small n = 200
 *
 * Output: "spawnwait: n=<n> checksum=0x<...>" (FNV of the exit statuses).
 * Exit 1 if a fork or wait fails or a status is wrong.
 */
#include <stdio.h>
#include <string.h>

#include "bench.h"
#include "pakaya.h"

#define DEFAULT_N 1000u

int main(int argc, char **argv)
{
    uint32_t n = bench_size(argc, argv, DEFAULT_N);
    uint32_t sum = FNV_INIT;
    for (uint32_t i = 0; i < n; i++) {
        pid_t pid = pk_fork();
        if (pid == 0)
            _exit((int)(i & 127));
        struct pk_siginfo info;
        memset(&info, 0, sizeof info);
        if (pid < 0 || pk_waitid(PK_P_PID, pid, &info, PK_WEXITED) != 0 ||
            info.si_code != PK_CLD_EXITED || info.si_status != (int)(i & 127)) {
            printf("spawnwait: process %lu failed\n", (unsigned long)i);
            return 1;
        }
        sum = fnv_mix(sum, (uint32_t)info.si_status);
    }
    printf("spawnwait: n=%lu checksum=0x%08lx\n", (unsigned long)n, (unsigned long)sum);
    return 0;
}
