/*
 * pgrp.c - process groups and sessions: setpgid, getpgid, getsid, setsid,
 * kill to a group (pid 0 and -pgid) and waitid(P_PGID), through raw calls.
 *
 * Checks: a fork child starts in its parent's group and session; setpgid(0,
 * 0) makes it lead a new group, which kill(-pgid, 0) and waitid(P_PGID)
 * then reach; a child that calls setsid() leads a new session and group and
 * may not change its group any more (EPERM); setsid() in a group leader is
 * EPERM; a group with no members is ESRCH for kill; unknown pids are ESRCH
 * for getpgid/getsid; bad idtypes and negative ids are EINVAL.
 *
 *   pgrp
 *
 * Output: one line per check (no pids); "pgrp ok"; exit 0 (1 on a failure).
 */
#include <stdio.h>
#include <unistd.h>

#include "check.h"
#include "pakaya.h"

static long sys(long n, long a, long b) { return pk_syscall2(n, a, b); }

/* Reports `what` and the raw result as OK / errno name. */
static void show(const char *what, long r)
{
    printf("%s: %s\n", what, PK_IS_ERR(r) ? linux_errname(-r) : "ok");
}

static void child_exit(int status)
{
    fflush(stdout);
    pk_syscall1(PK_SYS_EXIT_GROUP, status);
}

int main(void)
{
    long me = getpid();
    long mygroup = sys(PK_SYS_GETPGID, 0, 0);
    CHECK(mygroup == sys(PK_SYS_GETPGID, me, 0));
    CHECK(sys(PK_SYS_GETSID, 0, 0) == sys(PK_SYS_GETSID, me, 0));

    /* A child that leads its own group. */
    volatile uint32_t *page = shared_page();
    fflush(stdout);
    pid_t a = pk_fork();
    if (a == 0) {
        CHECK(sys(PK_SYS_GETPGID, 0, 0) == mygroup);
        long r = sys(PK_SYS_SETPGID, 0, 0);
        CHECK(r == 0 && sys(PK_SYS_GETPGID, 0, 0) == getpid());
        gate_open(&page[0]); /* tell the parent */
        gate_wait(&page[1]); /* until it has looked */
        child_exit(7);
    }
    CHECK(gate_wait(&page[0]) == 0);
    CHECK(sys(PK_SYS_GETPGID, a, 0) == a);
    show("kill(-group of child, 0)", sys(PK_SYS_KILL, -a, 0));
    show("kill(0, 0)", sys(PK_SYS_KILL, 0, 0));
    show("kill(-group, 65)", sys(PK_SYS_KILL, -a, 65));
    gate_open(&page[1]);
    struct pk_siginfo info = {0};
    long w = pk_syscall6(PK_SYS_WAITID, PK_P_PGID, a, (long)&info, PK_WEXITED, 0, 0);
    show("waitid(P_PGID, child's group)", w);
    printf("status %ld\n", (long)info.si_status);
    show("kill(-group with no members, 0)", sys(PK_SYS_KILL, -a, 0));

    /* A child that leads a new session. */
    fflush(stdout);
    pid_t b = pk_fork();
    if (b == 0) {
        long sid = sys(PK_SYS_SETSID, 0, 0);
        CHECK(sid == getpid());
        CHECK(sys(PK_SYS_GETSID, 0, 0) == getpid() && sys(PK_SYS_GETPGID, 0, 0) == getpid());
        show("setpgid in a session leader", sys(PK_SYS_SETPGID, 0, mygroup));
        show("setsid again", sys(PK_SYS_SETSID, 0, 0));
        child_exit(check_status());
    }
    w = pk_syscall6(PK_SYS_WAITID, PK_P_PID, b, (long)&info, PK_WEXITED, 0, 0);
    CHECK(w == 0 && info.si_status == 0);

    show("getpgid(no such pid)", sys(PK_SYS_GETPGID, 0x3ffffff0, 0));
    show("getsid(no such pid)", sys(PK_SYS_GETSID, 0x3ffffff0, 0));
    show("setpgid(negative group)", sys(PK_SYS_SETPGID, 0, -5));
    show("waitid(P_PGID, -1)", pk_syscall6(PK_SYS_WAITID, PK_P_PGID, -1, 0, PK_WEXITED, 0, 0));
    show("waitid(P_PID, 0)", pk_syscall6(PK_SYS_WAITID, PK_P_PID, 0, 0, PK_WEXITED, 0, 0));
    show("waitid(P_PGID, own group), no children",
         pk_syscall6(PK_SYS_WAITID, PK_P_PGID, 0, 0, PK_WEXITED | PK_WNOHANG, 0, 0));
    show("kill(INT_MIN, 0)", sys(PK_SYS_KILL, (long)0x80000000u, 0));
    if (check_failures == 0)
        printf("pgrp ok\n");
    return check_status();
}
