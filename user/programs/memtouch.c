/*
 * memtouch.c - a process that touches a configurable amount of memory and
 * keeps writing it: the workload of live-migration tests and benches.
 *
 * It maps MIB MiB of anonymous memory and fills every page with a pattern
 * derived from (page, generation, word); then, for PASSES passes, rewrites a
 * window of HOT_KIB KiB (moving on by one window each pass, so over time
 * every page is rewritten) with the next generation, sleeping SLEEP_MS ms
 * of guest time between passes, and prints "memtouch: pass N" every
 * EVERY passes.  At the end it checks every word of every page against the
 * generation it last wrote there.  SIGTERM ends the passes early (the
 * check still runs): a test can stop it when it has seen enough.
 *
 *   memtouch MIB PASSES [HOT_KIB [SLEEP_MS [EVERY]]]
 *     defaults: HOT_KIB 256, SLEEP_MS 1, EVERY 100
 *
 * Output: progress lines, then "memtouch ok: N pages, P passes" and exit 0,
 * or "memtouch: N corrupt pages (first at page K)" and exit 1; exit 2 on bad
 * arguments or when the memory cannot be mapped.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "pakaya.h"

#define PAGE_WORDS 1024u

static volatile int term_requested;

static void on_term(int sig)
{
    (void)sig;
    term_requested = 1;
}

static inline uint32_t pattern(uint32_t page, uint32_t gen, uint32_t word)
{
    return (page * 2654435761u) ^ (gen * 40503u + 1u) ^ (word * 2246822519u);
}

static void fill(uint32_t *mem, uint32_t page, uint32_t gen)
{
    uint32_t *w = mem + (size_t)page * PAGE_WORDS;
    for (uint32_t k = 0; k < PAGE_WORDS; k++) w[k] = pattern(page, gen, k);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fputs("usage: memtouch MIB PASSES [HOT_KIB [SLEEP_MS [EVERY]]]\n", stderr);
        return 2;
    }
    uint32_t mib = (uint32_t)strtoul(argv[1], NULL, 10);
    uint32_t passes = (uint32_t)strtoul(argv[2], NULL, 10);
    uint32_t hot_kib = argc > 3 ? (uint32_t)strtoul(argv[3], NULL, 10) : 256u;
    uint32_t sleep_ms = argc > 4 ? (uint32_t)strtoul(argv[4], NULL, 10) : 1u;
    uint32_t every = argc > 5 ? (uint32_t)strtoul(argv[5], NULL, 10) : 100u;
    if (mib == 0 || mib > 1024 || every == 0) {
        fputs("memtouch: MIB must be 1..1024 and EVERY at least 1\n", stderr);
        return 2;
    }
    uint32_t pages = mib * 256u;
    uint32_t hot = hot_kib / 4u;
    if (hot == 0) hot = 1;
    if (hot > pages) hot = pages;
    uint32_t *mem = mmap(NULL, (size_t)pages * 4096u, PK_PROT_READ | PK_PROT_WRITE, PK_MAP_PRIVATE | PK_MAP_ANONYMOUS, -1, 0);
    uint32_t *gens = calloc(pages, sizeof(uint32_t));
    if (mem == PK_MAP_FAILED || gens == NULL) {
        fputs("memtouch: cannot map the memory\n", stderr);
        return 2;
    }
    struct pk_sigaction act = {.sa_handler = on_term, .sa_flags = 0, .sa_mask = 0};
    pk_sigaction(PK_SIGTERM, &act, NULL);
    for (uint32_t p = 0; p < pages; p++) fill(mem, p, 0);
    printf("memtouch: %lu pages filled\n", (unsigned long)pages);
    fflush(stdout);
    uint32_t at = 0;
    uint32_t pass = 1;
    for (; pass <= passes && !term_requested; pass++) {
        for (uint32_t i = 0; i < hot; i++) {
            uint32_t p = (at + i) % pages;
            gens[p] = pass;
            fill(mem, p, pass);
        }
        at = (at + hot) % pages;
        if (pass % every == 0) {
            printf("memtouch: pass %lu\n", (unsigned long)pass);
            fflush(stdout);
        }
        if (sleep_ms > 0) {
            struct timespec t = {(time_t)(sleep_ms / 1000u), (long)(sleep_ms % 1000u) * 1000000L};
            nanosleep(&t, NULL);
        }
    }
    uint32_t corrupt = 0, first = 0;
    for (uint32_t p = 0; p < pages; p++) {
        const uint32_t *w = mem + (size_t)p * PAGE_WORDS;
        for (uint32_t k = 0; k < PAGE_WORDS; k++) {
            if (w[k] != pattern(p, gens[p], k)) {
                if (corrupt == 0) first = p;
                corrupt++;
                break;
            }
        }
    }
    if (corrupt != 0) {
        printf("memtouch: %lu corrupt pages (first at page %lu)\n", (unsigned long)corrupt, (unsigned long)first);
        return 1;
    }
    printf("memtouch ok: %lu pages, %lu passes\n", (unsigned long)pages, (unsigned long)(pass - 1));
    return 0;
}
