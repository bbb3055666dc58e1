/*
 * crc32.c - CRC-32 benchmark (IEEE 802.3: reflected, polynomial 0xEDB88320,
 * init and final xor 0xFFFFFFFF; what zlib and `cksum -a crc32b` compute).
 *
 * Computes the CRC of n bytes: a 64 KiB buffer of LCG bytes (seed 1) repeated
 * as often as needed.  Table-driven, one byte per step.
 *
 *   argv[1] = n, bytes to checksum
 *   default n = 500000000   small n = 2000000
 *
 * Output: "crc32: n=<n> checksum=0x<crc>".  Self-check: CRC("123456789") must
 * be 0xCBF43926.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "bench.h"

#define DEFAULT_N 500000000u
#define BUF_SIZE 65536u

static uint32_t table[256];
static uint8_t buf[BUF_SIZE];

static void make_table(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        table[i] = c;
    }
}

/* Continue a CRC (pass 0xFFFFFFFF to start; xor the result with it to end). */
static uint32_t crc_update(uint32_t crc, const uint8_t *p, uint32_t len)
{
    while (len--)
        crc = table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
    return crc;
}

int main(int argc, char **argv)
{
    uint32_t n = bench_size(argc, argv, DEFAULT_N);
    make_table();

    const char *check = "123456789";
    uint32_t c = crc_update(0xFFFFFFFFu, (const uint8_t *)check, (uint32_t)strlen(check)) ^ 0xFFFFFFFFu;
    if (c != 0xCBF43926u) {
        printf("crc32: self-check failed: 0x%08lx\n", (unsigned long)c);
        return 1;
    }

    uint32_t seed = 1;
    for (uint32_t i = 0; i < BUF_SIZE; i++)
        buf[i] = (uint8_t)(lcg_next(&seed) >> 24);

    uint32_t crc = 0xFFFFFFFFu;
    uint32_t left = n;
    while (left > 0) {
        uint32_t chunk = left < BUF_SIZE ? left : BUF_SIZE;
        crc = crc_update(crc, buf, chunk);
        left -= chunk;
    }
    crc ^= 0xFFFFFFFFu;

    printf("crc32: n=%lu checksum=0x%08lx\n", (unsigned long)n, (unsigned long)crc);
    return 0;
}
