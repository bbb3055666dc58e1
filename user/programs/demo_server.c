/*
 * demo_server.c - [Pakaya only] the cluster demo's server: registers a
 * global name for its port with the name server ("svc/..." names go into the
 * cluster registry, so a process on any node can look it up) and answers
 * calls until every client has made its calls.
 *
 *   demo_server NAME CLIENTS COUNT
 *
 * A call carries {client, seq, value}; the answer is {seq, 3 * value + 1}.
 * The server checks that each client's calls arrive exactly once and in
 * order (seq 0, 1, 2, ... per client, client < CLIENTS) and ends after
 * CLIENTS * COUNT calls, unregistering the name.
 *
 * Output: "demo_server: NAME registered", then "demo_server: CLIENTS clients
 * x COUNT calls, each once and in order"; exit 0. A call out of order or from
 * an unknown client: a line saying so, exit 1. Bad arguments, or not on
 * Pakaya (ENOSYS): exit 2.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pakaya.h"

#define OP_REGISTER 1
#define OP_UNREGISTER 3
#define CLIENTS_MAX 16u
#define COUNT_MAX 100000u
#define NAME_MAX_LEN 60u

struct call {
    uint32_t client, seq, value;
};

struct answer {
    uint32_t seq, value;
};

/* One name-server request (op + name, with a capability to register); returns its status. */
static int ask(uint32_t op, const char *name, int cap)
{
    uint8_t req[4 + NAME_MAX_LEN];
    size_t len = strlen(name);
    memcpy(req, &op, 4);
    memcpy(req + 4, name, len);
    int32_t status = 0;
    struct pk_msg m = {.data = req, .size = (uint32_t)(4 + len)};
    if (cap > 0) {
        m.ncaps = 1;
        m.caps[0] = cap;
    }
    struct pk_msg r = {.data = &status, .size = 4};
    if (pk_port_call(PK_CAP_NAME_SERVER, &m, &r, NULL) != 0) return -errno;
    return status;
}

static int number(const char *s, unsigned max, unsigned *out)
{
    char *end;
    unsigned long v = strtoul(s, &end, 10);
    if (*s == '\0' || *end != '\0' || v == 0 || v > max) return 0;
    *out = (unsigned)v;
    return 1;
}

int main(int argc, char **argv)
{
    unsigned clients, count;
    if (argc != 4 || strlen(argv[1]) > NAME_MAX_LEN || !number(argv[2], CLIENTS_MAX, &clients) ||
        !number(argv[3], COUNT_MAX, &count)) {
        printf("usage: demo_server NAME CLIENTS COUNT (CLIENTS <= %u, COUNT <= %u)\n", CLIENTS_MAX, COUNT_MAX);
        return 2;
    }
    const char *name = argv[1];
    int port = pk_port_create();
    if (port < 0 && errno == ENOSYS) {
        printf("demo_server: not running on Pakaya (ENOSYS)\n");
        return 2;
    }
    if (port < 0) {
        printf("demo_server: no port (errno %d)\n", errno);
        return 1;
    }
    int send = pk_cap_derive(port, PK_RIGHT_SEND, 0);
    int st = ask(OP_REGISTER, name, send);
    if (st != 0) {
        printf("demo_server: cannot register %s (error %d)\n", name, -st);
        return 1;
    }
    printf("demo_server: %s registered\n", name);
    fflush(stdout);
    uint32_t next[CLIENTS_MAX] = {0};
    uint32_t total = clients * count, done = 0;
    struct call c;
    struct answer a;
    struct pk_msg in = {.data = &c, .size = sizeof c};
    struct pk_msg out = {.data = &a, .size = sizeof a};
    int r = pk_port_recv(port, &in, 0, NULL);
    for (;;) {
        if (r != 0) {
            printf("demo_server: receive failed (errno %d)\n", errno);
            return 1;
        }
        if (in.size != sizeof c || in.reply <= 0 || c.client >= clients || c.seq != next[c.client]) {
            printf("demo_server: unexpected call (client %u, seq %u, want seq %u)\n", (unsigned)c.client,
                   (unsigned)c.seq, c.client < clients ? (unsigned)next[c.client] : 0u);
            return 1;
        }
        next[c.client]++;
        a.seq = c.seq;
        a.value = 3u * c.value + 1u;
        if (++done == total) break;
        in.size = sizeof c;
        r = pk_port_reply_recv(in.reply, &out, port, &in);
    }
    /* The last answer, then the name goes away with the port. */
    if (pk_port_reply(in.reply, &out) != 0) printf("demo_server: last answer not taken (errno %d)\n", errno);
    ask(OP_UNREGISTER, name, 0);
    printf("demo_server: %u clients x %u calls, each once and in order\n", clients, count);
    return 0;
}
