/*
 * shm.c - [Pakaya only] shared regions: shm_create (510), shm_map (511),
 * shm_grant (512), shm_close (513).
 *
 * Checks: a new region is zero-filled; handles are inherited by fork: parent
 * and child each map the region (at addresses of the kernel's choosing) and
 * see each other's writes; a region created after the fork is given to the
 * child with shm_grant (the handle number it has there is passed through the
 * first region) and the child maps it; shm_close leaves existing mappings
 * working (the memory lives until the last mapping goes) and makes the
 * handle unusable; a spawned program (shm_peer) inherits a handle, maps it,
 * reads the parent's message and answers; bad handles and pids are refused.
 * Parent and child take turns through words in the shared region, polled
 * with sched_yield and short sleeps (no cross-process futex needed).
 *
 *   shm
 *
 * Under Linux/qemu-riscv32 shm_create returns ENOSYS: prints "shm: not
 * running on Pakaya (ENOSYS)" and exits 2.  Expected Pakaya output: see
 * user/README.md.  Exit 0 (1 if a check fails).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "check.h"
#include "pakaya.h"

#define RW (PK_PROT_READ | PK_PROT_WRITE)
#define SIZE 8192u

extern char **environ;

/* The first region's layout: turn words, a handle number, then text. */
struct mailbox {
    volatile uint32_t turn;  /* 1: child wrote; 2: parent answered; 3: grant sent; 4: child acked */
    volatile int32_t granted; /* handle number of region B in the child */
    char child_text[64];
    char parent_text[64];
};

/* Wait until m->turn == want: up to about 5 s, yielding and sleeping 1 ms at a time. */
static int await_turn(struct mailbox *m, uint32_t want)
{
    for (int i = 0; i < 5000; i++) {
        if (__atomic_load_n(&m->turn, __ATOMIC_ACQUIRE) >= want)
            return 0;
        sched_yield();
        usleep(1000);
    }
    return -1;
}

static void set_turn(struct mailbox *m, uint32_t t)
{
    __atomic_store_n(&m->turn, t, __ATOMIC_RELEASE);
}

/* The fork child: map the inherited handle, talk, map the granted one. */
static int child(int h)
{
    struct mailbox *m = pk_shm_map(h, NULL, RW);
    if (m == PK_MAP_FAILED)
        return 10;
    strcpy(m->child_text, "written by the child");
    set_turn(m, 1);
    if (await_turn(m, 2) < 0 || strcmp(m->parent_text, "answered by the parent") != 0)
        return 11;
    if (await_turn(m, 3) < 0)
        return 12;
    char *b = pk_shm_map(m->granted, NULL, RW);
    if (b == PK_MAP_FAILED)
        return 13;
    int ok = strcmp(b, "granted region") == 0;
    strcpy(b, "child was here");
    set_turn(m, 4);
    return ok ? 0 : 14;
}

int main(void)
{
    int h = pk_shm_create(SIZE);
    if (h < 0) {
        puts(errno == ENOSYS ? "shm: not running on Pakaya (ENOSYS)" : "shm: create failed");
        return 2;
    }
    puts("shm: created a region");
    fflush(stdout);
    pid_t pid = pk_fork();
    if (pid == 0)
        _exit(child(h));
    CHECK(pid > 0);

    struct mailbox *m = pk_shm_map(h, NULL, RW);
    CHECK(m != PK_MAP_FAILED);
    if (m == PK_MAP_FAILED)
        return 1;
    CHECK(await_turn(m, 1) == 0);
    printf("parent reads: \"%s\"\n", m->child_text);
    CHECK(strcmp(m->child_text, "written by the child") == 0);
    strcpy(m->parent_text, "answered by the parent");
    set_turn(m, 2);

    /* region B: created after the fork, granted to the child */
    int hb = pk_shm_create(4096);
    CHECK(hb >= 0);
    char *b = pk_shm_map(hb, NULL, RW);
    CHECK(b != PK_MAP_FAILED);
    int zero = 1;
    for (int i = 0; i < 4096; i++)
        zero &= b[i] == 0;
    printf("new region zero-filled: %s\n", zero ? "yes" : "no");
    CHECK(zero);
    strcpy(b, "granted region");
    int g = pk_shm_grant(hb, pid);
    printf("grant to the child: %s\n", g >= 0 ? "ok" : "failed");
    CHECK(g >= 0);
    m->granted = g;
    set_turn(m, 3);
    CHECK(await_turn(m, 4) == 0);
    printf("parent reads the granted region: \"%s\"\n", b);
    CHECK(strcmp(b, "child was here") == 0);

    int status = -1;
    char buf[40];
    CHECK(pk_waitpid(pid, &status, 0) == pid);
    printf("fork child: %s\n", status_text(status, buf, sizeof buf));
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);

    /* close: the mapping stays, the handle goes */
    CHECK(pk_shm_close(hb) == 0);
    strcpy(b, "still mapped");
    printf("after close, the mapping still works: %s\n", strcmp(b, "still mapped") == 0 ? "yes" : "no");
    CHECK(munmap(b, 4096) == 0);
    errno = 0;
    printf("map a closed handle: %s\n", pk_shm_map(hb, NULL, RW) == PK_MAP_FAILED ? "refused" : "mapped?!");
    printf("close it again: %s\n", pk_shm_close(hb) == -1 ? "refused" : "succeeded?!");

    /* a spawned program inherits handles */
    int hc = pk_shm_create(4096);
    char *c = pk_shm_map(hc, NULL, RW);
    CHECK(hc >= 0 && c != PK_MAP_FAILED);
    strcpy(c, "hello peer");
    char hbuf[16];
    snprintf(hbuf, sizeof hbuf, "%d", hc);
    char *peer_argv[] = {"shm_peer", hbuf, NULL};
    fflush(stdout);
    pid_t peer = pk_spawn("shm_peer", peer_argv, environ);
    CHECK(peer > 0);
    status = -1;
    CHECK(pk_waitpid(peer, &status, 0) == peer);
    printf("spawned shm_peer: %s, answered \"%s\"\n", status_text(status, buf, sizeof buf), c);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0 && strcmp(c, "peer: got hello peer") == 0);

    /* refusals */
    printf("map handle 999: %s\n", pk_shm_map(999, NULL, RW) == PK_MAP_FAILED ? "refused" : "mapped?!");
    printf("map handle -1: %s\n", pk_shm_map(-1, NULL, RW) == PK_MAP_FAILED ? "refused" : "mapped?!");
    printf("grant to pid 0x3ffffff0: %s\n", pk_shm_grant(hc, 0x3ffffff0) < 0 ? "refused" : "granted?!");
    printf("create 0 bytes: %s\n", pk_shm_create(0) < 0 ? "refused" : "created?!");
    printf("create 3.75 GiB: %s\n", pk_shm_create(0xF0000000u) < 0 ? "refused" : "created?!");
    CHECK(munmap(c, 4096) == 0 && pk_shm_close(hc) == 0);
    CHECK(munmap(m, SIZE) == 0 && pk_shm_close(h) == 0);

    puts(check_failures == 0 ? "shm ok" : "shm FAILED");
    return check_status();
}
