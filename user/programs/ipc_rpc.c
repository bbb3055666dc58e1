/*
 * ipc_rpc.c - [Pakaya only] example: a server and three client processes.
 * The server owns a port; each client is spawned with a send right badged
 * with its number (1..3) in its slot 3 (pk_spawn_with_cap), so the server
 * knows who calls from the badge alone, whatever the message says.  The
 * service accumulates: a call carries a number, the reply is the caller's
 * running total.  Each client adds 1..10 scaled by its number and checks
 * every answer.
 *
 *   ipc_rpc            (the server)
 *   ipc_rpc client K   (spawned client K)
 *
 * Prints each client's call count and total.  Exit 0 (1 on a failure).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "pakaya.h"

#define CLIENTS 3
#define CALLS 10

extern char **environ;

static int client(int k)
{
    uint32_t total = 0;
    for (uint32_t i = 1; i <= CALLS; i++) {
        uint32_t add = i * (uint32_t)k, answer = 0;
        struct pk_msg m = {.data = &add, .size = 4};
        struct pk_msg r = {.data = &answer, .size = 4};
        if (pk_port_call(PK_CAP_PARENT, &m, &r, NULL) != 0)
            return 1;
        total += add;
        if (r.size != 4 || answer != total)
            return 2;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 3 && strcmp(argv[1], "client") == 0)
        return client(atoi(argv[2]));
    int port = pk_port_create();
    if (port < 0 && errno == ENOSYS) {
        printf("ipc_rpc: not running on Pakaya (ENOSYS)\n");
        return 2;
    }
    pid_t pids[CLIENTS];
    for (int k = 1; k <= CLIENTS; k++) {
        int badged = pk_cap_derive(port, PK_RIGHT_SEND, (uint32_t)k);
        char num[8];
        snprintf(num, sizeof num, "%d", k);
        char *args[] = {"ipc_rpc", "client", num, NULL};
        pids[k - 1] = pk_spawn_with_cap("ipc_rpc", args, environ, badged);
        CHECK(pids[k - 1] > 0);
        CHECK(pk_cap_delete(badged) == 0); /* the client keeps its copy */
    }
    uint32_t totals[CLIENTS + 1] = {0}, calls[CLIENTS + 1] = {0};
    uint32_t value = 0, answer = 0;
    struct pk_msg in = {.data = &value, .size = 4};
    struct pk_msg reply = {.data = &answer, .size = 4};
    for (int served = 0; served < CLIENTS * CALLS; served++) {
        in.size = 4;
        if (pk_port_recv(port, &in, 0, NULL) != 0 || in.badge < 1 || in.badge > CLIENTS ||
            in.reply <= 0) {
            CHECK(!"bad request");
            break;
        }
        totals[in.badge] += value;
        calls[in.badge]++;
        answer = totals[in.badge];
        CHECK(pk_port_reply(in.reply, &reply) == 0);
    }
    for (int k = 1; k <= CLIENTS; k++) {
        int status = 0;
        CHECK(pk_waitpid(pids[k - 1], &status, 0) == pids[k - 1]);
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        printf("ipc_rpc: client %d (badge %d): %u calls, total %u, %s\n", k, k, (unsigned)calls[k],
               (unsigned)totals[k], WIFEXITED(status) && WEXITSTATUS(status) == 0 ? "ok" : "FAIL");
    }
    return check_status();
}
