/*
 * ipcbench.c - [Pakaya only] IPC benchmark (timed from outside: the kernel
 * bench runs it and divides by its wall time).
 *
 *   ipcbench N call     N call/reply round trips: a forked client calls, the
 *                       parent serves with port_reply_recv (4-byte messages)
 *   ipcbench N short    the same with short messages in registers
 *                       (pk_port_call_short, pk_port_reply_recv_short)
 *   ipcbench N send64   N one-way messages of 64 bytes, forked sender to parent
 *   ipcbench N send4k   N one-way messages of 4096 bytes
 *
 * Output: "ipcbench: N <mode> done" (plus FAIL lines on a failure).  Exit 0,
 * 1 on a failure, 2 for a bad mode.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "pakaya.h"

static uint8_t buf[PK_MSG_MAX_BYTES];

static int caller(int server, uint32_t n)
{
    uint32_t v = 0, answer = 0;
    struct pk_msg m = {.data = &v, .size = 4};
    struct pk_msg r = {.data = &answer, .size = 4};
    for (uint32_t i = 0; i < n; i++) {
        r.size = 4;
        if (pk_port_call(server, &m, &r, NULL) != 0 || answer != v + 1)
            return 1;
        v = answer;
    }
    return pk_port_send(server, &m, 0, NULL) == 0 ? 0 : 1; /* plain send: the end */
}

static int short_caller(int server, uint32_t n)
{
    uint32_t v = 0;
    struct pk_short m = {0};
    for (uint32_t i = 0; i < n; i++) {
        m.size = 4;
        m.w[0] = v;
        if (pk_port_call_short(server, &m) != 0 || m.size != 4 || m.w[0] != v + 1)
            return 1;
        v = m.w[0];
    }
    m.size = 4;
    m.w[0] = v;
    return pk_port_send_short(server, &m, 0) == 0 ? 0 : 1; /* plain send: the end */
}

/* Serves short calls: answers each with its word plus one; the final plain send ends it. */
static int short_server(int port, uint32_t n)
{
    struct pk_short m = {0};
    int r = pk_port_reply_recv_short(0, &m, port);
    while (r == 0 && m.reply > 0) {
        m.w[0]++;
        r = pk_port_reply_recv_short(m.reply, &m, port);
    }
    return r == 0 && m.size == 4 && m.w[0] == n ? 0 : 1;
}

static int sender(int port, uint32_t n, uint32_t size)
{
    struct pk_msg m = {.data = buf, .size = size};
    for (uint32_t i = 0; i < n; i++) {
        buf[0] = (uint8_t)i;
        if (pk_port_send(port, &m, 0, NULL) != 0)
            return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    uint32_t n = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 10) : 10000;
    const char *mode = argc > 2 ? argv[2] : "call";
    uint32_t size = strcmp(mode, "send64") == 0 ? 64 : strcmp(mode, "send4k") == 0 ? 4096 : 0;
    int short_mode = strcmp(mode, "short") == 0;
    if (size == 0 && strcmp(mode, "call") != 0 && !short_mode) {
        printf("usage: ipcbench N call|short|send64|send4k\n");
        return 2;
    }
    int port = pk_port_create();
    if (port < 0 && errno == ENOSYS) {
        printf("ipcbench: not running on Pakaya (ENOSYS)\n");
        return 2;
    }
    int send = pk_cap_derive(port, PK_RIGHT_SEND, 0);
    pid_t pid = pk_fork();
    if (pid == 0)
        _exit(short_mode ? short_caller(send, n) : size == 0 ? caller(send, n) : sender(send, n, size));
    CHECK(pid > 0);
    if (short_mode) {
        CHECK(short_server(port, n) == 0);
    } else if (size == 0) {
        uint32_t v = 0, out = 0;
        struct pk_msg in = {.data = &v, .size = 4};
        struct pk_msg reply = {.data = &out, .size = 4};
        int r = pk_port_recv(port, &in, 0, NULL);
        while (r == 0 && in.reply > 0) {
            out = v + 1;
            in.size = 4;
            r = pk_port_reply_recv(in.reply, &reply, port, &in);
        }
        CHECK(r == 0 && v == n);
    } else {
        uint32_t bad = 0;
        for (uint32_t i = 0; i < n; i++) {
            struct pk_msg m = {.data = buf, .size = sizeof buf};
            if (pk_port_recv(port, &m, 0, NULL) != 0 || m.size != size || buf[0] != (uint8_t)i)
                bad++;
        }
        CHECK(bad == 0);
    }
    int status = 0;
    CHECK(pk_waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0);
    printf("ipcbench: %lu %s done\n", (unsigned long)n, mode);
    return check_status();
}
