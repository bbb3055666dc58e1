/*
 * sig_term.c - a program that catches SIGTERM and cleans up, as a node that
 * drains asks of it; stop and continue; SIGKILL cannot be caught.
 *
 * The parent forks a worker that installs SIGTERM and SIGCONT handlers and
 * waits in sigsuspend.  The parent stops it (SIGSTOP, seen by waitpid
 * WUNTRACED), continues it (SIGCONT: its handler runs), then sends SIGTERM:
 * the worker's handler asks it to stop, it cleans up and exits 0.  A second
 * worker blocks every signal and is still ended by SIGKILL.
 *
 *   sig_term
 *
 * Output: one line per step (no pids); exit 0 (1 if a check fails).
 */
#include <stdio.h>
#include <unistd.h>

#include "check.h"
#include "pakaya.h"

static volatile int term_requested, continued;

static void on_term(int sig)
{
    (void)sig;
    term_requested = 1;
}

static void on_cont(int sig)
{
    (void)sig;
    continued++;
}

static void nap_ms(long ms)
{
    struct pk_timespec64 t = {ms / 1000, (ms % 1000) * 1000000};
    pk_syscall4(PK_SYS_CLOCK_NANOSLEEP_TIME64, PK_CLOCK_MONOTONIC, 0, (long)&t, 0);
}

static void worker(void)
{
    struct pk_sigaction act = {.sa_handler = on_term, .sa_flags = 0, .sa_mask = 0};
    pk_sigaction(PK_SIGTERM, &act, NULL);
    act.sa_handler = on_cont;
    pk_sigaction(PK_SIGCONT, &act, NULL);
    pk_sigset_t block = PK_SIGBIT(PK_SIGTERM) | PK_SIGBIT(PK_SIGCONT), none = 0;
    pk_sigprocmask(PK_SIG_BLOCK, &block, NULL);
    while (!term_requested) {
        pk_sigsuspend(&none);
        if (continued == 1 && !term_requested) {
            printf("worker: continued\n");
            fflush(stdout);
            continued++;
        }
    }
    printf("worker: SIGTERM caught, cleaning up\n");
    fflush(stdout);
    exit(0);
}

int main(void)
{
    char buf[64];
    fflush(stdout);
    pid_t child = pk_fork();
    if (child == 0)
        worker();
    nap_ms(100);
    int status;
    CHECK_OK(kill(child, PK_SIGSTOP));
    CHECK(pk_waitpid(child, &status, WUNTRACED) == child);
    printf("worker: %s\n", status_text(status, buf, sizeof buf));
    CHECK_OK(kill(child, PK_SIGCONT));
    nap_ms(100);
    CHECK_OK(kill(child, PK_SIGTERM));
    CHECK(pk_waitpid(child, &status, 0) == child);
    printf("worker: %s\n", status_text(status, buf, sizeof buf));

    fflush(stdout);
    child = pk_fork();
    if (child == 0) {
        pk_sigset_t all = ~(pk_sigset_t)0;
        pk_sigprocmask(PK_SIG_SETMASK, &all, NULL);
        for (;;)
            nap_ms(1000);
    }
    nap_ms(100);
    CHECK_OK(kill(child, PK_SIGTERM)); /* blocked: stays pending */
    CHECK_OK(kill(child, PK_SIGKILL));
    CHECK(pk_waitpid(child, &status, 0) == child);
    printf("blocking worker: %s\n", status_text(status, buf, sizeof buf));
    printf("sig_term %s\n", check_status() == 0 ? "ok" : "FAILED");
    return check_status();
}
