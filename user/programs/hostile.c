/*
 * hostile.c - a careless or hostile guest, for the node's soak and robustness tests.
 *
 *   hostile forkbomb     fork until fork fails, then keep trying (children busy-loop)
 *   hostile threadbomb   create threads until that fails; every thread busy-loops
 *   hostile memhog       touch heap pages until brk/malloc fails, then spin
 *   hostile longline     write 'x' forever with no newline, in 4 KiB writes
 *   hostile busy         an endless loop of arithmetic
 *   hostile yes          write "y\n" forever (for closed-pipe tests); exits 3 if a write fails
 *   hostile kill <pid>   kill(pid, SIGKILL); prints "kill: <result> <errno>"
 *
 * Every mode but yes and kill runs until the node kills it.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pakaya.h"

static volatile uint32_t sink;

static void spin(void)
{
    uint32_t x = 1;
    for (;;) {
        x = x * 1103515245u + 12345u;
        sink = x;
    }
}

static void *thread_spin(void *arg)
{
    (void)arg;
    spin();
    return 0;
}

static __attribute__((noreturn)) int forkbomb(void)
{
    for (;;) {
        pid_t pid = pk_fork();
        if (pid == 0)
            continue; /* the child forks too */
        if (pid < 0)
            spin();
    }
}

static int threadbomb(void)
{
    pk_thread_t t;
    while (pk_thread_create(&t, thread_spin, 0) == 0)
        ;
    spin();
    return 0;
}

static __attribute__((noreturn)) int memhog(void)
{
    for (;;) {
        char *p = malloc(64 * 1024);
        if (p == 0)
            spin();
        for (int i = 0; i < 64 * 1024; i += 4096)
            p[i] = 1;
    }
}

static __attribute__((noreturn)) int longline(void)
{
    static char buf[4096];
    memset(buf, 'x', sizeof buf);
    for (;;)
        write(1, buf, sizeof buf);
}

static int yes(void)
{
    for (;;) {
        if (write(1, "y\n", 2) < 0)
            return 3;
    }
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";
    if (strcmp(mode, "forkbomb") == 0)
        return forkbomb();
    if (strcmp(mode, "threadbomb") == 0)
        return threadbomb();
    if (strcmp(mode, "memhog") == 0)
        return memhog();
    if (strcmp(mode, "longline") == 0)
        return longline();
    if (strcmp(mode, "busy") == 0)
        spin();
    if (strcmp(mode, "yes") == 0)
        return yes();
    if (strcmp(mode, "kill") == 0 && argc > 2) {
        int r = kill(atoi(argv[2]), 9);
        printf("kill: %d %d\n", r, r < 0 ? errno : 0);
        return 0;
    }
    fprintf(stderr, "usage: hostile forkbomb|threadbomb|memhog|longline|busy|yes|kill <pid>\n");
    return 2;
}
