/*
 * process.c - libpakaya's process calls: fork, execve, spawn, ids, kill,
 * sched_yield, priorities, uname.  C convention (-1 + errno) via pk_ret().
 * See include/pakaya.h.
 */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <unistd.h>

#include "pakaya.h"

pid_t pk_fork(void)
{
    /* riscv clone order: flags, stack, ptid, tls, ctid; stack 0 = same sp */
    return (pid_t)pk_ret(pk_syscall5(PK_SYS_CLONE, PK_SIGCHLD, 0, 0, 0, 0));
}

int execve(const char *path, char *const argv[], char *const envp[])
{
    return (int)pk_ret(pk_syscall3(PK_SYS_EXECVE, (long)path, (long)argv, (long)envp));
}

pid_t pk_spawn(const char *path, char *const argv[], char *const envp[])
{
    return (pid_t)pk_ret(pk_syscall3(PK_SYS_SPAWN, (long)path, (long)argv, (long)envp));
}

int pk_getnpid(struct pk_npid *out)
{
    return (int)pk_ret(pk_syscall1(PK_SYS_GETNPID, (long)out));
}

pid_t getpid(void)
{
    return (pid_t)pk_syscall0(PK_SYS_GETPID);
}

pid_t getppid(void)
{
    return (pid_t)pk_syscall0(PK_SYS_GETPPID);
}

pid_t pk_gettid(void)
{
    return (pid_t)pk_syscall0(PK_SYS_GETTID);
}

int kill(pid_t pid, int sig)
{
    return (int)pk_ret(pk_syscall2(PK_SYS_KILL, pid, sig));
}

int pk_tgkill(pid_t tgid, pid_t tid, int sig)
{
    return (int)pk_ret(pk_syscall3(PK_SYS_TGKILL, tgid, tid, sig));
}

int sched_yield(void)
{
    return (int)pk_ret(pk_syscall0(PK_SYS_SCHED_YIELD));
}

int setpriority(int which, id_t who, int nice)
{
    return (int)pk_ret(pk_syscall3(PK_SYS_SETPRIORITY, which, (long)who, nice));
}

int getpriority(int which, id_t who)
{
    long r = pk_syscall2(PK_SYS_GETPRIORITY, which, (long)who);
    if (PK_IS_ERR(r))
        return (int)pk_ret(r);
    return 20 - (int)r; /* the raw call returns 20 - nice, in [1, 40] */
}

int pk_uname(struct pk_utsname *out)
{
    return (int)pk_ret(pk_syscall1(PK_SYS_UNAME, (long)out));
}
