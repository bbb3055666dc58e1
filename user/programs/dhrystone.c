/*
 * dhrystone.c - a Dhrystone-like integer benchmark (our own code, in the
 * spirit of the classic mix, not derived from its source): each iteration
 * does string copies and compares, record assignment and linked records,
 * enum switches, array indexing, integer multiply/divide/modulo and a
 * handful of non-inlined procedure calls with pointer parameters.
 *
 *   argv[1] = n, iterations
 *   default n = 8000000   small n = 40000
 *
 * Output: "dhrystone: n=<n> checksum=0x<value folded from every iteration>".
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "bench.h"

#define DEFAULT_N 8000000u

#define NOINLINE __attribute__((noinline))

enum shade { SHADE_RED, SHADE_GREEN, SHADE_BLUE, SHADE_GREY, SHADE_BLACK };

struct item {
    struct item *link;
    enum shade shade;
    int32_t count;
    int32_t weight;
    char label[32];
};

static struct item items[2];
static int32_t table1[64];
static int32_t table2[64][64];
static char text_a[32], text_b[32];
static volatile int32_t sink;

NOINLINE static enum shade next_shade(enum shade s, int32_t k)
{
    switch (s) {
    case SHADE_RED:
        return k > 10 ? SHADE_GREEN : SHADE_BLUE;
    case SHADE_GREEN:
        return SHADE_GREY;
    case SHADE_BLUE:
        return (k & 1) ? SHADE_RED : SHADE_BLACK;
    case SHADE_GREY:
        return SHADE_BLUE;
    default:
        return SHADE_RED;
    }
}

NOINLINE static int32_t mix3(int32_t a, int32_t b, int32_t c)
{
    int32_t t = a * 7 + b;
    t = t / (c | 1) + t % 13;
    return t - (a >> 2) + (b ^ c);
}

NOINLINE static void update_tables(int32_t *t1, int32_t (*t2)[64], int32_t i, int32_t v)
{
    int32_t r = i & 31;
    t1[r] = v;
    t1[r + 1] = t1[r] + 3;
    t1[r + 30] = r;
    for (int32_t c = r; c <= r + 2; c++)
        t2[r][c] = r;
    t2[r][r + 1] += 1;
    t2[r + 20][r] = t1[r];
}

NOINLINE static int text_differs(const char *a, const char *b, int32_t *where)
{
    int r = strcmp(a, b);
    if (r != 0) {
        int32_t k = 0;
        while (a[k] == b[k])
            k++;
        *where = k;
    }
    return r != 0;
}

NOINLINE static void refresh_item(struct item *dst, const struct item *src, int32_t i)
{
    struct item *next = dst->link;
    *next = *src; /* record copy */
    dst->count = 5;
    next->count = dst->count;
    next->link = dst->link;
    next->shade = next_shade(src->shade, i & 15);
    if (next->shade == SHADE_RED || next->shade == SHADE_BLACK) {
        next->count += 6;
        dst->weight = mix3(next->count, i, dst->weight);
    } else {
        *dst = *next;
    }
}

NOINLINE static int32_t char_class(char c, char d)
{
    if (c == d)
        return 2;
    return (c > d) ? 1 : 0;
}

int main(int argc, char **argv)
{
    uint32_t n = bench_size(argc, argv, DEFAULT_N);

    items[0].link = &items[1];
    items[0].shade = SHADE_GREEN;
    items[0].count = 40;
    items[0].weight = 7;
    strcpy(items[0].label, "PAKAYA BENCHMARK, FIRST RECORD");
    strcpy(text_a, "PAKAYA BENCHMARK, 1'ST STRING.");

    uint32_t h = FNV_INIT;
    for (uint32_t i = 0; i < n; i++) {
        int32_t x = 2, y = 3 + (int32_t)(i & 7), z;
        int32_t where = -1;

        /* strings: copy a fresh literal, compare with the fixed one */
        strcpy(text_b, (i & 1) ? "PAKAYA BENCHMARK, 2'ND STRING." : "PAKAYA BENCHMARK, 1'ST STRING.");
        int differs = text_differs(text_a, text_b, &where);

        /* arithmetic */
        z = x * y;
        z = mix3(z, y, x) + (differs ? where : 1);
        x = z / y - (y % 5);
        y = (x * 4) ^ z;

        /* characters */
        int32_t cls = 0;
        for (char c = 'A'; c <= 'C'; c++)
            cls += char_class(c, text_b[18 + (i & 1)]);

        /* records and arrays */
        refresh_item(&items[0], &items[0], (int32_t)i);
        update_tables(table1, table2, (int32_t)(i + (uint32_t)cls), z);

        uint32_t v = (uint32_t)(x + y + cls + items[0].count + items[1].weight +
                                table1[(i + 1) & 31] + table2[i & 31][(i & 31) + 1]) +
                     (uint32_t)items[1].shade;
        if ((i & 255) == 0)
            h = fnv_mix(h, v);
        else
            h = (h ^ v) * 16777619u;
    }
    sink = (int32_t)h;

    printf("dhrystone: n=%lu checksum=0x%08lx\n", (unsigned long)n, (unsigned long)h);
    return 0;
}
