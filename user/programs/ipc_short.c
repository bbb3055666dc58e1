/*
 * ipc_short.c - [Pakaya only] short messages in registers (calls 537-539):
 * pk_port_call_short, pk_port_reply_recv_short and pk_port_send_short, with
 * each other and with the descriptor calls.  A forked child is the client,
 * the parent the server; each step is checked on both sides:
 *
 *   1  short call to a short server: bytes past `size` arrive as zeros, the
 *      badge (0x80000001) and a reply slot arrive; the answer comes back
 *   2  a 12-byte short call answered by pk_port_reply (8 bytes)
 *   3  a short call to a server in pk_port_recv, answered by
 *      pk_port_reply_recv (descriptors at the server's end)
 *   4  a 13-byte message queued: a short receive fails with EMSGSIZE and it
 *      stays queued (pk_port_recv takes it)
 *   5  a descriptor pk_port_call to a short server, answered short
 *   6  a message carrying a capability: EMSGSIZE for a short receive, still
 *      queued
 *   7  size 13 and a bad slot: EMSGSIZE and EBADF at once
 *   8  an answer too long for a short call, and one carrying a capability:
 *      EMSGSIZE, and the capability is not left in the caller's space
 *   9  short sends with PK_IPC_NONBLOCK until the quota is full: EAGAIN
 *   10 a plain short send ends the server (reply slot 0)
 *
 * Prints "ipc_short: ok" (or FAIL lines).  Exit 0, 1 on a failure.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "pakaya.h"

#define BADGE 0x80000001u

/* Words of the shared page: gates (one-shot) and a count. */
enum { GATE_QUEUED13 = 0, GATE_QUEUED_CAP = 1, GATE_FULL = 2, SENT = 3 };

static struct pk_short shortmsg(uint32_t size, uint32_t w0, uint32_t w1, uint32_t w2)
{
    struct pk_short m = {.size = size, .w = {w0, w1, w2}, .badge = 77, .reply = 77};
    return m;
}

/* The next free slot (derived and deleted again): equal before and after = nothing left behind. */
static int next_free_slot(int any)
{
    int s = pk_cap_derive(any, PK_RIGHT_SEND, 0);
    pk_cap_delete(s);
    return s;
}

static int client(int server, volatile uint32_t *shared)
{
    int failures = 0;
#define C(cond)                                                           \
    do {                                                                  \
        if (!(cond)) {                                                    \
            printf("FAIL (client): %s (line %d)\n", #cond, __LINE__);     \
            failures++;                                                   \
        }                                                                 \
    } while (0)
    /* 1 */
    struct pk_short m = shortmsg(4, 41, 0xdeadbeef, 0xfeedface);
    C(pk_port_call_short(server, &m) == 0);
    C(m.size == 4 && m.w[0] == 42 && m.w[1] == 0 && m.w[2] == 0 && m.badge == 0 && m.reply == 0);
    /* 2 */
    m = shortmsg(12, 1, 2, 3);
    C(pk_port_call_short(server, &m) == 0);
    C(m.size == 8 && memcmp(m.w, "abcdefgh", 8) == 0 && m.w[2] == 0);
    /* 3 */
    m = shortmsg(8, 0x04030201, 0x08070605, 9);
    C(pk_port_call_short(server, &m) == 0);
    C(m.size == 3 && m.w[0] == 0x00545352); /* "RST" */
    /* 4 */
    char thirteen[13] = "thirteen byte";
    struct pk_msg d = {.data = thirteen, .size = 13};
    C(pk_port_send(server, &d, 0, NULL) == 0);
    gate_open(&shared[GATE_QUEUED13]);
    /* 5 */
    uint32_t v = 7, answer[4] = {0};
    struct pk_msg call = {.data = &v, .size = 4};
    struct pk_msg reply = {.data = answer, .size = sizeof answer};
    C(pk_port_call(server, &call, &reply, NULL) == 0);
    C(reply.size == 4 && answer[0] == 8 && reply.ncaps == 0);
    /* 6 */
    int note = pk_notify_create();
    struct pk_msg withcap = {.data = &v, .size = 4, .ncaps = 1, .caps = {note}};
    C(pk_port_send(server, &withcap, 0, NULL) == 0);
    gate_open(&shared[GATE_QUEUED_CAP]);
    /* 7 */
    m = shortmsg(13, 1, 2, 3);
    CHECK_ERR(pk_port_call_short(server, &m), EMSGSIZE);
    C(m.size == 13 && m.w[0] == 1); /* untouched on failure */
    CHECK_ERR(pk_port_send_short(server, &m, 0), EMSGSIZE);
    m = shortmsg(4, 1, 2, 3);
    CHECK_ERR(pk_port_call_short(999, &m), EBADF);
    /* 8 */
    int before = next_free_slot(server);
    m = shortmsg(4, 100, 0, 0);
    CHECK_ERR(pk_port_call_short(server, &m), EMSGSIZE); /* a 20-byte answer */
    m = shortmsg(4, 101, 0, 0);
    CHECK_ERR(pk_port_call_short(server, &m), EMSGSIZE); /* an answer with a capability */
    C(next_free_slot(server) == before);
    /* 9 */
    uint32_t sent = 0;
    int r = 0;
    for (int i = 0; i < 4 * PK_PORT_SENDER_QUOTA && r == 0; i++) {
        m = shortmsg(4, 200 + (uint32_t)i, 0, 0);
        r = pk_port_send_short(server, &m, PK_IPC_NONBLOCK);
        if (r == 0)
            sent++;
    }
    C(r == -1 && errno == EAGAIN && sent == PK_PORT_SENDER_QUOTA);
    shared[SENT] = sent;
    gate_open(&shared[GATE_FULL]);
    /* 10 */
    m = shortmsg(4, 0xffffffff, 0, 0);
    C(pk_port_send_short(server, &m, 0) == 0);
    return failures + check_failures;
#undef C
}

static void server(int port, volatile uint32_t *shared)
{
    /* 1 */
    struct pk_short m = shortmsg(0, 0, 0, 0);
    CHECK(pk_port_reply_recv_short(0, &m, port) == 0);
    CHECK(m.size == 4 && m.w[0] == 41 && m.w[1] == 0 && m.w[2] == 0);
    CHECK(m.badge == BADGE && m.reply > 0);
    m.w[0]++;
    m.w[1] = 0x5555; /* past size: the client must see zeros */
    /* answer 1, then take 2 */
    CHECK(pk_port_reply_recv_short(m.reply, &m, port) == 0);
    CHECK(m.size == 12 && m.w[0] == 1 && m.w[1] == 2 && m.w[2] == 3 && m.badge == BADGE);
    struct pk_msg out = {.data = "abcdefgh", .size = 8};
    CHECK(pk_port_reply(m.reply, &out) == 0);
    /* 3 */
    uint8_t buf[16];
    struct pk_msg in = {.data = buf, .size = sizeof buf};
    CHECK(pk_port_recv(port, &in, 0, NULL) == 0);
    CHECK(in.size == 8 && buf[0] == 1 && buf[7] == 8 && in.badge == BADGE && in.reply > 0);
    struct pk_msg rst = {.data = "RST", .size = 3};
    CHECK(pk_port_reply(in.reply, &rst) == 0);
    /* 4: the 13-byte message is queued: a short receive refuses it and it stays */
    CHECK(gate_wait(&shared[GATE_QUEUED13]) == 0);
    m = shortmsg(0, 0, 0, 0);
    CHECK_ERR(pk_port_reply_recv_short(0, &m, port), EMSGSIZE);
    CHECK(m.size == 0 && m.badge == 77); /* untouched on failure */
    in.size = sizeof buf;
    CHECK(pk_port_recv(port, &in, 0, NULL) == 0);
    CHECK(in.size == 13 && memcmp(buf, "thirteen byte", 13) == 0 && in.reply == 0);
    /* 5: the descriptor call; a short receive takes it */
    CHECK(pk_port_reply_recv_short(0, &m, port) == 0);
    CHECK(m.size == 4 && m.w[0] == 7 && m.reply > 0 && m.badge == BADGE);
    m.w[0] = 8;
    /* answer 5; the next message (6) carries a capability: refused, twice, then taken */
    CHECK_ERR(pk_port_reply_recv_short(m.reply, &m, port), EMSGSIZE);
    CHECK(gate_wait(&shared[GATE_QUEUED_CAP]) == 0);
    CHECK_ERR(pk_port_reply_recv_short(0, &m, port), EMSGSIZE);
    in.size = sizeof buf;
    CHECK(pk_port_recv(port, &in, 0, NULL) == 0);
    CHECK(in.size == 4 && in.ncaps == 1 && in.caps[0] > 0);
    CHECK(pk_cap_delete(in.caps[0]) == 0);
    /* 8: a 20-byte answer, then an answer carrying a capability */
    m = shortmsg(0, 0, 0, 0);
    CHECK(pk_port_reply_recv_short(0, &m, port) == 0 && m.w[0] == 100);
    uint8_t twenty[20] = {0};
    struct pk_msg longer = {.data = twenty, .size = 20};
    CHECK(pk_port_reply(m.reply, &longer) == 0);
    CHECK(pk_port_reply_recv_short(0, &m, port) == 0 && m.w[0] == 101);
    int note = pk_notify_create();
    struct pk_msg capped = {.data = twenty, .size = 4, .ncaps = 1, .caps = {note}};
    CHECK(pk_port_reply(m.reply, &capped) == 0);
    /* 9: drain the full quota */
    CHECK(gate_wait(&shared[GATE_FULL]) == 0);
    uint32_t drained = 0;
    for (uint32_t i = 0; i < shared[SENT]; i++) {
        CHECK(pk_port_reply_recv_short(0, &m, port) == 0 && m.w[0] == 200 + i && m.reply == 0);
        drained++;
    }
    CHECK(drained == PK_PORT_SENDER_QUOTA);
    /* 10 */
    CHECK(pk_port_reply_recv_short(0, &m, port) == 0);
    CHECK(m.size == 4 && m.w[0] == 0xffffffff && m.badge == BADGE && m.reply == 0);
}

int main(void)
{
    volatile uint32_t *shared = shared_page();
    int port = pk_port_create();
    if (port < 0 && errno == ENOSYS) {
        printf("ipc_short: not running on Pakaya (ENOSYS)\n");
        return 2;
    }
    int send = pk_cap_derive(port, PK_RIGHT_SEND | PK_RIGHT_GRANT, BADGE);
    pid_t pid = pk_fork();
    if (pid == 0)
        _exit(client(send, shared) == 0 ? 0 : 1);
    CHECK(pid > 0);
    server(port, shared);
    int status = 0;
    CHECK(pk_waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0);
    if (check_failures == 0)
        printf("ipc_short: ok\n");
    return check_failures == 0 ? 0 : 1;
}
