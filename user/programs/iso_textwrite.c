/*
 * iso_textwrite.c - hostile: stores into its own code (main's first word).
 * .text is mapped read+exec only, so the store faults: SIGSEGV (139), as on
 * Linux.  Prints "iso_textwrite: writing to own code" first; nothing after.
 */
#include <stdint.h>
#include <stdio.h>

int main(void);

/* volatile: keep the compiler from reasoning about the store */
static int (*volatile target)(void) = main;

int main(void)
{
    puts("iso_textwrite: writing to own code");
    fflush(stdout);
    *(volatile uint32_t *)(uintptr_t)target = 0; /* an illegal instruction, if it worked */
    puts("iso_textwrite: the write went through (BAD)");
    return 1;
}
