/*
 * iso_oom.c - hostile: takes memory until the kernel says no.
 *
 *   iso_oom [cap]     cap in MiB (default 4096: no cap in practice)
 *
 * Maps 1 MiB anonymous chunks and writes one byte to every page of each,
 * until mmap fails or cap MiB are held; then the same with the heap (sbrk by
 * 1 MiB, touched) up to the same cap.  The kernel must refuse with ENOMEM -
 * at mmap/brk time, not by killing the process on a touch (Pakaya does not
 * overcommit).  Then it frees everything and checks that 1 MiB can be mapped
 * and touched again.
 *
 * Output (the amounts depend on the machine, so they are not printed):
 *   "iso_oom: mmap: ENOMEM" or "iso_oom: mmap: cap reached", the same for
 *   "brk", then "iso_oom: memory usable again: yes"; exit 0.  Any other
 *   error: exit 1.  A kill on touch: SIGKILL/SIGSEGV (the bug this looks for).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "pakaya.h"

#define MIB (1024u * 1024u)
#define MAX_CHUNKS 4096

static char *chunks[MAX_CHUNKS];

static void touch(char *p, size_t len)
{
    for (size_t off = 0; off < len; off += 4096)
        ((volatile char *)p)[off] = 1;
}

int main(int argc, char **argv)
{
    long cap = argc > 1 ? atol(argv[1]) : MAX_CHUNKS;
    if (cap < 1 || cap > MAX_CHUNKS) {
        fprintf(stderr, "iso_oom: cap must be 1..%d (MiB)\n", MAX_CHUNKS);
        return 2;
    }
    int n = 0, status = 0;
    const char *how = "cap reached";
    while (n < cap) {
        char *p = mmap(NULL, MIB, PK_PROT_READ | PK_PROT_WRITE, PK_MAP_PRIVATE | PK_MAP_ANONYMOUS, -1, 0);
        if (p == PK_MAP_FAILED) {
            how = errno == ENOMEM ? "ENOMEM" : "other error";
            status |= errno != ENOMEM;
            break;
        }
        touch(p, MIB);
        chunks[n++] = p;
    }
    printf("iso_oom: mmap: %s\n", how);
    fflush(stdout);

    how = "cap reached";
    char *start = sbrk(0);
    long got = 0;
    while (got < cap) {
        char *p = sbrk((ptrdiff_t)MIB);
        if (p == (char *)-1) {
            how = errno == ENOMEM ? "ENOMEM" : "other error";
            status |= errno != ENOMEM;
            break;
        }
        touch(p, MIB);
        got++;
    }
    printf("iso_oom: brk: %s\n", how);
    fflush(stdout);

    if (brk(start) != 0)
        status = 1;
    for (int i = 0; i < n; i++)
        if (munmap(chunks[i], MIB) != 0)
            status = 1;
    char *p = mmap(NULL, MIB, PK_PROT_READ | PK_PROT_WRITE, PK_MAP_PRIVATE | PK_MAP_ANONYMOUS, -1, 0);
    int usable = p != PK_MAP_FAILED;
    if (usable)
        touch(p, MIB);
    printf("iso_oom: memory usable again: %s\n", usable ? "yes" : "no");
    return status || !usable;
}
