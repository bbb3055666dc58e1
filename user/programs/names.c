/*
 * names.c - [Pakaya only] the system servers through their bootstrap
 * capabilities: the name server in slot 1 and the console server in slot 2.
 *
 * Checks: register a name for a send right to our own port, look it up and
 * call through the right we get back; a second registration of the name by
 * another process is EEXIST and its unregister EPERM; "sys/" names are for
 * system tasks (EPERM); a bad name is EINVAL; a missing name is ENOENT;
 * unregister by the owner works, after which lookup is ENOENT.  Then a line
 * goes to the console through the console server.
 *
 *   names
 *
 * Output: one line per check, "names ok"; exit 0 (1 on a failure).
 */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "pakaya.h"

#define OP_REGISTER 1
#define OP_LOOKUP 2
#define OP_UNREGISTER 3
#define OP_CONSOLE_WRITE 1

/* One name-server request: op + name (+ a capability to register); returns the status, and the
 * slot of a capability the reply carried in *got (0 if none). */
static int ask(uint32_t op, const char *name, int cap, int *got)
{
    uint8_t req[4 + 64];
    size_t len = strlen(name);
    memcpy(req, &op, 4);
    memcpy(req + 4, name, len);
    int32_t status = 0;
    struct pk_msg m = {.data = req, .size = (uint32_t)(4 + len)};
    if (cap > 0) {
        m.ncaps = 1;
        m.caps[0] = cap;
    }
    struct pk_msg r = {.data = &status, .size = 4};
    if (pk_port_call(PK_CAP_NAME_SERVER, &m, &r, NULL) != 0)
        return -1000;
    if (got != NULL)
        *got = r.ncaps > 0 ? r.caps[0] : 0;
    return status;
}

static void show(const char *what, int status)
{
    printf("%s: %s\n", what, status == 0 ? "ok" : linux_errname(-status));
}

int main(void)
{
    int port = pk_port_create();
    int send = pk_cap_derive(port, PK_RIGHT_SEND, 0);
    CHECK(port > 0 && send > 0);
    show("register demo/echo", ask(OP_REGISTER, "demo/echo", send, NULL));
    int found = 0;
    show("lookup demo/echo", ask(OP_LOOKUP, "demo/echo", 0, &found));
    CHECK(found > 0);
    /* the right we got back reaches our own port */
    uint32_t word = 42, back = 0;
    struct pk_msg m = {.data = &word, .size = 4};
    CHECK(pk_port_send(found, &m, 0, NULL) == 0);
    struct pk_msg in = {.data = &back, .size = 4};
    CHECK(pk_port_recv(port, &in, 0, NULL) == 0 && back == 42);
    printf("message through the looked-up right: %u\n", (unsigned)back);

    fflush(stdout);
    pid_t child = pk_fork();
    if (child == 0) {
        int other = pk_port_create();
        int right = pk_cap_derive(other, PK_RIGHT_SEND, 0);
        show("another process registers demo/echo", ask(OP_REGISTER, "demo/echo", right, NULL));
        show("another process unregisters demo/echo", ask(OP_UNREGISTER, "demo/echo", 0, NULL));
        fflush(stdout);
        pk_syscall1(PK_SYS_EXIT_GROUP, 0);
    }
    int status = 0;
    CHECK(pk_waitpid(child, &status, 0) == child);

    show("register sys/clock", ask(OP_REGISTER, "sys/clock", send, NULL));
    show("register a bad name", ask(OP_REGISTER, "has space", send, NULL));
    show("lookup a missing name", ask(OP_LOOKUP, "demo/none", 0, NULL));
    show("unregister demo/echo", ask(OP_UNREGISTER, "demo/echo", 0, NULL));
    show("lookup demo/echo again", ask(OP_LOOKUP, "demo/echo", 0, NULL));

    const char text[] = "names: a line through the console server\n";
    uint8_t req[4 + sizeof text];
    uint32_t op = OP_CONSOLE_WRITE;
    memcpy(req, &op, 4);
    memcpy(req + 4, text, sizeof text - 1);
    int32_t written = 0;
    struct pk_msg w = {.data = req, .size = (uint32_t)(4 + sizeof text - 1)};
    struct pk_msg wr = {.data = &written, .size = 4};
    fflush(stdout);
    CHECK(pk_port_call(PK_CAP_CONSOLE, &w, &wr, NULL) == 0 && written == (int32_t)(sizeof text - 1));
    if (check_failures == 0)
        printf("names ok\n");
    return check_status();
}
