/*
 * sig_segv.c - handlers for faults: SIGSEGV (unmapped: SEGV_MAPERR; a write
 * to read-only text: SEGV_ACCERR) and SIGILL (ILL_ILLOPC at the faulting
 * instruction), each leaving the handler with longjmp; then a fault with
 * the handler removed ends the process as before.
 *
 *   sig_segv          catches three faults, prints, exits 0
 *   sig_segv fatal    the same, then a fault with SIGSEGV back at SIG_DFL (exit 139)
 *
 * Output: one line per fault (no addresses: only whether si_addr is the
 * expected one).
 */
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "pakaya.h"

static jmp_buf back;
static volatile int got_sig, got_code;
static void *volatile got_addr;
static volatile uintptr_t null_address = 0;
extern char illegal_here[];

static void on_fault(int sig, struct pk_siginfo *info, void *ctx)
{
    (void)ctx;
    got_sig = sig;
    got_code = info->si_code;
    got_addr = info->si_addr;
    longjmp(back, 1);
}

static void install(int sig)
{
    struct pk_sigaction act = {.sa_sigaction = on_fault, .sa_flags = PK_SA_SIGINFO | PK_SA_NODEFER, .sa_mask = 0};
    pk_sigaction(sig, &act, NULL);
}

__attribute__((noinline)) static void do_illegal(void)
{
    __asm__ volatile(".globl illegal_here\nillegal_here:\n.word 0\n");
}

int main(int argc, char **argv)
{
    install(PK_SIGSEGV);
    install(PK_SIGILL);
    if (setjmp(back) == 0) {
        *(volatile int *)null_address = 1;
        printf("FAIL: no fault\n");
    }
    printf("null store: signal %d code %d addr %s\n", got_sig, got_code, got_addr == 0 ? "null" : "other");

    if (setjmp(back) == 0) {
        *(volatile char *)(uintptr_t)main = 0;
        printf("FAIL: no fault\n");
    }
    printf("text store: signal %d code %d addr %s\n", got_sig, got_code,
           got_addr == (void *)(uintptr_t)main ? "main" : "other");

    if (setjmp(back) == 0) {
        do_illegal();
        printf("FAIL: no fault\n");
    }
    printf("illegal instruction: signal %d code %d addr %s\n", got_sig, got_code,
           got_addr == (void *)illegal_here ? "the instruction" : "other");

    if (argc > 1 && strcmp(argv[1], "fatal") == 0) {
        struct pk_sigaction dfl = {.sa_handler = PK_SIG_DFL};
        pk_sigaction(PK_SIGSEGV, &dfl, NULL);
        printf("now unhandled\n");
        fflush(stdout);
        *(volatile int *)null_address = 2;
        printf("FAIL: survived\n");
    }
    printf("sig_segv ok\n");
    return 0;
}
