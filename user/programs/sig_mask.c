/*
 * sig_mask.c - blocked and pending signals: rt_sigprocmask, rt_sigpending,
 * delivery on unblock, the mask across fork, and rt_sigsuspend.
 *
 * Checks: a blocked signal stays pending (sigpending shows it) and its
 * handler runs when it is unblocked, before sigprocmask returns; a standard
 * signal sent twice while blocked runs once; two signals unblocked together
 * both run, the higher-numbered first (frames stack as on Linux); SIGKILL
 * and SIGSTOP never enter the mask; a bad `how` is EINVAL; a fork child
 * inherits the mask but not the parent's pending signals; sigsuspend waits
 * with a temporary mask, returns EINTR after the handler, and puts the old
 * mask back.
 *
 *   sig_mask
 *
 * Output: one line per check (no pids or addresses); exit 0 (1 if a check fails).
 */
#include <stdio.h>
#include <unistd.h>

#include "check.h"
#include "pakaya.h"

static char order[32];
static volatile int norder;

static void on_signal(int sig)
{
    if (norder < 30)
        order[norder++] = sig == PK_SIGUSR1 ? '1' : sig == PK_SIGUSR2 ? '2' : '?';
}

static int install(int sig)
{
    struct pk_sigaction act = {.sa_handler = on_signal, .sa_flags = 0, .sa_mask = 0};
    return pk_sigaction(sig, &act, NULL);
}

static const char *has(pk_sigset_t set, int sig)
{
    return (set & PK_SIGBIT(sig)) ? "yes" : "no";
}

static void show(const char *what)
{
    order[norder] = 0;
    printf("%s: handlers ran [%s]\n", what, order);
    norder = 0;
}

int main(void)
{
    char buf[64];
    CHECK_OK(install(PK_SIGUSR1));
    CHECK_OK(install(PK_SIGUSR2));
    pk_sigset_t set = PK_SIGBIT(PK_SIGUSR1), old, pending;
    CHECK_OK(pk_sigprocmask(PK_SIG_BLOCK, &set, &old));
    printf("old mask empty: %s\n", old == 0 ? "yes" : "no");
    kill(getpid(), PK_SIGUSR1);
    kill(getpid(), PK_SIGUSR1);
    show("while blocked");
    CHECK_OK(pk_sigpending(&pending));
    printf("pending USR1 %s USR2 %s\n", has(pending, PK_SIGUSR1), has(pending, PK_SIGUSR2));
    CHECK_OK(pk_sigprocmask(PK_SIG_UNBLOCK, &set, NULL));
    show("after unblock");
    CHECK_OK(pk_sigpending(&pending));
    printf("pending after unblock: %s\n", pending == 0 ? "none" : "some");

    set = PK_SIGBIT(PK_SIGUSR1) | PK_SIGBIT(PK_SIGUSR2);
    CHECK_OK(pk_sigprocmask(PK_SIG_BLOCK, &set, NULL));
    kill(getpid(), PK_SIGUSR1);
    kill(getpid(), PK_SIGUSR2);
    CHECK_OK(pk_sigprocmask(PK_SIG_SETMASK, &(pk_sigset_t){0}, NULL));
    show("two unblocked together");

    pk_sigset_t all = ~(pk_sigset_t)0;
    CHECK_OK(pk_sigprocmask(PK_SIG_SETMASK, &all, NULL));
    CHECK_OK(pk_sigprocmask(PK_SIG_SETMASK, NULL, &old));
    printf("block all: KILL %s STOP %s TERM %s\n", has(old, PK_SIGKILL), has(old, PK_SIGSTOP),
           has(old, PK_SIGTERM));
    CHECK_ERR(pk_sigprocmask(7, &set, NULL), EINVAL);
    long r = pk_syscall4(PK_SYS_RT_SIGPROCMASK, PK_SIG_BLOCK, (long)&set, 0, 16);
    printf("sigsetsize 16: %s\n", raw_result(r, buf, sizeof buf));

    set = PK_SIGBIT(PK_SIGUSR1);
    CHECK_OK(pk_sigprocmask(PK_SIG_SETMASK, &set, NULL));
    kill(getpid(), PK_SIGUSR1);
    fflush(stdout);
    pid_t child = pk_fork();
    if (child == 0) {
        pk_sigprocmask(PK_SIG_BLOCK, NULL, &old);
        pk_sigpending(&pending);
        printf("child: mask has USR1 %s, pending USR1 %s\n", has(old, PK_SIGUSR1), has(pending, PK_SIGUSR1));
        fflush(stdout);
        _exit(0);
    }
    int status;
    CHECK(pk_waitpid(child, &status, 0) == child);
    printf("child: %s\n", status_text(status, buf, sizeof buf));

    /* USR1 is pending and blocked: sigsuspend with an empty mask takes it. */
    pk_sigset_t none = 0;
    errno = 0;
    r = pk_sigsuspend(&none);
    printf("sigsuspend: %ld %s\n", r, errno == EINTR ? "EINTR" : "other");
    show("sigsuspend");
    CHECK_OK(pk_sigprocmask(PK_SIG_BLOCK, NULL, &old));
    printf("mask after sigsuspend has USR1 %s\n", has(old, PK_SIGUSR1));
    printf("sig_mask %s\n", check_status() == 0 ? "ok" : "FAILED");
    return check_status();
}
