/*
 * iso_exec.c - hostile: jumps into memory that is not executable.
 *
 *   iso_exec [stack|heap|data|mmap]     (default stack)
 *
 * Copies a `ret` instruction (c.jr ra) into a buffer on the stack, on the
 * heap (malloc, i.e. brk), in .data or in an anonymous read-write mmap, and
 * calls it.  None of these is executable (PT_GNU_STACK is RW-, the heap and
 * data segment are RW-, the mmap has no PROT_EXEC): an instruction page
 * fault, SIGSEGV (139), as on Linux.  Prints "iso_exec: calling code on the
 * <where>" first; nothing after.  Exit 2 on a bad argument.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pakaya.h"

static const uint16_t ret_insn[2] = {0x8082, 0x8082}; /* c.jr ra; c.jr ra */
static uint32_t data_buf[4];

static void call(void *code)
{
    memcpy(code, ret_insn, sizeof ret_insn);
    __asm__ volatile("fence.i" ::: "memory");
    void (*fn)(void) = (void (*)(void))(uintptr_t)code;
    fn();
}

int main(int argc, char **argv)
{
    const char *where = argc > 1 ? argv[1] : "stack";
    uint32_t stack_buf[4];
    void *code;
    if (strcmp(where, "stack") == 0)
        code = stack_buf;
    else if (strcmp(where, "heap") == 0)
        code = malloc(16);
    else if (strcmp(where, "data") == 0)
        code = data_buf;
    else if (strcmp(where, "mmap") == 0)
        code = mmap(NULL, 4096, PK_PROT_READ | PK_PROT_WRITE, PK_MAP_PRIVATE | PK_MAP_ANONYMOUS,
                    -1, 0);
    else {
        fprintf(stderr, "iso_exec: where must be stack, heap, data or mmap\n");
        return 2;
    }
    if (code == NULL || code == PK_MAP_FAILED) {
        puts("iso_exec: no memory");
        return 1;
    }
    printf("iso_exec: calling code on the %s\n", where);
    fflush(stdout);
    call(code);
    printf("iso_exec: code on the %s ran (BAD)\n", where);
    return 1;
}
