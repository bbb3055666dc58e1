/*
 * ipc_defects.c - [Pakaya only] regressions for IPC calls that must have no
 * effect when they fail, and for rights that move away from blocked threads
 * (issue 12), driven as a program would.
 *
 * Checks: a reply carrying two capabilities to a caller with room for one
 * makes the call fail with EMFILE and places neither; when another thread
 * frees slots before the caller runs again, both arrive once (the node used
 * to stop here); a failed cap_derive (EMFILE) derives nothing; badges of
 * 2^31 and 2^32-1 are accepted and delivered; after a receive right moved to
 * another process, a thread of the old holder blocked on the port gets
 * EBADF, one blocked on a port set that held it gets none of its messages
 * (it times out), and the new holder receives what is sent afterwards.
 *
 *   ipc_defects
 *
 * Under Linux/qemu-riscv32 prints "ipc_defects: not running on Pakaya
 * (ENOSYS)" and exits 2.  Exit 0 (1 if a check fails).
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "pakaya.h"

#define FILL_MAX 300

static int server_port, note_a, note_b;
static int fillers[FILL_MAX], nfill;
static volatile int free_after_reply, served;

/* Fills the capability space with ports until EMFILE, then frees `leave` of them. */
static void fill_leaving(int leave)
{
    nfill = 0;
    for (int s; nfill < FILL_MAX && (s = pk_port_create()) > 0;)
        fillers[nfill++] = s;
    for (int i = 0; i < leave; i++)
        CHECK(pk_cap_delete(fillers[--nfill]) == 0);
}

static void unfill(void)
{
    while (nfill > 0)
        CHECK(pk_cap_delete(fillers[--nfill]) == 0);
}

/* Free slots now: create ports until EMFILE, count them, delete them again. */
static int free_slots(void)
{
    int got[FILL_MAX], n = 0;
    for (int s; n < FILL_MAX && (s = pk_port_create()) > 0;)
        got[n++] = s;
    for (int i = 0; i < n; i++)
        pk_cap_delete(got[i]);
    return n;
}

/* The server thread: answers two calls with copies of two notifications. */
static void *server(void *arg)
{
    (void)arg;
    for (int i = 0; i < 2; i++) {
        char buf[8];
        struct pk_msg m = {.data = buf, .size = sizeof buf};
        if (pk_port_recv(server_port, &m, 0, NULL) != 0)
            return NULL;
        struct pk_msg r = {.data = "ans", .size = 3, .ncaps = 2, .caps = {note_a, note_b}};
        CHECK(pk_port_reply(m.reply, &r) == 0);
        /* the caller is ready to run again but has not yet: free two of its slots now */
        if (free_after_reply)
            for (int k = 0; k < 2; k++)
                CHECK(pk_cap_delete(fillers[--nfill]) == 0);
        served++;
    }
    return NULL;
}

static int call_server(int to, struct pk_msg *reply)
{
    char buf[8];
    memset(reply, 0, sizeof *reply);
    reply->data = buf;
    reply->size = sizeof buf;
    struct pk_msg m = {.data = "q", .size = 1};
    return pk_port_call(to, &m, reply, NULL);
}

static void replies_all_or_nothing(void)
{
    server_port = pk_port_create();
    note_a = pk_notify_create();
    note_b = pk_notify_create();
    int to = pk_cap_derive(server_port, PK_RIGHT_SEND, 0);
    CHECK(server_port > 0 && note_a > 0 && note_b > 0 && to > 0);
    pk_thread_t t;
    CHECK(pk_thread_create(&t, server, NULL) == 0);

    /* one free slot: the call's reply capability takes it while the server holds it, and the
     * answer's two capabilities do not fit */
    fill_leaving(1);
    struct pk_msg reply;
    CHECK_ERR(call_server(to, &reply), EMFILE);
    CHECK(free_slots() == 1); /* nothing was placed */

    /* the same, but the server frees two slots before the caller runs again */
    free_after_reply = 1;
    CHECK(call_server(to, &reply) == 0);
    CHECK(reply.ncaps == 2 && reply.caps[0] > 0 && reply.caps[1] > 0 && reply.caps[0] != reply.caps[1]);
    struct pk_cap_info ci;
    CHECK(pk_cap_info(reply.caps[0], &ci) == 0 && ci.kind == PK_CAP_KIND_NOTIFICATION);
    CHECK(pk_cap_info(reply.caps[1], &ci) == 0 && ci.kind == PK_CAP_KIND_NOTIFICATION);
    CHECK(free_slots() == 1); /* 1 left + the reply slot + 2 freed - 2 placed */
    CHECK(pk_thread_join(t, NULL) == 0 && served == 2);
    unfill();
    CHECK(pk_cap_delete(reply.caps[0]) == 0 && pk_cap_delete(reply.caps[1]) == 0);
    printf("ipc_defects: a reply with more capabilities than room: EMFILE, nothing placed; "
           "with room made meanwhile: both arrive once\n");

    /* a derive that fails derives nothing: revoking the source then deletes nothing */
    fill_leaving(0);
    CHECK_ERR(pk_cap_derive(note_a, PK_RIGHT_SEND, 3), EMFILE);
    unfill();
    CHECK(pk_cap_revoke(note_a) == 0);
    printf("ipc_defects: a failed cap_derive derives nothing\n");
}

static void full_badges(void)
{
    int port = pk_port_create();
    const uint32_t badges[2] = {0x80000000u, 0xffffffffu};
    int ok = 1;
    for (int i = 0; i < 2; i++) {
        int s = pk_cap_derive(port, PK_RIGHT_SEND, badges[i]);
        struct pk_msg m = {.data = "b", .size = 1};
        char buf[4];
        struct pk_msg r = {.data = buf, .size = sizeof buf};
        ok &= s > 0 && pk_port_send(s, &m, 0, NULL) == 0 && pk_port_recv(port, &r, 0, NULL) == 0 &&
              r.badge == badges[i];
    }
    CHECK(ok);
    CHECK(pk_cap_delete(port) == 0);
    printf("ipc_defects: badges 0x80000000 and 0xffffffff derived and delivered\n");
}

static int moved_port, moved_set;
static volatile int receivers_started;
static int r_port_result, r_port_errno, r_set_result, r_set_errno;

static void *recv_port(void *arg)
{
    (void)arg;
    char buf[32];
    struct pk_msg m = {.data = buf, .size = sizeof buf};
    __atomic_add_fetch(&receivers_started, 1, __ATOMIC_SEQ_CST);
    r_port_result = pk_port_recv(moved_port, &m, 0, NULL);
    r_port_errno = errno;
    return NULL;
}

static void *recv_set(void *arg)
{
    (void)arg;
    char buf[32];
    struct pk_msg m = {.data = buf, .size = sizeof buf};
    struct pk_timespec64 t = {0, 200000000};
    __atomic_add_fetch(&receivers_started, 1, __ATOMIC_SEQ_CST);
    r_set_result = pk_port_recv(moved_set, &m, 0, &t);
    r_set_errno = errno;
    return NULL;
}

static void moved_receive_right(void)
{
    int q = pk_port_create();
    int to_parent = pk_cap_derive(q, PK_RIGHT_SEND | PK_RIGHT_GRANT, 0);
    CHECK(q > 0 && to_parent > 0);
    pid_t child = pk_fork();
    if (child == 0) {
        /* the child: gives the parent a way to send it a receive right, then uses it */
        int mine = pk_port_create();
        int give = pk_cap_derive(mine, PK_RIGHT_SEND | PK_RIGHT_GRANT, 0);
        struct pk_msg m = {.data = "c", .size = 1, .ncaps = 1, .caps = {give}, .move = 1};
        if (pk_port_send(to_parent, &m, 0, NULL) != 0)
            exit(3);
        char buf[32];
        struct pk_msg r = {.data = buf, .size = sizeof buf};
        struct pk_timespec64 t = {2, 0};
        if (pk_port_recv(mine, &r, 0, &t) != 0 || r.ncaps != 1)
            exit(4);
        struct pk_msg got = {.data = buf, .size = sizeof buf};
        if (pk_port_recv(r.caps[0], &got, 0, &t) != 0 || got.size != 10 || memcmp(buf, "after move", 10) != 0)
            exit(5);
        exit(0);
    }
    CHECK(child > 0);
    char buf[32];
    struct pk_msg r = {.data = buf, .size = sizeof buf};
    CHECK(pk_port_recv(q, &r, 0, NULL) == 0 && r.ncaps == 1);
    int to_child = r.caps[0];

    moved_port = pk_port_create();
    moved_set = pk_portset_create();
    CHECK(pk_portset_add(moved_set, moved_port) == 0);
    int send_p = pk_cap_derive(moved_port, PK_RIGHT_SEND, 0);
    pk_thread_t a, b;
    CHECK(pk_thread_create(&a, recv_port, NULL) == 0 && pk_thread_create(&b, recv_set, NULL) == 0);
    while (__atomic_load_n(&receivers_started, __ATOMIC_SEQ_CST) < 2)
        sched_yield();
    for (int i = 0; i < 20; i++)
        sched_yield(); /* both are blocked in port_recv by now */

    struct pk_msg mv = {.data = "p", .size = 1, .ncaps = 1, .caps = {moved_port}, .move = 1};
    CHECK(pk_port_send(to_child, &mv, 0, NULL) == 0);
    struct pk_msg after = {.data = "after move", .size = 10};
    CHECK(pk_port_send(send_p, &after, 0, NULL) == 0);
    CHECK(pk_thread_join(a, NULL) == 0 && pk_thread_join(b, NULL) == 0);
    CHECK(r_port_result == -1 && r_port_errno == EBADF);
    CHECK(r_set_result == -1 && r_set_errno == ETIMEDOUT);
    int status = 0;
    char text[32];
    CHECK(pk_waitpid(child, &status, 0) == child);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    printf("ipc_defects: a moved receive right: the old holder's receivers get EBADF and time out, "
           "the new holder %s with the message\n",
           status_text(status, text, sizeof text));
}

int main(void)
{
    if (pk_port_create() < 0 && errno == ENOSYS) {
        printf("ipc_defects: not running on Pakaya (ENOSYS)\n");
        return 2;
    }
    replies_all_or_nothing();
    full_badges();
    moved_receive_right();
    if (check_failures == 0)
        printf("ipc_defects ok\n");
    return check_failures ? 1 : 0;
}
