/*
 * spawn.c - [Pakaya only] spawn (500), getnpid (501) and execve by program
 * name.
 *
 * Checks: getnpid's local part is getpid(); spawn("hello", args) starts the
 * program as our child (its output appears, waitpid gives exit 0); the
 * "/bin/NAME" form works and the exit status comes back (exitcode 7); a
 * spawned program that faults is reported as killed by SIGSEGV; a spawned
 * child's getppid() is the spawner (spawn.elf spawns itself in "child" mode);
 * unknown programs give ENOENT, bad pointers EFAULT, with no child left
 * behind (waitpid then gives ECHILD); a fork child can execve("hello", ...).
 *
 *   spawn            the test
 *   spawn child P    (internal) exit 0 if getppid() == P, else 1
 *
 * Under Linux/qemu-riscv32 getnpid returns ENOSYS: the program prints
 * "spawn: not running on Pakaya (ENOSYS)" and exits 2.  Expected Pakaya output:
 * see user/README.md.  Exit 0 (1 if a check fails).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "check.h"
#include "pakaya.h"

extern char **environ;

static void *const kernel_ptr = (void *)0x80000000u;

/* Spawn path with argv and wait for it; print and return its status. */
static int spawn_wait(const char *what, const char *path, char *const argv[])
{
    fflush(stdout);
    pid_t pid = pk_spawn(path, argv, environ);
    if (pid < 0) {
        printf("%s: spawn failed, errno %d\n", what, errno);
        check_failures++;
        return -1;
    }
    int status = -1;
    char buf[40];
    CHECK(pk_waitpid(pid, &status, 0) == pid);
    printf("%s: %s\n", what, status_text(status, buf, sizeof buf));
    return status;
}

static void spawn_fails(const char *what, const char *path, char *const argv[], int want)
{
    errno = 0;
    pid_t pid = pk_spawn(path, argv, environ);
    int e = errno;
    printf("%s: %s\n", what, pid >= 0 ? "started?!" : e == want ? "refused as expected" : "wrong errno");
    CHECK(pid == -1 && e == want);
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "child") == 0)
        return getppid() == (pid_t)atoi(argv[2]) ? 0 : 1;

    struct pk_npid npid;
    if (pk_getnpid(&npid) < 0) {
        puts(errno == ENOSYS ? "spawn: not running on Pakaya (ENOSYS)" : "spawn: getnpid failed");
        return 2;
    }
    printf("getnpid: local == getpid(): %s\n", npid.local == (uint32_t)getpid() ? "yes" : "no");
    CHECK(npid.local == (uint32_t)getpid());
    CHECK(pk_syscall1(PK_SYS_GETNPID, (long)kernel_ptr) == -PK_EFAULT);

    char *hello_argv[] = {"hello", "one", "two", NULL};
    int s = spawn_wait("spawn hello", "hello", hello_argv);
    CHECK(WIFEXITED(s) && WEXITSTATUS(s) == 0);

    char *exit_argv[] = {"exitcode", "7", NULL};
    s = spawn_wait("spawn /bin/exitcode 7", "/bin/exitcode", exit_argv);
    CHECK(WIFEXITED(s) && WEXITSTATUS(s) == 7);

    char *segv_argv[] = {"segv", NULL};
    s = spawn_wait("spawn segv", "segv", segv_argv);
    CHECK(WIFSIGNALED(s) && WTERMSIG(s) == PK_SIGSEGV);

    char pidbuf[16];
    snprintf(pidbuf, sizeof pidbuf, "%d", (int)getpid());
    char *self_argv[] = {"spawn", "child", pidbuf, NULL};
    s = spawn_wait("spawned child's parent is the spawner (exit 0)", "spawn", self_argv);
    CHECK(WIFEXITED(s) && WEXITSTATUS(s) == 0);

    spawn_fails("spawn nosuch (ENOENT)", "nosuch", hello_argv, ENOENT);
    spawn_fails("spawn bad path pointer (EFAULT)", kernel_ptr, hello_argv, EFAULT);
    spawn_fails("spawn bad argv pointer (EFAULT)", "hello", kernel_ptr, EFAULT);
    char *bad_entry[] = {"hello", kernel_ptr, NULL};
    spawn_fails("spawn bad argv[1] (EFAULT)", "hello", bad_entry, EFAULT);
    errno = 0;
    int status;
    CHECK(pk_waitpid(-1, &status, WNOHANG) == -1 && errno == ECHILD);

    /* execve by program name, from a fork child */
    fflush(stdout);
    pid_t pid = pk_fork();
    if (pid == 0) {
        char *nosuch_argv[] = {"nosuch", NULL};
        if (execve("nosuch", nosuch_argv, environ) == -1 && errno == ENOENT) {
            char *argv2[] = {"hello", "exec'd", NULL};
            execve("/bin/hello", argv2, environ);
        }
        _exit(99);
    }
    s = -1;
    char buf[40];
    CHECK(pk_waitpid(pid, &s, 0) == pid);
    printf("fork + execve hello: %s\n", status_text(s, buf, sizeof buf));
    CHECK(WIFEXITED(s) && WEXITSTATUS(s) == 0);

    puts(check_failures == 0 ? "spawn ok" : "spawn FAILED");
    return check_status();
}
