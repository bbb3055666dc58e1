// The system call path: a7 selects the call, a0..a5 carry arguments, a0 receives the result
// (negative errno on failure). Numbers are the Linux riscv32 ones; Pakaya's own calls start at 500
// (DESIGN.md §5, docs/syscalls.md). An unknown number returns -ENOSYS, as Linux does. A call that
// blocks leaves the pc on its ecall, so it runs again when the thread wakes; the wait record it
// left is cleared when it completes. A call that fails on a page a post-copy restore has not received
// yet waits for it (wait kind 'page') and then runs again from its start.

import { ENOSYS } from './errno.js';
import { SYSCALL_COST, SYSCALL_HEAVY_COST } from './limits.js';
import type { Thread } from './proc.js';
import { sysFutex } from './sys/futex.js';
import {
  sysGetnpid,
  sysGetpid,
  sysGetppid,
  sysGettid,
  sysGetuid,
  sysSetTidAddress,
  sysUname,
} from './sys/ids.js';
import { sysClose, sysIoctl, sysRead, sysReadv, sysWrite, sysWritev } from './sys/io.js';
import {
  sysCapDelete,
  sysCapDerive,
  sysCapInfo,
  sysCapRevoke,
  sysNotifyCreate,
  sysNotifySignal,
  sysNotifyWait,
  sysPortCall,
  sysPortCallShort,
  sysPortCreate,
  sysPortNotifyDead,
  sysPortRecv,
  sysPortReply,
  sysPortReplyRecv,
  sysPortReplyRecvShort,
  sysPortSend,
  sysPortSendShort,
  sysPortsetAdd,
  sysPortsetCreate,
  sysPortsetRemove,
} from './sys/ipc.js';
import { sysBrk, sysMmap2, sysMprotect, sysMunmap } from './sys/mem.js';
import { sysGetrandom } from './sys/misc.js';
import { sysGetpgid, sysGetsid, sysSetpgid, sysSetsid } from './sys/pgrp.js';
import { sysClone, sysExecve, sysExit, sysExitGroup, sysSpawn, sysWaitid } from './sys/proc.js';
import { sysGetpriority, sysSchedYield, sysSetpriority } from './sys/sched.js';
import { sysShmClose, sysShmCreate, sysShmGrant, sysShmMap } from './sys/shm.js';
import {
  sysKill,
  sysRtSigaction,
  sysRtSigpending,
  sysRtSigprocmask,
  sysRtSigreturn,
  sysRtSigsuspend,
  sysRtSigtimedwait,
  sysSigaltstack,
  sysTgkill,
  sysTkill,
} from './sys/signal.js';
import { sysSpawnOn } from './sys/spawn-on.js';
import { sysClockGetres, sysClockGettime, sysClockNanosleep } from './sys/time.js';
import { BLOCK, GONE, type SyscallContext, type SyscallHandler } from './syscall-context.js';

/** Every implemented call: number, name, handler. docs/syscalls.md lists the same. */
export const SYSCALLS: [number, string, SyscallHandler][] = [
  [29, 'ioctl', sysIoctl],
  [57, 'close', sysClose],
  [63, 'read', sysRead],
  [65, 'readv', sysReadv],
  [64, 'write', sysWrite],
  [66, 'writev', sysWritev],
  [93, 'exit', sysExit],
  [94, 'exit_group', sysExitGroup],
  [95, 'waitid', sysWaitid],
  [96, 'set_tid_address', sysSetTidAddress],
  [124, 'sched_yield', sysSchedYield],
  [129, 'kill', sysKill],
  [130, 'tkill', sysTkill],
  [131, 'tgkill', sysTgkill],
  [132, 'sigaltstack', sysSigaltstack],
  [133, 'rt_sigsuspend', sysRtSigsuspend],
  [134, 'rt_sigaction', sysRtSigaction],
  [135, 'rt_sigprocmask', sysRtSigprocmask],
  [136, 'rt_sigpending', sysRtSigpending],
  [139, 'rt_sigreturn', sysRtSigreturn],
  [140, 'setpriority', sysSetpriority],
  [141, 'getpriority', sysGetpriority],
  [154, 'setpgid', sysSetpgid],
  [155, 'getpgid', sysGetpgid],
  [156, 'getsid', sysGetsid],
  [157, 'setsid', sysSetsid],
  [160, 'uname', sysUname],
  [172, 'getpid', sysGetpid],
  [173, 'getppid', sysGetppid],
  [174, 'getuid', sysGetuid],
  [175, 'geteuid', sysGetuid],
  [176, 'getgid', sysGetuid],
  [177, 'getegid', sysGetuid],
  [178, 'gettid', sysGettid],
  [214, 'brk', sysBrk],
  [215, 'munmap', sysMunmap],
  [220, 'clone', sysClone],
  [221, 'execve', sysExecve],
  [222, 'mmap2', sysMmap2],
  [226, 'mprotect', sysMprotect],
  [278, 'getrandom', sysGetrandom],
  [403, 'clock_gettime64', sysClockGettime],
  [406, 'clock_getres_time64', sysClockGetres],
  [407, 'clock_nanosleep_time64', sysClockNanosleep],
  [421, 'rt_sigtimedwait_time64', sysRtSigtimedwait],
  [422, 'futex_time64', sysFutex],
  [500, 'spawn', sysSpawn],
  [501, 'getnpid', sysGetnpid],
  [504, 'spawn_on', sysSpawnOn],
  [510, 'shm_create', sysShmCreate],
  [511, 'shm_map', sysShmMap],
  [512, 'shm_grant', sysShmGrant],
  [513, 'shm_close', sysShmClose],
  [520, 'cap_derive', sysCapDerive],
  [521, 'cap_delete', sysCapDelete],
  [522, 'cap_revoke', sysCapRevoke],
  [523, 'cap_info', sysCapInfo],
  [524, 'port_create', sysPortCreate],
  [525, 'port_send', sysPortSend],
  [526, 'port_recv', sysPortRecv],
  [527, 'port_call', sysPortCall],
  [528, 'port_reply', sysPortReply],
  [529, 'port_reply_recv', sysPortReplyRecv],
  [530, 'portset_create', sysPortsetCreate],
  [531, 'portset_add', sysPortsetAdd],
  [532, 'portset_remove', sysPortsetRemove],
  [533, 'notify_create', sysNotifyCreate],
  [534, 'notify_signal', sysNotifySignal],
  [535, 'notify_wait', sysNotifyWait],
  [536, 'port_notify_dead', sysPortNotifyDead],
  [537, 'port_call_short', sysPortCallShort],
  [538, 'port_reply_recv_short', sysPortReplyRecvShort],
  [539, 'port_send_short', sysPortSendShort],
];

const TABLE = new Map<number, SyscallHandler>(SYSCALLS.map(([nr, , handler]) => [nr, handler]));

/**
 * Host work of the calls that build processes and threads (clone, execve, spawn, spawn_on), in instruction
 * units charged against the host quantum (not guest time): a fork bomb cannot hold the event loop.
 */
const HEAVY_CALL_COST = new Map<number, number>([
  [220, SYSCALL_HEAVY_COST],
  [221, SYSCALL_HEAVY_COST],
  [500, SYSCALL_HEAVY_COST],
  [504, SYSCALL_HEAVY_COST],
]);

const args = new Int32Array(6);

/** Runs the system call the thread on the hart asked for, and advances past its ecall. */
export function syscall(k: SyscallContext, t: Thread): void {
  const x = k.hart.x;
  const number = x[17]!;
  for (let i = 0; i < 6; i++) args[i] = x[10 + i]!;
  const handler = TABLE.get(number);
  k.charge(HEAVY_CALL_COST.get(number) ?? SYSCALL_COST);
  // A post-copy process: a call that fails on a page still to arrive waits for it and runs again
  // from its start. Handlers resolve every user buffer before any side effect (user-mem.ts), so a
  // failed call has had none.
  const as = t.process.addressSpace;
  const lazy = as.absent !== undefined;
  if (lazy) as.absentHit = -1;
  const call = t.wait; // a woken call (a receive, a call's answer) runs again as itself
  const result = handler === undefined ? -ENOSYS : handler(k, t, args);
  if (result === GONE || result === BLOCK) return;
  if (
    lazy &&
    result < 0 &&
    as.absentHit >= 0 &&
    as.absent?.has(as.absentHit) === true &&
    t.state === 'running'
  ) {
    t.wait = call;
    k.waitForPage(t, as.absentHit);
    return;
  }
  t.wait = undefined;
  x[10] = result;
  k.hart.pc = (k.hart.pc + 4) | 0;
}
