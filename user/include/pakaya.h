/*
 * pakaya.h - the Pakaya C SDK: system call numbers and libpakaya wrappers.
 *
 * System call ABI (identical to Linux riscv32, so every program also runs
 * unchanged under qemu-riscv32):
 *
 *   - `ecall` with the call number in a7 and up to six arguments in a0..a5;
 *   - the result comes back in a0; a value in [-4095, -1] is a negated errno
 *     (the raw pk_syscall* helpers return it as is, the libc-style wrappers
 *     below store it in `errno` and return -1 instead);
 *   - every other register is preserved.
 *
 * Calls that Linux has use their Linux riscv32 number and semantics; rv32 has
 * only the 64-bit-time forms of the clock and futex calls.  Pakaya-only calls
 * (spawn, npid, shared regions, ...) are numbered from 500 up and are listed in
 * docs/syscalls.md; under Linux and qemu-riscv32 they return -ENOSYS.
 *
 * Programs start with the Linux/System V initial stack (argc, argv, envp,
 * auxv); lib/crt0.S turns it into main(argc, argv, envp), sets `environ`, sets
 * up thread-local storage for picolibc (errno lives there) and calls
 * exit(main(...)), which flushes stdout and stderr.
 */
#ifndef PAKAYA_H
#define PAKAYA_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sched.h>
#include <time.h>
#include <unistd.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- System call numbers (Linux riscv32) -------------------------------- */
/*
 * The Pakaya kernel implements every call listed here (docs/syscalls.md is the
 * kernel's reference); any other number returns -ENOSYS (38), as Linux does.
 * Linux semantics unless a comment says otherwise.
 */

#define PK_SYS_CLOSE 57                   /* close(fd) */
#define PK_SYS_READ 63                    /* read(fd, buf, count); fd 0 = stdin */
#define PK_SYS_WRITE 64                   /* write(fd, buf, count) */
#define PK_SYS_READV 65                   /* readv(fd, iov, iovcnt) */
#define PK_SYS_WRITEV 66                  /* writev(fd, iov, iovcnt) */
#define PK_SYS_EXIT 93                    /* exit(status): this thread */
#define PK_SYS_EXIT_GROUP 94              /* exit_group(status): process */
#define PK_SYS_WAITID 95                  /* waitid(idtype, id, siginfo *, options, rusage *) */
#define PK_SYS_SET_TID_ADDRESS 96         /* set_tid_address(tidptr): returns the tid */
#define PK_SYS_SCHED_YIELD 124            /* sched_yield() */
#define PK_SYS_KILL 129                   /* kill(pid, sig) */
#define PK_SYS_TKILL 130                  /* tkill(tid, sig) */
#define PK_SYS_TGKILL 131                 /* tgkill(tgid, tid, sig) */
#define PK_SYS_SIGALTSTACK 132            /* sigaltstack(ss, old_ss) */
#define PK_SYS_RT_SIGSUSPEND 133          /* rt_sigsuspend(mask, 8) -> -EINTR */
#define PK_SYS_RT_SIGACTION 134           /* rt_sigaction(sig, act, oldact, 8) */
#define PK_SYS_RT_SIGPROCMASK 135         /* rt_sigprocmask(how, set, oldset, 8) */
#define PK_SYS_RT_SIGPENDING 136          /* rt_sigpending(set, 8) */
#define PK_SYS_RT_SIGRETURN 139           /* rt_sigreturn() (the trampoline calls it) */
#define PK_SYS_RT_SIGTIMEDWAIT_TIME64 421 /* rt_sigtimedwait_time64(set, info, timeout, 8) -> sig */
#define PK_SYS_SETPRIORITY 140            /* setpriority(which, who, nice) */
#define PK_SYS_GETPRIORITY 141            /* getpriority(which, who): 20 - nice (raw) */
#define PK_SYS_SETPGID 154                /* setpgid(pid, pgid) */
#define PK_SYS_GETPGID 155                /* getpgid(pid) */
#define PK_SYS_GETSID 156                 /* getsid(pid) */
#define PK_SYS_SETSID 157                 /* setsid() */
#define PK_SYS_UNAME 160                  /* uname(struct pk_utsname *) */
#define PK_SYS_GETPID 172                 /* getpid() */
#define PK_SYS_GETPPID 173                /* getppid() */
#define PK_SYS_GETUID 174                 /* getuid(): 0 */
#define PK_SYS_GETEUID 175                /* geteuid(): 0 */
#define PK_SYS_GETGID 176                 /* getgid(): 0 */
#define PK_SYS_GETEGID 177                /* getegid(): 0 */
#define PK_SYS_GETTID 178                 /* gettid() */
#define PK_SYS_BRK 214                    /* brk(addr), see pk_brk() */
#define PK_SYS_MUNMAP 215                 /* munmap(addr, len) */
#define PK_SYS_CLONE 220                  /* clone(flags, stack, ptid, tls, ctid) */
#define PK_SYS_EXECVE 221                 /* execve(path, argv, envp); path as for spawn */
#define PK_SYS_MMAP2 222                  /* mmap2(addr, len, prot, flags, fd, pgoff): anonymous only */
#define PK_SYS_MPROTECT 226               /* mprotect(addr, len, prot) */
#define PK_SYS_GETRANDOM 278              /* getrandom(buf, count, flags) */
#define PK_SYS_CLOCK_GETTIME64 403        /* clock_gettime64(clk, struct pk_timespec64 *) */
#define PK_SYS_CLOCK_NANOSLEEP_TIME64 407 /* clock_nanosleep_time64(clk, flags, req, rem) */
#define PK_SYS_FUTEX_TIME64 422           /* futex_time64(uaddr, op, val, timeout, uaddr2, val3) */

/* First number of the Pakaya-only calls (qemu-riscv32 and Linux: -ENOSYS). */
#define PK_SYS_PAKAYA_BASE 500
#define PK_SYS_SPAWN 500      /* spawn(path, argv, envp) -> child pid */
#define PK_SYS_GETNPID 501    /* getnpid(struct pk_npid *) -> 0 */
#define PK_SYS_SPAWN_ON 504   /* spawn_on(node, path, argv, envp, struct pk_npid *) -> 0 */
#define PK_SYS_SHM_CREATE 510 /* shm_create(size) -> handle */
#define PK_SYS_SHM_MAP 511    /* shm_map(handle, addr, prot) -> address */
#define PK_SYS_SHM_GRANT 512  /* shm_grant(handle, pid) -> handle in pid */
#define PK_SYS_SHM_CLOSE 513  /* shm_close(handle) -> 0 */
/* IPC (docs/syscalls.md, "IPC"): capabilities, ports, port sets, call/reply, notifications */
#define PK_SYS_CAP_DERIVE 520       /* cap_derive(slot, rights, badge) -> new slot */
#define PK_SYS_CAP_DELETE 521       /* cap_delete(slot) -> 0 */
#define PK_SYS_CAP_REVOKE 522       /* cap_revoke(slot) -> number of capabilities deleted */
#define PK_SYS_CAP_INFO 523         /* cap_info(slot, struct pk_cap_info *) -> 0 */
#define PK_SYS_PORT_CREATE 524      /* port_create() -> receive-right slot */
#define PK_SYS_PORT_SEND 525        /* port_send(slot, msg, flags, timeout) -> 0 */
#define PK_SYS_PORT_RECV 526        /* port_recv(slot, msg, flags, timeout) -> 0 */
#define PK_SYS_PORT_CALL 527        /* port_call(slot, msg, reply_msg, timeout) -> 0 */
#define PK_SYS_PORT_REPLY 528       /* port_reply(reply_slot, msg) -> 0 */
#define PK_SYS_PORT_REPLY_RECV 529  /* port_reply_recv(reply_slot, reply_msg, recv_slot, recv_msg) */
#define PK_SYS_PORTSET_CREATE 530   /* portset_create() -> slot */
#define PK_SYS_PORTSET_ADD 531      /* portset_add(set, port) -> 0 */
#define PK_SYS_PORTSET_REMOVE 532   /* portset_remove(set, port) -> 0 */
#define PK_SYS_NOTIFY_CREATE 533    /* notify_create() -> slot */
#define PK_SYS_NOTIFY_SIGNAL 534    /* notify_signal(slot, bits) -> 0 */
#define PK_SYS_NOTIFY_WAIT 535      /* notify_wait(slot, uint32_t *bits, flags, timeout) -> 0 */
#define PK_SYS_PORT_NOTIFY_DEAD 536 /* port_notify_dead(port_slot, notify_slot, bits) -> 0 */
#define PK_SYS_PORT_CALL_SHORT 537  /* port_call_short(slot, size, w0, w1, w2): registers */
#define PK_SYS_PORT_REPLY_RECV_SHORT 538 /* port_reply_recv_short(reply, size, w0..w2, recv) */
#define PK_SYS_PORT_SEND_SHORT 539  /* port_send_short(slot, size, w0, w1, w2, flags) -> 0 */

/* ---- Linux constants ------------------------------------------------------ */
/*
 * picolibc's <errno.h>, <signal.h> and <time.h> are not Linux's: ENOSYS is 88
 * there (Linux 38), SIGCHLD 20 (Linux 17), CLOCK_MONOTONIC 4 (Linux 1),
 * TIMER_ABSTIME 4 (Linux 1).  Raw system calls take and return the Linux
 * values below.  The libc-style wrappers store picolibc's errno value (see
 * pk_ret()); this header redefines CLOCK_* and TIMER_ABSTIME to Linux's (see
 * clock_gettime below).  Errno values 1..34 and the signal numbers 1..9, 11,
 * 13..15 are the same in both.
 */

/* errno (raw results are the negation) */
#define PK_EPERM 1
#define PK_ENOENT 2
#define PK_ESRCH 3
#define PK_EINTR 4
#define PK_E2BIG 7
#define PK_ENOEXEC 8
#define PK_EBADF 9
#define PK_ECHILD 10
#define PK_EAGAIN 11
#define PK_ENOMEM 12
#define PK_EACCES 13
#define PK_EFAULT 14
#define PK_EBUSY 16
#define PK_EEXIST 17
#define PK_EINVAL 22
#define PK_EMFILE 24
#define PK_EPIPE 32
#define PK_ENAMETOOLONG 36
#define PK_ENOSYS 38
#define PK_EOVERFLOW 75
#define PK_EMSGSIZE 90
#define PK_EOPNOTSUPP 95
#define PK_ETIMEDOUT 110
#define PK_EHOSTUNREACH 113 /* a remote port's node is unreachable or declared dead */

/* signals */
#define PK_SIGHUP 1
#define PK_SIGINT 2
#define PK_SIGQUIT 3
#define PK_SIGILL 4
#define PK_SIGTRAP 5
#define PK_SIGABRT 6
#define PK_SIGBUS 7
#define PK_SIGFPE 8
#define PK_SIGKILL 9
#define PK_SIGUSR1 10
#define PK_SIGSEGV 11
#define PK_SIGUSR2 12
#define PK_SIGPIPE 13
#define PK_SIGALRM 14
#define PK_SIGTERM 15
#define PK_SIGCHLD 17
#define PK_SIGCONT 18
#define PK_SIGSTOP 19
#define PK_SIGTSTP 20
#define PK_SIGTTIN 21
#define PK_SIGTTOU 22
#define PK_SIGURG 23
#define PK_SIGWINCH 28
#define PK_NSIG 64 /* signals are 1..64 */

/* sigaction: dispositions and sa_flags (Linux riscv; no SA_RESTORER on riscv) */
#define PK_SIG_DFL ((pk_sighandler_t)0)
#define PK_SIG_IGN ((pk_sighandler_t)1)
#define PK_SA_NOCLDSTOP 0x00000001u
#define PK_SA_NOCLDWAIT 0x00000002u
#define PK_SA_SIGINFO 0x00000004u
#define PK_SA_ONSTACK 0x08000000u
#define PK_SA_RESTART 0x10000000u
#define PK_SA_NODEFER 0x40000000u
#define PK_SA_RESETHAND 0x80000000u
/* sigprocmask how */
#define PK_SIG_BLOCK 0
#define PK_SIG_UNBLOCK 1
#define PK_SIG_SETMASK 2
/* sigaltstack */
#define PK_SS_ONSTACK 1
#define PK_SS_DISABLE 2
#define PK_MINSIGSTKSZ 2048
#define PK_SIGSTKSZ 8192
/* siginfo si_code */
#define PK_SI_USER 0
#define PK_SI_KERNEL 0x80
#define PK_SI_TKILL (-6)
#define PK_SEGV_MAPERR 1
#define PK_SEGV_ACCERR 2
#define PK_ILL_ILLOPC 1
#define PK_BUS_ADRALN 1

/* clone flags */
#define PK_CLONE_VM 0x00000100
#define PK_CLONE_FS 0x00000200
#define PK_CLONE_FILES 0x00000400
#define PK_CLONE_SIGHAND 0x00000800
#define PK_CLONE_THREAD 0x00010000
#define PK_CLONE_SYSVSEM 0x00040000
#define PK_CLONE_SETTLS 0x00080000
#define PK_CLONE_PARENT_SETTID 0x00100000
#define PK_CLONE_CHILD_CLEARTID 0x00200000
/* what pk_thread_create passes (glibc's pthread_create passes the same set) */
#define PK_CLONE_THREAD_FLAGS                                                             \
    (PK_CLONE_VM | PK_CLONE_FS | PK_CLONE_FILES | PK_CLONE_SIGHAND | PK_CLONE_THREAD |   \
     PK_CLONE_SYSVSEM | PK_CLONE_SETTLS | PK_CLONE_PARENT_SETTID | PK_CLONE_CHILD_CLEARTID)

/* waitid: idtype, options, siginfo si_code for SIGCHLD */
#define PK_P_ALL 0
#define PK_P_PID 1
#define PK_P_PGID 2
#define PK_WNOHANG 1
#define PK_WSTOPPED 2
#define PK_WEXITED 4
#define PK_WCONTINUED 8
#define PK_CLD_EXITED 1
#define PK_CLD_KILLED 2
#define PK_CLD_DUMPED 3
#define PK_CLD_TRAPPED 4
#define PK_CLD_STOPPED 5
#define PK_CLD_CONTINUED 6

/* mmap / mprotect */
#define PK_PROT_NONE 0
#define PK_PROT_READ 1
#define PK_PROT_WRITE 2
#define PK_PROT_EXEC 4
#define PK_MAP_SHARED 0x01
#define PK_MAP_PRIVATE 0x02
#define PK_MAP_FIXED 0x10
#define PK_MAP_ANONYMOUS 0x20
#define PK_MAP_FAILED ((void *)-1)

/* clocks (Linux clockid_t values) and clock_nanosleep flags */
#define PK_CLOCK_REALTIME 0
#define PK_CLOCK_MONOTONIC 1
#define PK_CLOCK_PROCESS_CPUTIME_ID 2
#define PK_CLOCK_THREAD_CPUTIME_ID 3
#define PK_TIMER_ABSTIME 1

/* futex */
#define PK_FUTEX_WAIT 0
#define PK_FUTEX_WAKE 1
#define PK_FUTEX_REQUEUE 3
#define PK_FUTEX_CMP_REQUEUE 4
#define PK_FUTEX_WAIT_BITSET 9 /* timeout absolute (CLOCK_MONOTONIC unless CLOCK_REALTIME) */
#define PK_FUTEX_WAKE_BITSET 10
#define PK_FUTEX_PRIVATE_FLAG 128
#define PK_FUTEX_CLOCK_REALTIME 256
#define PK_FUTEX_BITSET_MATCH_ANY 0xffffffffu

/* setpriority / getpriority */
#define PK_PRIO_PROCESS 0

/* getrandom flags */
#define PK_GRND_NONBLOCK 1
#define PK_GRND_RANDOM 2

/* ---- structures the kernel reads or writes --------------------------------- */

/* struct __kernel_timespec: what the *_time64 calls take (16 bytes). */
struct pk_timespec64 {
    int64_t tv_sec;
    int64_t tv_nsec; /* Linux rv32 reads the low 32 bits only; keep the high half 0 */
};

/*
 * Linux's siginfo_t (128 bytes): what waitid fills (SIGCHLD) and what an
 * SA_SIGINFO handler gets.  For a fault (SIGSEGV, SIGBUS, SIGILL, SIGTRAP)
 * si_addr, at the place of si_pid, is the faulting address (SIGILL: the pc).
 */
struct pk_siginfo {
    int32_t si_signo;  /* PK_SIGCHLD, or 0 when WNOHANG found nothing */
    int32_t si_errno;  /* 0 */
    int32_t si_code;   /* PK_CLD_*, PK_SI_*, PK_SEGV_*, ... */
    union {
        int32_t si_pid; /* the child or the sender, or 0 */
        void *si_addr;  /* faults */
    };
    uint32_t si_uid;   /* 0 */
    int32_t si_status; /* exit status (CLD_EXITED) or signal number */
    int32_t si_utime;
    int32_t si_stime;
    int32_t pad[24];
};

/* Linux's 64-signal sigset_t (bit sig-1 for signal sig); 4-byte aligned as on rv32. */
typedef uint64_t pk_sigset_t __attribute__((aligned(4)));
#define PK_SIGBIT(sig) ((pk_sigset_t)1 << ((sig) - 1))

typedef void (*pk_sighandler_t)(int);

/* The kernel's struct sigaction on riscv32 (16 bytes): handler, flags, mask. */
struct pk_sigaction {
    union {
        pk_sighandler_t sa_handler;                                /* PK_SIG_DFL, PK_SIG_IGN, or a handler */
        void (*sa_sigaction)(int, struct pk_siginfo *, void *); /* with PK_SA_SIGINFO */
    };
    uint32_t sa_flags;   /* PK_SA_* */
    pk_sigset_t sa_mask; /* also blocked while the handler runs (not under qemu-riscv32 7.2: lib/signal.c) */
};

/* stack_t (12 bytes). */
struct pk_stack {
    void *ss_sp;
    int32_t ss_flags; /* PK_SS_ONSTACK, PK_SS_DISABLE */
    uint32_t ss_size;
};

/*
 * struct ucontext on riscv32: a handler's third argument points at one, in
 * its signal frame.  uc_mcontext.gregs[0] is the interrupted pc, gregs[i]
 * register xi; a handler may change them, and rt_sigreturn resumes there.
 */
struct pk_ucontext {
    uint32_t uc_flags;
    struct pk_ucontext *uc_link;
    struct pk_stack uc_stack;
    pk_sigset_t uc_sigmask; /* the mask restored when the handler returns */
    uint8_t uc_unused[120];
    struct {
        uint32_t gregs[32];
        uint8_t fpregs[528]; /* union __riscv_fp_state: zero (no F/D) */
    } uc_mcontext __attribute__((aligned(16)));
};

/* struct new_utsname (six fields of 65 bytes). */
struct pk_utsname {
    char sysname[65];
    char nodename[65];
    char release[65];
    char version[65];
    char machine[65];
    char domainname[65];
};

/*
 * The cluster-wide process id (NPID), kept for life: the node where the
 * process was born and its local id there (a restore or migration keeps it).
 */
struct pk_npid {
    uint32_t node;
    uint32_t local; /* == getpid(), unless a restore found that id taken on its new node */
};

/* ---- auxiliary vector types (subset of <elf.h> AT_*) -------------------- */

#define PK_AT_NULL 0
#define PK_AT_PHDR 3
#define PK_AT_PHENT 4
#define PK_AT_PHNUM 5
#define PK_AT_PAGESZ 6
#define PK_AT_ENTRY 9
#define PK_AT_RANDOM 25

/* ---- raw system calls ---------------------------------------------------- */

/*
 * pk_syscall6(n, a..f): issue system call n.  Returns the raw a0, i.e. a
 * negated errno on failure.  Unused arguments may be passed as 0.
 */
static inline long pk_syscall6(long n, long a, long b, long c, long d, long e, long f)
{
    register long a7 __asm__("a7") = n;
    register long a0 __asm__("a0") = a;
    register long a1 __asm__("a1") = b;
    register long a2 __asm__("a2") = c;
    register long a3 __asm__("a3") = d;
    register long a4 __asm__("a4") = e;
    register long a5 __asm__("a5") = f;
    __asm__ volatile("ecall"
                     : "+r"(a0)
                     : "r"(a7), "r"(a1), "r"(a2), "r"(a3), "r"(a4), "r"(a5)
                     : "memory");
    return a0;
}

static inline long pk_syscall0(long n) { return pk_syscall6(n, 0, 0, 0, 0, 0, 0); }
static inline long pk_syscall1(long n, long a) { return pk_syscall6(n, a, 0, 0, 0, 0, 0); }
static inline long pk_syscall2(long n, long a, long b) { return pk_syscall6(n, a, b, 0, 0, 0, 0); }
static inline long pk_syscall3(long n, long a, long b, long c)
{
    return pk_syscall6(n, a, b, c, 0, 0, 0);
}
static inline long pk_syscall4(long n, long a, long b, long c, long d)
{
    return pk_syscall6(n, a, b, c, d, 0, 0);
}
static inline long pk_syscall5(long n, long a, long b, long c, long d, long e)
{
    return pk_syscall6(n, a, b, c, d, e, 0);
}

/* True when a raw result is a negated errno. */
#define PK_IS_ERR(r) ((unsigned long)(r) > (unsigned long)-4096L)

/* ---- libpakaya wrappers (lib/syscall.c) ----------------------------------- */

/*
 * read / write: as POSIX.  Return the byte count, or -1 with errno set.
 * (Also declared by <unistd.h>.)
 */
ssize_t read(int fd, void *buf, size_t count);
ssize_t write(int fd, const void *buf, size_t count);

/*
 * _exit(status): end the whole process at once (exit_group), without running
 * atexit handlers or flushing stdio.  exit() (picolibc) runs atexit handlers
 * and destructors - libpakaya's destructor flushes stdout/stderr - and then
 * calls _exit().
 */
void _exit(int status) __attribute__((__noreturn__));

/* pk_exit_thread(status): the plain `exit` call (93): ends this thread only. */
void pk_exit_thread(int status) __attribute__((__noreturn__));

/*
 * pk_brk(addr): the raw Linux brk call.  pk_brk(0) returns the current break;
 * pk_brk(addr) moves the break to addr and returns the new break, or returns
 * the old (unchanged) break when the request cannot be satisfied.
 */
void *pk_brk(void *addr);

/*
 * brk(addr): the classic C-library form: set the break to addr; 0 on success,
 * -1 with errno = ENOMEM on failure.
 */
int brk(void *addr);

/*
 * sbrk(incr): move the break by incr bytes (may be negative).  Returns the old
 * break, or (void *)-1 with errno = ENOMEM.  picolibc's malloc uses this.
 */
void *sbrk(ptrdiff_t incr);

/* pk_getauxval(type): value of auxv entry `type`, or 0 if absent. */
unsigned long pk_getauxval(unsigned long type);

/* The auxiliary vector from the initial stack ({type, value} pairs, AT_NULL ends). */
extern unsigned long *__pk_auxv;

/* ---- errors (lib/errno.c) --------------------------------------------------- */

/*
 * pk_ret(raw): a raw result in the C convention.  A negated Linux errno
 * becomes -1 with errno set to picolibc's value for it (so `errno == ENOSYS`
 * works with <errno.h>); anything else is returned unchanged.
 */
long pk_ret(long raw);

/* pk_errno_from_linux(e): picolibc's errno value for Linux errno e (e itself if unknown). */
int pk_errno_from_linux(int e);

/* ---- processes (lib/process.c, lib/wait.c) ---------------------------------- */

/*
 * pk_fork(): clone(SIGCHLD): a copy-on-write copy of the calling process
 * (only the calling thread is copied).  Returns the child's pid in the parent,
 * 0 in the child, -1 with errno on failure.
 */
pid_t pk_fork(void);

/*
 * execve(path, argv, envp): replace the process image.  On Pakaya `path` names
 * a program in the node's program store ("hello" or "/bin/hello"); under
 * Linux/qemu it is a host path.  Returns only on failure (-1, errno).
 */
int execve(const char *path, char *const argv[], char *const envp[]);

/*
 * pk_spawn(path, argv, envp) [Pakaya only]: start the program `path` (as for
 * execve) as a new child of the caller.  Returns the child's pid (wait for it
 * with pk_waitpid), or -1 with errno (ENOSYS under Linux/qemu).
 */
pid_t pk_spawn(const char *path, char *const argv[], char *const envp[]);

/*
 * pk_spawn_on(node, path, argv, envp, out) [Pakaya only]: start the program
 * `path` (from this node's programs, as for pk_spawn) on cluster node `node`
 * (PK_NODE_ANY: wherever the cluster's placement puts it; this node is fine
 * too) and write the new process's NPID to `out`.  The caller blocks until
 * the target node answers (signal handlers run after).  The new process is a
 * cluster process of its own, not the caller's child (waitpid does not see it;
 * `pakaya wait NPID` does).  0, or -1 with errno: ENOENT (no such program),
 * EFAULT, EHOSTUNREACH (no such live node, or no link or registry), ETIMEDOUT,
 * ENOEXEC (the target refused the program), EINVAL (over 64 arguments),
 * EAGAIN (too many spawn_on calls waiting), EIO, ENOSYS (a node outside a
 * cluster).  docs/syscalls.md, call 504.
 */
#define PK_NODE_ANY 0xffffffffu
static inline int pk_spawn_on(uint32_t node, const char *path, char *const argv[], char *const envp[],
                              struct pk_npid *out)
{
    return (int)pk_ret(pk_syscall5(PK_SYS_SPAWN_ON, (long)node, (long)path, (long)argv, (long)envp, (long)out));
}

/* pk_getnpid(out) [Pakaya only]: the caller's cluster-wide id.  0, or -1 with errno. */
int pk_getnpid(struct pk_npid *out);

/*
 * pk_waitid(idtype, id, info, options): the raw waitid semantics in the C
 * convention (0 / -1 errno).  idtype PK_P_ALL or PK_P_PID; options are PK_W*
 * (include PK_WEXITED to see exits).  With PK_WNOHANG and no child ready,
 * returns 0 with info->si_pid == 0.
 */
int pk_waitid(int idtype, pid_t id, struct pk_siginfo *info, int options);

/*
 * pk_waitpid(pid, status, options): waitpid() on waitid.  pid -1 = any child,
 * pid > 0 = that child (other values: -1 EINVAL).  options: WNOHANG,
 * WUNTRACED (= PK_WSTOPPED), PK_WCONTINUED; exits are always reported.
 * Returns the child's pid, 0 (WNOHANG, nothing ready) or -1 with errno
 * (ECHILD: no such child).  *status (may be NULL) gets a wait(2)-style status
 * that <sys/wait.h>'s WIFEXITED/WEXITSTATUS/WIFSIGNALED/WTERMSIG/WIFSTOPPED
 * decode; WTERMSIG gives the Linux signal number (PK_SIG*).
 */
pid_t pk_waitpid(pid_t pid, int *status, int options);

/* pid_t getpid(void), getppid(void): as POSIX (declared by <unistd.h>). */
/* gettid(): the calling thread's id. */
pid_t pk_gettid(void);

/* kill(pid, sig): as POSIX, Linux signal numbers (PK_SIG*).  0 / -1 errno. */
int kill(pid_t pid, int sig);
/* pk_tgkill(tgid, tid, sig): signal one thread.  0 / -1 errno. */
int pk_tgkill(pid_t tgid, pid_t tid, int sig);

/* ---- signals (lib/signal.c) --------------------------------------------------- */
/*
 * picolibc's <signal.h> is not Linux's (its signal() and raise() never reach
 * the kernel, and its numbers differ): use these.  A handler returns through
 * the kernel's trampoline page (li a7,139; ecall), as through Linux's vDSO;
 * the library passes no restorer.  All: 0 / -1 errno.
 *
 * pk_sigaction(sig, act, old): rt_sigaction.  SIGKILL / SIGSTOP: EINVAL.
 * pk_sigprocmask(how, set, old): rt_sigprocmask; KILL and STOP are never blocked.
 * pk_sigpending(set): the pending signals this thread blocks.
 * pk_sigsuspend(mask): wait with `mask` until a handler has run; -1 EINTR.
 * pk_sigaltstack(ss, old): the calling thread's alternate signal stack.
 * pk_raise(sig): send `sig` to the calling thread (tgkill); a handler runs
 *   before pk_raise returns.
 */
int pk_sigaction(int sig, const struct pk_sigaction *act, struct pk_sigaction *old);
int pk_sigprocmask(int how, const pk_sigset_t *set, pk_sigset_t *old);
int pk_sigpending(pk_sigset_t *set);
int pk_sigsuspend(const pk_sigset_t *mask);
int pk_sigaltstack(const struct pk_stack *ss, struct pk_stack *old);
int pk_raise(int sig);
/*
 * pk_sigtimedwait(set, info, timeout): take a pending signal of `set` (block
 * them first), waiting up to `timeout` (NULL: no limit; zero: poll).  The
 * signal number, or -1 with errno EAGAIN (timed out) or EINTR (a handler ran).
 */
int pk_sigtimedwait(const pk_sigset_t *set, struct pk_siginfo *info, const struct pk_timespec64 *timeout);
/* pk_signal(sig, handler): sigaction with SA_RESTART and an empty mask; the old handler or PK_SIG_ERR. */
#define PK_SIG_ERR ((pk_sighandler_t)-1)
pk_sighandler_t pk_signal(int sig, pk_sighandler_t handler);

/* sched_yield(): 0 (declared by <sched.h>). */
int sched_yield(void);

/*
 * setpriority(which, who, nice) / getpriority(which, who): which = PK_PRIO_PROCESS,
 * who = pid (0: the caller), nice in [-20, 19] (clamped).  getpriority returns
 * the nice value (so -1 is a valid result: clear errno first); the raw call
 * returns 20 - nice.
 */
int setpriority(int which, id_t who, int nice);
int getpriority(int which, id_t who);

/* pk_uname(out): 0 / -1 errno. */
int pk_uname(struct pk_utsname *out);

/* ---- memory (lib/mman.c) ---------------------------------------------------- */

/*
 * mmap(addr, len, prot, flags, fd, offset): on mmap2 (offset must be a
 * multiple of 4096).  Pakaya supports anonymous memory only (PK_MAP_ANONYMOUS
 * with PK_MAP_PRIVATE or PK_MAP_SHARED, fd -1); addr is a hint unless
 * PK_MAP_FIXED.  Returns the address, or PK_MAP_FAILED with errno.
 * munmap(addr, len), mprotect(addr, len, prot): 0 / -1 errno.  PK_PROT_*.
 */
void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t offset);
int munmap(void *addr, size_t len);
int mprotect(void *addr, size_t len, int prot);

/* getrandom(buf, count, flags): bytes written, or -1 with errno.  PK_GRND_* flags. */
ssize_t getrandom(void *buf, size_t count, unsigned int flags);

/* ---- shared regions (lib/shm.c) [Pakaya only; -1 ENOSYS under Linux/qemu] ---- */

/*
 * pk_shm_create(size): a new shared region of `size` bytes (rounded up to
 * pages, zero-filled).  Returns a handle >= 0 (a small integer; fork and spawn
 * children inherit it) or -1 with errno.
 */
int pk_shm_create(size_t size);
/*
 * pk_shm_map(handle, addr, prot): map the whole region at addr (NULL: the
 * kernel chooses).  Returns the address or PK_MAP_FAILED with errno.  Unmap
 * with munmap().
 */
void *pk_shm_map(int handle, void *addr, int prot);
/*
 * pk_shm_grant(handle, pid): give process `pid` access to the region.  Returns
 * the handle number the region has in `pid` (tell it by other means), or -1.
 */
int pk_shm_grant(int handle, pid_t pid);
/* pk_shm_close(handle): drop the handle; the memory lives until its last mapping goes.  0 / -1. */
int pk_shm_close(int handle);

/* ---- IPC (lib/ipc.c) [Pakaya only; -1 ENOSYS under Linux/qemu] ------------- */
/*
 * Mach/seL4-style message passing (DESIGN.md section 5, docs/syscalls.md).
 * A process reaches IPC objects only through the numbered slots of its
 * capability space: a capability names one object (a port, a port set, a
 * notification, a reply, a shared region) with rights and a badge.  There is
 * no ambient authority: a slot you were not given is EBADF.
 *
 * Conventions for every pk_* call below (C convention: -1 with errno):
 *   - EBADF: the slot holds no capability (0, negative, too large, deleted);
 *   - EINVAL: the capability names the wrong kind of object, or a bad flag;
 *   - EPERM: the capability lacks a right the call needs;
 *   - EPIPE: the port is dead (its receive right was deleted);
 *   - EMFILE: the caller's capability space is full;
 *   - EFAULT: a bad struct pk_msg, data buffer or out pointer;
 *   - EAGAIN: PK_IPC_NONBLOCK and the call would wait;
 *   - ETIMEDOUT: the relative timeout (NULL = wait forever) passed.
 *
 * Initial slots: every process gets PK_CAP_NAME_SERVER (a send right to the
 * node's name server) and PK_CAP_CONSOLE (a send right to the console server),
 * both badged with its pid, when the node runs those servers; a spawned child
 * gets the capability its parent named in pk_spawn_with_cap in PK_CAP_PARENT.
 * Fork and spawn children also get derived copies of the parent's capabilities
 * at the same slots, except receive rights and reply capabilities.
 */

/* Rights (a bit mask). */
#define PK_RIGHT_SEND 1u       /* send messages to the port; signal a notification */
#define PK_RIGHT_RECEIVE 2u    /* receive (one per port; only moved, never copied) */
#define PK_RIGHT_SEND_ONCE 4u  /* a reply capability: one reply, then it is gone */
#define PK_RIGHT_GRANT 8u      /* messages sent with it may carry capabilities */
#define PK_RIGHT_MAP_READ 16u  /* shared regions: map readable */
#define PK_RIGHT_MAP_WRITE 32u /* shared regions: map writable */

/* Capability kinds (struct pk_cap_info.kind). */
#define PK_CAP_KIND_PORT 1
#define PK_CAP_KIND_PORTSET 2
#define PK_CAP_KIND_NOTIFICATION 3
#define PK_CAP_KIND_REPLY 4
#define PK_CAP_KIND_SHM 5

/* Initial capability slots. */
#define PK_CAP_NAME_SERVER 1
#define PK_CAP_CONSOLE 2
#define PK_CAP_PARENT 3

/* Limits. */
#define PK_MSG_MAX_BYTES 4096  /* bytes per message (EMSGSIZE above) */
#define PK_MSG_MAX_CAPS 4      /* capabilities per message (EINVAL above) */
#define PK_PORT_QUEUE_MAX 64   /* messages queued on one port */
#define PK_PORT_SENDER_QUOTA 16 /* messages one process may have queued on one port */
#define PK_PORTSET_MAX 64      /* ports in one port set */

/* flags of send, receive and notify_wait */
#define PK_IPC_NONBLOCK 1 /* EAGAIN instead of waiting */

/*
 * struct pk_msg (40 bytes): a message descriptor.
 *   data/size: to send, `size` bytes at `data`; to receive, `size` is the
 *     buffer's capacity and becomes the byte count received (a message larger
 *     than the capacity is not taken: EMSGSIZE, it stays queued).
 *   ncaps/caps: capability slots to carry (send: need GRANT on the sending
 *     capability) / the slots where carried capabilities arrived (receive;
 *     0 for one revoked in flight).
 *   move: bit i set: move caps[i] (its slot empties) instead of sending a
 *     derived copy.  A receive right can only be moved (not on its own
 *     port: EINVAL).  Once moved it serves none of the old holder's
 *     threads: those blocked receiving through it (directly or on a port
 *     set holding the port) wake and get EBADF; the port leaves the old
 *     holder's port set, and a moved port set arrives empty.
 *   badge (out): the badge of the send right the message came through.
 *   reply (out): for a message sent with pk_port_call, the slot of the reply
 *     capability (answer with pk_port_reply), else 0.
 */
struct pk_msg {
    void *data;
    uint32_t size;
    uint32_t ncaps;
    int32_t caps[PK_MSG_MAX_CAPS];
    uint32_t move;
    uint32_t badge;
    int32_t reply;
};

/* What pk_cap_info reports. */
struct pk_cap_info {
    uint32_t kind;   /* PK_CAP_KIND_* */
    uint32_t rights; /* PK_RIGHT_* */
    uint32_t badge;  /* 0: none */
};

/*
 * pk_cap_derive(slot, rights, badge): a copy of the capability in `slot` with
 * `rights` (a subset of its rights) and, if it has no badge yet, `badge`
 * (0: keep its badge).  The copy is recorded as derived (pk_cap_revoke on
 * the source deletes it).  A badge is any uint32.  Returns the new slot, or
 * -1: EPERM (more rights, a receive right, a reply capability, or a different
 * badge on a badged capability), EINVAL (unknown rights bits), EBADF, EMFILE
 * (no free slot: nothing is derived).
 */
int pk_cap_derive(int slot, uint32_t rights, uint32_t badge);
/*
 * pk_cap_delete(slot): empty the slot.  Deleting a port's receive right kills
 * the port (senders get EPIPE, dead-port notifications fire).  0 / -1 EBADF.
 */
int pk_cap_delete(int slot);
/*
 * pk_cap_revoke(slot): delete every capability derived from the one in `slot`,
 * in any process (the slot itself stays).  Returns how many, or -1 EBADF.
 */
int pk_cap_revoke(int slot);
/* pk_cap_info(slot, out): kind, rights and badge of a capability.  0 / -1 EBADF, EFAULT. */
int pk_cap_info(int slot, struct pk_cap_info *out);

/*
 * pk_port_create(): a new port.  Returns the slot of its receive right (which
 * also has SEND and GRANT), or -1 EMFILE.
 */
int pk_port_create(void);
/*
 * pk_port_send(slot, msg, flags, timeout): queue a message on the port (the
 * slot needs SEND).  Waits while the port's queue (PK_PORT_QUEUE_MAX) or the
 * caller's quota on it (PK_PORT_SENDER_QUOTA) is full, up to the relative
 * `timeout` (NULL: forever).  0, or -1: EAGAIN (PK_IPC_NONBLOCK, full),
 * ETIMEDOUT, EPIPE, EMSGSIZE (more than PK_MSG_MAX_BYTES), EINVAL (more than
 * PK_MSG_MAX_CAPS caps, a reply capability carried, the sending slot
 * carried), EPERM (caps without GRANT, a receive right copied), EBADF, EFAULT.
 */
int pk_port_send(int slot, const struct pk_msg *msg, int flags, const struct pk_timespec64 *timeout);
/*
 * pk_port_recv(slot, msg, flags, timeout): take the next message from the
 * port or port set in `slot` (needs RECEIVE), waiting for one up to `timeout`.
 * Fills msg (see struct pk_msg).  0, or -1: EAGAIN, ETIMEDOUT, EMSGSIZE (the
 * buffer is too small; the message stays queued), EMFILE, EBADF, EINVAL,
 * EPERM, EFAULT.
 */
int pk_port_recv(int slot, struct pk_msg *msg, int flags, const struct pk_timespec64 *timeout);
/*
 * pk_port_call(slot, msg, reply, timeout): send msg with a new reply
 * capability (the receiver finds its slot in msg.reply) and wait for the
 * answer, which fills `reply` as pk_port_recv would.  0, or -1: the errors
 * of send, EPIPE (the server dropped the reply capability or the port died),
 * ETIMEDOUT, EMFILE (no room for every capability the answer carries) and
 * EMSGSIZE (the answer is larger than reply->size): in those two cases the
 * answer is dropped with its capabilities and nothing is left in the space.
 */
int pk_port_call(int slot, const struct pk_msg *msg, struct pk_msg *reply,
                 const struct pk_timespec64 *timeout);
/*
 * pk_port_reply(reply_slot, msg): answer a call through its reply capability
 * (used once: the slot is then empty; never blocks).  0, or -1: EBADF (no
 * such slot, or already used), EINVAL (not a reply capability), EPIPE (the
 * caller stopped waiting), EMSGSIZE, EFAULT.
 */
int pk_port_reply(int reply_slot, const struct pk_msg *msg);
/*
 * pk_port_reply_recv(reply_slot, reply, recv_slot, recv): a server's loop in
 * one call: answer the last call (if reply_slot > 0; a client that has gone
 * is ignored) and wait for the next message on recv_slot.  0 / -1 as
 * pk_port_reply and pk_port_recv.
 */
int pk_port_reply_recv(int reply_slot, const struct pk_msg *reply, int recv_slot,
                       struct pk_msg *recv);

/*
 * Short messages in registers (message registers, as L4 and seL4 have): up
 * to PK_SHORT_BYTES bytes and no capabilities, passed by value in a1..a4 and
 * returned in a1..a6, with no descriptor in memory at either end - the
 * cheapest call/reply there is.  They meet the descriptor calls freely: a
 * short call can go to a server in pk_port_recv, and a pk_port_call to a
 * server in pk_port_reply_recv_short.  A short receive takes only a message
 * that fits (at most PK_SHORT_BYTES bytes, no capabilities); any other stays
 * queued and the receive fails with EMSGSIZE (a call's answer that does not
 * fit is dropped, as for pk_port_call's EMSGSIZE).  No timeouts: use the
 * descriptor calls for those.  These are inline: `m` is read and written in
 * user mode, so a bad `m` faults (SIGSEGV) instead of returning EFAULT.
 *
 * pk_port_call_short(slot, m): sends m (size, w) with a reply capability and
 *   waits for the answer, which replaces m (size, w; badge and reply 0).
 * pk_port_reply_recv_short(reply_slot, m, recv_slot): answers with m (if
 *   reply_slot > 0) and waits on recv_slot for the next message, which
 *   replaces m (size, w, badge, and reply: the reply slot of a call, else 0).
 * pk_port_send_short(slot, m, flags): queues m (PK_IPC_NONBLOCK: EAGAIN
 *   instead of waiting for room).
 * 0, or -1 with the errors of the descriptor calls (EMSGSIZE also for a size
 * above PK_SHORT_BYTES; never EFAULT).
 */
#define PK_SHORT_BYTES 12
struct pk_short {
    uint32_t size;  /* bytes in w: to send (in), received (out) */
    uint32_t w[3];  /* the bytes, little-endian; zero past size when received */
    uint32_t badge; /* out: the badge of the sender's capability */
    int32_t reply;  /* out: the reply slot of a call, else 0 */
};

/* The register exchange of a short call or reply_recv (m updated on success). */
static inline long pk_short_exchange(long n, long a, struct pk_short *m, long f)
{
    register long a7 __asm__("a7") = n;
    register long a0 __asm__("a0") = a;
    register long a1 __asm__("a1") = (long)m->size;
    register long a2 __asm__("a2") = (long)m->w[0];
    register long a3 __asm__("a3") = (long)m->w[1];
    register long a4 __asm__("a4") = (long)m->w[2];
    register long a5 __asm__("a5") = f;
    register long a6 __asm__("a6") = 0;
    __asm__ volatile("ecall"
                     : "+r"(a0), "+r"(a1), "+r"(a2), "+r"(a3), "+r"(a4), "+r"(a5), "+r"(a6)
                     : "r"(a7)
                     : "memory");
    if (a0 == 0) {
        m->size = (uint32_t)a1;
        m->w[0] = (uint32_t)a2;
        m->w[1] = (uint32_t)a3;
        m->w[2] = (uint32_t)a4;
        m->badge = (uint32_t)a5;
        m->reply = (int32_t)a6;
    }
    return a0;
}

static inline int pk_port_call_short(int slot, struct pk_short *m)
{
    return (int)pk_ret(pk_short_exchange(PK_SYS_PORT_CALL_SHORT, slot, m, 0));
}

static inline int pk_port_reply_recv_short(int reply_slot, struct pk_short *m, int recv_slot)
{
    return (int)pk_ret(pk_short_exchange(PK_SYS_PORT_REPLY_RECV_SHORT, reply_slot, m, recv_slot));
}

static inline int pk_port_send_short(int slot, const struct pk_short *m, int flags)
{
    return (int)pk_ret(pk_syscall6(PK_SYS_PORT_SEND_SHORT, slot, (long)m->size, (long)m->w[0],
                                   (long)m->w[1], (long)m->w[2], flags));
}

/*
 * pk_portset_create(): a new port set; receive from it to get the next
 * message of any of its ports.  Slot, or -1 EMFILE.
 * pk_portset_add(set, port) / pk_portset_remove(set, port): both slots need
 * RECEIVE; a port is in at most one set.  0, or -1 EBADF, EINVAL (wrong
 * kind, in another set / not in this one), EPERM, EMFILE (PK_PORTSET_MAX).
 */
int pk_portset_create(void);
int pk_portset_add(int set, int port);
int pk_portset_remove(int set, int port);

/*
 * pk_notify_create(): a notification: a word of bits.  Slot (RECEIVE, SEND,
 * GRANT), or -1 EMFILE.
 * pk_notify_signal(slot, bits): OR bits into the word (needs SEND); never
 * blocks, wakes a waiter.  0 / -1.
 * pk_notify_wait(slot, bits, flags, timeout): wait until some bits are set
 * (needs RECEIVE), store them in *bits and clear them.  0, or -1 EAGAIN
 * (PK_IPC_NONBLOCK, none set), ETIMEDOUT, EFAULT, EBADF, EINVAL, EPERM.
 */
int pk_notify_create(void);
int pk_notify_signal(int slot, uint32_t bits);
int pk_notify_wait(int slot, uint32_t *bits, int flags, const struct pk_timespec64 *timeout);
/*
 * pk_port_notify_dead(port_slot, notify_slot, bits): signal `bits` on the
 * notification when the port dies (at once if it is dead already).  Needs
 * SEND on the notification; bits != 0.  0, or -1 EBADF, EINVAL, EPERM,
 * EMFILE (too many watches on the port).
 */
int pk_port_notify_dead(int port_slot, int notify_slot, uint32_t bits);

/*
 * pk_spawn_with_cap(path, argv, envp, cap): pk_spawn, and the child gets a
 * derived copy of the capability in the caller's slot `cap` in its slot
 * PK_CAP_PARENT (cap 0: none; receive rights and replies are not given).
 */
pid_t pk_spawn_with_cap(const char *path, char *const argv[], char *const envp[], int cap);

/* ---- time (lib/time.c) ------------------------------------------------------ */

/*
 * clock_gettime(clk, ts), clock_nanosleep(clk, flags, req, rem) and
 * nanosleep(req, rem) use picolibc's struct timespec and the time64 calls.
 * picolibc (bare-metal) defines only CLOCK_REALTIME, as 1, and TIMER_ABSTIME
 * as 4; with pakaya.h included, CLOCK_REALTIME, CLOCK_MONOTONIC,
 * CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID and TIMER_ABSTIME have
 * their Linux values (= PK_CLOCK_*, PK_TIMER_ABSTIME), which these functions
 * pass through unchanged.  clock_gettime/nanosleep: 0 / -1 errno;
 * clock_nanosleep returns 0 or the error number, as POSIX says.  nanosleep
 * and usleep sleep on CLOCK_MONOTONIC; sleep(s) returns 0 (or the unslept
 * seconds).
 */
#undef CLOCK_REALTIME
#undef CLOCK_MONOTONIC
#undef CLOCK_PROCESS_CPUTIME_ID
#undef CLOCK_THREAD_CPUTIME_ID
#undef TIMER_ABSTIME
#define CLOCK_REALTIME PK_CLOCK_REALTIME
#define CLOCK_MONOTONIC PK_CLOCK_MONOTONIC
#define CLOCK_PROCESS_CPUTIME_ID PK_CLOCK_PROCESS_CPUTIME_ID
#define CLOCK_THREAD_CPUTIME_ID PK_CLOCK_THREAD_CPUTIME_ID
#define TIMER_ABSTIME PK_TIMER_ABSTIME
int clock_gettime(clockid_t clk, struct timespec *ts);
int clock_nanosleep(clockid_t clk, int flags, const struct timespec *req, struct timespec *rem);
int nanosleep(const struct timespec *req, struct timespec *rem);
int usleep(useconds_t us);
unsigned sleep(unsigned seconds);
/* Raw-constant forms: clk is a PK_CLOCK_* value.  0 / -1 errno. */
int pk_clock_gettime(int clk, struct pk_timespec64 *ts);
int pk_clock_nanosleep(int clk, int flags, const struct pk_timespec64 *req, struct pk_timespec64 *rem);
/* pk_monotonic_ns(): CLOCK_MONOTONIC in nanoseconds (0 if the call fails). */
uint64_t pk_monotonic_ns(void);

/* ---- futexes (lib/futex.c) ------------------------------------------------- */

/*
 * pk_futex_wait(uaddr, val, timeout, private): sleep while *uaddr == val,
 * until woken or the relative timeout (NULL: none) passes.  0 when woken,
 * -1 with errno EAGAIN (value differed), ETIMEDOUT or EINTR.
 * pk_futex_wake(uaddr, n, private): wake up to n waiters; returns how many.
 * `private` (PK_FUTEX_PRIVATE_FLAG) must match between waiter and waker; the
 * kernel's CLONE_CHILD_CLEARTID wake is a shared (non-private) wake.
 */
int pk_futex_wait(volatile uint32_t *uaddr, uint32_t val, const struct pk_timespec64 *timeout,
                  int private);
int pk_futex_wake(volatile uint32_t *uaddr, int n, int private);

/*
 * pk_futex_wait_until(uaddr, val, abstime, private): as pk_futex_wait, but
 * the timeout is an absolute CLOCK_MONOTONIC time (FUTEX_WAIT_BITSET with
 * PK_FUTEX_BITSET_MATCH_ANY), so a caller that loops keeps one deadline.
 * NULL: no timeout.  0 when woken, -1 with errno EAGAIN, ETIMEDOUT (also when
 * the deadline has already passed; Linux may say EAGAIN first if *uaddr !=
 * val), EINVAL or EINTR.
 */
int pk_futex_wait_until(volatile uint32_t *uaddr, uint32_t val,
                        const struct pk_timespec64 *abstime, int private);

/*
 * pk_futex_cmp_requeue(uaddr, nwake, nmove, uaddr2, val, private):
 * FUTEX_CMP_REQUEUE: if *uaddr == val, wake up to nwake waiters on uaddr and
 * move up to nmove of the rest to wait on uaddr2 (they wake as uaddr2's
 * waiters).  Returns the number woken plus moved, or -1 with errno EAGAIN
 * (*uaddr != val), EINVAL or EFAULT.
 */
int pk_futex_cmp_requeue(volatile uint32_t *uaddr, int nwake, int nmove, volatile uint32_t *uaddr2,
                         uint32_t val, int private);

/*
 * pk_deadline_after(out, ns): *out = CLOCK_MONOTONIC now + ns, the absolute
 * form every timed wait below takes.  0, or -1 with errno.
 */
int pk_deadline_after(struct pk_timespec64 *out, uint64_t ns);

/* ---- synchronisation (lib/mutex.c, condvar.c, sem.c, barrier.c) ------------- */
/*
 * Conventions for all of them:
 *
 *   - C convention: 0 on success, -1 with errno on failure (EINVAL for a bad
 *     argument, ETIMEDOUT, EAGAIN, EBUSY, EOVERFLOW as listed).  errno is left
 *     alone on success.
 *   - Timed waits take an ABSOLUTE deadline on CLOCK_MONOTONIC (a
 *     struct pk_timespec64, see pk_deadline_after; NULL = wait forever), so a
 *     loop around a predicate keeps one deadline.  tv_nsec must be in
 *     [0, 1e9): else -1 EINVAL.  A deadline already past still tries once.
 *   - `flags` at init: 0 for threads of one process (private futexes, keyed by
 *     process and address), or PK_SYNC_SHARED for an object in memory shared
 *     between processes (a pk_shm region, or MAP_SHARED across fork): its
 *     futex calls then use shared keys (the word's physical location), so
 *     processes that map it at different addresses meet on it.  The flag is
 *     stored in the object; any other bit is EINVAL.
 *   - Objects are plain words: no destroy call, no allocation; a zeroed
 *     object is a valid private one (PK_*_INIT).  Nothing is robust against
 *     a holder that dies (as for non-robust POSIX mutexes).
 *   - Blocking calls are not cancellation points; an interrupted futex wait
 *     (EINTR) is retried (condition variables return 0 instead: a spurious
 *     wakeup).
 */
#define PK_SYNC_SHARED 1u

/*
 * pk_mutex_t: a futex mutex (Drepper's "mutex2": 0 unlocked, 1 locked, 2
 * locked and maybe waited for; unlock makes a system call only in state 2).
 * Not recursive, no owner check: unlocking a mutex you do not hold, or
 * locking one twice, is undefined.
 *
 * pk_mutex_init(m, flags): unlocked, flags 0 or PK_SYNC_SHARED.  0 / -1 EINVAL.
 * pk_mutex_lock(m): take it, sleeping while another holds it.
 * pk_mutex_trylock(m): take it if free: 0, else -1 EBUSY.
 * pk_mutex_timedlock(m, abstime): as lock, giving up at abstime: 0, or -1
 *   ETIMEDOUT / EINVAL (bad abstime).
 * pk_mutex_unlock(m): release it, waking one waiter if any may sleep.
 */
typedef struct {
    volatile uint32_t state; /* the futex word: 0 unlocked, 1 locked, 2 locked with waiters */
    uint32_t flags;          /* PK_SYNC_SHARED or 0 */
} pk_mutex_t;
#define PK_MUTEX_INIT {0, 0}
#define PK_MUTEX_INIT_SHARED {0, PK_SYNC_SHARED}
int pk_mutex_init(pk_mutex_t *m, unsigned flags);
void pk_mutex_lock(pk_mutex_t *m);
int pk_mutex_trylock(pk_mutex_t *m);
int pk_mutex_timedlock(pk_mutex_t *m, const struct pk_timespec64 *abstime);
void pk_mutex_unlock(pk_mutex_t *m);

/*
 * pk_cond_t: a condition variable on a sequence counter.  A waiter reads the
 * counter while it holds the mutex, unlocks, and sleeps on the counter only
 * while it still holds that value; signal and broadcast add 1 to it before
 * waking, so a wakeup between the unlock and the sleep is never lost (the
 * futex wait finds a new value and returns at once).  signal and broadcast
 * make no system call while nobody waits (a waiter count, ordered against
 * the counter with sequentially consistent atomics).  Wakeups may be
 * spurious: always wait in a loop that tests the predicate.  Signal or
 * broadcast after changing the predicate under the mutex (holding the mutex
 * while signalling is allowed, not required).  Every waiter of one pk_cond_t
 * must use the same mutex at the same time; with PK_SYNC_SHARED the mutex
 * must be PK_SYNC_SHARED too (and the reverse): else -1 EINVAL.
 *
 * Broadcast of a private condition variable wakes one waiter and requeues
 * the rest onto the mutex word (FUTEX_CMP_REQUEUE): they wake one at a time
 * as the mutex is unlocked instead of all stampeding for it.  Every thread
 * leaving a wait therefore takes the mutex in its contended state (2), so
 * the unlock that follows always wakes the next requeued thread.  A shared
 * condition variable cannot requeue (the mutex's address differs between
 * processes) and wakes all waiters instead.
 *
 * pk_cond_init(c, flags): flags 0 or PK_SYNC_SHARED.  0 / -1 EINVAL.
 * pk_cond_wait(c, m): with m held: atomically release m and sleep until
 *   signalled (or spuriously woken); m is held again on return.  0, or -1
 *   EINVAL (flags of c and m differ; m is still held).
 * pk_cond_timedwait(c, m, abstime): as wait, giving up at abstime: 0, or -1
 *   ETIMEDOUT (m held again all the same) / EINVAL.  When a signal or
 *   broadcast came after the wait began, it returns 0 even if the deadline
 *   has passed meanwhile (test the predicate, then the clock).
 * pk_cond_signal(c): wake at least one waiter, if any.  0.
 * pk_cond_broadcast(c): wake all current waiters.  0.
 */
typedef struct {
    volatile uint32_t seq;     /* the futex word: +1 per signal or broadcast */
    volatile uint32_t waiters; /* threads inside wait (a hint: 0 = no syscall needed) */
    pk_mutex_t *volatile mutex; /* the waiters' mutex (private only: the requeue target) */
    uint32_t flags;            /* PK_SYNC_SHARED or 0 */
} pk_cond_t;
#define PK_COND_INIT {0, 0, NULL, 0}
#define PK_COND_INIT_SHARED {0, 0, NULL, PK_SYNC_SHARED}
int pk_cond_init(pk_cond_t *c, unsigned flags);
int pk_cond_wait(pk_cond_t *c, pk_mutex_t *m);
int pk_cond_timedwait(pk_cond_t *c, pk_mutex_t *m, const struct pk_timespec64 *abstime);
int pk_cond_signal(pk_cond_t *c);
int pk_cond_broadcast(pk_cond_t *c);

/*
 * pk_sem_t: a counting semaphore: the futex word is the count, and a waiter
 * count says whether anyone may sleep, so post makes a system call only when
 * a waiter exists.  A waiter sleeps only while the count is 0 (the futex
 * compares); post adds 1 and then wakes one sleeper.
 *
 * pk_sem_init(s, flags, value): flags 0 or PK_SYNC_SHARED, value in
 *   [0, PK_SEM_VALUE_MAX].  0 / -1 EINVAL.
 * pk_sem_wait(s): take one unit, sleeping while the count is 0.  0.
 * pk_sem_trywait(s): take one if the count is > 0: 0, else -1 EAGAIN.
 * pk_sem_timedwait(s, abstime): as wait, giving up at abstime: 0, or -1
 *   ETIMEDOUT / EINVAL.
 * pk_sem_post(s): add one unit, waking a sleeper if any.  0, or -1
 *   EOVERFLOW (the count is PK_SEM_VALUE_MAX; nothing changes).
 * pk_sem_getvalue(s): the count now (>= 0; a snapshot).
 */
#define PK_SEM_VALUE_MAX 0x7fffffffu
typedef struct {
    volatile uint32_t value;   /* the futex word: the count */
    volatile uint32_t waiters; /* threads inside wait/timedwait */
    uint32_t flags;            /* PK_SYNC_SHARED or 0 */
} pk_sem_t;
#define PK_SEM_INIT(value) {(value), 0, 0}
int pk_sem_init(pk_sem_t *s, unsigned flags, unsigned value);
int pk_sem_wait(pk_sem_t *s);
int pk_sem_trywait(pk_sem_t *s);
int pk_sem_timedwait(pk_sem_t *s, const struct pk_timespec64 *abstime);
int pk_sem_post(pk_sem_t *s);
int pk_sem_getvalue(pk_sem_t *s);

/*
 * pk_barrier_t: a reusable barrier for a fixed number of threads.  The
 * futex word is a generation counter: each waiter notes the generation,
 * counts itself in, and sleeps until the generation changes; the last to
 * arrive resets the count, advances the generation and wakes everyone.  A
 * fast thread that reaches the barrier again starts the next cycle's count
 * and cannot be confused with a late waker of the previous one.
 *
 * pk_barrier_init(b, flags, count): count >= 1 threads per cycle, flags 0 or
 *   PK_SYNC_SHARED.  0 / -1 EINVAL.
 * pk_barrier_wait(b): block until `count` threads have called it in this
 *   cycle.  Returns PK_BARRIER_SERIAL_THREAD in exactly one of them (the
 *   last to arrive) and 0 in the others (never fails).  More than `count` concurrent
 *   callers is undefined.
 */
#define PK_BARRIER_SERIAL_THREAD 1
typedef struct {
    volatile uint32_t gen;     /* the futex word: +1 per completed cycle */
    volatile uint32_t arrived; /* threads in this cycle so far */
    uint32_t count;            /* threads per cycle */
    uint32_t flags;            /* PK_SYNC_SHARED or 0 */
} pk_barrier_t;
int pk_barrier_init(pk_barrier_t *b, unsigned flags, unsigned count);
int pk_barrier_wait(pk_barrier_t *b);

/* ---- threads (lib/thread.c, lib/clone.S) ------------------------------------ */

/*
 * pk_thread_create(&t, fn, arg): start fn(arg) in a new thread of this
 * process: clone(PK_CLONE_THREAD_FLAGS) on a fresh mmap'd stack of
 * PK_THREAD_STACK bytes with a PROT_NONE guard page below it, and its own
 * TLS block (a copy of the PT_TLS template, as crt0 makes for the main
 * thread: each thread has its own errno).  0, or -1 with errno.
 * pk_thread_join(t, &ret): wait until t ends (its CHILD_CLEARTID word turns
 * 0, futex wait), store its result, free its stack.  0, or -1 EINVAL for a
 * NULL t.  Join each thread exactly once.
 * pk_thread_exit(ret): end the calling thread with result ret (returning
 * from fn does the same).  From the main thread it ends only the main thread.
 *
 * picolibc's malloc and libpakaya's stdio have no locks: use them from one
 * thread at a time (pk_mutex_t).
 */
#define PK_THREAD_STACK (256 * 1024)
typedef struct pk_thread *pk_thread_t;
int pk_thread_create(pk_thread_t *t, void *(*fn)(void *), void *arg);
int pk_thread_join(pk_thread_t t, void **ret);
void pk_thread_exit(void *ret) __attribute__((__noreturn__));

/*
 * pk_clone_thread(flags, stack, ptid, tls, ctid, fn, arg) (lib/clone.S): the raw
 * clone for threads.  The child starts on `stack` (16-byte aligned by this
 * function), calls fn(arg) and ends the thread with its result; the parent
 * gets the raw clone result (tid or negated errno).
 */
long pk_clone_thread(unsigned long flags, void *stack, volatile uint32_t *ptid, void *tls,
                     volatile uint32_t *ctid, int (*fn)(void *), void *arg);

#ifdef __cplusplus
}
#endif

#endif /* PAKAYA_H */
