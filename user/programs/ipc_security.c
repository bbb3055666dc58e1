/*
 * ipc_security.c - [Pakaya only] what IPC refuses: no ambient authority, the
 * per-sender quota, message limits, bad pointers, rights on carried
 * capabilities, reply capabilities.
 *
 * Checks: a child spawned without a capability holds nothing but (when the
 * node runs its servers) its two bootstrap send rights: every other slot,
 * including the number of the parent's port, is EBADF; a child spawned with
 * a capability finds it in slot 3 (PK_CAP_PARENT) and reaches the parent
 * through it, with the parent's badge; one sender cannot fill a port: after
 * its 16 queued messages it gets EAGAIN while a second sender process still
 * gets in; 4097 bytes are EMSGSIZE (4096 pass), 5 capabilities EINVAL; a bad
 * message pointer, data pointer or receive buffer is EFAULT; capabilities
 * sent through a capability without GRANT are EPERM, a copied receive right
 * is EPERM; a reply capability does not travel (EINVAL); a forged reply slot
 * is EBADF or EINVAL; replying twice is EBADF.
 *
 *   ipc_security              (the test)
 *   ipc_security nocap SLOT   (spawned child: no capability given)
 *   ipc_security withcap      (spawned child: a send right in slot 3)
 *
 * Under Linux/qemu-riscv32 prints "ipc_security: not running on Pakaya
 * (ENOSYS)" and exits 2.  Exit 0 (1 if a check fails).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "pakaya.h"

extern char **environ;

#define SLOTS_PROBED 300

static int send_text(int slot, const char *text, int flags)
{
    struct pk_msg m = {.data = (void *)text, .size = (uint32_t)strlen(text)};
    return pk_port_send(slot, &m, flags, NULL);
}

static int recv_text(int slot, struct pk_msg *m, char *buf, uint32_t size, int flags)
{
    memset(m, 0, sizeof *m);
    m->data = buf;
    m->size = size - 1;
    int r = pk_port_recv(slot, m, flags, NULL);
    buf[r == 0 ? m->size : 0] = '\0';
    return r;
}

/* A bootstrap slot (1, 2) is empty, or a send right to a server (no receive right). */
static int bootstrap_ok(int slot)
{
    struct pk_cap_info ci;
    if (pk_cap_info(slot, &ci) != 0)
        return errno == EBADF;
    return ci.kind == PK_CAP_KIND_PORT && (ci.rights & PK_RIGHT_RECEIVE) == 0 &&
           ci.badge == (uint32_t)getpid();
}

/* Spawned without a capability: everything but the bootstrap slots is EBADF. */
static int child_nocap(int parent_port)
{
    struct pk_cap_info ci;
    int bad = 0;
    for (int slot = 1; slot <= SLOTS_PROBED; slot++) {
        if (slot <= 2) {
            bad += !bootstrap_ok(slot);
            continue;
        }
        errno = 0;
        bad += !(pk_cap_info(slot, &ci) == -1 && errno == EBADF);
    }
    if (pk_cap_info(parent_port, &ci) == -1) {
        errno = 0;
        bad += !(send_text(parent_port, "let me in", PK_IPC_NONBLOCK) == -1 && errno == EBADF);
        char buf[8];
        struct pk_msg m;
        errno = 0;
        bad += !(recv_text(parent_port, &m, buf, sizeof buf, PK_IPC_NONBLOCK) == -1 && errno == EBADF);
    }
    return bad == 0 ? 0 : 10;
}

/* Spawned with a send right: it is in slot 3 and reaches the parent. */
static int child_withcap(void)
{
    struct pk_cap_info ci;
    if (pk_cap_info(PK_CAP_PARENT, &ci) != 0 || ci.kind != PK_CAP_KIND_PORT ||
        ci.rights != PK_RIGHT_SEND || ci.badge != 77)
        return 11;
    return send_text(PK_CAP_PARENT, "hello from the spawned child", 0) == 0 ? 0 : 12;
}

static void ambient_authority(int port)
{
    char slot_text[16];
    snprintf(slot_text, sizeof slot_text, "%d", port);
    char *nocap_argv[] = {"ipc_security", "nocap", slot_text, NULL};
    pid_t pid = pk_spawn_with_cap("ipc_security", nocap_argv, environ, 0);
    CHECK(pid > 0);
    int status = 0;
    char text[32];
    CHECK(pk_waitpid(pid, &status, 0) == pid);
    printf("ipc_security: child spawned without capabilities: slots 3..%d EBADF, %s\n", SLOTS_PROBED,
           status_text(status, text, sizeof text));
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);

    int s = pk_cap_derive(port, PK_RIGHT_SEND, 77);
    char *withcap_argv[] = {"ipc_security", "withcap", NULL};
    CHECK_ERR(pk_spawn_with_cap("ipc_security", withcap_argv, environ, 9999), EBADF);
    pid = pk_spawn_with_cap("ipc_security", withcap_argv, environ, s);
    CHECK(pid > 0);
    char buf[64];
    struct pk_msg m;
    CHECK(recv_text(port, &m, buf, sizeof buf, 0) == 0);
    CHECK(m.badge == 77);
    CHECK(pk_waitpid(pid, &status, 0) == pid);
    printf("ipc_security: child spawned with a send right: \"%s\" (badge %u), %s\n", buf,
           (unsigned)m.badge, status_text(status, text, sizeof text));
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CHECK(pk_cap_delete(s) == 0);
}

static void quota(int port)
{
    int second = pk_cap_derive(port, PK_RIGHT_SEND, 2);
    int queued = 0;
    while (send_text(port, "mine", PK_IPC_NONBLOCK) == 0)
        queued++;
    CHECK(errno == EAGAIN);
    CHECK(queued == PK_PORT_SENDER_QUOTA);
    pid_t pid = pk_fork();
    if (pid == 0)
        _exit(send_text(second, "second sender", PK_IPC_NONBLOCK) == 0 ? 0 : 1);
    int status = 0;
    CHECK(pk_waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0);
    int mine = 0, theirs = 0;
    char buf[32];
    struct pk_msg m;
    while (recv_text(port, &m, buf, sizeof buf, PK_IPC_NONBLOCK) == 0) {
        if (m.badge == 2 && strcmp(buf, "second sender") == 0)
            theirs++;
        else if (m.badge == 0 && strcmp(buf, "mine") == 0)
            mine++;
    }
    printf("ipc_security: quota: one sender queued %d then EAGAIN; a second sender got in: %d\n",
           mine, theirs);
    CHECK(mine == PK_PORT_SENDER_QUOTA && theirs == 1);
    CHECK(pk_cap_delete(second) == 0);
}

static void limits_and_pointers(int port)
{
    static char big[PK_MSG_MAX_BYTES + 1];
    static char got[PK_MSG_MAX_BYTES];
    memset(big, 'x', sizeof big);
    struct pk_msg m = {.data = big, .size = PK_MSG_MAX_BYTES + 1};
    CHECK_ERR(pk_port_send(port, &m, PK_IPC_NONBLOCK, NULL), EMSGSIZE);
    m.size = PK_MSG_MAX_BYTES;
    CHECK(pk_port_send(port, &m, PK_IPC_NONBLOCK, NULL) == 0);
    struct pk_msg r = {.data = got, .size = sizeof got};
    CHECK(pk_port_recv(port, &r, 0, NULL) == 0 && r.size == PK_MSG_MAX_BYTES && got[4095] == 'x');
    int n = pk_notify_create();
    struct pk_msg five = {.data = "x", .size = 1, .ncaps = 5, .caps = {n, n, n, n}};
    CHECK_ERR(pk_port_send(port, &five, PK_IPC_NONBLOCK, NULL), EINVAL);
    struct pk_msg twice = {.data = "x", .size = 1, .ncaps = 2, .caps = {n, n}};
    CHECK_ERR(pk_port_send(port, &twice, PK_IPC_NONBLOCK, NULL), EINVAL);
    struct pk_msg self = {.data = "x", .size = 1, .ncaps = 1, .caps = {port}, .move = 1};
    CHECK_ERR(pk_port_send(port, &self, PK_IPC_NONBLOCK, NULL), EINVAL);
    /* bad pointers */
    CHECK_ERR(pk_port_send(port, (struct pk_msg *)16, PK_IPC_NONBLOCK, NULL), EFAULT);
    CHECK_ERR(pk_port_send(port, (struct pk_msg *)0xfffffff0u, PK_IPC_NONBLOCK, NULL), EFAULT);
    struct pk_msg baddata = {.data = (void *)16, .size = 10};
    CHECK_ERR(pk_port_send(port, &baddata, PK_IPC_NONBLOCK, NULL), EFAULT);
    CHECK(send_text(port, "for a bad buffer", 0) == 0);
    CHECK_ERR(pk_port_recv(port, (struct pk_msg *)16, 0, NULL), EFAULT);
    struct pk_msg badbuf = {.data = (void *)16, .size = 64};
    CHECK_ERR(pk_port_recv(port, &badbuf, 0, NULL), EFAULT);
    struct pk_msg text = {.data = (void *)"text", .size = 64}; /* read-only buffer */
    CHECK_ERR(pk_port_recv(port, &text, 0, NULL), EFAULT);
    char buf[32];
    CHECK(recv_text(port, &r, buf, sizeof buf, 0) == 0 && strcmp(buf, "for a bad buffer") == 0);
    CHECK_ERR(pk_port_call(port, &m, (struct pk_msg *)16, NULL), EFAULT);
    CHECK_ERR(pk_port_recv(port, &r, PK_IPC_NONBLOCK, NULL), EAGAIN); /* the call sent nothing */
    printf("ipc_security: 4097 bytes EMSGSIZE, 5 caps EINVAL, bad pointers EFAULT\n");

    /* rights on carried capabilities */
    int nogrant = pk_cap_derive(port, PK_RIGHT_SEND, 0);
    struct pk_msg carry = {.data = "x", .size = 1, .ncaps = 1, .caps = {n}};
    CHECK_ERR(pk_port_send(nogrant, &carry, PK_IPC_NONBLOCK, NULL), EPERM);
    int other = pk_port_create();
    struct pk_msg copyrecv = {.data = "x", .size = 1, .ncaps = 1, .caps = {other}, .move = 0};
    CHECK_ERR(pk_port_send(port, &copyrecv, PK_IPC_NONBLOCK, NULL), EPERM);
    struct pk_cap_info ci;
    CHECK(pk_cap_info(other, &ci) == 0 && ci.rights & PK_RIGHT_RECEIVE); /* nothing moved */
    CHECK_ERR(pk_port_recv(port, &r, PK_IPC_NONBLOCK, NULL), EAGAIN);
    printf("ipc_security: caps without GRANT EPERM, copying a receive right EPERM\n");
    CHECK(pk_cap_delete(nogrant) == 0 && pk_cap_delete(other) == 0 && pk_cap_delete(n) == 0);
}

static void replies(int port)
{
    int s = pk_cap_derive(port, PK_RIGHT_SEND, 5);
    pid_t pid = pk_fork();
    if (pid == 0) {
        struct pk_msg m = {.data = "ping", .size = 4};
        char rb[8] = {0};
        struct pk_msg r = {.data = rb, .size = sizeof rb - 1};
        int ok = pk_port_call(s, &m, &r, NULL) == 0 && strcmp(rb, "pong") == 0;
        _exit(ok ? 0 : 1);
    }
    char buf[16];
    struct pk_msg m;
    CHECK(recv_text(port, &m, buf, sizeof buf, 0) == 0 && strcmp(buf, "ping") == 0);
    CHECK(m.badge == 5 && m.reply > 0);
    int reply = m.reply;
    struct pk_msg carry = {.data = "x", .size = 1, .ncaps = 1, .caps = {reply}};
    CHECK_ERR(pk_port_send(port, &carry, PK_IPC_NONBLOCK, NULL), EINVAL); /* replies do not travel */
    struct pk_msg pong = {.data = "pong", .size = 4};
    CHECK_ERR(pk_port_reply(port, &pong), EINVAL); /* a port is not a reply capability */
    CHECK_ERR(pk_port_reply(s, &pong), EINVAL);
    CHECK_ERR(pk_port_reply(reply + 100, &pong), EBADF);
    CHECK_ERR(pk_port_reply(0, &pong), EBADF);
    CHECK(pk_port_reply(reply, &pong) == 0);
    CHECK_ERR(pk_port_reply(reply, &pong), EBADF); /* used once: gone */
    int status = 0;
    CHECK(pk_waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0);
    printf("ipc_security: forged reply slots EBADF/EINVAL, a second reply EBADF\n");
    CHECK(pk_cap_delete(s) == 0);
}

int main(int argc, char **argv)
{
    if (argc >= 3 && strcmp(argv[1], "nocap") == 0)
        return child_nocap(atoi(argv[2]));
    if (argc >= 2 && strcmp(argv[1], "withcap") == 0)
        return child_withcap();
    int port = pk_port_create();
    if (port < 0 && errno == ENOSYS) {
        printf("ipc_security: not running on Pakaya (ENOSYS)\n");
        return 2;
    }
    CHECK(port > 0);
    ambient_authority(port);
    quota(port);
    limits_and_pointers(port);
    replies(port);
    CHECK(pk_cap_delete(port) == 0);
    printf(check_failures == 0 ? "ipc_security ok\n" : "ipc_security: %d checks failed\n",
           check_failures);
    return check_status();
}
