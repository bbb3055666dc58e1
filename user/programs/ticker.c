/*
 * ticker.c - a long-lived, deterministic worker for checkpoint, recovery and
 * migration tests: n rounds; each round rewrites a 16 KiB buffer (so pages
 * change between checkpoints), prints "tick <i>" and sleeps ms milliseconds
 * of guest time.
 *
 *   argv[1] = rounds           default 20
 *   argv[2] = ms per round     default 100
 *   argv[3] = ballast KiB      default 0: a heap block filled once at the start
 *             (the same bytes in every process) and never written again, as a
 *             program's tables and caches are; folded into the checksum
 *
 * Output: "tick <i>" per round, then "ticker: n=<n> checksum=0x<...>" (FNV of
 * every word written, the same however often the process was checkpointed,
 * restored or moved); exit 0.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "pakaya.h"

#define WORDS 4096u

static uint32_t buf[WORDS];

int main(int argc, char **argv)
{
    unsigned n = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 20u;
    unsigned ms = argc > 2 ? (unsigned)strtoul(argv[2], NULL, 10) : 100u;
    unsigned ballast = argc > 3 ? (unsigned)strtoul(argv[3], NULL, 10) : 0u;
    uint32_t h = 2166136261u;
    if (ballast > 0) {
        size_t words = (size_t)ballast * 256u;
        uint32_t *b = malloc(words * sizeof(uint32_t));
        if (b == NULL) {
            printf("ticker: no memory for %u KiB\n", ballast);
            return 2;
        }
        for (size_t j = 0; j < words; j++) {
            b[j] = (uint32_t)j * 2654435761u + 0x9e3779b9u;
            h = (h ^ b[j]) * 16777619u;
        }
    }
    for (unsigned i = 0; i < n; i++) {
        for (unsigned j = 0; j < WORDS; j++) {
            buf[j] = buf[j] * 1664525u + 1013904223u + i + j;
            h = (h ^ buf[j]) * 16777619u;
        }
        printf("tick %u\n", i);
        struct timespec ts = {(time_t)(ms / 1000u), (long)(ms % 1000u) * 1000000L};
        nanosleep(&ts, NULL);
    }
    printf("ticker: n=%u checksum=0x%08x\n", n, (unsigned)h);
    return 0;
}
