/*
 * ipc_ports.c - [Pakaya only] ports, port sets and notifications:
 * port_create (524), port_send (525), port_recv (526), portset_* (530-532),
 * notify_* (533-535), port_notify_dead (536).
 *
 * Checks: bytes and capabilities travel (a copied capability stays with the
 * sender, a moved one leaves its slot empty, a moved receive right works in
 * its new slot); a full queue (the sender's quota of 16) gives EAGAIN with
 * PK_IPC_NONBLOCK and ETIMEDOUT with a timeout, and a blocking send completes
 * once another thread drains the port; receive on an empty port times out or
 * says EAGAIN; a port set receives from both of its ports, and a removed
 * port no longer feeds it; when the receive right is deleted, sends get
 * EPIPE and the port_notify_dead notification fires; notification signals
 * never block, OR together and a wait takes and clears them; a waiter blocked
 * in notify_wait is woken by another thread and by another process.
 *
 *   ipc_ports
 *
 * Under Linux/qemu-riscv32 prints "ipc_ports: not running on Pakaya (ENOSYS)"
 * and exits 2.  Exit 0 (1 if a check fails).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "pakaya.h"

static const struct pk_timespec64 ten_ms = {0, 10000000};
static const struct pk_timespec64 five_s = {5, 0};

static int send_text(int slot, const char *text, int flags, const struct pk_timespec64 *timeout)
{
    struct pk_msg m = {.data = (void *)text, .size = (uint32_t)strlen(text)};
    return pk_port_send(slot, &m, flags, timeout);
}

static int recv_text(int slot, struct pk_msg *m, char *buf, uint32_t size, int flags,
                     const struct pk_timespec64 *timeout)
{
    memset(m, 0, sizeof *m);
    m->data = buf;
    m->size = size - 1;
    int r = pk_port_recv(slot, m, flags, timeout);
    buf[r == 0 ? m->size : 0] = '\0';
    return r;
}

static int kind_rights(int slot, uint32_t kind, uint32_t rights)
{
    struct pk_cap_info ci;
    return pk_cap_info(slot, &ci) == 0 && ci.kind == kind && ci.rights == rights;
}

static void bytes_and_caps(int port)
{
    int other = pk_port_create();
    int n = pk_notify_create();
    int give = pk_cap_derive(other, PK_RIGHT_SEND | PK_RIGHT_GRANT, 0);
    CHECK(other > 0 && n > 0 && give > 0);
    struct pk_msg m = {.data = "payload", .size = 7, .ncaps = 2, .caps = {give, n}, .move = 1};
    CHECK(pk_port_send(port, &m, 0, NULL) == 0);
    CHECK_ERR(pk_cap_info(give, &(struct pk_cap_info){0}), EBADF); /* moved away */
    CHECK(kind_rights(n, PK_CAP_KIND_NOTIFICATION,
                      PK_RIGHT_RECEIVE | PK_RIGHT_SEND | PK_RIGHT_GRANT)); /* copied: still here */
    char buf[64];
    struct pk_msg r;
    CHECK(recv_text(port, &r, buf, sizeof buf, 0, NULL) == 0);
    CHECK(strcmp(buf, "payload") == 0 && r.size == 7 && r.ncaps == 2);
    CHECK(kind_rights(r.caps[0], PK_CAP_KIND_PORT, PK_RIGHT_SEND | PK_RIGHT_GRANT));
    CHECK(kind_rights(r.caps[1], PK_CAP_KIND_NOTIFICATION, PK_RIGHT_SEND | PK_RIGHT_GRANT));
    /* the received capabilities work */
    CHECK(send_text(r.caps[0], "via moved", 0, NULL) == 0);
    struct pk_msg r2;
    CHECK(recv_text(other, &r2, buf, sizeof buf, 0, NULL) == 0 && strcmp(buf, "via moved") == 0);
    CHECK(pk_notify_signal(r.caps[1], 0x8) == 0);
    uint32_t bits = 0;
    CHECK(pk_notify_wait(n, &bits, PK_IPC_NONBLOCK, NULL) == 0 && bits == 0x8);
    CHECK(pk_cap_delete(r.caps[0]) == 0 && pk_cap_delete(r.caps[1]) == 0);
    /* a receive right moves */
    struct pk_msg mv = {.data = NULL, .size = 0, .ncaps = 1, .caps = {other}, .move = 1};
    CHECK(pk_port_send(port, &mv, 0, NULL) == 0);
    CHECK_ERR(pk_cap_info(other, &(struct pk_cap_info){0}), EBADF);
    CHECK(recv_text(port, &r, buf, sizeof buf, 0, NULL) == 0 && r.size == 0 && r.ncaps == 1);
    int moved = r.caps[0];
    CHECK(kind_rights(moved, PK_CAP_KIND_PORT, PK_RIGHT_RECEIVE | PK_RIGHT_SEND | PK_RIGHT_GRANT));
    CHECK(send_text(moved, "to the moved port", 0, NULL) == 0);
    CHECK(recv_text(moved, &r, buf, sizeof buf, 0, NULL) == 0 && strcmp(buf, "to the moved port") == 0);
    CHECK(pk_cap_delete(moved) == 0 && pk_cap_delete(n) == 0);
    printf("ipc_ports: bytes and capabilities (copied and moved) travel\n");
}

static int drain_port;
static int drained;
static int drain_order_ok;

static void *drainer(void *arg)
{
    (void)arg;
    usleep(10000); /* let the main thread block on the full queue (not required) */
    char buf[16];
    struct pk_msg m;
    drain_order_ok = 1;
    for (int i = 0; i < 17; i++) {
        if (recv_text(drain_port, &m, buf, sizeof buf, 0, &five_s) != 0)
            break;
        char want[16];
        snprintf(want, sizeof want, "m%d", i);
        drain_order_ok &= strcmp(buf, want) == 0;
        drained++;
    }
    return NULL;
}

static void full_queue(int port)
{
    char text[16];
    for (int i = 0; i < PK_PORT_SENDER_QUOTA; i++) {
        snprintf(text, sizeof text, "m%d", i);
        CHECK(send_text(port, text, PK_IPC_NONBLOCK, NULL) == 0);
    }
    CHECK_ERR(send_text(port, "m16", PK_IPC_NONBLOCK, NULL), EAGAIN);
    CHECK_ERR(send_text(port, "m16", 0, &ten_ms), ETIMEDOUT);
    drain_port = port;
    pk_thread_t t;
    CHECK(pk_thread_create(&t, drainer, NULL) == 0);
    CHECK(send_text(port, "m16", 0, NULL) == 0); /* blocks until the drainer takes one */
    CHECK(pk_thread_join(t, NULL) == 0);
    CHECK(drained == 17 && drain_order_ok);
    printf("ipc_ports: full queue: EAGAIN, ETIMEDOUT, then a blocked send completes (%d drained)\n",
           drained);
    char buf[8];
    struct pk_msg m;
    CHECK_ERR(recv_text(port, &m, buf, sizeof buf, PK_IPC_NONBLOCK, NULL), EAGAIN);
    CHECK_ERR(recv_text(port, &m, buf, sizeof buf, 0, &ten_ms), ETIMEDOUT);
    /* a buffer too small: EMSGSIZE, and the message stays */
    CHECK(send_text(port, "longer than four", 0, NULL) == 0);
    CHECK_ERR(recv_text(port, &m, buf, 5, 0, NULL), EMSGSIZE);
    char big[32];
    CHECK(recv_text(port, &m, big, sizeof big, 0, NULL) == 0 && strcmp(big, "longer than four") == 0);
    printf("ipc_ports: empty port: EAGAIN and ETIMEDOUT; small buffer: EMSGSIZE\n");
}

static void port_sets(void)
{
    int set = pk_portset_create();
    int a = pk_port_create();
    int b = pk_port_create();
    CHECK(set > 0 && a > 0 && b > 0);
    CHECK(pk_portset_add(set, a) == 0 && pk_portset_add(set, b) == 0);
    CHECK(pk_portset_add(set, a) == 0); /* already there */
    int set2 = pk_portset_create();
    CHECK_ERR(pk_portset_add(set2, a), EINVAL); /* in another set */
    CHECK(send_text(b, "to b", 0, NULL) == 0);
    CHECK(send_text(a, "to a", 0, NULL) == 0);
    char buf[16], got[2][16];
    struct pk_msg m;
    CHECK(recv_text(set, &m, got[0], sizeof got[0], 0, NULL) == 0);
    CHECK(recv_text(set, &m, got[1], sizeof got[1], 0, NULL) == 0);
    int both = (strcmp(got[0], "to a") == 0 && strcmp(got[1], "to b") == 0) ||
               (strcmp(got[0], "to b") == 0 && strcmp(got[1], "to a") == 0);
    CHECK(both);
    CHECK_ERR(recv_text(set, &m, buf, sizeof buf, PK_IPC_NONBLOCK, NULL), EAGAIN);
    CHECK(pk_portset_remove(set, a) == 0);
    CHECK_ERR(pk_portset_remove(set, a), EINVAL);
    CHECK(send_text(a, "only a", 0, NULL) == 0);
    CHECK_ERR(recv_text(set, &m, buf, sizeof buf, 0, &ten_ms), ETIMEDOUT);
    CHECK(recv_text(a, &m, buf, sizeof buf, 0, NULL) == 0 && strcmp(buf, "only a") == 0);
    CHECK(pk_cap_delete(set) == 0 && pk_cap_delete(set2) == 0);
    CHECK(pk_cap_delete(a) == 0 && pk_cap_delete(b) == 0);
    printf("ipc_ports: a port set receives from both ports\n");
}

static void dead_port(void)
{
    int port = pk_port_create();
    int n = pk_notify_create();
    int s = pk_cap_derive(port, PK_RIGHT_SEND, 0);
    CHECK(pk_port_notify_dead(port, n, 0x10) == 0);
    CHECK_ERR(pk_port_notify_dead(port, n, 0), EINVAL);
    CHECK(send_text(s, "queued, then dropped", 0, NULL) == 0);
    uint32_t bits = 0;
    CHECK_ERR(pk_notify_wait(n, &bits, PK_IPC_NONBLOCK, NULL), EAGAIN);
    CHECK(pk_cap_delete(port) == 0);
    CHECK_ERR(send_text(s, "after", 0, NULL), EPIPE);
    CHECK_ERR(send_text(s, "after", PK_IPC_NONBLOCK, NULL), EPIPE);
    CHECK(pk_notify_wait(n, &bits, 0, &five_s) == 0 && bits == 0x10);
    /* watching a port that is already dead signals at once */
    CHECK(pk_port_notify_dead(s, n, 0x20) == 0);
    CHECK(pk_notify_wait(n, &bits, PK_IPC_NONBLOCK, NULL) == 0 && bits == 0x20);
    CHECK(pk_cap_delete(s) == 0 && pk_cap_delete(n) == 0);
    printf("ipc_ports: dead port: EPIPE, dead-port notification 0x%x\n", 0x10);
}

static int wait_slot;
static uint32_t thread_bits;
static int thread_result;

static void *notify_waiter(void *arg)
{
    (void)arg;
    thread_result = pk_notify_wait(wait_slot, (uint32_t *)&thread_bits, 0, &five_s);
    return NULL;
}

static void notifications(void)
{
    int n = pk_notify_create();
    CHECK(n > 0);
    for (int i = 0; i < 1000; i++)
        if (pk_notify_signal(n, 1u << (i % 3)) != 0) {
            CHECK(!"signal failed");
            break;
        }
    CHECK(pk_notify_signal(n, 0x40) == 0);
    uint32_t bits = 0;
    CHECK(pk_notify_wait(n, &bits, 0, NULL) == 0 && bits == 0x47);
    CHECK_ERR(pk_notify_wait(n, &bits, PK_IPC_NONBLOCK, NULL), EAGAIN);
    CHECK_ERR(pk_notify_wait(n, &bits, 0, &ten_ms), ETIMEDOUT);
    CHECK_ERR(pk_notify_wait(n, (uint32_t *)16, PK_IPC_NONBLOCK, NULL), EFAULT);
    int sender = pk_cap_derive(n, PK_RIGHT_SEND, 0);
    CHECK(pk_notify_signal(sender, 2) == 0);
    CHECK_ERR(pk_notify_wait(sender, &bits, PK_IPC_NONBLOCK, NULL), EPERM);
    CHECK(pk_notify_wait(n, &bits, PK_IPC_NONBLOCK, NULL) == 0 && bits == 2);
    int waitonly = pk_cap_derive(n, PK_RIGHT_GRANT, 0);
    CHECK_ERR(pk_notify_signal(waitonly, 1), EPERM);
    printf("ipc_ports: notifications: signals OR together, a wait takes and clears them\n");
    /* woken by another thread */
    wait_slot = n;
    pk_thread_t t;
    CHECK(pk_thread_create(&t, notify_waiter, NULL) == 0);
    usleep(10000);
    CHECK(pk_notify_signal(sender, 0x100) == 0);
    CHECK(pk_thread_join(t, NULL) == 0);
    CHECK(thread_result == 0 && thread_bits == 0x100);
    /* woken by another process (it inherited the send-only copy) */
    pid_t pid = pk_fork();
    if (pid == 0) {
        usleep(10000);
        _exit(pk_notify_signal(sender, 0x200) == 0 ? 0 : 1);
    }
    CHECK(pid > 0);
    CHECK(pk_notify_wait(n, &bits, 0, &five_s) == 0 && bits == 0x200);
    int status = 0;
    CHECK(pk_waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0);
    printf("ipc_ports: a blocked notify_wait is woken by a thread (0x%x) and a process (0x%x)\n",
           (unsigned)thread_bits, (unsigned)bits);
    CHECK(pk_cap_delete(n) == 0);
    /* the waiter's notification is gone: the send-only copy signals nothing, harmlessly */
    CHECK(pk_notify_signal(sender, 1) == 0);
}

int main(void)
{
    int port = pk_port_create();
    if (port < 0 && errno == ENOSYS) {
        printf("ipc_ports: not running on Pakaya (ENOSYS)\n");
        return 2;
    }
    CHECK(port > 0);
    bytes_and_caps(port);
    full_queue(port);
    port_sets();
    dead_port();
    notifications();
    CHECK(pk_cap_delete(port) == 0);
    printf(check_failures == 0 ? "ipc_ports ok\n" : "ipc_ports: %d checks failed\n", check_failures);
    return check_status();
}
