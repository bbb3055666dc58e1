/*
 * sig_exec.c - signal state across execve (Pakaya's program store; for
 * test/kernel/signals.test.ts): a caught signal goes back to SIG_DFL, an
 * ignored one stays ignored, the mask and a pending blocked signal are kept,
 * the alternate stack is dropped.
 *
 *   sig_exec         installs a SIGUSR1 handler, ignores SIGUSR2, blocks
 *                    SIGTERM with one pending, sets an alternate stack, and
 *                    execs "sig_exec after"
 *   sig_exec after   prints what it inherited, exits 0
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "pakaya.h"

static char altstack[PK_SIGSTKSZ];

static void on_usr1(int sig)
{
    (void)sig;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "after") == 0) {
        struct pk_sigaction usr1, usr2;
        pk_sigaction(PK_SIGUSR1, NULL, &usr1);
        pk_sigaction(PK_SIGUSR2, NULL, &usr2);
        pk_sigset_t mask = 0, pending = 0;
        pk_sigprocmask(PK_SIG_BLOCK, NULL, &mask);
        pk_sigpending(&pending);
        struct pk_stack ss;
        pk_sigaltstack(NULL, &ss);
        printf("after exec: USR1 %s, USR2 %s, TERM blocked %s, TERM pending %s, altstack %s\n",
               usr1.sa_handler == PK_SIG_DFL ? "default" : "caught",
               usr2.sa_handler == PK_SIG_IGN ? "ignored" : "not ignored",
               (mask & PK_SIGBIT(PK_SIGTERM)) ? "yes" : "no", (pending & PK_SIGBIT(PK_SIGTERM)) ? "yes" : "no",
               ss.ss_flags == PK_SS_DISABLE ? "disabled" : "kept");
        return 0;
    }
    struct pk_sigaction act = {.sa_handler = on_usr1};
    pk_sigaction(PK_SIGUSR1, &act, NULL);
    act.sa_handler = PK_SIG_IGN;
    pk_sigaction(PK_SIGUSR2, &act, NULL);
    pk_sigset_t term = PK_SIGBIT(PK_SIGTERM);
    pk_sigprocmask(PK_SIG_BLOCK, &term, NULL);
    kill(getpid(), PK_SIGTERM);
    struct pk_stack ss = {altstack, 0, sizeof altstack};
    pk_sigaltstack(&ss, NULL);
    char *args[] = {"sig_exec", "after", NULL};
    char *env[] = {NULL};
    execve("sig_exec", args, env);
    printf("execve failed\n");
    return 1;
}
