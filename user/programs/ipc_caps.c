/*
 * ipc_caps.c - [Pakaya only] capabilities: cap_derive (520), cap_delete
 * (521), cap_revoke (522), cap_info (523).
 *
 * Checks: a new port's slot holds RECEIVE|SEND|GRANT; a derived copy has
 * fewer rights and a badge that every message sent through it carries;
 * deriving more rights, a receive right, a reply capability or a second badge
 * is EPERM, unknown rights bits EINVAL; revoke deletes everything derived
 * (and derived from that), also the copy a forked child inherited (the child
 * then gets EBADF; parent and child take turns through a port and a futex
 * gate); delete empties a slot; slots 0, -1, 9999 and a freed slot are EBADF;
 * a capability of the wrong kind is EINVAL.
 *
 *   ipc_caps
 *
 * Under Linux/qemu-riscv32 prints "ipc_caps: not running on Pakaya (ENOSYS)"
 * and exits 2.  Exit 0 (1 if a check fails).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "pakaya.h"

#define R_PORT (PK_RIGHT_RECEIVE | PK_RIGHT_SEND | PK_RIGHT_GRANT)

/* True when the slot holds a capability of this kind, rights and badge. */
static int info_is(int slot, uint32_t kind, uint32_t rights, uint32_t badge)
{
    struct pk_cap_info ci;
    if (pk_cap_info(slot, &ci) != 0)
        return 0;
    return ci.kind == kind && ci.rights == rights && ci.badge == badge;
}

static int send_text(int slot, const char *text)
{
    struct pk_msg m = {.data = (void *)text, .size = (uint32_t)strlen(text)};
    return pk_port_send(slot, &m, 0, NULL);
}

/* Receives one message; its text in buf (NUL-terminated), the descriptor in *m. */
static int recv_text(int slot, struct pk_msg *m, char *buf, uint32_t size)
{
    memset(m, 0, sizeof *m);
    m->data = buf;
    m->size = size - 1;
    int r = pk_port_recv(slot, m, 0, NULL);
    buf[r == 0 ? m->size : 0] = '\0';
    return r;
}

static void derive_and_badges(int port)
{
    CHECK(info_is(port, PK_CAP_KIND_PORT, R_PORT, 0));
    int s7 = pk_cap_derive(port, PK_RIGHT_SEND, 7);
    CHECK(s7 > 0 && s7 != port);
    CHECK(info_is(s7, PK_CAP_KIND_PORT, PK_RIGHT_SEND, 7));
    CHECK(send_text(s7, "badged") == 0);
    CHECK(send_text(port, "plain") == 0);
    char buf[32];
    struct pk_msg m;
    CHECK(recv_text(port, &m, buf, sizeof buf) == 0);
    CHECK(strcmp(buf, "badged") == 0 && m.badge == 7 && m.reply == 0 && m.ncaps == 0);
    CHECK(recv_text(port, &m, buf, sizeof buf) == 0);
    CHECK(strcmp(buf, "plain") == 0 && m.badge == 0);
    /* no more rights than the source, one badge, no receive rights */
    CHECK_ERR(pk_cap_derive(s7, PK_RIGHT_SEND | PK_RIGHT_GRANT, 0), EPERM);
    CHECK_ERR(pk_cap_derive(s7, PK_RIGHT_SEND, 8), EPERM);
    CHECK_ERR(pk_cap_derive(port, PK_RIGHT_RECEIVE, 0), EPERM);
    CHECK_ERR(pk_cap_derive(port, R_PORT, 0), EPERM);
    CHECK_ERR(pk_cap_derive(port, 64, 0), EINVAL);
    int again = pk_cap_derive(s7, PK_RIGHT_SEND, 0); /* keeps badge 7 */
    CHECK(info_is(again, PK_CAP_KIND_PORT, PK_RIGHT_SEND, 7));
    int same = pk_cap_derive(s7, PK_RIGHT_SEND, 7);
    CHECK(info_is(same, PK_CAP_KIND_PORT, PK_RIGHT_SEND, 7));
    int none = pk_cap_derive(port, 0, 0); /* no rights at all: allowed, useless */
    CHECK(info_is(none, PK_CAP_KIND_PORT, 0, 0));
    CHECK_ERR(send_text(none, "x"), EPERM);
    CHECK(pk_cap_delete(again) == 0 && pk_cap_delete(same) == 0 && pk_cap_delete(none) == 0);
    CHECK(pk_cap_delete(s7) == 0);
    printf("ipc_caps: derive, rights and badges checked\n");
}

static void revoke_tree(int port)
{
    int a = pk_cap_derive(port, PK_RIGHT_SEND | PK_RIGHT_GRANT, 0);
    int b = pk_cap_derive(a, PK_RIGHT_SEND, 5);
    int c = pk_cap_derive(b, PK_RIGHT_SEND, 0);
    int d = pk_cap_derive(a, PK_RIGHT_SEND | PK_RIGHT_GRANT, 0);
    CHECK(a > 0 && b > 0 && c > 0 && d > 0);
    CHECK(pk_cap_revoke(a) == 3);
    CHECK(info_is(a, PK_CAP_KIND_PORT, PK_RIGHT_SEND | PK_RIGHT_GRANT, 0));
    CHECK_ERR(pk_cap_info(b, &(struct pk_cap_info){0}), EBADF);
    CHECK_ERR(pk_cap_info(c, &(struct pk_cap_info){0}), EBADF);
    CHECK_ERR(pk_cap_info(d, &(struct pk_cap_info){0}), EBADF);
    CHECK_ERR(send_text(b, "x"), EBADF);
    CHECK(pk_cap_revoke(a) == 0);
    CHECK(send_text(a, "still") == 0);
    char buf[16];
    struct pk_msg m;
    CHECK(recv_text(port, &m, buf, sizeof buf) == 0 && strcmp(buf, "still") == 0);
    /* deleting a middle capability keeps its children (they move up) */
    b = pk_cap_derive(a, PK_RIGHT_SEND, 0);
    c = pk_cap_derive(b, PK_RIGHT_SEND, 0);
    CHECK(pk_cap_delete(b) == 0);
    CHECK(info_is(c, PK_CAP_KIND_PORT, PK_RIGHT_SEND, 0));
    CHECK(pk_cap_revoke(a) == 1);
    CHECK_ERR(pk_cap_info(c, &(struct pk_cap_info){0}), EBADF);
    CHECK(pk_cap_delete(a) == 0);
    printf("ipc_caps: revoke deletes derived copies\n");
}

/* A forked child holds a derived copy of a send right; the parent revokes it. */
static void revoke_in_child(int port)
{
    volatile uint32_t *gate = shared_page();
    int d = pk_cap_derive(port, PK_RIGHT_SEND, 42);
    pid_t pid = pk_fork();
    if (pid == 0) {
        int ok = send_text(d, "from child") == 0;
        if (gate_wait(gate) != 0)
            _exit(3);
        struct pk_cap_info ci;
        errno = 0;
        ok = ok && pk_cap_info(d, &ci) == -1 && errno == EBADF;
        errno = 0;
        ok = ok && send_text(d, "again") == -1 && errno == EBADF;
        _exit(ok ? 0 : 4);
    }
    CHECK(pid > 0);
    char buf[32];
    struct pk_msg m;
    CHECK(recv_text(port, &m, buf, sizeof buf) == 0);
    CHECK(strcmp(buf, "from child") == 0 && m.badge == 42);
    CHECK(pk_cap_revoke(d) == 1); /* the child's copy */
    gate_open(gate);
    int status = 0;
    CHECK(pk_waitpid(pid, &status, 0) == pid);
    char text[32];
    printf("ipc_caps: child after revoke: %s\n", status_text(status, text, sizeof text));
    CHECK(pk_cap_delete(d) == 0);
    struct pk_msg probe = {.data = buf, .size = sizeof buf};
    CHECK_ERR(pk_port_recv(port, &probe, PK_IPC_NONBLOCK, NULL), EAGAIN);
}

/* A reply capability: kind 4, SEND_ONCE; it cannot be derived. */
static void reply_caps(int port)
{
    int s = pk_cap_derive(port, PK_RIGHT_SEND, 9);
    pid_t pid = pk_fork();
    if (pid == 0) {
        struct pk_msg m = {.data = "q", .size = 1};
        char rbuf[8];
        struct pk_msg r = {.data = rbuf, .size = sizeof rbuf};
        int ok = pk_port_call(s, &m, &r, NULL) == 0 && r.size == 1 && rbuf[0] == 'a';
        _exit(ok ? 0 : 5);
    }
    char buf[8];
    struct pk_msg m;
    CHECK(recv_text(port, &m, buf, sizeof buf) == 0 && m.badge == 9 && m.reply > 0);
    CHECK(info_is(m.reply, PK_CAP_KIND_REPLY, PK_RIGHT_SEND_ONCE | PK_RIGHT_GRANT, 0));
    CHECK_ERR(pk_cap_derive(m.reply, PK_RIGHT_SEND_ONCE, 0), EPERM);
    CHECK_ERR(pk_cap_derive(m.reply, 0, 0), EPERM);
    struct pk_msg a = {.data = "a", .size = 1};
    CHECK(pk_port_reply(m.reply, &a) == 0);
    int status = 0;
    CHECK(pk_waitpid(pid, &status, 0) == pid);
    char text[32];
    printf("ipc_caps: reply capability checked, caller %s\n", status_text(status, text, sizeof text));
    CHECK(pk_cap_delete(s) == 0);
}

static void bad_slots(int port)
{
    int freed = pk_cap_derive(port, PK_RIGHT_SEND, 0);
    CHECK(pk_cap_delete(freed) == 0);
    CHECK_ERR(pk_cap_delete(freed), EBADF);
    int bad[] = {0, -1, 9999, freed};
    struct pk_cap_info ci;
    char buf[8];
    struct pk_msg m = {.data = buf, .size = sizeof buf};
    uint32_t bits;
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int s = bad[i];
        CHECK_ERR(pk_cap_info(s, &ci), EBADF);
        CHECK_ERR(pk_cap_delete(s), EBADF);
        CHECK_ERR(pk_cap_revoke(s), EBADF);
        CHECK_ERR(pk_cap_derive(s, PK_RIGHT_SEND, 0), EBADF);
        CHECK_ERR(pk_port_send(s, &m, PK_IPC_NONBLOCK, NULL), EBADF);
        CHECK_ERR(pk_port_recv(s, &m, PK_IPC_NONBLOCK, NULL), EBADF);
        CHECK_ERR(pk_port_reply(s, &m), EBADF);
        CHECK_ERR(pk_notify_signal(s, 1), EBADF);
        CHECK_ERR(pk_notify_wait(s, &bits, PK_IPC_NONBLOCK, NULL), EBADF);
        CHECK_ERR(pk_portset_add(s, port), EBADF);
    }
    printf("ipc_caps: slots 0, -1, 9999 and a freed slot are EBADF\n");
}

static void wrong_kinds(int port)
{
    int n = pk_notify_create();
    int set = pk_portset_create();
    CHECK(n > 0 && set > 0);
    CHECK(info_is(n, PK_CAP_KIND_NOTIFICATION, R_PORT, 0));
    CHECK(info_is(set, PK_CAP_KIND_PORTSET, PK_RIGHT_RECEIVE, 0));
    char buf[8];
    struct pk_msg m = {.data = buf, .size = 1};
    uint32_t bits;
    CHECK_ERR(pk_port_send(n, &m, PK_IPC_NONBLOCK, NULL), EINVAL);
    CHECK_ERR(pk_port_send(set, &m, PK_IPC_NONBLOCK, NULL), EINVAL);
    CHECK_ERR(pk_port_recv(n, &m, PK_IPC_NONBLOCK, NULL), EINVAL);
    CHECK_ERR(pk_port_reply(port, &m), EINVAL);
    CHECK_ERR(pk_notify_signal(port, 1), EINVAL);
    CHECK_ERR(pk_notify_wait(port, &bits, PK_IPC_NONBLOCK, NULL), EINVAL);
    CHECK_ERR(pk_portset_add(port, port), EINVAL);
    CHECK_ERR(pk_portset_add(set, n), EINVAL);
    CHECK_ERR(pk_port_notify_dead(n, n, 1), EINVAL);
    CHECK_ERR(pk_port_notify_dead(port, port, 1), EINVAL);
    CHECK(pk_cap_delete(n) == 0 && pk_cap_delete(set) == 0);
    printf("ipc_caps: wrong kinds are EINVAL\n");
}

int main(void)
{
    int port = pk_port_create();
    if (port < 0 && errno == ENOSYS) {
        printf("ipc_caps: not running on Pakaya (ENOSYS)\n");
        return 2;
    }
    CHECK(port > 0);
    derive_and_badges(port);
    revoke_tree(port);
    revoke_in_child(port);
    reply_caps(port);
    bad_slots(port);
    wrong_kinds(port);
    CHECK(pk_cap_delete(port) == 0);
    printf(check_failures == 0 ? "ipc_caps ok\n" : "ipc_caps: %d checks failed\n", check_failures);
    return check_status();
}
