/*
 * pkspawn.c - [Pakaya only] program start benchmark: n times pk_spawn("true")
 * and wait for it with waitid: ELF load, process creation and teardown.
 *
 *   argv[1] = n processes     default n = 1000   small n = 200
 *
 * Output: "pkspawn: n=<n> checksum=0x<...>" (FNV of the exit statuses, all
 * 0: for n = 200 that is 0x47a88045); exit 1 if a spawn or wait fails.  Under
 * Linux/qemu-riscv32 spawn is ENOSYS: prints "pkspawn: not running on
 * Pakaya (ENOSYS)", exit 2.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "bench.h"
#include "pakaya.h"

#define DEFAULT_N 1000u

int main(int argc, char **argv)
{
    uint32_t n = bench_size(argc, argv, DEFAULT_N);
    char *true_argv[] = {"true", NULL};
    char *no_env[] = {NULL};
    uint32_t sum = FNV_INIT;
    for (uint32_t i = 0; i < n; i++) {
        pid_t pid = pk_spawn("true", true_argv, no_env);
        if (pid < 0 && errno == ENOSYS) {
            puts("pkspawn: not running on Pakaya (ENOSYS)");
            return 2;
        }
        struct pk_siginfo info;
        memset(&info, 0, sizeof info);
        if (pid < 0 || pk_waitid(PK_P_PID, pid, &info, PK_WEXITED) != 0 ||
            info.si_code != PK_CLD_EXITED) {
            printf("pkspawn: process %lu failed\n", (unsigned long)i);
            return 1;
        }
        sum = fnv_mix(sum, (uint32_t)info.si_status);
    }
    printf("pkspawn: n=%lu checksum=0x%08lx\n", (unsigned long)n, (unsigned long)sum);
    return 0;
}
