/*
 * priority.c - setpriority / getpriority (PRIO_PROCESS).
 *
 * Checks: the nice value starts at 0; set to 5 and 10 (on "0" = self and on
 * the own pid) reads back; values above 19 clamp to 19; the raw call returns
 * 20 - nice; a fork child inherits the nice value; the parent can change the
 * child's (raising nice is always allowed); bad `which` gives EINVAL and an
 * unknown pid ESRCH.  Lowering nice below the current value needs privilege
 * on Linux (qemu runs as an ordinary user), so it is not tried.
 *
 *   priority
 *
 * Output: one line per check; "priority ok"; exit 0 (1 if a check fails).
 */
#include <errno.h>
#include <stdio.h>
#include <sys/wait.h>

#include "check.h"
#include "pakaya.h"

int main(void)
{
    puts("priority: start");
    errno = 0;
    int nice = getpriority(PK_PRIO_PROCESS, 0);
    printf("initial nice: %d\n", nice);
    CHECK(nice == 0 && errno == 0);

    CHECK(setpriority(PK_PRIO_PROCESS, 0, 5) == 0);
    printf("after set 5: %d\n", getpriority(PK_PRIO_PROCESS, 0));
    CHECK(getpriority(PK_PRIO_PROCESS, 0) == 5);
    CHECK(setpriority(PK_PRIO_PROCESS, (id_t)getpid(), 10) == 0);
    printf("after set 10 by pid: %d\n", getpriority(PK_PRIO_PROCESS, (id_t)getpid()));
    long raw = pk_syscall2(PK_SYS_GETPRIORITY, PK_PRIO_PROCESS, 0);
    printf("raw getpriority: %ld (20 - nice)\n", raw);
    CHECK(raw == 10);

    fflush(stdout);
    volatile uint32_t *gate = shared_page();
    pid_t pid = pk_fork();
    if (pid == 0) {
        int inherited = getpriority(PK_PRIO_PROCESS, 0);
        gate_wait(gate);
        int changed = getpriority(PK_PRIO_PROCESS, 0);
        _exit(inherited * 10 + (changed - 10));
    }
    CHECK(setpriority(PK_PRIO_PROCESS, (id_t)pid, 15) == 0);
    printf("child's nice, set by the parent: %d\n", getpriority(PK_PRIO_PROCESS, (id_t)pid));
    gate_open(gate);
    int status = -1;
    CHECK(pk_waitpid(pid, &status, 0) == pid && WIFEXITED(status));
    printf("child saw inherited 10, then 15: %s\n", WEXITSTATUS(status) == 105 ? "yes" : "no");
    CHECK(WEXITSTATUS(status) == 105);

    CHECK(setpriority(PK_PRIO_PROCESS, 0, 100) == 0);
    printf("after set 100: %d (clamped)\n", getpriority(PK_PRIO_PROCESS, 0));
    CHECK(getpriority(PK_PRIO_PROCESS, 0) == 19);

    long r = pk_syscall3(PK_SYS_SETPRIORITY, 99, 0, 0);
    printf("setpriority which=99: %ld\n", r);
    CHECK(r == -PK_EINVAL);
    r = pk_syscall2(PK_SYS_GETPRIORITY, 99, 0);
    printf("getpriority which=99: %ld\n", r);
    CHECK(r == -PK_EINVAL);
    r = pk_syscall2(PK_SYS_GETPRIORITY, PK_PRIO_PROCESS, 0x3ffffff0);
    printf("getpriority unknown pid: %ld\n", r);
    CHECK(r == -PK_ESRCH);
    r = pk_syscall3(PK_SYS_SETPRIORITY, PK_PRIO_PROCESS, 0x3ffffff0, 19);
    printf("setpriority unknown pid: %ld\n", r);
    CHECK(r == -PK_ESRCH);

    puts(check_failures == 0 ? "priority ok" : "priority FAILED");
    return check_status();
}
