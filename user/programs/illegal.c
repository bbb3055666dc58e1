/*
 * illegal.c - prints "before illegal instruction" (flushed), then executes
 * the all-zero word, which is an illegal instruction in every RISC-V
 * encoding: the process dies of SIGILL (a shell reports 132).
 */
#include <stdio.h>

int main(void)
{
    puts("before illegal instruction");
    fflush(stdout);
    __asm__ volatile(".4byte 0");
    puts("after illegal instruction: not reached");
    return 0;
}
