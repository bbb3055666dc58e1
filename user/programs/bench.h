/*
 * bench.h - shared helpers for the benchmark programs (header-only).
 *
 * Every benchmark takes its problem size from argv[1] (a positive decimal
 * number) and uses a deterministic built-in default otherwise; it prints one
 * line "<name>: n=<size> checksum=0x<8 hex digits>" and exits 0, or exits 1
 * if a self-check fails, 2 on a bad argument.  Integer arithmetic only.
 */
#ifndef PAKAYA_BENCH_H
#define PAKAYA_BENCH_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* Problem size: argv[1] if given (must be a positive integer), else def. */
static inline uint32_t bench_size(int argc, char **argv, uint32_t def)
{
    if (argc < 2)
        return def;
    char *end;
    unsigned long v = strtoul(argv[1], &end, 10);
    if (*argv[1] == '\0' || *end != '\0' || v == 0 || v > 0xffffffffUL) {
        fprintf(stderr, "%s: bad size '%s' (want a positive integer)\n", argv[0], argv[1]);
        exit(2);
    }
    return (uint32_t)v;
}

/* Numerical Recipes LCG: deterministic pseudo-random stream. */
static inline uint32_t lcg_next(uint32_t *state)
{
    *state = *state * 1664525u + 1013904223u;
    return *state;
}

/* Uniform-ish value in [0, bound) from the high bits of the LCG. */
static inline uint32_t lcg_below(uint32_t *state, uint32_t bound)
{
    return (uint32_t)(((uint64_t)lcg_next(state) * bound) >> 32);
}

/* FNV-1a over 32-bit words: order-sensitive checksum mixing. */
static inline uint32_t fnv_mix(uint32_t h, uint32_t word)
{
    for (int i = 0; i < 4; i++) {
        h ^= (word >> (8 * i)) & 0xff;
        h *= 16777619u;
    }
    return h;
}
#define FNV_INIT 2166136261u

static inline void *bench_alloc(size_t bytes)
{
    void *p = malloc(bytes);
    if (p == NULL) {
        fprintf(stderr, "out of memory (%lu bytes)\n", (unsigned long)bytes);
        exit(1);
    }
    return p;
}

#endif /* PAKAYA_BENCH_H */
