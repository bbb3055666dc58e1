/*
 * wait.c - pk_waitid and a waitpid-style pk_waitpid on Linux's waitid (rv32
 * has no wait4).  See include/pakaya.h.
 */
#include <errno.h>
#include <string.h>
#include <sys/wait.h>

#include "pakaya.h"

int pk_waitid(int idtype, pid_t id, struct pk_siginfo *info, int options)
{
    return (int)pk_ret(pk_syscall5(PK_SYS_WAITID, idtype, id, (long)info, options, 0));
}

/* The wait(2) status word for a waitid result (the encoding <sys/wait.h> decodes). */
static int wait_status(const struct pk_siginfo *info)
{
    int s = info->si_status;
    switch (info->si_code) {
    case PK_CLD_EXITED:
        return (s & 0xff) << 8;
    case PK_CLD_KILLED:
        return s & 0x7f;
    case PK_CLD_DUMPED:
        return (s & 0x7f) | 0x80;
    case PK_CLD_STOPPED:
    case PK_CLD_TRAPPED:
        return ((s & 0xff) << 8) | 0x7f;
    case PK_CLD_CONTINUED:
        return 0xffff;
    default:
        return 0;
    }
}

pid_t pk_waitpid(pid_t pid, int *status, int options)
{
    int idtype;
    if (pid == -1) {
        idtype = PK_P_ALL;
        pid = 0;
    } else if (pid > 0) {
        idtype = PK_P_PID;
    } else {
        errno = EINVAL; /* process groups are not supported */
        return -1;
    }
    /* WNOHANG and WUNTRACED have the Linux values 1 and 2 in <sys/wait.h> too */
    int wopts = PK_WEXITED | (options & (PK_WNOHANG | PK_WSTOPPED | PK_WCONTINUED));
    struct pk_siginfo info;
    memset(&info, 0, sizeof info);
    if (pk_waitid(idtype, pid, &info, wopts) < 0)
        return -1;
    if (info.si_pid == 0)
        return 0; /* WNOHANG: no child has changed state */
    if (status != NULL)
        *status = wait_status(&info);
    return info.si_pid;
}
