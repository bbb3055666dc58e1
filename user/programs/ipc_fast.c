/*
 * ipc_fast.c - [Pakaya only] the IPC fastpath's edge cases, one mode per run
 * (the kernel test counts which calls and replies took the fastpath):
 *
 *   ipc_fast plain N   N calls to a server already waiting, badge 0x80000001:
 *                      every call and every reply can go the fast way
 *   ipc_fast caps N    each call carries a capability: the call takes the
 *                      general path, the (plain) reply the fast one
 *   ipc_fast early N   the server sleeps before each receive, so every call
 *                      finds nobody waiting and is queued
 *   ipc_fast edges     faults and refusals: a bad data pointer, a read-only
 *                      reply buffer, an answer too big for the reply buffer,
 *                      a server whose receive buffer is too small
 *
 * A forked child is the client, the parent the server.  Prints one line per
 * mode ("ipc_fast: ...").  Exit 0, 1 on a failure, 2 for a bad mode.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "pakaya.h"

#define BADGE 0x80000001u

static const uint32_t read_only_word = 7; /* .rodata: a reply buffer that is not writable */

enum mode { PLAIN, CAPS, EARLY, EDGES };

/* The client: calls n times (m: PLAIN, CAPS, EARLY), then a plain send ends the server. */
static int client(int server, enum mode mode, uint32_t n)
{
    uint32_t v = 0, answer = 0;
    struct pk_msg m = {.data = &v, .size = 4};
    struct pk_msg r = {.data = &answer, .size = 4};
    int note = mode == CAPS ? pk_notify_create() : 0;
    for (uint32_t i = 0; i < n; i++) {
        r.size = 4;
        if (mode == CAPS) {
            m.ncaps = 1;
            m.caps[0] = note;
        }
        if (pk_port_call(server, &m, &r, NULL) != 0 || r.size != 4 || answer != v + 1 || r.badge != 0)
            return 1;
        v = answer;
    }
    m.ncaps = 0;
    return pk_port_send(server, &m, 0, NULL) == 0 ? 0 : 2;
}

/* The edge cases, client side: each call's outcome is printed by the server's partner line. */
static int client_edges(int server)
{
    uint32_t v = 1, answer = 0;
    struct pk_msg bad_data = {.data = (void *)8, .size = 4};
    struct pk_msg m = {.data = &v, .size = 4};
    struct pk_msg r = {.data = &answer, .size = 4};
    struct pk_msg r_ro = {.data = (void *)&read_only_word, .size = 4};
    int fails = 0;
    /* A bad data pointer and a read-only reply buffer: EFAULT, nothing sent. */
    if (pk_port_call(server, &bad_data, &r, NULL) != -1 || errno != EFAULT) fails++;
    if (pk_port_call(server, &m, &r_ro, NULL) != -1 || errno != EFAULT) fails++;
    /* The server answers 8 bytes into a 4-byte reply buffer: EMSGSIZE. */
    v = 2;
    if (pk_port_call(server, &m, &r, NULL) != -1 || errno != EMSGSIZE) fails++;
    /* The server waits with a 2-byte buffer: it meets EMSGSIZE, then takes it with a bigger one. */
    v = 3;
    r.size = 4;
    if (pk_port_call(server, &m, &r, NULL) != 0 || answer != 4) fails++;
    v = 0;
    return pk_port_send(server, &m, 0, NULL) == 0 && fails == 0 ? 0 : 1;
}

static int serve(int port, enum mode mode, uint32_t n)
{
    uint32_t v = 0, out = 0, calls = 0, caps = 0;
    struct pk_msg in = {.data = &v, .size = 4};
    struct pk_msg reply = {.data = &out, .size = 4};
    struct timespec nap = {.tv_sec = 0, .tv_nsec = 1000000};
    if (mode == EARLY)
        nanosleep(&nap, NULL);
    int r = pk_port_recv(port, &in, 0, NULL);
    while (r == 0 && in.reply > 0) {
        CHECK(in.badge == BADGE && in.size == 4);
        if (in.ncaps == 1) {
            struct pk_cap_info info;
            CHECK(pk_cap_info(in.caps[0], &info) == 0 && info.kind == PK_CAP_KIND_NOTIFICATION);
            CHECK(pk_cap_delete(in.caps[0]) == 0);
            caps++;
        }
        out = v + 1;
        calls++;
        in.size = 4;
        in.ncaps = 0;
        if (mode == EARLY) {
            CHECK(pk_port_reply(in.reply, &reply) == 0);
            nanosleep(&nap, NULL);
            r = pk_port_recv(port, &in, 0, NULL);
        } else
            r = pk_port_reply_recv(in.reply, &reply, port, &in);
    }
    CHECK(r == 0 && calls == n && v == n);
    printf("ipc_fast: %u calls, badge 0x%x, %u with a capability\n", (unsigned)calls, BADGE, (unsigned)caps);
    return 0;
}

static int serve_edges(int port)
{
    uint32_t v = 0;
    uint64_t big = 0x0102030405060708ull;
    uint16_t small = 0;
    struct pk_msg in = {.data = &v, .size = 4};
    /* Call 2 (the two faulting calls never arrive): answer 8 bytes. */
    CHECK(pk_port_recv(port, &in, 0, NULL) == 0 && v == 2);
    struct pk_msg answer8 = {.data = &big, .size = 8};
    CHECK(pk_port_reply(in.reply, &answer8) == 0);
    /* Call 3: wait with a 2-byte buffer: EMSGSIZE, the message stays; then take it. */
    struct pk_msg tiny = {.data = &small, .size = 2};
    CHECK_ERR(pk_port_recv(port, &tiny, 0, NULL), EMSGSIZE);
    in.size = 4;
    CHECK(pk_port_recv(port, &in, 0, NULL) == 0 && v == 3 && in.reply > 0);
    uint32_t four = 4;
    struct pk_msg answer = {.data = &four, .size = 4};
    CHECK(pk_port_reply(in.reply, &answer) == 0);
    in.size = 4;
    CHECK(pk_port_recv(port, &in, 0, NULL) == 0 && v == 0 && in.reply == 0);
    printf("ipc_fast: edges done\n");
    return 0;
}

int main(int argc, char **argv)
{
    const char *name = argc > 1 ? argv[1] : "plain";
    uint32_t n = argc > 2 ? (uint32_t)strtoul(argv[2], NULL, 10) : 100;
    enum mode mode = strcmp(name, "plain") == 0   ? PLAIN
                     : strcmp(name, "caps") == 0  ? CAPS
                     : strcmp(name, "early") == 0 ? EARLY
                     : strcmp(name, "edges") == 0 ? EDGES
                                                  : (enum mode)-1;
    if ((int)mode < 0) {
        printf("usage: ipc_fast plain|caps|early N | edges\n");
        return 2;
    }
    int port = pk_port_create();
    if (port < 0 && errno == ENOSYS) {
        printf("ipc_fast: not running on Pakaya (ENOSYS)\n");
        return 2;
    }
    int send = pk_cap_derive(port, PK_RIGHT_SEND | PK_RIGHT_GRANT, BADGE);
    CHECK(port > 0 && send > 0);
    pid_t pid = pk_fork();
    if (pid == 0)
        _exit(mode == EDGES ? client_edges(send) : client(send, mode, n));
    CHECK(pid > 0);
    if (mode == EDGES)
        serve_edges(port);
    else
        serve(port, mode, n);
    int status = 0;
    CHECK(pk_waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0);
    return check_status();
}
