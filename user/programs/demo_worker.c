/*
 * demo_worker.c - the cluster demo's worker: a process whose state is worth
 * moving, that checks its own memory at the end.
 *
 *   demo_worker STEPS PAGES [MS]
 *
 * Fills PAGES pages of heap with words derived from their index, then for
 * STEPS steps advances every word (a bijective mix with the step number) and
 * sleeps MS milliseconds (default 100) between steps, printing "step k/STEPS on
 * NODE" after every tenth of the steps (after each one when STEPS < 10), NODE
 * being uname's nodename (the node running it now: it changes when the
 * process migrates or is restored elsewhere). At the end it replays
 * the whole computation from the indices and compares every word, so a page
 * lost, zeroed or stale after a migration or a restore is caught.
 *
 * Output: the step lines (about ten), then "demo_worker: STEPS steps over PAGES pages,
 * checksum 0xXXXXXXXX ok"; exit 0. A word that differs: "demo_worker: word I
 * is 0x.. not 0x..", exit 1. Bad arguments: usage line, exit 2.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "pakaya.h"

#define WORDS_PER_PAGE 1024u
#define PAGES_MAX 4096u
#define STEPS_MAX 100000u
#define MS_MAX 10000u

static uint32_t seed_of(uint32_t i)
{
    uint32_t x = i * 0x9e3779b9u + 0x7f4a7c15u;
    x ^= x >> 16;
    x *= 0x85ebca6bu;
    x ^= x >> 13;
    return x;
}

/* One step of one word: odd multiplier and xor-shift, so no two words collapse. */
static uint32_t mix(uint32_t x, uint32_t step)
{
    x = x * 2654435761u + step;
    return x ^ (x >> 15);
}

static int number(const char *s, unsigned max, unsigned *out)
{
    char *end;
    unsigned long v = strtoul(s, &end, 10);
    if (*s == '\0' || *end != '\0' || v > max) return 0;
    *out = (unsigned)v;
    return 1;
}

static void pause_ms(unsigned ms)
{
    struct timespec t = {(time_t)(ms / 1000u), (long)(ms % 1000u) * 1000000L};
    nanosleep(&t, 0);
}

int main(int argc, char **argv)
{
    unsigned steps, pages, ms = 100;
    if (argc < 3 || argc > 4 || !number(argv[1], STEPS_MAX, &steps) || !number(argv[2], PAGES_MAX, &pages) ||
        pages == 0 || (argc == 4 && !number(argv[3], MS_MAX, &ms))) {
        printf("usage: demo_worker STEPS PAGES [MS] (STEPS <= %u, 1 <= PAGES <= %u, MS <= %u)\n", STEPS_MAX,
               PAGES_MAX, MS_MAX);
        return 2;
    }
    uint32_t n = pages * WORDS_PER_PAGE;
    uint32_t *w = malloc((size_t)n * sizeof *w);
    if (w == 0) {
        printf("demo_worker: cannot allocate %u pages\n", pages);
        return 1;
    }
    for (uint32_t i = 0; i < n; i++) w[i] = seed_of(i);
    struct pk_utsname u;
    uint32_t every = steps >= 10 ? steps / 10 : 1;
    for (uint32_t s = 1; s <= steps; s++) {
        for (uint32_t i = 0; i < n; i++) w[i] = mix(w[i], s);
        if (s % every == 0 || s == steps) {
            if (pk_uname(&u) != 0) u.nodename[0] = '\0';
            printf("step %u/%u on %s\n", (unsigned)s, steps, u.nodename);
        }
        if (ms > 0 && s < steps) pause_ms(ms);
    }
    uint32_t sum = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t want = seed_of(i);
        for (uint32_t s = 1; s <= steps; s++) want = mix(want, s);
        if (w[i] != want) {
            printf("demo_worker: word %u is 0x%08x not 0x%08x\n", (unsigned)i, (unsigned)w[i], (unsigned)want);
            return 1;
        }
        sum = sum * 31u + w[i];
    }
    printf("demo_worker: %u steps over %u pages, checksum 0x%08x ok\n", steps, pages, (unsigned)sum);
    return 0;
}
