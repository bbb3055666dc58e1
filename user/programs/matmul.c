/*
 * matmul.c - integer matrix multiply benchmark: C = A x B for n x n matrices
 * of 32-bit integers (entries of A and B in [-128, 127] from an LCG, seed 4;
 * products accumulate modulo 2^32), i-k-j loop order.
 *
 *   argv[1] = n, matrix dimension (work grows as n^3)
 *   default n = 960   small n = 128
 *
 * Output: "matmul: n=<n> checksum=0x<FNV-1a of C, row by row>".
 * Self-check: C[i][j] for a few (i, j) recomputed as a dot product.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

#define DEFAULT_N 960u

int main(int argc, char **argv)
{
    uint32_t n = bench_size(argc, argv, DEFAULT_N);
    size_t cells = (size_t)n * n;
    uint32_t *a = bench_alloc(cells * sizeof *a);
    uint32_t *b = bench_alloc(cells * sizeof *b);
    uint32_t *c = bench_alloc(cells * sizeof *c);

    uint32_t seed = 4;
    for (size_t i = 0; i < cells; i++)
        a[i] = (uint32_t)((int32_t)(lcg_next(&seed) >> 24) - 128);
    for (size_t i = 0; i < cells; i++)
        b[i] = (uint32_t)((int32_t)(lcg_next(&seed) >> 24) - 128);
    memset(c, 0, cells * sizeof *c);

    for (uint32_t i = 0; i < n; i++) {
        uint32_t *ci = c + (size_t)i * n;
        const uint32_t *ai = a + (size_t)i * n;
        for (uint32_t k = 0; k < n; k++) {
            uint32_t aik = ai[k];
            const uint32_t *bk = b + (size_t)k * n;
            for (uint32_t j = 0; j < n; j++)
                ci[j] += aik * bk[j];
        }
    }

    /* spot-check a few cells the slow way */
    for (uint32_t t = 0; t < 4; t++) {
        uint32_t i = (t * 7919u) % n, j = (t * 104729u + 1) % n;
        uint32_t dot = 0;
        for (uint32_t k = 0; k < n; k++)
            dot += a[(size_t)i * n + k] * b[(size_t)k * n + j];
        if (dot != c[(size_t)i * n + j]) {
            printf("matmul: self-check failed at (%lu,%lu)\n", (unsigned long)i, (unsigned long)j);
            return 1;
        }
    }

    uint32_t h = FNV_INIT;
    for (size_t i = 0; i < cells; i++)
        h = fnv_mix(h, c[i]);
    free(c);
    free(b);
    free(a);

    printf("matmul: n=%lu checksum=0x%08lx\n", (unsigned long)n, (unsigned long)h);
    return 0;
}
