/*
 * fork_wait.c - fork (clone SIGCHLD) and waitid, through pk_fork/pk_waitpid
 * and the raw pk_waitid.
 *
 * Checks: fork returns 0 in the child and the child's pid in the parent;
 * getppid() in the child is the parent; memory is copied, not shared (a
 * child's write is not seen by the parent); exit statuses come back exactly
 * (waiting by pid, in the reverse order of creation, and for any child); a
 * three-level fork tree passes a status up; WNOHANG returns 0 while a child
 * is still running (it waits on a gate the parent opens later); waitid's
 * siginfo (si_signo SIGCHLD, si_code CLD_EXITED/CLD_KILLED, si_status); a
 * child killed by kill(SIGKILL), one by kill(SIGTERM) and one by its own
 * SIGSEGV; ECHILD when there is nothing left to wait for.
 *
 *   fork_wait
 *
 * Output: one line per check (no pids); "fork_wait ok"; exit 0 (1 if a check
 * fails).  Under Pakaya, the SIGSEGV child also gets a crash report on stderr.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "check.h"
#include "pakaya.h"

static volatile int copied = 1;
static volatile uintptr_t bad_address = 0x10;

/* fork, flushing stdout first so the child does not print the parent's buffer again */
static pid_t fork_flushed(void)
{
    fflush(stdout);
    pid_t pid = pk_fork();
    if (pid < 0) {
        printf("FAIL: fork: errno %d\n", errno);
        fflush(stdout);
        _exit(1);
    }
    return pid;
}

static void statuses_by_pid(void)
{
    pid_t pids[3];
    for (int i = 0; i < 3; i++) {
        pids[i] = fork_flushed();
        if (pids[i] == 0)
            _exit(10 * (i + 1));
    }
    for (int i = 2; i >= 0; i--) {
        int status = -1;
        char buf[40];
        pid_t got = pk_waitpid(pids[i], &status, 0);
        CHECK(got == pids[i]);
        printf("by pid: child %d %s\n", i, status_text(status, buf, sizeof buf));
    }
}

static void any_child(void)
{
    int seen = 0;
    for (int i = 1; i <= 4; i++)
        if (fork_flushed() == 0)
            _exit(i);
    for (int i = 0; i < 4; i++) {
        int status = -1;
        pid_t got = pk_waitpid(-1, &status, 0);
        CHECK(got > 0 && WIFEXITED(status));
        if (got > 0 && WIFEXITED(status))
            seen |= 1 << WEXITSTATUS(status);
    }
    printf("any child: statuses seen 0x%x (want 0x1e)\n", seen);
    CHECK(seen == 0x1e);
}

static void copy_and_parent(void)
{
    pid_t parent = getpid();
    pid_t pid = fork_flushed();
    if (pid == 0) {
        copied = 2;
        _exit(getppid() == parent && copied == 2 ? 0 : 1);
    }
    int status = -1;
    CHECK(pk_waitpid(pid, &status, 0) == pid);
    printf("child: getppid is parent, own copy of memory: %s\n",
           WIFEXITED(status) && WEXITSTATUS(status) == 0 ? "yes" : "no");
    printf("parent: still sees its own value: %s\n", copied == 1 ? "yes" : "no");
    CHECK(copied == 1);
}

static void tree(void)
{
    pid_t pid = fork_flushed();
    if (pid == 0) {
        pid_t grandchild = pk_fork();
        if (grandchild == 0)
            _exit(7);
        int status = -1;
        if (grandchild < 0 || pk_waitpid(grandchild, &status, 0) != grandchild || !WIFEXITED(status))
            _exit(100);
        _exit(WEXITSTATUS(status) + 1);
    }
    int status = -1;
    char buf[40];
    CHECK(pk_waitpid(pid, &status, 0) == pid);
    printf("tree: grandchild 7, child passes 7+1: %s\n", status_text(status, buf, sizeof buf));
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 8);
}

static void nohang_and_siginfo(void)
{
    volatile uint32_t *gate = shared_page();
    pid_t pid = fork_flushed();
    if (pid == 0)
        _exit(gate_wait(gate) == 0 ? 42 : 99);
    int status = -1;
    pid_t got = pk_waitpid(pid, &status, WNOHANG);
    printf("WNOHANG while the child waits: %d\n", (int)got);
    CHECK(got == 0);
    struct pk_siginfo info;
    memset(&info, 0xff, sizeof info);
    int r = pk_waitid(PK_P_ALL, 0, &info, PK_WEXITED | PK_WNOHANG);
    printf("waitid WNOHANG: %d, si_pid %d\n", r, (int)info.si_pid);
    CHECK(r == 0 && info.si_pid == 0);
    gate_open(gate);
    memset(&info, 0, sizeof info);
    r = pk_waitid(PK_P_PID, pid, &info, PK_WEXITED);
    printf("waitid: %d, si_signo %d, si_code %d, si_status %d, si_pid is child: %s\n", r,
           (int)info.si_signo, (int)info.si_code, (int)info.si_status,
           info.si_pid == pid ? "yes" : "no");
    CHECK(r == 0 && info.si_signo == PK_SIGCHLD && info.si_code == PK_CLD_EXITED &&
          info.si_status == 42);
    munmap((void *)gate, 4096);
}

static void killed(void)
{
    char buf[40];
    /* SIGKILL and SIGTERM from the parent; the child waits on a gate nobody opens */
    static const int sigs[2] = {PK_SIGKILL, PK_SIGTERM};
    for (int i = 0; i < 2; i++) {
        volatile uint32_t *gate = shared_page();
        pid_t pid = fork_flushed();
        if (pid == 0) {
            for (;;)
                gate_wait(gate);
        }
        CHECK(kill(pid, sigs[i]) == 0);
        struct pk_siginfo info;
        memset(&info, 0, sizeof info);
        int r = pk_waitid(PK_P_PID, pid, &info, PK_WEXITED);
        printf("kill %d: waitid %d, si_code %d (CLD_KILLED 2), si_status %d\n", sigs[i], r,
               (int)info.si_code, (int)info.si_status);
        CHECK(r == 0 && info.si_code == PK_CLD_KILLED && info.si_status == sigs[i]);
        munmap((void *)gate, 4096);
    }
    /* a child that faults */
    pid_t pid = fork_flushed();
    if (pid == 0) {
        *(volatile int *)bad_address = 1;
        _exit(0);
    }
    int status = -1;
    CHECK(pk_waitpid(pid, &status, 0) == pid);
    printf("faulting child: %s\n", status_text(status, buf, sizeof buf));
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == PK_SIGSEGV);
}

static void nothing_left(void)
{
    int status;
    errno = 0;
    pid_t got = pk_waitpid(-1, &status, 0);
    printf("wait with no children: %d, ECHILD: %s\n", (int)got, errno == ECHILD ? "yes" : "no");
    CHECK(got == -1 && errno == ECHILD);
    errno = 0;
    got = pk_waitpid(getpid(), &status, WNOHANG);
    printf("wait for self: %d, ECHILD: %s\n", (int)got, errno == ECHILD ? "yes" : "no");
    CHECK(got == -1 && errno == ECHILD);
    long r = pk_syscall5(PK_SYS_WAITID, 99, 0, 0, PK_WEXITED, 0);
    printf("waitid bad idtype: %ld\n", r);
    CHECK(r == -PK_EINVAL);
    struct pk_siginfo info;
    r = pk_syscall5(PK_SYS_WAITID, PK_P_ALL, 0, (long)&info, 0, 0);
    printf("waitid no options: %ld\n", r);
    CHECK(r == -PK_EINVAL);
}

int main(void)
{
    puts("fork_wait: start");
    statuses_by_pid();
    any_child();
    copy_and_parent();
    tree();
    nohang_and_siginfo();
    killed();
    nothing_left();
    puts(check_failures == 0 ? "fork_wait ok" : "fork_wait FAILED");
    return check_status();
}
