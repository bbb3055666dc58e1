/*
 * fuzz.c - system call fuzzer: seeded, deterministic, never ends or replaces
 * the process.
 *
 *   fuzz [seed [count [linux|all [v]]]]     defaults: 1 1000 linux
 *
 * Each step picks a call (mostly from the implemented list, sometimes a
 * number nobody implements) and arguments from edge values: 0, -1, NULL,
 * unmapped and kernel addresses (0x80000000, 0xc0000000, 0xfffff000),
 * unaligned and wrapping pointers, valid buffers, huge sizes, bad fds and
 * flags.  Results are folded into an FNV-1a checksum; results that are not
 * deterministic across systems (ids, addresses, uname contents) count as
 * "ok".  At the end: "fuzz: seed=S count=N mode=M checksum=0x..." and the
 * number of results per errno; exit 0.  With "v", every call is printed.
 *
 * Never called: exit, exit_group, execve, clone, spawn; kill/tkill/tgkill
 * only with signal 0 or invalid signals.  Never blocks for long: read only
 * on fd 0 with count 0 (other fds are invalid), FUTEX_WAIT always with a
 * timeout of at most 1 ms, sleeps at most 1 ms, waitid has no children.
 * Memory calls (munmap, mprotect, MAP_FIXED) only touch a scratch region
 * owned by the fuzzer, or fail on their arguments; other mmaps are unmapped
 * at once.  Output buffers never overlap the input buffers.
 *
 * Modes: "linux" stays within calls whose results qemu-riscv32 and Pakaya
 * must agree on (golden cases use it): random numbers only >= 600 or
 * negative; no FUTEX_WAKE, munmap/mprotect/mmap at kernel addresses (qemu
 * has a flat 4 GiB guest space); no clock ids above 3 other than invalid
 * ones; no priority changes (qemu runs unprivileged).  Pakaya checks
 * arguments in Linux's order; qemu-user checks user memory before it makes
 * the host call, so where two arguments are bad the two can differ.  Linux
 * mode therefore never pairs a bad fd, flag or clock with a bad buffer or
 * a buffer the count overruns, and avoids qemu's own departures from Linux:
 * mprotect of length 0 (ENOMEM under qemu, 0 on Linux), waitid into a bad
 * siginfo when there is no child (EFAULT on Linux: it writes zeros).
 * "all" adds the Pakaya calls (500-513 and random numbers in 500-599) and
 * drops those limits: its checksum differs between qemu and Pakaya.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "check.h"
#include "pakaya.h"

#define PAGE 4096u
#define SCRATCH_PAGES 16u
#define MAX_HANDLES 32

static uint32_t rng;
static int all_mode, verbose;
static char *in_buf;       /* 2 pages, read by the kernel; constant contents */
static char *out_buf;      /* 2 pages, written by the kernel */
static char *scratch;      /* SCRATCH_PAGES pages the fuzzer may unmap/protect/replace */
static uint32_t *good_iov;       /* IOV_GOOD iovecs {base, len}, each 16 bytes of out_buf */
#define IOV_GOOD 2
static int handles[MAX_HANDLES], handle_count;
static long handle_bytes[MAX_HANDLES]; /* the size each handle was created with */

static uint32_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
}

static uint32_t below(uint32_t n)
{
    return (uint32_t)(((uint64_t)next() * n) >> 32);
}

static long pick(const long *v, size_t n)
{
    return v[below((uint32_t)n)];
}
#define PICK(...) pick((const long[]){__VA_ARGS__}, sizeof((const long[]){__VA_ARGS__}) / sizeof(long))

/* A bad pointer: NULL, unmapped, kernel, wrapping. */
static long bad_ptr(void)
{
    return PICK(0, 0x1000, 0x80000000L, (long)0xc0000000u, (long)0xfffff000u, (long)0xfffffffdu);
}

/* A pointer the kernel reads `size` bytes from: inside in_buf (maybe unaligned) or bad. */
static long in_ptr(uint32_t size)
{
    if (below(3) == 0)
        return bad_ptr();
    return (long)(in_buf + below(2 * PAGE - size));
}

/* A pointer the kernel writes `size` bytes to: inside out_buf or bad. */
static long out_ptr(uint32_t size)
{
    if (below(3) == 0)
        return bad_ptr();
    return (long)(out_buf + below(2 * PAGE - size));
}

/* In linux mode, a call whose other argument is already bad gets a good buffer (see the top). */
static long out_ptr_if(int other_bad, uint32_t size)
{
    if (other_bad && !all_mode)
        return (long)(out_buf + below(2 * PAGE - size));
    return out_ptr(size);
}

/* A pointer to a timespec64 in out_buf with a chosen value, or (sometimes, when `may_be_bad`)
 * a bad pointer. */
static long timespec_ptr(int64_t sec, int64_t nsec, int may_be_bad)
{
    if (below(4) == 0 && may_be_bad)
        return bad_ptr();
    struct pk_timespec64 *t = (struct pk_timespec64 *)(out_buf + 8 * below(64));
    t->tv_sec = sec;
    t->tv_nsec = nsec;
    return (long)t;
}

/* A short or invalid sleep: <= 1 ms, nsec out of range, negative. */
static long sleep_ptr(int may_be_bad)
{
    switch (below(4)) {
    case 0: return timespec_ptr(0, PICK(0, 1, 1000, 1000000), may_be_bad);
    case 1: return timespec_ptr(0, PICK(1000000000, -1), may_be_bad);
    case 2: return timespec_ptr(-1, 0, may_be_bad);
    default: return timespec_ptr(0, 0, may_be_bad);
    }
}

/* An address in the scratch region (page-aligned, unaligned) with a length that stays inside;
 * empty only when `may_be_empty`. */
static void scratch_range(long *addr, long *len, int may_be_empty)
{
    uint32_t first = below(SCRATCH_PAGES);
    *addr = (long)(scratch + first * PAGE + (below(8) == 0 ? 1 : 0));
    *len = (long)((1 + below(SCRATCH_PAGES - first)) * PAGE - (below(8) == 0 ? 1 : 0));
    if (below(10) == 0 && may_be_empty)
        *len = 0;
}

/* An address range that fails on its arguments alone (wraps, or unaligned, or empty when
 * `may_be_empty`). */
static void failing_range(long *addr, long *len, int may_be_empty)
{
    switch (below(may_be_empty ? 3 : 2)) {
    case 0: *addr = (long)0xfffff000u; *len = 0x2000; break;  /* wraps: EINVAL */
    case 1: *addr = (long)(scratch + 1); *len = PAGE; break; /* unaligned: EINVAL */
    default: *addr = (long)scratch; *len = 0; break;         /* empty */
    }
}

struct call {
    long nr;
    long a[6];
    int exact; /* the result value itself is deterministic */
    const char *name;
    long unmap_len; /* > 0: on success, munmap(result, unmap_len) */
};

/* Remembers the object size behind handle number h (numbers are reused after a close);
 * 0: unknown, its mappings are left in place. */
static void record_handle(int h, long bytes)
{
    int i = 0;
    while (i < handle_count && handles[i] != h)
        i++;
    if (i == MAX_HANDLES)
        return;
    handles[i] = h;
    handle_bytes[i] = bytes;
    handle_count += i == handle_count;
}

static int handle_pick(void)
{
    if (handle_count > 0 && below(2) == 0)
        return handles[below((uint32_t)handle_count)];
    return (int)PICK(-1, 999, 0x7fffffff);
}

/* Build one call.  c is zeroed and exact = 1 on entry. */
static void make_call(struct call *c)
{
    uint32_t kinds = all_mode ? 33 : 28;
    switch (below(kinds)) {
    /* read only from fd 0 with count 0 (never blocks); write only to stdout with nothing
     * readable (count 0 or a bad buffer). */
    case 0: c->name = "read"; c->nr = PK_SYS_READ;
        c->a[0] = PICK(0, -1, 1000, 65536);
        c->a[2] = c->a[0] == 0 ? 0 : all_mode ? PICK(0, 1, 16, 0x7fffffff, -1) : PICK(0, 1, 16);
        c->a[1] = out_ptr_if(1, 16);
        break;
    case 1: c->name = "write"; c->nr = PK_SYS_WRITE;
        c->a[0] = PICK(-1, 1000, 65536, 1);
        if (c->a[0] == 1) {
            c->a[2] = PICK(0, 16);
            c->a[1] = c->a[2] ? bad_ptr() : all_mode ? in_ptr(16) : (long)in_buf;
        } else {
            c->a[2] = all_mode ? PICK(0, 1, 16, 0x7fffffff, -1) : PICK(0, 1, 16);
            c->a[1] = all_mode ? in_ptr(16) : (long)(in_buf + below(PAGE));
        }
        break;
    case 2: case 3: {
        int is_write = below(2);
        c->name = is_write ? "writev" : "readv"; c->nr = is_write ? PK_SYS_WRITEV : PK_SYS_READV;
        c->a[0] = is_write ? PICK(-1, 1000, 65536, 1) : PICK(0, -1, 1000);
        if (c->a[0] == 0) {
            c->a[1] = all_mode ? in_ptr(64) : (long)good_iov; c->a[2] = 0;
        } else if (c->a[0] == 1) { /* nothing written: an invalid count, or a bad iovec array */
            c->a[2] = PICK(0, 1, 1025, -1);
            c->a[1] = c->a[2] == 1 ? bad_ptr() : in_ptr(64);
        } else if (all_mode) {
            c->a[1] = in_ptr(64); c->a[2] = PICK(0, 1, 8, 1024, 1025, -1);
        } else {
            c->a[1] = (long)good_iov; c->a[2] = PICK(1, IOV_GOOD); /* qemu: 0 iovecs is 0, not EBADF */
        }
        break; }
    case 4: c->name = "close"; c->nr = PK_SYS_CLOSE; c->a[0] = PICK(-1, 1000, 4096, 65536); break;
    case 5: c->name = "waitid"; c->nr = PK_SYS_WAITID;
        c->a[0] = PICK(PK_P_ALL, PK_P_PID, 99, -1); c->a[1] = PICK(0, 1, 0x3ffffff0, -1);
        c->a[2] = all_mode ? out_ptr(sizeof(struct pk_siginfo))
                           : below(4) == 0 ? 0 : (long)(out_buf + below(PAGE));
        c->a[3] = PICK(0, PK_WEXITED, PK_WEXITED | PK_WNOHANG, PK_WSTOPPED | PK_WNOHANG, 0x40, 0x1000);
        c->a[4] = below(4) == 0 ? out_ptr(72) : 0;
        break;
    case 6: c->name = "set_tid_address"; c->nr = PK_SYS_SET_TID_ADDRESS; c->exact = 0;
        c->a[0] = below(2) ? out_ptr(4) : bad_ptr();
        break;
    case 7: c->name = "sched_yield"; c->nr = PK_SYS_SCHED_YIELD; break;
    case 8: c->name = "kill"; c->nr = PK_SYS_KILL;
        c->a[0] = PICK(getpid(), 0x3ffffff0, -0x3ffffff0); c->a[1] = PICK(0, 65, -1, 1000);
        break;
    case 9: c->name = "tkill"; c->nr = PK_SYS_TKILL;
        c->a[0] = PICK(pk_gettid(), 0x3ffffff0, 0, -1); c->a[1] = PICK(0, 65, -1);
        break;
    case 10: c->name = "tgkill"; c->nr = PK_SYS_TGKILL;
        c->a[0] = PICK(getpid(), 0x3ffffff0, 0, -1); c->a[1] = PICK(pk_gettid(), 0x3ffffff0, 0, -1);
        c->a[2] = PICK(0, 65, -1);
        break;
    case 11: c->name = "setpriority"; c->nr = PK_SYS_SETPRIORITY;
        c->a[0] = PICK(PK_PRIO_PROCESS, 3, 99, -1); c->a[1] = PICK(0, getpid(), 0x3ffffff0);
        c->a[2] = 0; /* no change: raising needs privilege under qemu, lowering is one-way */
        break;
    case 12: c->name = "getpriority"; c->nr = PK_SYS_GETPRIORITY;
        c->a[0] = PICK(PK_PRIO_PROCESS, 3, 99, -1); c->a[1] = PICK(0, getpid(), 0x3ffffff0);
        break;
    case 13: c->name = "uname"; c->nr = PK_SYS_UNAME; c->a[0] = out_ptr(sizeof(struct pk_utsname)); break;
    case 14: c->name = "getpid"; c->nr = PICK(PK_SYS_GETPID, PK_SYS_GETPPID, PK_SYS_GETTID); c->exact = 0;
        break;
    case 15: c->name = "getuid"; c->nr = PICK(PK_SYS_GETUID, PK_SYS_GETEUID, PK_SYS_GETGID, PK_SYS_GETEGID);
        c->exact = 0; break;
    case 16: c->name = "brk"; c->nr = PK_SYS_BRK; c->exact = 0;
        c->a[0] = PICK(0, pk_syscall1(PK_SYS_BRK, 0) + PAGE, 0x80000000L, -1, 0x1000);
        break;
    case 17: { c->name = "munmap"; c->nr = PK_SYS_MUNMAP;
        long addr, len;
        if (below(2)) scratch_range(&addr, &len, 1); else failing_range(&addr, &len, 1);
        c->a[0] = addr; c->a[1] = len;
        break; }
    case 18: { c->name = "mprotect"; c->nr = PK_SYS_MPROTECT;
        long addr, len;
        int failing = below(2);
        if (!failing) scratch_range(&addr, &len, all_mode); else failing_range(&addr, &len, all_mode);
        c->a[0] = addr; c->a[1] = len; c->a[2] = PICK(0, 1, 3, 5, 7, 8, 0x10);
        if (failing && !all_mode) /* Linux checks the range before prot, qemu prot first */
            c->a[2] = PICK(0, 1, 3, 5, 7, 8);
        break; }
    case 19: { c->name = "mmap2"; c->nr = PK_SYS_MMAP2;
        long prot = PICK(0, 1, 3, 7, 8);
        long type = PICK(PK_MAP_PRIVATE, PK_MAP_SHARED, 0, 3);
        long anon = below(5) ? PK_MAP_ANONYMOUS : 0;
        c->a[2] = prot; c->a[4] = anon ? -1 : PICK(-1, 1000); c->a[5] = 0;
        if (!anon && !all_mode) { /* a bad fd, everything else good */
            c->a[0] = 0; c->a[1] = PICK(PAGE, 3 * PAGE); c->a[3] = PICK(PK_MAP_PRIVATE, PK_MAP_SHARED);
        } else if (below(3) == 0 && (type & 3) != 0 && type != 3) {
            long addr, len; /* MAP_FIXED: only inside scratch (or failing) */
            if (below(2)) scratch_range(&addr, &len, 1); else failing_range(&addr, &len, 1);
            c->a[0] = addr; c->a[1] = len; c->a[3] = type | anon | PK_MAP_FIXED;
        } else {
            c->a[0] = PICK(0, 0x1000, 0x40000000, (long)(scratch + PAGE));
            c->a[1] = PICK(0, 1, PAGE, 3 * PAGE, 1 << 20, (long)0xF0000000u, -1);
            c->a[3] = type | anon;
            c->unmap_len = c->a[1];
        }
        c->exact = 0;
        break; }
    case 20: c->name = "getrandom"; c->nr = PK_SYS_GETRANDOM;
        c->a[2] = PICK(0, PK_GRND_NONBLOCK, PK_GRND_RANDOM, 3, 8, -1);
        c->a[1] = PICK(0, 1, 16, 256);
        c->a[0] = out_ptr_if(c->a[1] == 0 || (c->a[2] & ~3) != 0, (uint32_t)c->a[1]);
        break;
    case 21: c->name = "clock_gettime64"; c->nr = PK_SYS_CLOCK_GETTIME64;
        c->a[0] = PICK(0, 1, 2, 3, 12, 16, 1000); c->a[1] = out_ptr(16);
        break;
    case 22: c->name = "clock_nanosleep_time64"; c->nr = PK_SYS_CLOCK_NANOSLEEP_TIME64;
        c->a[0] = PICK(0, 1, 3, 12, 1000); c->a[1] = PICK(0, PK_TIMER_ABSTIME);
        c->a[2] = sleep_ptr(all_mode || c->a[0] <= 1); /* absolute: long past */
        c->a[3] = below(2) ? 0 : out_ptr(16);
        break;
    case 23: case 24: { c->name = "futex_time64"; c->nr = PK_SYS_FUTEX_TIME64;
        long uaddr = below(4) == 0 ? bad_ptr() : (long)(in_buf + 4 * below(64) + (below(8) == 0));
        int wake = below(2) && all_mode;
        long op = wake ? PK_FUTEX_WAKE : PK_FUTEX_WAIT;
        if (below(2)) op |= PK_FUTEX_PRIVATE_FLAG;
        if (below(10) == 0) op = PICK(15, 100, 0x7f);
        c->a[0] = uaddr; c->a[1] = op;
        /* val: the current value (then WAIT times out) or something else */
        c->a[2] = below(2) && uaddr >= (long)0x2000 && (uint32_t)uaddr < 0x80000000u && (uaddr & 3) == 0
                      ? (long)*(volatile uint32_t *)uaddr : (long)next();
        if (wake)
            c->a[2] = PICK(0, 1, 0x7fffffff);
        else if (below(8) == 0)
            c->a[3] = bad_ptr();
        else
            c->a[3] = sleep_ptr(1);
        if (c->a[3] == 0 && !wake) { /* never wait without a timeout */
            struct pk_timespec64 *t = (struct pk_timespec64 *)out_buf;
            t->tv_sec = 0;
            t->tv_nsec = 1000;
            c->a[3] = (long)t;
        }
        break; }
    case 25: case 26: case 27: c->name = "nosys"; c->nr = below(2) ? (long)(600 + below(0x7fffffff - 600))
                                                            : -(long)(1 + below(0x7fffffff));
        for (int i = 0; i < 6; i++)
            c->a[i] = (long)next();
        break;
    /* all mode only */
    case 28: c->name = "getnpid"; c->nr = PK_SYS_GETNPID; c->a[0] = out_ptr(8); break;
    case 29: c->name = "shm_create"; c->nr = PK_SYS_SHM_CREATE; c->exact = 0;
        c->a[0] = PICK(0, 1, PAGE, 3 * PAGE, 1 << 20, (long)0xF0000000u, -1);
        break;
    case 30: c->name = "shm_map"; c->nr = PK_SYS_SHM_MAP; c->exact = 0;
        c->a[0] = handle_pick(); c->a[1] = PICK(0, 0x80000000L, (long)0xfffff000u, 0x1001);
        c->a[2] = PICK(1, 3, 0, 8);
        break;
    case 31: c->name = "shm_grant/close"; c->exact = 0;
        if (below(2)) {
            c->nr = PK_SYS_SHM_GRANT; c->a[0] = handle_pick(); c->a[1] = PICK(getpid(), 0x3ffffff0, 0, -1);
        } else {
            c->nr = PK_SYS_SHM_CLOSE; c->a[0] = handle_pick();
        }
        break;
    default: c->name = "pakaya-range"; c->nr = 502 + below(98);
        if (c->nr >= 510 && c->nr <= 513)
            c->nr = 514;
        for (int i = 0; i < 6; i++)
            c->a[i] = (long)next();
        break;
    }
}

static uint32_t errcount[134], okcount, othererr;

int main(int argc, char **argv)
{
    uint32_t seed = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 0) : 1;
    long count = argc > 2 ? atol(argv[2]) : 1000;
    all_mode = argc > 3 && strcmp(argv[3], "all") == 0;
    verbose = argc > 4 && strcmp(argv[4], "v") == 0;
    if (argc > 3 && !all_mode && strcmp(argv[3], "linux") != 0) {
        fprintf(stderr, "fuzz: mode must be linux or all\n");
        return 2;
    }
    rng = seed ? seed : 0x9e3779b9u;
    in_buf = mmap(NULL, 2 * PAGE, PK_PROT_READ | PK_PROT_WRITE, PK_MAP_PRIVATE | PK_MAP_ANONYMOUS, -1, 0);
    out_buf = mmap(NULL, 2 * PAGE, PK_PROT_READ | PK_PROT_WRITE, PK_MAP_PRIVATE | PK_MAP_ANONYMOUS, -1, 0);
    scratch = mmap(NULL, SCRATCH_PAGES * PAGE, PK_PROT_READ | PK_PROT_WRITE,
                   PK_MAP_PRIVATE | PK_MAP_ANONYMOUS, -1, 0);
    if (in_buf == PK_MAP_FAILED || out_buf == PK_MAP_FAILED || scratch == PK_MAP_FAILED) {
        puts("fuzz: setup failed");
        return 1;
    }
    for (uint32_t i = 0; i < 2 * PAGE; i++)
        in_buf[i] = (char)(i * 7 + 1); /* iovecs read from here point at junk: fds are bad */
    good_iov = (uint32_t *)(in_buf + PAGE);
    for (uint32_t i = 0; i < IOV_GOOD; i++) {
        good_iov[2 * i] = (uint32_t)(uintptr_t)(out_buf + 64 * i);
        good_iov[2 * i + 1] = 16;
    }

    uint32_t sum = FNV_INIT;
    for (long i = 0; i < count; i++) {
        struct call c;
        memset(&c, 0, sizeof c);
        c.exact = 1;
        make_call(&c);
        if (verbose) {
            printf("%ld: %s(%ld) %lx %lx %lx %lx %lx %lx -> ", i, c.name, c.nr, c.a[0], c.a[1],
                   c.a[2], c.a[3], c.a[4], c.a[5]);
            fflush(stdout);
        }
        long r = pk_syscall6(c.nr, c.a[0], c.a[1], c.a[2], c.a[3], c.a[4], c.a[5]);
        if (!PK_IS_ERR(r) && c.unmap_len > 0)
            pk_syscall2(PK_SYS_MUNMAP, r, c.unmap_len);
        /* qemu's mprotect succeeds on unmapped pages (Linux: ENOMEM): keep scratch mapped */
        if (!PK_IS_ERR(r) && c.nr == PK_SYS_MUNMAP && !all_mode &&
            mmap(scratch, SCRATCH_PAGES * PAGE, PK_PROT_READ | PK_PROT_WRITE,
                 PK_MAP_PRIVATE | PK_MAP_ANONYMOUS | PK_MAP_FIXED, -1, 0) != scratch) {
            puts("fuzz: cannot map the scratch region again");
            return 1;
        }
        if (!PK_IS_ERR(r) && c.nr == PK_SYS_SHM_CREATE)
            record_handle((int)r, c.a[0]);
        if (!PK_IS_ERR(r) && c.nr == PK_SYS_SHM_GRANT && c.a[1] == getpid())
            record_handle((int)r, 0); /* a second handle to some object: size not tracked */
        if (!PK_IS_ERR(r) && c.nr == PK_SYS_SHM_CLOSE)
            record_handle((int)c.a[0], 0);
        if (!PK_IS_ERR(r) && c.nr == PK_SYS_SHM_MAP) {
            long bytes = 0; /* the mapping is the whole object (unknown: left mapped) */
            for (int h = 0; h < handle_count; h++)
                if (handles[h] == c.a[0])
                    bytes = handle_bytes[h];
            pk_syscall2(PK_SYS_MUNMAP, r, bytes);
        }
        long folded = PK_IS_ERR(r) ? r : c.exact ? r : 0;
        sum = fnv_mix(sum, (uint32_t)c.nr);
        sum = fnv_mix(sum, (uint32_t)folded);
        if (PK_IS_ERR(r) && -r < 134)
            errcount[-r]++;
        else if (PK_IS_ERR(r))
            othererr++;
        else
            okcount++;
        if (verbose)
            printf("%ld\n", folded);
    }
    printf("fuzz: seed=%lu count=%ld mode=%s checksum=0x%08lx\n", (unsigned long)seed, count,
           all_mode ? "all" : "linux", (unsigned long)sum);
    printf("fuzz: ok %lu", (unsigned long)okcount);
    for (int e = 1; e < 134; e++)
        if (errcount[e])
            printf(", %s(%d) %lu", linux_errname(e), e, (unsigned long)errcount[e]);
    if (othererr)
        printf(", other %lu", (unsigned long)othererr);
    printf("\n");
    return 0;
}
