/*
 * brk.c - exercises the program break: grows it by several MiB with sbrk() and
 * brk(), checks that new memory reads as zero and holds a written pattern,
 * shrinks it, checks that an impossible break is refused, then has malloc
 * (which grows the heap through sbrk) hand out and take back several MiB.
 * Prints one line per step and "brk ok" at the end (exit 0); on a failure it
 * prints what went wrong and exits 1.  Addresses are never printed, so the
 * output is the same under any kernel.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pakaya.h"

#define MIB (1024u * 1024u)

static int failures;

static void fail(const char *what)
{
    printf("FAIL: %s\n", what);
    failures++;
}

static uint32_t pattern(uintptr_t addr)
{
    return (uint32_t)addr * 2654435761u ^ 0x5a5a5a5au;
}

static void fill(uint32_t *p, size_t words)
{
    for (size_t i = 0; i < words; i++)
        p[i] = pattern((uintptr_t)&p[i]);
}

static int verify(const uint32_t *p, size_t words)
{
    for (size_t i = 0; i < words; i++)
        if (p[i] != pattern((uintptr_t)&p[i]))
            return 0;
    return 1;
}

static int all_zero(const uint32_t *p, size_t words)
{
    for (size_t i = 0; i < words; i++)
        if (p[i] != 0)
            return 0;
    return 1;
}

int main(void)
{
    /* the raw call and the C wrapper agree on the starting break */
    char *start = pk_brk(0);
    if (sbrk(0) != start)
        fail("sbrk(0) != brk(0)");

    /* grow 4 MiB with sbrk */
    char *old = sbrk(4 * MIB);
    if (old == (char *)-1 || old != start || pk_brk(0) != start + 4 * MIB) {
        fail("sbrk(+4 MiB)");
        return 1;
    }
    if (!all_zero((uint32_t *)start, MIB))
        fail("new sbrk memory is not zero");
    fill((uint32_t *)start, MIB);
    if (!verify((uint32_t *)start, MIB))
        fail("pattern in sbrk memory");
    puts("brk: grew 4 MiB with sbrk");

    /* grow 2 more MiB with brk() */
    char *top = start + 6 * MIB;
    if (brk(top) != 0 || pk_brk(0) != top || sbrk(0) != top) {
        fail("brk(+2 MiB)");
        return 1;
    }
    if (!all_zero((uint32_t *)(start + 4 * MIB), MIB / 2))
        fail("new brk memory is not zero");
    fill((uint32_t *)(start + 4 * MIB), MIB / 2);
    if (!verify((uint32_t *)start, 6 * MIB / 4))
        fail("pattern after brk growth");
    puts("brk: grew 2 MiB with brk");

    /* shrink by 5 MiB; the first MiB must survive */
    if (sbrk(-(ptrdiff_t)(5 * MIB)) != top || pk_brk(0) != start + MIB) {
        fail("sbrk(-5 MiB)");
        return 1;
    }
    if (!verify((uint32_t *)start, MIB / 4))
        fail("pattern after shrinking");
    puts("brk: shrank 5 MiB");

    /* impossible requests: the raw call returns the old break, the wrappers fail */
    char *cur = pk_brk(0);
    if (pk_brk((void *)(uintptr_t)0xfffff000u) != cur)
        fail("raw brk to 0xfffff000 was not refused");
    errno = 0;
    if (brk((void *)(uintptr_t)0xfffff000u) != -1 || errno != ENOMEM)
        fail("brk() to 0xfffff000 did not fail with ENOMEM");
    errno = 0;
    if (sbrk(0x7ffff000) != (void *)-1 || errno != ENOMEM)
        fail("sbrk(+2 GiB) did not fail with ENOMEM");
    if (pk_brk(0) != cur || sbrk(0) != cur)
        fail("break moved after refused requests");
    puts("brk: refused impossible breaks");

    /* back to where we started, then let malloc grow the heap */
    if (brk(start) != 0)
        fail("brk(start)");
    enum { BLOCKS = 8 };
    uint32_t *blocks[BLOCKS];
    for (int i = 0; i < BLOCKS; i++) {
        blocks[i] = malloc(MIB);
        if (blocks[i] == NULL) {
            fail("malloc(1 MiB)");
            return 1;
        }
        fill(blocks[i], MIB / 4);
    }
    for (int i = 0; i < BLOCKS; i++)
        if (!verify(blocks[i], MIB / 4))
            fail("pattern in malloc block");
    if ((char *)pk_brk(0) < start + BLOCKS * MIB)
        fail("malloc did not grow the break");
    for (int i = 0; i < BLOCKS; i += 2)
        free(blocks[i]);
    uint32_t *again = malloc(MIB); /* should reuse a freed block */
    if (again == NULL) {
        fail("malloc after free");
        return 1;
    }
    fill(again, MIB / 4);
    for (int i = 1; i < BLOCKS; i += 2)
        if (!verify(blocks[i], MIB / 4))
            fail("pattern after free/malloc");
    char *big = malloc(3 * MIB + 123);
    if (big == NULL)
        fail("malloc(3 MiB)");
    else
        memset(big, 0xa5, 3 * MIB + 123);
    printf("malloc: %d x 1 MiB, free, reuse, 3 MiB ok\n", BLOCKS);

    if (failures)
        return 1;
    puts("brk ok");
    return 0;
}
