/*
 * sig_wait.c - waits for SIGTERM with a handler installed, for the kernel's
 * checkpoint tests (test/kernel/signals.test.ts): its signal state (an
 * SA_SIGINFO handler with sa_mask, a blocked pending SIGUSR1, an alternate
 * stack) must survive a checkpoint and restore while it waits in
 * rt_sigsuspend.
 *
 *   sig_wait        prints "waiting", waits for SIGTERM, reports, exits 0
 *
 * Output: no pids or addresses.  Not a golden test: it waits for a signal
 * the test sends.
 */
#include <stdio.h>
#include <unistd.h>

#include "pakaya.h"

static char altstack[PK_SIGSTKSZ] __attribute__((aligned(16)));
static volatile int term_code = -100, usr2_blocked, on_alt;

static void on_term(int sig, struct pk_siginfo *info, void *ctx)
{
    (void)sig;
    (void)ctx;
    int local;
    on_alt = (char *)&local >= altstack && (char *)&local < altstack + sizeof altstack;
    term_code = info->si_code;
    pk_sigset_t now;
    pk_sigprocmask(PK_SIG_BLOCK, NULL, &now);
    usr2_blocked = (now & PK_SIGBIT(PK_SIGUSR2)) != 0;
}

int main(void)
{
    struct pk_stack ss = {altstack, 0, sizeof altstack};
    pk_sigaltstack(&ss, NULL);
    struct pk_sigaction act = {
        .sa_sigaction = on_term,
        .sa_flags = PK_SA_SIGINFO | PK_SA_ONSTACK,
        .sa_mask = PK_SIGBIT(PK_SIGUSR2),
    };
    pk_sigaction(PK_SIGTERM, &act, NULL);
    pk_sigset_t usr1 = PK_SIGBIT(PK_SIGUSR1);
    pk_sigprocmask(PK_SIG_BLOCK, &usr1, NULL);
    pk_raise(PK_SIGUSR1);
    printf("waiting\n");
    fflush(stdout);
    while (term_code == -100)
        pk_sigsuspend(&usr1);
    pk_sigset_t pending = 0;
    pk_sigpending(&pending);
    printf("SIGTERM caught: code %d, on the alternate stack %s, USR2 blocked inside %s, USR1 still pending %s\n",
           term_code, on_alt ? "yes" : "no", usr2_blocked ? "yes" : "no",
           (pending & PK_SIGBIT(PK_SIGUSR1)) ? "yes" : "no");
    return 0;
}
