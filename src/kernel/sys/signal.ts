// Signal calls: kill, tkill and tgkill. A signal takes its default action on the whole process
// (there are no user handlers yet). The checks run in Linux's order: a target that does not exist
// is ESRCH before a bad signal number is EINVAL. kill reaches a process (pid > 0), the caller's
// process group (0), another group (< -1) or every other process of the caller's session (-1).
import { EINVAL, EPERM, ESRCH } from '../errno.js';
import type { Process, Thread } from '../proc.js';
import { SIGNAL_MAX } from '../signals.js';
import { GONE, type SyscallContext, type SyscallResult } from '../syscall-context.js';

const INT_MIN = -0x80000000;

function validSignal(signal: number): boolean {
  return signal >= 0 && signal <= SIGNAL_MAX;
}

/**
 * Sends `signal` to each target (after the checks); ESRCH when there is none, EPERM when the only
 * targets are system servers (a guest may not signal them; group kills pass them over).
 */
function deliverAll(k: SyscallContext, t: Thread, all: Process[], signal: number): SyscallResult {
  if (all.length === 0) return -ESRCH;
  const targets = all.filter((p) => !k.isTask(p.pid));
  if (targets.length === 0) return -EPERM;
  if (!validSignal(signal)) return -EINVAL;
  for (const target of targets) {
    if (target.alive) k.signal(target, signal); // a zombie: Linux accepts and ignores
  }
  return t.process.alive ? 0 : GONE;
}

/** The processes a kill(pid) reaches, zombies included (they count as existing). */
function killTargets(k: SyscallContext, caller: Process, pid: number): Process[] {
  if (pid > 0) {
    const p = k.findProcess(pid);
    return p === undefined ? [] : [p];
  }
  const targets: Process[] = [];
  for (const p of k.allProcesses()) {
    if (pid === -1 ? p.sid === caller.sid && p !== caller : p.pgid === (pid === 0 ? caller.pgid : -pid))
      targets.push(p);
  }
  return targets;
}

/** kill(pid, sig) */
export function sysKill(k: SyscallContext, t: Thread, args: Int32Array): SyscallResult {
  const pid = args[0]!;
  if (pid === INT_MIN) return -ESRCH;
  return deliverAll(k, t, killTargets(k, t.process, pid), args[1]!);
}

/** tkill(tid, sig) */
export function sysTkill(k: SyscallContext, t: Thread, args: Int32Array): SyscallResult {
  const tid = args[0]!;
  if (tid <= 0) return -EINVAL;
  const target = k.findThread(tid);
  return deliverAll(k, t, target === undefined ? [] : [target.process], args[1]!);
}

/** tgkill(tgid, tid, sig) */
export function sysTgkill(k: SyscallContext, t: Thread, args: Int32Array): SyscallResult {
  const tgid = args[0]!;
  const tid = args[1]!;
  if (tid <= 0 || tgid <= 0) return -EINVAL;
  const target = k.findThread(tid);
  const found = target !== undefined && target.process.pid === tgid;
  return deliverAll(k, t, found ? [target.process] : [], args[2]!);
}
