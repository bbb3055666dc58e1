/*
 * iso_badptr.c - hostile: bad pointers to every pointer-taking call.
 *
 * Each call gets, in turn, each bad pointer below and prints its raw result
 * ("-14 EFAULT", or "ok" for a success whose value would not be
 * deterministic).  Bad pointers: NULL, an unmapped low page (0x1000), a
 * PROT_NONE page, 4 bytes before the end of a read-write page followed by a
 * PROT_NONE page ("straddling"), kernel space (0x80000000, 0xc0000000,
 * 0xfffff000) and an unaligned pointer that wraps (0xfffffffd); output
 * buffers also get a read-only page.  The kernel must answer EFAULT (or the
 * Linux error that comes first) with no side effect and never crash.
 *
 *   iso_badptr           Linux calls only (the golden output comes from qemu)
 *   iso_badptr pakaya    also: Pakaya-only calls, FUTEX_WAKE, mmap/munmap/
 *                        mprotect/brk on kernel addresses (qemu-riscv32 has a
 *                        flat 4 GiB guest space, so these differ there)
 *
 * Not called: read/readv with a valid iovec but bad buffer on fd 0 with a user
 * address (Linux would wait for input first); execve with a good path but bad
 * argv (the order of checks differs between Linux versions and qemu); clone.
 * Exit 0 (2 on a bad argument).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "pakaya.h"

#define PAGE 4096u

struct bad {
    const char *name;
    uintptr_t addr;
};

static struct bad bads[9];
static int nbad;

static void add(const char *name, uintptr_t addr)
{
    bads[nbad].name = name;
    bads[nbad].addr = addr;
    nbad++;
}

static void show(const char *call, const struct bad *b, long r)
{
    char buf[32];
    printf("%s [%s]: %s\n", call, b->name, raw_result(r, buf, sizeof buf));
}

int main(int argc, char **argv)
{
    int pakaya = argc > 1 && strcmp(argv[1], "pakaya") == 0;
    if (argc > 1 && !pakaya) {
        fprintf(stderr, "iso_badptr: argument must be 'pakaya'\n");
        return 2;
    }
    /* rw page | PROT_NONE page | read-only page */
    char *area = mmap(NULL, 3 * PAGE, PK_PROT_READ | PK_PROT_WRITE, PK_MAP_PRIVATE | PK_MAP_ANONYMOUS, -1, 0);
    if (area == PK_MAP_FAILED || mprotect(area + PAGE, PAGE, PK_PROT_NONE) != 0 ||
        mprotect(area + 2 * PAGE, PAGE, PK_PROT_READ) != 0) {
        puts("iso_badptr: setup failed");
        return 1;
    }
    add("NULL", 0);
    add("unmapped 0x1000", 0x1000);
    add("PROT_NONE page", (uintptr_t)(area + PAGE));
    add("straddling into PROT_NONE", (uintptr_t)(area + PAGE - 4));
    add("kernel 0x80000000", 0x80000000u);
    add("kernel 0xc0000000", 0xc0000000u);
    add("kernel 0xfffff000", 0xfffff000u);
    add("wrapping 0xfffffffd", 0xfffffffdu);
    int nbad_in = nbad;
    add("read-only page", (uintptr_t)(area + 2 * PAGE)); /* for output buffers only */

    struct pk_timespec64 ms = {0, 1000000};
    uint32_t word = 0;
    char *good_argv[] = {"x", NULL};

    for (int i = 0; i < nbad; i++) {
        const struct bad *b = &bads[i];
        long a = (long)b->addr;
        int in = i < nbad_in; /* usable as an input buffer test */
        struct {
            long base, len;
        } iov = {a, 16};
        if (in) {
            show("write(1, p, 16)", b, pk_syscall3(PK_SYS_WRITE, 1, a, 16));
            show("writev(1, p, 1)", b, pk_syscall3(PK_SYS_WRITEV, 1, a, 1));
            show("writev(1, {p, 16}, 1)", b, pk_syscall3(PK_SYS_WRITEV, 1, (long)&iov, 1));
            show("readv(0, p, 1)", b, pk_syscall3(PK_SYS_READV, 0, a, 1));
            show("clock_nanosleep(MONOTONIC, 0, p, NULL)", b,
                 pk_syscall4(PK_SYS_CLOCK_NANOSLEEP_TIME64, PK_CLOCK_MONOTONIC, 0, a, 0));
            /* val 1 != word: never sleeps (a NULL timeout would mean "forever") */
            show("futex(&word, WAIT, 1, p)", b,
                 pk_syscall4(PK_SYS_FUTEX_TIME64, (long)&word, PK_FUTEX_WAIT, 1, a));
            show("futex(p, WAIT, 0, 1 ms)", b,
                 pk_syscall4(PK_SYS_FUTEX_TIME64, a, PK_FUTEX_WAIT, 0, (long)&ms));
            show("futex(p, WAIT|PRIVATE, 0, 1 ms)", b,
                 pk_syscall4(PK_SYS_FUTEX_TIME64, a, PK_FUTEX_WAIT | PK_FUTEX_PRIVATE_FLAG, 0, (long)&ms));
            show("execve(p, argv, NULL)", b, pk_syscall3(PK_SYS_EXECVE, a, (long)good_argv, 0));
        }
        show("read(0, p, 16)", b, pk_syscall3(PK_SYS_READ, 0, a, 16));
        show("uname(p)", b, pk_syscall1(PK_SYS_UNAME, a));
        show("clock_gettime(MONOTONIC, p)", b, pk_syscall2(PK_SYS_CLOCK_GETTIME64, PK_CLOCK_MONOTONIC, a));
        show("clock_gettime(REALTIME, p)", b, pk_syscall2(PK_SYS_CLOCK_GETTIME64, PK_CLOCK_REALTIME, a));
        show("getrandom(p, 16, 0)", b, pk_syscall3(PK_SYS_GETRANDOM, a, 16, 0));

        /* waitid: the child exits at once; the call waits for it, then cannot store */
        fflush(stdout);
        pid_t pid = pk_fork();
        if (pid == 0)
            _exit(0);
        show("waitid(P_PID, child, p, WEXITED)", b,
             pk_syscall5(PK_SYS_WAITID, PK_P_PID, pid, a, PK_WEXITED, 0));
        struct pk_siginfo info; /* Linux has reaped it already; Pakaya has not */
        pk_syscall5(PK_SYS_WAITID, PK_P_PID, pid, (long)&info, PK_WEXITED, 0);

        long tid = pk_syscall1(PK_SYS_SET_TID_ADDRESS, a);
        printf("set_tid_address(p) [%s]: %s\n", b->name, tid == pk_gettid() ? "the tid" : "WRONG");

        if (pakaya) {
            show("futex(p, WAKE, 1)", b, pk_syscall3(PK_SYS_FUTEX_TIME64, a, PK_FUTEX_WAKE, 1));
            show("futex(p, WAKE|PRIVATE, 1)", b,
                 pk_syscall3(PK_SYS_FUTEX_TIME64, a, PK_FUTEX_WAKE | PK_FUTEX_PRIVATE_FLAG, 1));
            show("getnpid(p)", b, pk_syscall1(PK_SYS_GETNPID, a));
            if (in) {
                show("spawn(p, argv, NULL)", b, pk_syscall3(PK_SYS_SPAWN, a, (long)good_argv, 0));
                show("spawn(\"true\", p, NULL)", b, pk_syscall3(PK_SYS_SPAWN, (long)"true", a, 0));
                show("spawn(\"true\", argv, p)", b,
                     pk_syscall3(PK_SYS_SPAWN, (long)"true", (long)good_argv, a));
            }
        }
    }
    /* a second system call after set_tid_address(bad): the tid address is only used at exit */
    pk_syscall1(PK_SYS_SET_TID_ADDRESS, 0);

    if (pakaya) {
        /* placement, not buffers: kernel space is never given out */
        static const uintptr_t kaddrs[3] = {0x80000000u, 0xc0000000u, 0xfffff000u};
        for (int i = 0; i < 3; i++) {
            long a = (long)kaddrs[i];
            char call[64];
            snprintf(call, sizeof call, "0x%08lx", (unsigned long)kaddrs[i]);
            struct bad b = {call, kaddrs[i]};
            show("mmap2(p, 4096, RW, PRIVATE|ANON|FIXED)", &b,
                 pk_syscall6(PK_SYS_MMAP2, a, PAGE, 3, PK_MAP_PRIVATE | PK_MAP_ANONYMOUS | PK_MAP_FIXED, -1, 0));
            long r = pk_syscall6(PK_SYS_MMAP2, a, PAGE, 3, PK_MAP_PRIVATE | PK_MAP_ANONYMOUS, -1, 0);
            printf("mmap2(p hint) [%s]: %s\n", call,
                   PK_IS_ERR(r) ? "error" : (unsigned long)r < 0x80000000ul ? "user address" : "KERNEL ADDRESS");
            if (!PK_IS_ERR(r))
                pk_syscall2(PK_SYS_MUNMAP, r, PAGE);
            show("munmap(p, 4096)", &b, pk_syscall2(PK_SYS_MUNMAP, a, PAGE));
            show("mprotect(p, 4096, RW)", &b, pk_syscall3(PK_SYS_MPROTECT, a, PAGE, 3));
            long before = pk_syscall1(PK_SYS_BRK, 0);
            printf("brk(p) [%s]: %s\n", call,
                   pk_syscall1(PK_SYS_BRK, a) == before ? "unchanged" : "MOVED");
        }
        int h = pk_shm_create(PAGE);
        printf("shm_create: %s\n", h >= 0 ? "ok" : "failed");
        for (int i = 0; i < 3; i++) {
            char call[64];
            snprintf(call, sizeof call, "0x%08lx", (unsigned long)kaddrs[i]);
            struct bad b = {call, kaddrs[i]};
            show("shm_map(h, p, RW)", &b, pk_syscall3(PK_SYS_SHM_MAP, h, (long)kaddrs[i], 3));
        }
    }
    puts("iso_badptr: done");
    return 0;
}
