/*
 * sig_restart.c - blocking calls interrupted by a handler: EINTR, or the call
 * runs again under SA_RESTART, as Linux decides for each call.
 *
 * Each case forks a child that installs a SIGUSR1 handler and blocks; the
 * parent sleeps 100 ms, sends SIGUSR1, and (for the futex cases) opens the
 * child's futex word 100 ms later.  Checks: nanosleep ends with EINTR and
 * a remaining time, with or without SA_RESTART; a futex wait without a
 * timeout ends with EINTR, or with SA_RESTART waits on until the word is
 * woken (0); waitid in a parent with a SIGCHLD handler returns the child and
 * the handler (si_code CLD_EXITED, si_status) runs; waitid interrupted by a
 * SIGUSR1 is EINTR without SA_RESTART and runs on to the child's exit with it.
 *
 *   sig_restart
 *
 * Output: one line per check (no pids or times); exit 0 (1 if a check fails).
 */
#include <stdio.h>
#include <unistd.h>

#include "check.h"
#include "pakaya.h"

static volatile int handled;
static volatile int chld_code, chld_status, chld_pid;

static void on_usr1(int sig)
{
    (void)sig;
    handled++;
}

static void on_chld(int sig, struct pk_siginfo *info, void *ctx)
{
    (void)sig;
    (void)ctx;
    chld_code = info->si_code;
    chld_status = info->si_status;
    chld_pid = info->si_pid;
}

static void install(int sig, uint32_t flags)
{
    struct pk_sigaction act = {.sa_handler = on_usr1, .sa_flags = flags, .sa_mask = 0};
    pk_sigaction(sig, &act, NULL);
}

static void nap_ms(long ms)
{
    struct pk_timespec64 t = {ms / 1000, (ms % 1000) * 1000000};
    pk_syscall4(PK_SYS_CLOCK_NANOSLEEP_TIME64, PK_CLOCK_MONOTONIC, 0, (long)&t, 0);
}

/* Forks a child running `body`; signals it after 100 ms; opens `word` after 200 ms; reaps it. */
static void run_case(const char *name, void (*body)(volatile uint32_t *, uint32_t), uint32_t flags,
                     volatile uint32_t *word)
{
    char buf[64];
    *word = 0;
    fflush(stdout);
    pid_t child = pk_fork();
    if (child == 0) {
        body(word, flags);
        fflush(stdout);
        _exit(0);
    }
    nap_ms(100);
    kill(child, PK_SIGUSR1);
    nap_ms(100);
    gate_open(word);
    int status;
    CHECK(pk_waitpid(child, &status, 0) == child);
    printf("%s: %s\n", name, status_text(status, buf, sizeof buf));
}

static void sleeper(volatile uint32_t *word, uint32_t flags)
{
    (void)word;
    char buf[64];
    install(PK_SIGUSR1, flags);
    struct pk_timespec64 t = {30, 0}, rem = {0, 0};
    long r = pk_syscall4(PK_SYS_CLOCK_NANOSLEEP_TIME64, PK_CLOCK_MONOTONIC, 0, (long)&t, (long)&rem);
    printf("  nanosleep: %s, handled %d, remaining %s\n", raw_result(r, buf, sizeof buf), handled,
           rem.tv_sec > 20 && rem.tv_sec < 30 ? "about 30 s" : "wrong");
}

static void futex_waiter(volatile uint32_t *word, uint32_t flags)
{
    char buf[64];
    install(PK_SIGUSR1, flags);
    long r = pk_syscall6(PK_SYS_FUTEX_TIME64, (long)word, PK_FUTEX_WAIT, 0, 0, 0, 0);
    printf("  futex wait: %s, handled %d, word %u\n", raw_result(r, buf, sizeof buf), handled,
           (unsigned)*word);
}

static void waiter(volatile uint32_t *word, uint32_t flags)
{
    (void)word;
    char buf[64];
    install(PK_SIGUSR1, flags);
    fflush(stdout);
    pid_t grandchild = pk_fork();
    if (grandchild == 0) {
        nap_ms(1000);
        _exit(0);
    }
    struct pk_siginfo info;
    long r = pk_syscall5(PK_SYS_WAITID, PK_P_PID, grandchild, (long)&info, PK_WEXITED, 0);
    printf("  waitid: %s, handled %d\n", raw_result(r, buf, sizeof buf), handled);
    kill(grandchild, PK_SIGKILL);
    pk_waitpid(grandchild, NULL, 0);
}

int main(void)
{
    volatile uint32_t *word = shared_page();
    run_case("nanosleep, no SA_RESTART", sleeper, 0, word);
    run_case("nanosleep, SA_RESTART", sleeper, PK_SA_RESTART, word);
    run_case("futex, no SA_RESTART", futex_waiter, 0, word);
    run_case("futex, SA_RESTART", futex_waiter, PK_SA_RESTART, word);
    run_case("waitid, no SA_RESTART", waiter, 0, word);
    run_case("waitid, SA_RESTART", waiter, PK_SA_RESTART, word);

    struct pk_sigaction act = {.sa_sigaction = on_chld, .sa_flags = PK_SA_SIGINFO, .sa_mask = 0};
    CHECK_OK(pk_sigaction(PK_SIGCHLD, &act, NULL));
    fflush(stdout);
    pid_t child = pk_fork();
    if (child == 0)
        _exit(7);
    int status;
    pid_t got = pk_waitpid(child, &status, 0);
    printf("waitid with a SIGCHLD handler: %s, exit %d; handler code %d status %d pid %s\n",
           got == child ? "the child" : "wrong", WEXITSTATUS(status), chld_code, chld_status,
           chld_pid == child ? "ok" : "wrong");
    printf("sig_restart %s\n", check_status() == 0 ? "ok" : "FAILED");
    return check_status();
}
