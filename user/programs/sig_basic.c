/*
 * sig_basic.c - user signal handlers: rt_sigaction, kill / tgkill to self,
 * SIG_IGN, default-ignored signals, SA_RESETHAND, and the calls' checks.
 *
 * Checks: a SIGUSR1 handler runs (with the signal number) before kill() and
 * pk_raise() return; the old action comes back from sigaction; SIG_IGN and
 * the default-ignored SIGCHLD/SIGURG/SIGWINCH do nothing; SIGKILL and SIGSTOP
 * cannot be caught or ignored (EINVAL), nor can signal 0 or 65 (EINVAL); a
 * bad sigsetsize is EINVAL; an SA_RESETHAND handler runs once and the second
 * signal takes the default action (a child killed by SIGUSR1); a child with
 * no handler dies of SIGUSR2.
 *
 *   sig_basic
 *
 * Output: one line per check (no pids or addresses); exit 0 (1 if a check fails).
 */
#include <stdio.h>
#include <unistd.h>

#include "check.h"
#include "pakaya.h"

static volatile int hits;
static volatile int last_sig;

static void on_signal(int sig)
{
    hits++;
    last_sig = sig;
}

static int install(int sig, pk_sighandler_t handler, uint32_t flags)
{
    struct pk_sigaction act = {.sa_handler = handler, .sa_flags = flags, .sa_mask = 0};
    return pk_sigaction(sig, &act, NULL);
}

static pid_t fork_flushed(void)
{
    fflush(stdout);
    return pk_fork();
}

int main(void)
{
    char buf[64];
    CHECK_OK(install(PK_SIGUSR1, on_signal, 0));
    CHECK_OK(kill(getpid(), PK_SIGUSR1));
    printf("after kill: hits=%d sig=%d\n", hits, last_sig);
    CHECK_OK(pk_raise(PK_SIGUSR1));
    printf("after raise: hits=%d sig=%d\n", hits, last_sig);

    struct pk_sigaction old;
    CHECK_OK(pk_sigaction(PK_SIGUSR1, NULL, &old));
    printf("old action is the handler: %s, flags 0x%x\n", old.sa_handler == on_signal ? "yes" : "no",
           (unsigned)old.sa_flags);

    CHECK_OK(install(PK_SIGUSR2, PK_SIG_IGN, 0));
    CHECK_OK(kill(getpid(), PK_SIGUSR2));
    CHECK_OK(kill(getpid(), PK_SIGCHLD));
    CHECK_OK(kill(getpid(), PK_SIGURG));
    CHECK_OK(kill(getpid(), PK_SIGWINCH));
    printf("ignored signals: still running, hits=%d\n", hits);

    struct pk_sigaction act = {.sa_handler = on_signal};
    CHECK_ERR(pk_sigaction(PK_SIGKILL, &act, NULL), EINVAL);
    CHECK_ERR(pk_sigaction(PK_SIGSTOP, &act, NULL), EINVAL);
    CHECK_ERR(pk_sigaction(0, &act, NULL), EINVAL);
    CHECK_ERR(pk_sigaction(65, &act, NULL), EINVAL);
    CHECK_OK(pk_sigaction(PK_SIGKILL, NULL, &old)); /* reading is allowed */
    long r = pk_syscall4(PK_SYS_RT_SIGACTION, PK_SIGUSR1, (long)&act, 0, 4);
    printf("sigsetsize 4: %s\n", raw_result(r, buf, sizeof buf));
    r = pk_syscall4(PK_SYS_RT_SIGACTION, PK_SIGUSR1, 16, 0, 8);
    printf("bad act pointer: %s\n", raw_result(r, buf, sizeof buf));

    pid_t child = fork_flushed();
    if (child == 0) {
        install(PK_SIGUSR1, on_signal, PK_SA_RESETHAND);
        pk_raise(PK_SIGUSR1);
        printf("child: first SIGUSR1 handled, hits=%d\n", hits);
        fflush(stdout);
        pk_sigaction(PK_SIGUSR1, NULL, &old);
        printf("child: handler reset to default: %s\n", old.sa_handler == PK_SIG_DFL ? "yes" : "no");
        fflush(stdout);
        pk_raise(PK_SIGUSR1);
        printf("child: FAIL still alive\n");
        fflush(stdout);
        _exit(0);
    }
    int status = 0;
    CHECK(pk_waitpid(child, &status, 0) == child);
    printf("SA_RESETHAND child: %s\n", status_text(status, buf, sizeof buf));

    child = fork_flushed();
    if (child == 0) {
        install(PK_SIGUSR2, PK_SIG_DFL, 0);
        kill(getpid(), PK_SIGUSR2);
        _exit(0);
    }
    CHECK(pk_waitpid(child, &status, 0) == child);
    printf("default SIGUSR2 child: %s\n", status_text(status, buf, sizeof buf));
    printf("sig_basic %s\n", check_status() == 0 ? "ok" : "FAILED");
    return check_status();
}
