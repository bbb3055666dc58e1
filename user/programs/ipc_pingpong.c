/*
 * ipc_pingpong.c - [Pakaya only] example: two processes bounce a counter
 * through call/reply.  The parent serves a port (port_reply_recv: answer,
 * then wait for the next call); a forked child holds a send right to it and
 * calls N times, each time sending the counter it got back; the server adds
 * one.  Finally the child sends the counter in a plain message (no reply
 * capability), which ends the server's loop.
 *
 *   ipc_pingpong [N]     (default 1000)
 *
 * Prints "ipc_pingpong: N round trips, counter N".  Exit 0 (1 on a failure).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "check.h"
#include "pakaya.h"

static int client(int server, uint32_t n)
{
    uint32_t counter = 0, answer = 0;
    struct pk_msg m = {.data = &counter, .size = 4};
    struct pk_msg r = {.data = &answer, .size = 4};
    for (uint32_t i = 0; i < n; i++) {
        r.size = 4;
        if (pk_port_call(server, &m, &r, NULL) != 0 || r.size != 4 || answer != counter + 1)
            return 1;
        counter = answer;
    }
    return pk_port_send(server, &m, 0, NULL) == 0 ? 0 : 2; /* the final count, no reply */
}

int main(int argc, char **argv)
{
    uint32_t n = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 10) : 1000;
    int port = pk_port_create();
    if (port < 0 && errno == ENOSYS) {
        printf("ipc_pingpong: not running on Pakaya (ENOSYS)\n");
        return 2;
    }
    int send = pk_cap_derive(port, PK_RIGHT_SEND, 1);
    CHECK(port > 0 && send > 0);
    pid_t pid = pk_fork();
    if (pid == 0)
        _exit(client(send, n));
    uint32_t value = 0, out = 0, trips = 0;
    struct pk_msg in = {.data = &value, .size = 4};
    struct pk_msg reply = {.data = &out, .size = 4};
    int r = pk_port_recv(port, &in, 0, NULL);
    while (r == 0 && in.reply > 0) {
        out = value + 1;
        trips++;
        in.size = 4;
        r = pk_port_reply_recv(in.reply, &reply, port, &in);
    }
    CHECK(r == 0);
    int status = 0;
    CHECK(pk_waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0);
    printf("ipc_pingpong: %u round trips, counter %u\n", (unsigned)trips, (unsigned)value);
    CHECK(trips == n && value == n);
    return check_status();
}
