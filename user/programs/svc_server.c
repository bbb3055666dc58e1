/*
 * svc_server.c - [Pakaya only] a server for callers on any node of the
 * cluster: it registers a global name ("svc/...") with the name server for
 * a send right to its port, then answers calls.  A call carries a
 * (client, n) pair of words; each client's n must count 0, 1, 2, ... (no
 * loss, no duplicate, no reordering); the answer is n * 2 + 1.  A plain
 * message (no reply capability) counts the same and gets no answer.  A call
 * with n = 0xffffffff says that client is done: the answer is how many it
 * sent.
 *
 *   svc_server NAME CLIENTS
 *
 * Output: "svc_server: NAME ready", then "svc_server: K calls from CLIENTS
 * clients ok"; exit 0, 1 on a failure (a wrong sequence, a failed call).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "pakaya.h"

#define OP_REGISTER 1
#define CLIENTS_MAX 16
#define DONE 0xffffffffu

static int name_register(const char *name, int cap)
{
    uint8_t req[4 + 64];
    uint32_t op = OP_REGISTER;
    size_t len = strlen(name);
    if (len > 64)
        return -1;
    memcpy(req, &op, 4);
    memcpy(req + 4, name, len);
    int32_t status = 0;
    struct pk_msg m = {.data = req, .size = (uint32_t)(4 + len), .ncaps = 1};
    m.caps[0] = cap;
    struct pk_msg r = {.data = &status, .size = 4};
    if (pk_port_call(PK_CAP_NAME_SERVER, &m, &r, NULL) != 0)
        return -1000;
    return status;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        printf("usage: svc_server NAME CLIENTS\n");
        return 2;
    }
    const char *name = argv[1];
    int clients = atoi(argv[2]);
    if (clients < 1 || clients > CLIENTS_MAX) {
        printf("svc_server: CLIENTS must be 1..%d\n", CLIENTS_MAX);
        return 2;
    }
    int port = pk_port_create();
    int send = pk_cap_derive(port, PK_RIGHT_SEND | PK_RIGHT_GRANT, 0);
    CHECK(port > 0 && send > 0);
    int r = name_register(name, send);
    if (r != 0) {
        printf("svc_server: register %s: %d\n", name, r);
        return 1;
    }
    printf("svc_server: %s ready\n", name);
    fflush(stdout);

    uint32_t next[CLIENTS_MAX] = {0};
    int done = 0;
    long calls = 0;
    uint32_t in[2];
    uint32_t out;
    struct pk_msg reply = {.data = &out, .size = 4};
    int reply_slot = 0;
    while (done < clients) {
        struct pk_msg m = {.data = in, .size = sizeof in};
        if (pk_port_reply_recv(reply_slot, &reply, port, &m) != 0) {
            printf("svc_server: reply_recv failed: errno %d\n", errno);
            return 1;
        }
        reply_slot = m.reply;
        if (m.size != sizeof in || in[0] >= CLIENTS_MAX || (m.reply <= 0 && in[1] == DONE)) {
            printf("svc_server: a malformed call\n");
            return 1;
        }
        calls++;
        if (in[1] == DONE) {
            done++;
            out = next[in[0]];
            continue;
        }
        if (in[1] != next[in[0]]) {
            printf("svc_server: client %u sent %u, expected %u\n", (unsigned)in[0], (unsigned)in[1],
                   (unsigned)next[in[0]]);
            return 1;
        }
        next[in[0]]++;
        out = in[1] * 2 + 1;
        if (reply_slot <= 0)
            reply_slot = 0; /* a plain message: no answer */
    }
    if (reply_slot > 0)
        pk_port_reply(reply_slot, &reply);
    printf("svc_server: %ld calls from %d clients ok\n", calls, clients);
    return check_failures == 0 ? 0 : 1;
}
