/*
 * signal.c - libpakaya's signal calls on the Linux riscv32 ABI: sigaction,
 * sigprocmask, sigpending, sigsuspend, sigaltstack, raise, signal.  The
 * kernel returns from handlers through its trampoline page (no restorer).
 * See include/pakaya.h.
 */
#include <stddef.h>

#include "pakaya.h"

_Static_assert(sizeof(struct pk_sigaction) == 16, "struct sigaction is 16 bytes on riscv32");
_Static_assert(sizeof(struct pk_stack) == 12, "stack_t is 12 bytes on riscv32");
_Static_assert(offsetof(struct pk_ucontext, uc_sigmask) == 20, "uc_sigmask at 20");
_Static_assert(offsetof(struct pk_ucontext, uc_mcontext) == 160, "uc_mcontext at 160");
_Static_assert(sizeof(struct pk_siginfo) == 128, "siginfo_t is 128 bytes");

/*
 * Linux riscv's struct sigaction has no sa_restorer (16 bytes), but
 * qemu-riscv32 7.2 reads and writes one (20 bytes: the mask 4 bytes later).
 * The call gets a zero-padded copy so that under qemu nothing past the
 * caller's struct is read or overwritten; sa_mask works only on Pakaya and
 * Linux.
 */
struct k_sigaction_padded {
    struct pk_sigaction sa;
    uint32_t pad[2];
};

int pk_sigaction(int sig, const struct pk_sigaction *act, struct pk_sigaction *old)
{
    struct k_sigaction_padded in = {0}, out = {0};
    if (act != NULL)
        in.sa = *act;
    long r = pk_syscall4(PK_SYS_RT_SIGACTION, sig, act != NULL ? (long)&in : 0, old != NULL ? (long)&out : 0, 8);
    if (!PK_IS_ERR(r) && old != NULL)
        *old = out.sa;
    return (int)pk_ret(r);
}

int pk_sigprocmask(int how, const pk_sigset_t *set, pk_sigset_t *old)
{
    return (int)pk_ret(pk_syscall4(PK_SYS_RT_SIGPROCMASK, how, (long)set, (long)old, 8));
}

int pk_sigpending(pk_sigset_t *set)
{
    return (int)pk_ret(pk_syscall2(PK_SYS_RT_SIGPENDING, (long)set, 8));
}

int pk_sigsuspend(const pk_sigset_t *mask)
{
    return (int)pk_ret(pk_syscall2(PK_SYS_RT_SIGSUSPEND, (long)mask, 8));
}

int pk_sigaltstack(const struct pk_stack *ss, struct pk_stack *old)
{
    return (int)pk_ret(pk_syscall2(PK_SYS_SIGALTSTACK, (long)ss, (long)old));
}

int pk_raise(int sig)
{
    long pid = pk_syscall0(PK_SYS_GETPID);
    long tid = pk_syscall0(PK_SYS_GETTID);
    return (int)pk_ret(pk_syscall3(PK_SYS_TGKILL, pid, tid, sig));
}

int pk_sigtimedwait(const pk_sigset_t *set, struct pk_siginfo *info, const struct pk_timespec64 *timeout)
{
    return (int)pk_ret(pk_syscall4(PK_SYS_RT_SIGTIMEDWAIT_TIME64, (long)set, (long)info, (long)timeout, 8));
}

pk_sighandler_t pk_signal(int sig, pk_sighandler_t handler)
{
    struct pk_sigaction act = {.sa_handler = handler, .sa_flags = PK_SA_RESTART, .sa_mask = 0};
    struct pk_sigaction old;
    if (pk_sigaction(sig, &act, &old) != 0)
        return PK_SIG_ERR;
    return old.sa_handler;
}
