/*
 * svc_client.c - [Pakaya only] a client of svc_server, on any node: it looks
 * up the global name (retrying while the name is not yet known here), then
 * makes COUNT calls numbered 0..COUNT-1 and checks every answer (n * 2 + 1:
 * none lost, doubled or out of order); a last call says it is done and gets
 * the number of calls the server counted from it.
 *
 *   svc_client NAME ID COUNT [MODES]
 *
 * MODES, a comma-separated list:
 *   timed     print "svc_client ID: calling" (flushed) before the first call
 *             and "svc_client ID: N ns per call" after the last (by the
 *             node's clock; a bench times the two lines on the host)
 *   nonblock  plain messages sent with PK_IPC_NONBLOCK instead of calls: a
 *             full queue (local or remote) gives EAGAIN and the same message
 *             is sent again; prints "svc_client ID: K EAGAIN"
 *   monitor   after the last call, watch the server's port (a dead-port
 *             notification) and wait for the server to end; prints
 *             "svc_client ID: server gone"
 *
 * Output: "svc_client ID: COUNT calls ok"; exit 0, 1 on a failure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "pakaya.h"

#define OP_LOOKUP 2
#define DONE 0xffffffffu
#define LOOKUP_TRIES 2000

/* The slot of a send right for `name`, or a negative status. */
static int name_lookup(const char *name)
{
    uint8_t req[4 + 64];
    uint32_t op = OP_LOOKUP;
    size_t len = strlen(name);
    if (len > 64)
        return -1;
    memcpy(req, &op, 4);
    memcpy(req + 4, name, len);
    int32_t status = 0;
    struct pk_msg m = {.data = req, .size = (uint32_t)(4 + len)};
    struct pk_msg r = {.data = &status, .size = 4};
    if (pk_port_call(PK_CAP_NAME_SERVER, &m, &r, NULL) != 0)
        return -1000;
    if (status != 0)
        return status;
    return r.ncaps > 0 ? r.caps[0] : -1;
}

int main(int argc, char **argv)
{
    if (argc != 4 && argc != 5) {
        printf("usage: svc_client NAME ID COUNT [timed,nonblock,monitor]\n");
        return 2;
    }
    const char *name = argv[1];
    uint32_t id = (uint32_t)atoi(argv[2]);
    long count = atol(argv[3]);
    int server = -1;
    for (int i = 0; i < LOOKUP_TRIES && server < 0; i++) {
        server = name_lookup(name);
        if (server < 0) {
            struct timespec req = {0, 5 * 1000 * 1000};
            nanosleep(&req, NULL);
        }
    }
    if (server < 0) {
        printf("svc_client %u: lookup %s: %d\n", (unsigned)id, name, server);
        return 1;
    }
    const char *modes = argc == 5 ? argv[4] : "";
    int timed = strstr(modes, "timed") != NULL;
    int nonblock = strstr(modes, "nonblock") != NULL;
    int monitor = strstr(modes, "monitor") != NULL;
    long eagain = 0;
    struct timespec t0, t1;
    if (timed) {
        printf("svc_client %u: calling\n", (unsigned)id);
        fflush(stdout);
    }
    clock_gettime(CLOCK_REALTIME, &t0);
    for (long n = 0; n < count; n++) {
        uint32_t msg[2] = {id, (uint32_t)n};
        uint32_t answer = 0;
        struct pk_msg m = {.data = msg, .size = sizeof msg};
        struct pk_msg r = {.data = &answer, .size = 4};
        if (nonblock) {
            if (pk_port_send(server, &m, PK_IPC_NONBLOCK, NULL) == 0)
                continue;
            if (errno != EAGAIN) {
                printf("svc_client %u: send %ld failed: errno %d\n", (unsigned)id, n, errno);
                return 1;
            }
            eagain++;
            n--; /* the same message again, after a pause */
            struct timespec pause = {0, 200 * 1000};
            nanosleep(&pause, NULL);
            continue;
        }
        if (pk_port_call(server, &m, &r, NULL) != 0) {
            printf("svc_client %u: call %ld failed: errno %d\n", (unsigned)id, n, errno);
            return 1;
        }
        if (r.size != 4 || answer != (uint32_t)n * 2 + 1) {
            printf("svc_client %u: call %ld answered %u\n", (unsigned)id, n, (unsigned)answer);
            return 1;
        }
    }
    clock_gettime(CLOCK_REALTIME, &t1);
    if (timed && count > 0) {
        long long ns = (long long)(t1.tv_sec - t0.tv_sec) * 1000000000LL + (t1.tv_nsec - t0.tv_nsec);
        printf("svc_client %u: %lld ns per call\n", (unsigned)id, ns / count);
    }
    if (nonblock)
        printf("svc_client %u: %ld EAGAIN\n", (unsigned)id, eagain);
    int watch = -1;
    if (monitor) {
        watch = pk_notify_create();
        CHECK(watch > 0 && pk_port_notify_dead(server, watch, 1) == 0);
    }
    uint32_t msg[2] = {id, DONE};
    uint32_t counted = 0;
    struct pk_msg m = {.data = msg, .size = sizeof msg};
    struct pk_msg r = {.data = &counted, .size = 4};
    CHECK(pk_port_call(server, &m, &r, NULL) == 0);
    CHECK(counted == (uint32_t)count);
    if (monitor && watch > 0) {
        uint32_t bits = 0;
        CHECK(pk_notify_wait(watch, &bits, 0, NULL) == 0 && bits == 1);
        if (bits == 1)
            printf("svc_client %u: server gone\n", (unsigned)id);
    }
    if (check_failures == 0)
        printf("svc_client %u: %ld calls ok\n", (unsigned)id, count);
    return check_failures == 0 ? 0 : 1;
}
