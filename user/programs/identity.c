/*
 * identity.c - [Pakaya only] a process's identity, for the checkpoint/restore
 * tests: prints its NPID (getnpid), pid and thread ids before and after some
 * work, from the main thread and from a second thread.  A restore keeps the
 * NPID and the thread ids, so a run checkpointed during the work and restored
 * on another node prints the same lines as an uninterrupted one.
 *
 *   identity [iterations]     (default 200000)
 *
 * Under Linux/qemu-riscv32 prints "identity: not running on Pakaya (ENOSYS)"
 * and exits 2.  Exit 0.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "pakaya.h"

static int iterations = 200000;
static volatile uint32_t sink;

static void show(const char *when)
{
    struct pk_npid id;
    if (pk_getnpid(&id) != 0) {
        printf("identity: not running on Pakaya (ENOSYS)\n");
        exit(2);
    }
    printf("identity %s: npid %08x:%u pid %d tid %d\n", when, (unsigned)id.node, (unsigned)id.local,
           (int)getpid(), (int)pk_gettid());
}

static void work(void)
{
    uint32_t x = 1;
    for (int i = 0; i < iterations; i++)
        x = x * 1103515245u + 12345u;
    sink = x;
}

static void *second(void *arg)
{
    (void)arg;
    show("thread before");
    work();
    show("thread after");
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc > 1)
        iterations = atoi(argv[1]);
    show("main before");
    pk_thread_t t;
    if (pk_thread_create(&t, second, NULL) != 0 || pk_thread_join(t, NULL) != 0)
        return 1;
    work();
    show("main after");
    return 0;
}
