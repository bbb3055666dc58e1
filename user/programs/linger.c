/*
 * linger.c - a long-lived, mostly idle process for process-control tests (spawn, logs, kill, ps
 * --all across nodes): prints "linger: up" and its arguments on stdout and "linger: stderr" on
 * stderr, then sleeps in 200 ms steps, printing "linger: tick <n>" every 5th step, until a
 * signal ends it (SIGTERM: status 143).  With an argument "exit=<n>" it exits with status n after
 * its first tick instead.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pakaya.h"

int main(int argc, char **argv)
{
    int exit_status = -1;
    printf("linger: up");
    for (int i = 1; i < argc; i++) {
        printf(" %s", argv[i]);
        if (strncmp(argv[i], "exit=", 5) == 0)
            exit_status = atoi(argv[i] + 5);
    }
    printf("\n");
    fflush(stdout);
    fprintf(stderr, "linger: stderr\n");
    for (unsigned n = 1;; n++) {
        struct timespec t = {0, 200 * 1000 * 1000};
        nanosleep(&t, NULL);
        if (n % 5 == 0) {
            printf("linger: tick %u\n", n / 5);
            fflush(stdout);
            if (exit_status >= 0)
                return exit_status;
        }
    }
}
