/*
 * iso_nosys.c - hostile: system call numbers nobody implements.
 *
 * Calls each number below with junk arguments and prints the raw result; each
 * must be -38 (ENOSYS), as on Linux, and the process must carry on.  Numbers:
 * negative ones, i.e. with the top bit set (-1, -2, -4095, -4096, INT_MIN),
 * just past the Linux table (463, 999) and far past the Pakaya range (1000,
 * 4096, 65535, 65536, 0x12345678, 0x7fffffff).
 *
 *   iso_nosys
 *
 * Output: one line per number, then "iso_nosys: N of N gave ENOSYS"; exit 0
 * if all did, 1 otherwise.
 */
#include <stdint.h>
#include <stdio.h>

#include "check.h"
#include "pakaya.h"

static const long numbers[] = {
    -1, -2, -4095, -4096, (long)INT32_MIN, 463, 999, 1000, 4096, 65535, 65536, 0x12345678,
    0x7fffffff,
};

int main(void)
{
    int n = (int)(sizeof numbers / sizeof numbers[0]), enosys = 0;
    for (int i = 0; i < n; i++) {
        long r = pk_syscall6(numbers[i], -1, 0x80000000L, 0, 1, 2, 3);
        char buf[32];
        printf("syscall %ld: %s\n", numbers[i], raw_result(r, buf, sizeof buf));
        enosys += r == -PK_ENOSYS;
    }
    printf("iso_nosys: %d of %d gave ENOSYS\n", enosys, n);
    return enosys == n ? 0 : 1;
}
