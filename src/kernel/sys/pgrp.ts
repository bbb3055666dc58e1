// Process groups and sessions: setpgid, getpgid, getsid and setsid, with Linux's checks. A process
// spawned by the node leads its own group and session; fork and spawn children inherit both.
// kill(0 / -pgid / -1) and waitid(P_PGID) use them (sys/signal.ts, sys/proc.ts).
import { EINVAL, EPERM, ESRCH } from '../errno.js';
import type { Process, Thread } from '../proc.js';
import type { SyscallContext, SyscallResult } from '../syscall-context.js';

function target(k: SyscallContext, t: Thread, pid: number): Process | undefined {
  return pid === 0 ? t.process : k.findProcess(pid);
}

function groupExists(k: SyscallContext, pgid: number, sid: number): boolean {
  for (const p of k.allProcesses()) if (p.pgid === pgid && p.sid === sid) return true;
  return false;
}

/** setpgid(pid, pgid): move the caller or one of its children into a group of its session. */
export function sysSetpgid(k: SyscallContext, t: Thread, args: Int32Array): SyscallResult {
  const caller = t.process;
  const pid = args[0]! === 0 ? caller.pid : args[0]!;
  const pgid = args[1]! === 0 ? pid : args[1]!;
  if (pgid < 0) return -EINVAL;
  const p = k.findProcess(pid);
  if (p === undefined) return -ESRCH;
  if (p !== caller && p.parent !== caller) return -ESRCH;
  if (p.sid !== caller.sid) return -EPERM;
  if (p.sid === p.pid) return -EPERM; // a session leader stays in its group
  if (pgid !== pid && !groupExists(k, pgid, caller.sid)) return -EPERM;
  p.pgid = pgid;
  return 0;
}

/** getpgid(pid) */
export function sysGetpgid(k: SyscallContext, t: Thread, args: Int32Array): SyscallResult {
  return target(k, t, args[0]!)?.pgid ?? -ESRCH;
}

/** getsid(pid) */
export function sysGetsid(k: SyscallContext, t: Thread, args: Int32Array): SyscallResult {
  return target(k, t, args[0]!)?.sid ?? -ESRCH;
}

/** setsid(): a new session and group led by the caller, unless it already leads a group. */
export function sysSetsid(k: SyscallContext, t: Thread): SyscallResult {
  const caller = t.process;
  for (const p of k.allProcesses()) if (p.pgid === caller.pid) return -EPERM;
  caller.sid = caller.pid;
  caller.pgid = caller.pid;
  return caller.sid;
}
