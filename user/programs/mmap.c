/*
 * mmap.c - anonymous memory: mmap (on mmap2), munmap, mprotect.
 *
 * Checks: a fresh anonymous mapping is zero-filled and writable; MAP_FIXED
 * places a mapping exactly and replaces what was there (with zeroes); a free,
 * page-aligned hint is honoured; munmap of one page in the middle leaves its
 * neighbours intact, and a child touching the hole dies of SIGSEGV; mprotect
 * to read-only keeps the contents readable while a child writing there dies
 * of SIGSEGV (status read with waitid in the parent); mprotect back to
 * read-write works; PROT_NONE faults even on reads; MAP_SHARED memory is
 * shared with a fork child, MAP_PRIVATE memory is copied; bad arguments give
 * Linux's errors (length 0, unaligned MAP_FIXED, no MAP_PRIVATE/MAP_SHARED,
 * unaligned munmap/mprotect, fd -1 without MAP_ANONYMOUS, 3.75 GiB).  Not
 * checked: mprotect of unmapped memory (Linux ENOMEM; qemu 7.2 returns 0).
 *
 *   mmap
 *
 * Output: one line per check (no addresses); "mmap ok"; exit 0 (1 if a check
 * fails).  Under Pakaya the faulting children get crash reports on stderr.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "check.h"
#include "pakaya.h"

#define PAGE 4096u
#define RW (PK_PROT_READ | PK_PROT_WRITE)
#define ANON (PK_MAP_PRIVATE | PK_MAP_ANONYMOUS)

static char *map(void *addr, size_t len, int prot, int flags)
{
    return mmap(addr, len, prot, flags, -1, 0);
}

static int all_bytes(const char *p, size_t len, char c)
{
    for (size_t i = 0; i < len; i++)
        if (p[i] != c)
            return 0;
    return 1;
}

/* Run a child that reads (write = 0) or writes p; return its wait(2) status. */
static int child_touch(volatile char *p, int write)
{
    fflush(stdout);
    pid_t pid = pk_fork();
    if (pid == 0) {
        if (write)
            *p = 'x';
        else
            (void)*p;
        _exit(0);
    }
    struct pk_siginfo info;
    memset(&info, 0, sizeof info);
    if (pid < 0 || pk_waitid(PK_P_PID, pid, &info, PK_WEXITED) != 0)
        return -1;
    return info.si_code == PK_CLD_KILLED || info.si_code == PK_CLD_DUMPED ? info.si_status
                                                                           : 1000 + info.si_status;
}

static void basic(void)
{
    char *p = map(NULL, 3 * PAGE, RW, ANON);
    CHECK(p != PK_MAP_FAILED && (uintptr_t)p % PAGE == 0);
    printf("anonymous: zero-filled %s\n", all_bytes(p, 3 * PAGE, 0) ? "yes" : "no");
    memset(p, 'a', 3 * PAGE);
    CHECK(all_bytes(p, 3 * PAGE, 'a'));

    /* MAP_FIXED over the middle page: replaced by zeroes */
    char *q = map(p + PAGE, PAGE, RW, ANON | PK_MAP_FIXED);
    printf("fixed: at the address asked %s, replaced with zeroes %s, neighbours kept %s\n",
           q == p + PAGE ? "yes" : "no", all_bytes(p + PAGE, PAGE, 0) ? "yes" : "no",
           all_bytes(p, PAGE, 'a') && all_bytes(p + 2 * PAGE, PAGE, 'a') ? "yes" : "no");
    CHECK(q == p + PAGE);

    /* munmap the middle page */
    CHECK(munmap(p + PAGE, PAGE) == 0);
    int sig = child_touch(p + PAGE, 0);
    printf("munmap middle page: neighbours kept %s, child reading the hole: signal %d\n",
           all_bytes(p, PAGE, 'a') && all_bytes(p + 2 * PAGE, PAGE, 'a') ? "yes" : "no", sig);
    CHECK(sig == PK_SIGSEGV);
    CHECK(munmap(p, 3 * PAGE) == 0); /* unmapping a range with a hole is fine */
    CHECK(munmap(p, 3 * PAGE) == 0); /* and so is unmapping nothing */

    /* a free hint is honoured */
    char *r = map(p, 2 * PAGE, RW, ANON);
    printf("hint: honoured %s\n", r == p ? "yes" : "no");
    CHECK(r == p);
    CHECK(munmap(r, 2 * PAGE) == 0);
}

static void protect(void)
{
    char *p = map(NULL, 2 * PAGE, RW, ANON);
    CHECK(p != PK_MAP_FAILED);
    memset(p, 'b', 2 * PAGE);
    CHECK(mprotect(p, PAGE, PK_PROT_READ) == 0);
    printf("read-only: still readable %s\n", all_bytes(p, PAGE, 'b') ? "yes" : "no");
    int sig = child_touch(p, 1);
    printf("read-only: child writing: signal %d\n", sig);
    CHECK(sig == PK_SIGSEGV);
    sig = child_touch(p + PAGE, 1);
    printf("read-write neighbour: child writing: %s\n", sig == 1000 ? "exited 0" : "fault");
    CHECK(sig == 1000);
    CHECK(mprotect(p, PAGE, RW) == 0);
    p[0] = 'c';
    printf("read-write again: write ok %s\n", p[0] == 'c' ? "yes" : "no");
    CHECK(mprotect(p, 2 * PAGE, PK_PROT_NONE) == 0);
    sig = child_touch(p + PAGE, 0);
    printf("PROT_NONE: child reading: signal %d\n", sig);
    CHECK(sig == PK_SIGSEGV);
    CHECK(munmap(p, 2 * PAGE) == 0);
}

static void sharing(void)
{
    char *shared = map(NULL, PAGE, RW, PK_MAP_SHARED | PK_MAP_ANONYMOUS);
    char *priv = map(NULL, PAGE, RW, ANON);
    CHECK(shared != PK_MAP_FAILED && priv != PK_MAP_FAILED);
    strcpy(shared, "parent");
    strcpy(priv, "parent");
    fflush(stdout);
    pid_t pid = pk_fork();
    if (pid == 0) {
        int ok = strcmp(shared, "parent") == 0 && strcmp(priv, "parent") == 0;
        strcpy(shared, "child");
        strcpy(priv, "child");
        _exit(ok ? 0 : 1);
    }
    int status = -1;
    CHECK(pk_waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0);
    printf("after fork: MAP_SHARED reads \"%s\", MAP_PRIVATE reads \"%s\"\n", shared, priv);
    CHECK(strcmp(shared, "child") == 0 && strcmp(priv, "parent") == 0);
    CHECK(munmap(shared, PAGE) == 0 && munmap(priv, PAGE) == 0);
}

static void report_error(const char *what, int failed, int want)
{
    int e = errno;
    printf("%s: %s\n", what, !failed ? "succeeded" : e == want ? "failed as expected" : "wrong errno");
    CHECK(failed && e == want);
}

static void errors(void)
{
    char *p = map(NULL, PAGE, RW, ANON);
    CHECK(p != PK_MAP_FAILED);
    errno = 0;
    report_error("mmap length 0 (EINVAL)", map(NULL, 0, RW, ANON) == PK_MAP_FAILED, EINVAL);
    report_error("mmap unaligned MAP_FIXED (EINVAL)",
                 map(p + 1, PAGE, RW, ANON | PK_MAP_FIXED) == PK_MAP_FAILED, EINVAL);
    report_error("mmap neither private nor shared (EINVAL)",
                 map(NULL, PAGE, RW, PK_MAP_ANONYMOUS) == PK_MAP_FAILED, EINVAL);
    report_error("mmap fd -1 without MAP_ANONYMOUS (EBADF)",
                 map(NULL, PAGE, RW, PK_MAP_PRIVATE) == PK_MAP_FAILED, EBADF);
    report_error("mmap 3.75 GiB (ENOMEM)", map(NULL, 0xF0000000u, RW, ANON) == PK_MAP_FAILED, ENOMEM);
    report_error("munmap unaligned (EINVAL)", munmap(p + 1, PAGE) == -1, EINVAL);
    report_error("munmap length 0 (EINVAL)", munmap(p, 0) == -1, EINVAL);
    report_error("mprotect unaligned (EINVAL)", mprotect(p + 1, PAGE, PK_PROT_READ) == -1, EINVAL);
    report_error("mprotect bad prot bits (EINVAL)", mprotect(p, PAGE, 0x1000) == -1, EINVAL);
    CHECK(munmap(p, PAGE) == 0);
    /* Not checked: mprotect of an unmapped range is ENOMEM on Linux (and should be on
       Pakaya), but qemu-riscv32 7.2, the golden reference, returns 0. */
}

int main(void)
{
    puts("mmap: start");
    basic();
    protect();
    sharing();
    errors();
    puts(check_failures == 0 ? "mmap ok" : "mmap FAILED");
    return check_status();
}
