/*
 * demo_client.c - [Pakaya only] the cluster demo's client: looks up a name
 * (waiting up to 20 s for it to be registered, possibly on another node) and
 * calls the port it names COUNT times, checking every answer.
 *
 *   demo_client NAME ID COUNT
 *
 * Call i carries {ID, i, v} with v = ID * 1000 + i; the answer must be
 * {i, 3 * v + 1} (see demo_server).
 *
 * Output: "demo_client ID: COUNT calls to NAME answered in order"; exit 0.
 * A wrong or missing answer: a line saying so, exit 1. The name never
 * registered: exit 3. Bad arguments, or not on Pakaya (ENOSYS): exit 2.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pakaya.h"

#define OP_LOOKUP 2
#define COUNT_MAX 100000u
#define ID_MAX 15u
#define NAME_MAX_LEN 60u
#define LOOKUP_TRIES 200
#define LOOKUP_PAUSE_MS 100

struct call {
    uint32_t client, seq, value;
};

struct answer {
    uint32_t seq, value;
};

/* Looks `name` up; returns the slot of the send right, or a negative status. */
static int lookup(const char *name)
{
    uint8_t req[4 + NAME_MAX_LEN];
    uint32_t op = OP_LOOKUP;
    size_t len = strlen(name);
    memcpy(req, &op, 4);
    memcpy(req + 4, name, len);
    int32_t status = 0;
    struct pk_msg m = {.data = req, .size = (uint32_t)(4 + len)};
    struct pk_msg r = {.data = &status, .size = 4};
    if (pk_port_call(PK_CAP_NAME_SERVER, &m, &r, NULL) != 0) return -errno;
    if (status != 0) return status;
    return r.ncaps > 0 ? r.caps[0] : -ENOENT;
}

static int number(const char *s, unsigned max, int zero_ok, unsigned *out)
{
    char *end;
    unsigned long v = strtoul(s, &end, 10);
    if (*s == '\0' || *end != '\0' || (v == 0 && !zero_ok) || v > max) return 0;
    *out = (unsigned)v;
    return 1;
}

int main(int argc, char **argv)
{
    unsigned id, count;
    if (argc != 4 || strlen(argv[1]) > NAME_MAX_LEN || !number(argv[2], ID_MAX, 1, &id) ||
        !number(argv[3], COUNT_MAX, 0, &count)) {
        printf("usage: demo_client NAME ID COUNT (ID <= %u, COUNT <= %u)\n", ID_MAX, COUNT_MAX);
        return 2;
    }
    const char *name = argv[1];
    int server = -ENOENT;
    for (int i = 0; i < LOOKUP_TRIES && server == -ENOENT; i++) {
        server = lookup(name);
        if (server == -ENOENT) {
            struct timespec t = {0, LOOKUP_PAUSE_MS * 1000000L};
            nanosleep(&t, 0);
        }
    }
    if (server == -ENOSYS) {
        printf("demo_client: not running on Pakaya (ENOSYS)\n");
        return 2;
    }
    if (server < 0) {
        printf("demo_client %u: %s not found (error %d)\n", id, name, -server);
        return 3;
    }
    for (uint32_t i = 0; i < count; i++) {
        struct call c = {id, i, id * 1000u + i};
        struct answer a = {0, 0};
        struct pk_msg m = {.data = &c, .size = sizeof c};
        struct pk_msg r = {.data = &a, .size = sizeof a};
        if (pk_port_call(server, &m, &r, NULL) != 0) {
            printf("demo_client %u: call %u failed (errno %d)\n", id, (unsigned)i, errno);
            return 1;
        }
        if (r.size != sizeof a || a.seq != i || a.value != 3u * c.value + 1u) {
            printf("demo_client %u: call %u answered {%u, %u}, want {%u, %u}\n", id, (unsigned)i, (unsigned)a.seq,
                   (unsigned)a.value, (unsigned)i, (unsigned)(3u * c.value + 1u));
            return 1;
        }
    }
    printf("demo_client %u: %u calls to %s answered in order\n", id, count, name);
    return 0;
}
