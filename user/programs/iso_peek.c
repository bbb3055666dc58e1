/*
 * iso_peek.c - hostile: tries to read another process's memory by address.
 *
 * A fork child maps a page at a fixed address (SECRET_ADDR) and writes a
 * secret there; then, while the child still lives with its page mapped:
 *   1. a second child (a copy of the parent, which never mapped that
 *      address) reads it: it must die of SIGSEGV;
 *   2. the parent maps its own page at the same address: it must read its
 *      own contents, not the secret; then unmaps it;
 *   3. the parent lets the first child exit, reaps it, and reads the address
 *      itself: SIGSEGV (139), as on Linux.
 * Output: "iso_peek: ..." lines for steps 1 and 2 and "iso_peek: reading the
 * child's address" before the fault; exit status 139 (1 if a step goes wrong).
 * Under Pakaya the faulting processes get crash reports on stderr.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "pakaya.h"

#define SECRET_ADDR 0x5a5a0000u
#define RW (PK_PROT_READ | PK_PROT_WRITE)
#define FIXED_ANON (PK_MAP_PRIVATE | PK_MAP_ANONYMOUS | PK_MAP_FIXED)

static volatile uintptr_t secret_address = SECRET_ADDR;

int main(void)
{
    volatile uint32_t *ready = shared_page();
    volatile uint32_t *done = shared_page();
    fflush(stdout);
    pid_t owner = pk_fork();
    if (owner == 0) {
        char *p = mmap((void *)SECRET_ADDR, 4096, RW, FIXED_ANON, -1, 0);
        if (p == PK_MAP_FAILED)
            _exit(1);
        strcpy(p, "the child's secret");
        gate_open(ready);
        _exit(gate_wait(done) == 0 ? 0 : 2);
    }
    if (owner < 0 || gate_wait(ready) != 0) {
        puts("iso_peek: the owner did not start");
        return 1;
    }

    /* 1. a probe process reads the address */
    fflush(stdout);
    pid_t probe = pk_fork();
    if (probe == 0) {
        volatile char c = *(volatile char *)secret_address;
        (void)c;
        _exit(0);
    }
    struct pk_siginfo info;
    memset(&info, 0, sizeof info);
    CHECK(probe > 0 && pk_waitid(PK_P_PID, probe, &info, PK_WEXITED) == 0);
    int killed = info.si_code == PK_CLD_KILLED || info.si_code == PK_CLD_DUMPED;
    printf("iso_peek: probe reading the child's address: %s %d\n", killed ? "signal" : "exit",
           (int)info.si_status);
    CHECK(killed && info.si_status == PK_SIGSEGV);

    /* 2. our own page at the same address */
    char *mine = mmap((void *)SECRET_ADDR, 4096, RW, FIXED_ANON, -1, 0);
    CHECK(mine != PK_MAP_FAILED);
    if (mine != PK_MAP_FAILED) {
        printf("iso_peek: own page at the same address: zero-filled %s\n", mine[0] == 0 ? "yes" : "no");
        CHECK(mine[0] == 0);
        strcpy(mine, "the parent's own");
        printf("iso_peek: reads \"%s\"\n", (const char *)secret_address);
        CHECK(munmap(mine, 4096) == 0);
    }

    /* 3. end the owner, then read the address ourselves */
    gate_open(done);
    int status = -1;
    CHECK(pk_waitpid(owner, &status, 0) == owner && WIFEXITED(status) && WEXITSTATUS(status) == 0);
    if (check_failures != 0)
        return 1;
    puts("iso_peek: reading the child's address");
    fflush(stdout);
    volatile char c = *(volatile char *)secret_address;
    printf("iso_peek: read %d (BAD)\n", c);
    return 1;
}
