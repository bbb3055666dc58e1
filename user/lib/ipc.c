/*
 * ipc.c - Pakaya IPC (calls 520-536): capabilities, ports, port sets,
 * call/reply, notifications; and pk_spawn_with_cap.  C convention (-1 +
 * errno) via pk_ret().  See include/pakaya.h.
 */
#include "pakaya.h"

int pk_cap_derive(int slot, uint32_t rights, uint32_t badge)
{
    return (int)pk_ret(pk_syscall3(PK_SYS_CAP_DERIVE, slot, (long)rights, (long)badge));
}

int pk_cap_delete(int slot)
{
    return (int)pk_ret(pk_syscall1(PK_SYS_CAP_DELETE, slot));
}

int pk_cap_revoke(int slot)
{
    return (int)pk_ret(pk_syscall1(PK_SYS_CAP_REVOKE, slot));
}

int pk_cap_info(int slot, struct pk_cap_info *out)
{
    return (int)pk_ret(pk_syscall2(PK_SYS_CAP_INFO, slot, (long)out));
}

int pk_port_create(void)
{
    return (int)pk_ret(pk_syscall0(PK_SYS_PORT_CREATE));
}

int pk_port_send(int slot, const struct pk_msg *msg, int flags, const struct pk_timespec64 *timeout)
{
    return (int)pk_ret(pk_syscall4(PK_SYS_PORT_SEND, slot, (long)msg, flags, (long)timeout));
}

int pk_port_recv(int slot, struct pk_msg *msg, int flags, const struct pk_timespec64 *timeout)
{
    return (int)pk_ret(pk_syscall4(PK_SYS_PORT_RECV, slot, (long)msg, flags, (long)timeout));
}

int pk_port_call(int slot, const struct pk_msg *msg, struct pk_msg *reply,
                 const struct pk_timespec64 *timeout)
{
    return (int)pk_ret(
        pk_syscall4(PK_SYS_PORT_CALL, slot, (long)msg, (long)reply, (long)timeout));
}

int pk_port_reply(int reply_slot, const struct pk_msg *msg)
{
    return (int)pk_ret(pk_syscall2(PK_SYS_PORT_REPLY, reply_slot, (long)msg));
}

int pk_port_reply_recv(int reply_slot, const struct pk_msg *reply, int recv_slot,
                       struct pk_msg *recv)
{
    return (int)pk_ret(
        pk_syscall4(PK_SYS_PORT_REPLY_RECV, reply_slot, (long)reply, recv_slot, (long)recv));
}

int pk_portset_create(void)
{
    return (int)pk_ret(pk_syscall0(PK_SYS_PORTSET_CREATE));
}

int pk_portset_add(int set, int port)
{
    return (int)pk_ret(pk_syscall2(PK_SYS_PORTSET_ADD, set, port));
}

int pk_portset_remove(int set, int port)
{
    return (int)pk_ret(pk_syscall2(PK_SYS_PORTSET_REMOVE, set, port));
}

int pk_notify_create(void)
{
    return (int)pk_ret(pk_syscall0(PK_SYS_NOTIFY_CREATE));
}

int pk_notify_signal(int slot, uint32_t bits)
{
    return (int)pk_ret(pk_syscall2(PK_SYS_NOTIFY_SIGNAL, slot, (long)bits));
}

int pk_notify_wait(int slot, uint32_t *bits, int flags, const struct pk_timespec64 *timeout)
{
    return (int)pk_ret(pk_syscall4(PK_SYS_NOTIFY_WAIT, slot, (long)bits, flags, (long)timeout));
}

int pk_port_notify_dead(int port_slot, int notify_slot, uint32_t bits)
{
    return (int)pk_ret(pk_syscall3(PK_SYS_PORT_NOTIFY_DEAD, port_slot, notify_slot, (long)bits));
}

pid_t pk_spawn_with_cap(const char *path, char *const argv[], char *const envp[], int cap)
{
    return (pid_t)pk_ret(pk_syscall4(PK_SYS_SPAWN, (long)path, (long)argv, (long)envp, cap));
}
