/*
 * qsort.c - sorting benchmark: our own quicksort (median-of-three pivot,
 * insertion sort for short ranges, recursion on the smaller side) over n
 * 32-bit values from an LCG (seed 3) in a malloc'ed array.
 *
 *   argv[1] = n, number of elements
 *   default n = 12000000   small n = 100000
 *
 * Output: "qsort: n=<n> checksum=0x<FNV-1a of the sorted array>".
 * Self-check: the result must be in order.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench.h"

#define DEFAULT_N 12000000u

static void insertion_sort(uint32_t *a, long lo, long hi)
{
    for (long i = lo + 1; i <= hi; i++) {
        uint32_t v = a[i];
        long j = i - 1;
        while (j >= lo && a[j] > v) {
            a[j + 1] = a[j];
            j--;
        }
        a[j + 1] = v;
    }
}

static inline void swap(uint32_t *a, long i, long j)
{
    uint32_t t = a[i];
    a[i] = a[j];
    a[j] = t;
}

static void quicksort(uint32_t *a, long lo, long hi)
{
    while (hi - lo > 16) {
        long mid = lo + (hi - lo) / 2;
        /* median of three into a[mid], with a[lo] <= a[mid] <= a[hi] */
        if (a[mid] < a[lo])
            swap(a, mid, lo);
        if (a[hi] < a[lo])
            swap(a, hi, lo);
        if (a[hi] < a[mid])
            swap(a, hi, mid);
        uint32_t pivot = a[mid];
        long i = lo, j = hi;
        /* Hoare partition */
        for (;;) {
            do
                i++;
            while (a[i] < pivot);
            do
                j--;
            while (a[j] > pivot);
            if (i >= j)
                break;
            swap(a, i, j);
        }
        /* recurse into the smaller part, loop on the larger */
        if (j - lo < hi - j) {
            quicksort(a, lo, j);
            lo = j + 1;
        } else {
            quicksort(a, j + 1, hi);
            hi = j;
        }
    }
    insertion_sort(a, lo, hi);
}

int main(int argc, char **argv)
{
    uint32_t n = bench_size(argc, argv, DEFAULT_N);
    uint32_t *a = bench_alloc((size_t)n * sizeof *a);

    uint32_t seed = 3;
    for (uint32_t i = 0; i < n; i++)
        a[i] = lcg_next(&seed);

    quicksort(a, 0, (long)n - 1);

    uint32_t h = FNV_INIT;
    for (uint32_t i = 0; i < n; i++) {
        if (i > 0 && a[i - 1] > a[i]) {
            printf("qsort: not sorted at %lu\n", (unsigned long)i);
            return 1;
        }
        h = fnv_mix(h, a[i]);
    }
    free(a);

    printf("qsort: n=%lu checksum=0x%08lx\n", (unsigned long)n, (unsigned long)h);
    return 0;
}
