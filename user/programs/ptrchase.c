/*
 * ptrchase.c - memory latency benchmark: follows `next` pointers around a ring
 * of n 16-byte nodes linked in a random cyclic order (Sattolo's shuffle driven
 * by an LCG, seed 6), so nearly every step is a cache miss once the ring is
 * larger than the caches (the default ring is 64 MiB).  Walks 2 laps (2n steps).
 *
 *   argv[1] = n, nodes in the ring (memory = 16 n bytes, plus 4 n while building)
 *   default n = 4194304   small n = 131072
 *
 * Output: "ptrchase: n=<n> checksum=0x<FNV-1a of the node ids visited every
 * 1024 steps, then the sum of all ids visited>".
 * Self-check: after each lap the walk is back at node 0.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench.h"

#define DEFAULT_N 4194304u
#define LAPS 2

struct node {
    struct node *next;
    uint32_t id;
    uint32_t pad[2];
};

int main(int argc, char **argv)
{
    uint32_t n = bench_size(argc, argv, DEFAULT_N);
    struct node *ring = bench_alloc((size_t)n * sizeof *ring);
    uint32_t *perm = bench_alloc((size_t)n * sizeof *perm);

    /* Sattolo: a uniformly random permutation that is a single n-cycle */
    for (uint32_t i = 0; i < n; i++)
        perm[i] = i;
    uint32_t seed = 6;
    for (uint32_t i = n - 1; i > 0; i--) {
        uint32_t j = lcg_below(&seed, i); /* 0 <= j < i */
        uint32_t t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
    for (uint32_t i = 0; i < n; i++) {
        ring[i].next = &ring[perm[i]];
        ring[i].id = i;
        ring[i].pad[0] = ring[i].pad[1] = 0;
    }
    free(perm);

    uint32_t h = FNV_INIT, sum = 0;
    const struct node *p = &ring[0];
    for (int lap = 0; lap < LAPS; lap++) {
        for (uint32_t s = 0; s < n; s++) {
            sum += p->id;
            if ((s & 1023) == 0)
                h = fnv_mix(h, p->id);
            p = p->next;
        }
        if (p != &ring[0]) {
            printf("ptrchase: lap %d ended at node %lu, not 0\n", lap, (unsigned long)p->id);
            return 1;
        }
    }
    h = fnv_mix(h, sum);
    free(ring);

    printf("ptrchase: n=%lu checksum=0x%08lx\n", (unsigned long)n, (unsigned long)h);
    return 0;
}
