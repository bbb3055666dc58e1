/*
 * iso_null.c - hostile: reads address 0.  Page 0 is never mapped: SIGSEGV
 * (139), as on Linux.  Prints "iso_null: reading address 0" first; nothing
 * after.
 */
#include <stdint.h>
#include <stdio.h>

static volatile uintptr_t null_address = 0;

int main(void)
{
    puts("iso_null: reading address 0");
    fflush(stdout);
    int v = *(volatile int *)null_address;
    printf("iso_null: read %d (BAD)\n", v);
    return 1;
}
