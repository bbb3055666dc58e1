/*
 * ipc_pipeline.c - [Pakaya only] example: four processes in a chain,
 *
 *   source -> stage 1 (xor 0x5a) -> stage 2 (add the byte's index) -> sink
 *
 * Each process creates the port it receives on and forks its upstream
 * neighbour, which inherits a send right to that port.  The source sends
 * MESSAGES messages of 64 bytes, then an empty one that ends the stream;
 * each stage transforms every message and forwards it.  The sink (the first
 * process) computes an FNV-1a checksum over everything it received, and the
 * same over its own run of the transforms, and prints both.
 *
 *   ipc_pipeline
 *
 * Exit 0 (1 on a failure).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "pakaya.h"

#define MESSAGES 200
#define LEN 64

static void source_block(uint32_t i, uint8_t *b)
{
    for (uint32_t j = 0; j < LEN; j++)
        b[j] = (uint8_t)(i * 31 + j * 7);
}

static void stage1(uint8_t *b)
{
    for (uint32_t j = 0; j < LEN; j++)
        b[j] ^= 0x5a;
}

static void stage2(uint8_t *b)
{
    for (uint32_t j = 0; j < LEN; j++)
        b[j] = (uint8_t)(b[j] + j);
}

static uint32_t fnv(uint32_t h, const uint8_t *b, uint32_t n)
{
    for (uint32_t j = 0; j < n; j++)
        h = (h ^ b[j]) * 16777619u;
    return h;
}

static int source(int next)
{
    uint8_t b[LEN];
    struct pk_msg m = {.data = b, .size = LEN};
    for (uint32_t i = 0; i < MESSAGES; i++) {
        source_block(i, b);
        if (pk_port_send(next, &m, 0, NULL) != 0)
            return 1;
    }
    m.size = 0;
    return pk_port_send(next, &m, 0, NULL) == 0 ? 0 : 1;
}

/* A middle stage: receive, transform, forward, until the empty message (forwarded too). */
static int stage(int in, int next, void (*transform)(uint8_t *))
{
    uint8_t b[LEN];
    for (;;) {
        struct pk_msg m = {.data = b, .size = LEN};
        if (pk_port_recv(in, &m, 0, NULL) != 0)
            return 1;
        if (m.size == LEN)
            transform(b);
        else if (m.size != 0)
            return 2;
        if (pk_port_send(next, &m, 0, NULL) != 0)
            return 3;
        if (m.size == 0)
            return 0;
    }
}

/* Creates this process's port, forks the upstream part of the chain on it; returns the port. */
static int fork_upstream(int depth, pid_t *child);

static void run_stage(int depth, int next)
{
    if (depth == 0)
        _exit(source(next));
    pid_t up = 0;
    int in = fork_upstream(depth, &up);
    int r = stage(in, next, depth == 2 ? stage2 : stage1);
    int status = 0;
    if (pk_waitpid(up, &status, 0) != up || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        r = 4;
    _exit(r);
}

static int fork_upstream(int depth, pid_t *child)
{
    int in = pk_port_create();
    int send = pk_cap_derive(in, PK_RIGHT_SEND, 0);
    if (in < 0 || send < 0)
        _exit(5);
    *child = pk_fork();
    if (*child == 0)
        run_stage(depth - 1, send);
    pk_cap_delete(send);
    return in;
}

int main(void)
{
    if (pk_port_create() < 0 && errno == ENOSYS) {
        printf("ipc_pipeline: not running on Pakaya (ENOSYS)\n");
        return 2;
    }
    pid_t up = 0;
    int in = fork_upstream(3, &up); /* stages 2, 1 and the source */
    uint8_t b[LEN];
    uint32_t got = 0, h = 2166136261u;
    for (;;) {
        struct pk_msg m = {.data = b, .size = LEN};
        if (pk_port_recv(in, &m, 0, NULL) != 0) {
            CHECK(!"receive failed");
            break;
        }
        if (m.size == 0)
            break;
        h = fnv(h, b, m.size);
        got++;
    }
    uint32_t want = 2166136261u;
    for (uint32_t i = 0; i < MESSAGES; i++) {
        source_block(i, b);
        stage1(b);
        stage2(b);
        want = fnv(want, b, LEN);
    }
    int status = 0;
    CHECK(pk_waitpid(up, &status, 0) == up && WIFEXITED(status) && WEXITSTATUS(status) == 0);
    printf("ipc_pipeline: 4 processes, %u messages of %d bytes, checksum 0x%08x, expected 0x%08x\n",
           (unsigned)got, LEN, (unsigned)h, (unsigned)want);
    CHECK(got == MESSAGES && h == want);
    return check_status();
}
