/*
 * pagefault.c - demand-zero page fault benchmark: mmap a 16 MiB anonymous
 * region, write one byte to each page (one fault per page), read them back,
 * munmap; repeat until n pages have been touched.
 *
 *   argv[1] = n pages     default n = 400000   small n = 8192
 *
 * Output: "pagefault: n=<n> checksum=0x<...>" (FNV of the bytes read back).
 * Exit 1 if mmap/munmap fails or a page was not zero before the write.
 */
#include <stdint.h>
#include <stdio.h>

#include "bench.h"
#include "pakaya.h"

#define DEFAULT_N 400000u
#define PAGE 4096u
#define REGION_PAGES 4096u /* 16 MiB */

int main(int argc, char **argv)
{
    uint32_t n = bench_size(argc, argv, DEFAULT_N);
    uint32_t sum = FNV_INIT, left = n;
    while (left > 0) {
        uint32_t pages = left < REGION_PAGES ? left : REGION_PAGES;
        volatile uint8_t *p = mmap(NULL, pages * PAGE, PK_PROT_READ | PK_PROT_WRITE,
                                   PK_MAP_PRIVATE | PK_MAP_ANONYMOUS, -1, 0);
        if (p == PK_MAP_FAILED) {
            puts("pagefault: mmap failed");
            return 1;
        }
        for (uint32_t i = 0; i < pages; i++) {
            if (p[i * PAGE + (i & 4095)] != 0)
                return 1;
            p[i * PAGE + (i & 4095)] = (uint8_t)(i * 131 + left);
        }
        uint32_t acc = 0;
        for (uint32_t i = 0; i < pages; i++)
            acc = acc * 31u + p[i * PAGE + (i & 4095)];
        sum = fnv_mix(sum, acc);
        if (munmap((void *)p, pages * PAGE) != 0) {
            puts("pagefault: munmap failed");
            return 1;
        }
        left -= pages;
    }
    printf("pagefault: n=%lu checksum=0x%08lx\n", (unsigned long)n, (unsigned long)sum);
    return 0;
}
