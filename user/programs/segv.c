/*
 * segv.c - prints "before fault" (flushed), then stores to address 0x10,
 * which is never mapped: the process dies of SIGSEGV (a shell reports 139).
 * Nothing after the store runs.
 */
#include <stdint.h>
#include <stdio.h>

/* volatile: the compiler may not see (and warn about) the constant address */
static volatile uintptr_t bad_address = 0x10;

int main(void)
{
    puts("before fault");
    fflush(stdout);
    *(volatile int *)bad_address = 42;
    puts("after fault: not reached");
    return 0;
}
