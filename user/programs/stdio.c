/*
 * stdio.c - exercises picolibc's integer printf and the standard streams:
 * conversions, flags, widths, precisions, length modifiers, puts, putchar,
 * fputs, snprintf, and fprintf to stderr.  Expected output: see
 * user/README.md.  The last stdout text has no trailing newline, so it only
 * appears if exit() flushes stdout.
 */
#include <inttypes.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* the snprintf below truncates on purpose */
#pragma GCC diagnostic ignored "-Wformat-truncation"

int main(void)
{
    puts("stdio: start");
    printf("d: %d %d %d %d\n", 0, 42, -42, INT_MIN);
    printf("i/u: %i %u %u\n", INT_MAX, 3000000000u, UINT_MAX);
    printf("x/X/o: %x %X %#x %#X %o %#o\n", 0xbeefu, 0xbeefu, 255u, 255u, 8u, 8u);
    printf("c/s/%%: [%c] [%s] [%.3s] [%%]\n", 'P', "pakaya", "truncated");
    printf("width: [%5d] [%-5d] [%05d] [%+d] [% d] [%*d] [%-*d]\n", 42, 42, 42, 42, 42, 6, 7, 6, 7);
    printf("precision: [%.4d] [%8.3d] [%.0d] [%.5x]\n", 7, -7, 0, 0xabu);
    printf("strings: [%10s] [%-10s] [%s]\n", "right", "left", "");
    printf("long: %ld %lu %lx\n", LONG_MIN, ULONG_MAX, 0x7fffffffUL);
    printf("long long: %lld %llu %llx\n", LLONG_MIN, ULLONG_MAX, 0x123456789abcdefULL);
    printf("short/char: %hd %hu %hhd %hhu\n", (short)-1234, (unsigned short)65535, (signed char)-5,
           (unsigned char)250);
    printf("size/ptrdiff/intmax: %zu %td %jd\n", sizeof(uint64_t), (ptrdiff_t)-3, (intmax_t)INT64_MIN);
    printf("inttypes: %" PRIu32 " %" PRIx64 " %" PRId8 "\n", UINT32_MAX, UINT64_MAX, INT8_MIN);
    printf("pointer: %p\n", (void *)0x1234);

    char buf[16];
    int n = snprintf(buf, sizeof buf, "%s-%d", "snprintf-truncates", 12345);
    printf("snprintf: [%s] returned %d\n", buf, n);

    fputs("fputs: no newline added", stdout);
    putchar('\n');
    for (const char *p = "putchar\n"; *p; p++)
        putchar(*p);

    fprintf(stderr, "stderr: fprintf %d %s\n", -1, "to fd 2");
    fputs("stderr: fputs\n", stderr);

    printf("stdio: end, flushed by exit()");
    return 0;
}
