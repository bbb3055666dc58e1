/*
 * sig_timedwait.c - rt_sigtimedwait_time64: taking blocked signals
 * synchronously.
 *
 * Checks: a blocked pending SIGUSR1 is taken at once (its number, siginfo
 * with SI_USER and the sender) and is no longer pending; a zero timeout with
 * nothing pending is EAGAIN at once, a 50 ms timeout EAGAIN after it; a
 * child waiting without a timeout takes the SIGUSR2 its parent sends 100 ms
 * later; a handler for another signal interrupts the wait (EINTR); a bad
 * sigsetsize is EINVAL.
 *
 *   sig_timedwait
 *
 * Output: one line per check (no pids or times); exit 0 (1 if a check fails).
 */
#include <stdio.h>
#include <unistd.h>

#include "check.h"
#include "pakaya.h"

static volatile int handled;

static void on_usr1(int sig)
{
    (void)sig;
    handled++;
}

static void nap_ms(long ms)
{
    struct pk_timespec64 t = {ms / 1000, (ms % 1000) * 1000000};
    pk_syscall4(PK_SYS_CLOCK_NANOSLEEP_TIME64, PK_CLOCK_MONOTONIC, 0, (long)&t, 0);
}

int main(void)
{
    char buf[64];
    pk_sigset_t set = PK_SIGBIT(PK_SIGUSR1) | PK_SIGBIT(PK_SIGUSR2), pending;
    CHECK_OK(pk_sigprocmask(PK_SIG_BLOCK, &set, NULL));
    kill(getpid(), PK_SIGUSR1);
    struct pk_siginfo info = {0};
    int sig = pk_sigtimedwait(&set, &info, NULL);
    printf("pending: took %d, code %d, sender %s\n", sig, (int)info.si_code, info.si_pid == getpid() ? "ok" : "wrong");
    CHECK_OK(pk_sigpending(&pending));
    printf("still pending: %s\n", pending == 0 ? "none" : "some");

    struct pk_timespec64 zero = {0, 0}, fifty = {0, 50000000};
    CHECK_ERR(pk_sigtimedwait(&set, NULL, &zero), EAGAIN);
    CHECK_ERR(pk_sigtimedwait(&set, NULL, &fifty), EAGAIN);
    printf("timeouts: EAGAIN\n");
    long r = pk_syscall4(PK_SYS_RT_SIGTIMEDWAIT_TIME64, (long)&set, 0, 0, 4);
    printf("sigsetsize 4: %s\n", raw_result(r, buf, sizeof buf));

    fflush(stdout);
    pid_t child = pk_fork();
    if (child == 0) {
        struct pk_siginfo ci = {0};
        int got = pk_sigtimedwait(&set, &ci, NULL);
        printf("child: took %d, code %d, from the parent %s\n", got, (int)ci.si_code,
               ci.si_pid == getppid() ? "yes" : "no");
        struct pk_sigaction act = {.sa_handler = on_usr1};
        pk_sigaction(PK_SIGTERM, &act, NULL);
        fflush(stdout);
        errno = 0;
        got = pk_sigtimedwait(&set, NULL, NULL);
        printf("child: interrupted: %d %s, handled %d\n", got, errno == EINTR ? "EINTR" : "other", handled);
        fflush(stdout);
        _exit(0);
    }
    nap_ms(100);
    kill(child, PK_SIGUSR2);
    nap_ms(100);
    kill(child, PK_SIGTERM);
    int status;
    CHECK(pk_waitpid(child, &status, 0) == child);
    printf("child: %s\n", status_text(status, buf, sizeof buf));
    printf("sig_timedwait %s\n", check_status() == 0 ? "ok" : "FAILED");
    return check_status();
}
