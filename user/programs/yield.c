/*
 * yield.c - scheduler benchmark: two threads (pk_thread_create) each call
 * sched_yield() n times, so with one CPU every call is a thread switch.
 *
 *   argv[1] = n yields per thread     default n = 1800000   small n = 20000
 *
 * Output: "yield: n=<n> checksum=0x<...>" (FNV of both threads' counts).
 * Exit 1 if a thread cannot be created or a yield fails.
 */
#include <stdint.h>
#include <stdio.h>

#include "bench.h"
#include "pakaya.h"

#define DEFAULT_N 1800000u

static uint32_t n;

static void *yielder(void *arg)
{
    uint32_t *done = arg;
    for (uint32_t i = 0; i < n; i++)
        if (pk_syscall0(PK_SYS_SCHED_YIELD) == 0)
            (*done)++;
    return NULL;
}

int main(int argc, char **argv)
{
    n = bench_size(argc, argv, DEFAULT_N);
    static uint32_t done[2];
    pk_thread_t t[2];
    for (int i = 0; i < 2; i++)
        if (pk_thread_create(&t[i], yielder, &done[i]) != 0) {
            puts("yield: pk_thread_create failed");
            return 1;
        }
    for (int i = 0; i < 2; i++)
        pk_thread_join(t[i], NULL);
    uint32_t sum = fnv_mix(fnv_mix(FNV_INIT, done[0]), done[1]);
    printf("yield: n=%lu checksum=0x%08lx\n", (unsigned long)n, (unsigned long)sum);
    return done[0] == n && done[1] == n ? 0 : 1;
}
