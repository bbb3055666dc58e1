/*
 * sig_altstack.c - sigaltstack and SA_ONSTACK: a handler runs on the
 * alternate stack, sees SS_ONSTACK, cannot change the stack while on it
 * (EPERM); the calls' checks (ENOMEM below MINSIGSTKSZ, EINVAL for bad
 * flags, SS_DISABLE); and a stack overflow caught by a SIGSEGV handler on
 * the alternate stack.
 *
 *   sig_altstack
 *
 * Output: one line per check (no addresses); exit 0 (1 if a check fails).
 */
#include <setjmp.h>
#include <stdio.h>
#include <unistd.h>

#include "check.h"
#include "pakaya.h"

static char altstack[4 * PK_SIGSTKSZ] __attribute__((aligned(16)));
static volatile int on_alt, flags_inside, eperm_inside;
static jmp_buf back;
static volatile int overflow_caught;

static int within_alt(void *p)
{
    return (char *)p >= altstack && (char *)p < altstack + sizeof altstack;
}

static void on_usr1(int sig)
{
    (void)sig;
    int local = 0;
    on_alt = within_alt(&local);
    struct pk_stack now;
    pk_sigaltstack(NULL, &now);
    flags_inside = now.ss_flags;
    struct pk_stack other = {altstack, 0, PK_SIGSTKSZ};
    errno = 0;
    eperm_inside = pk_sigaltstack(&other, NULL) == -1 && errno == EPERM;
}

static void on_segv(int sig)
{
    (void)sig;
    int local = 0;
    overflow_caught = within_alt(&local) ? 2 : 1;
    longjmp(back, 1);
}

__attribute__((noinline)) static int recurse(volatile char *prev, int depth)
{
    volatile char pad[256];
    if (depth == 0x7fffffff) /* never: keeps the compiler from calling this an infinite recursion */
        return 0;
    pad[0] = (char)depth;
    pad[255] = prev != NULL ? prev[0] : 0;
    return recurse(pad, depth + 1) + pad[255];
}

int main(void)
{
    struct pk_stack old;
    CHECK_OK(pk_sigaltstack(NULL, &old));
    printf("initially: flags %d size %u\n", (int)old.ss_flags, (unsigned)old.ss_size);
    struct pk_stack small = {altstack, 0, PK_MINSIGSTKSZ - 1};
    CHECK_ERR(pk_sigaltstack(&small, NULL), ENOMEM);
    struct pk_stack bad = {altstack, 5, sizeof altstack};
    CHECK_ERR(pk_sigaltstack(&bad, NULL), EINVAL);
    struct pk_stack ss = {altstack, 0, sizeof altstack};
    CHECK_OK(pk_sigaltstack(&ss, NULL));
    CHECK_OK(pk_sigaltstack(NULL, &old));
    printf("set: flags %d size ok %s sp ok %s\n", (int)old.ss_flags, old.ss_size == sizeof altstack ? "yes" : "no",
           old.ss_sp == altstack ? "yes" : "no");

    struct pk_sigaction act = {.sa_handler = on_usr1, .sa_flags = PK_SA_ONSTACK, .sa_mask = 0};
    CHECK_OK(pk_sigaction(PK_SIGUSR1, &act, NULL));
    pk_raise(PK_SIGUSR1);
    printf("SA_ONSTACK handler: on the alternate stack %s, flags %d, EPERM %s\n", on_alt ? "yes" : "no",
           flags_inside, eperm_inside ? "yes" : "no");
    act.sa_flags = 0;
    CHECK_OK(pk_sigaction(PK_SIGUSR1, &act, NULL));
    pk_raise(PK_SIGUSR1);
    printf("without SA_ONSTACK: on the alternate stack %s, flags %d\n", on_alt ? "yes" : "no", flags_inside);

    struct pk_sigaction segv = {.sa_handler = on_segv, .sa_flags = PK_SA_ONSTACK | PK_SA_NODEFER, .sa_mask = 0};
    CHECK_OK(pk_sigaction(PK_SIGSEGV, &segv, NULL));
    if (setjmp(back) == 0) {
        recurse(NULL, 0);
        printf("FAIL: no overflow\n");
    }
    printf("stack overflow: caught %s\n", overflow_caught == 2 ? "on the alternate stack" : "wrong");

    struct pk_stack off = {NULL, PK_SS_DISABLE, 0};
    CHECK_OK(pk_sigaltstack(&off, NULL));
    CHECK_OK(pk_sigaltstack(NULL, &old));
    printf("disabled: flags %d size %u\n", (int)old.ss_flags, (unsigned)old.ss_size);
    printf("sig_altstack %s\n", check_status() == 0 ? "ok" : "FAILED");
    return check_status();
}
