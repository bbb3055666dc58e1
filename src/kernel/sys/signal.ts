// Signal calls: kill, tkill and tgkill. A signal takes its default action on the whole process
// (there are no user handlers yet). Process groups are not implemented: pid <= 0 is EINVAL.
import { EINVAL, ESRCH } from '../errno.js';
import type { Process, Thread } from '../proc.js';
import { SIGNAL_MAX } from '../signals.js';
import { GONE, type SyscallContext, type SyscallResult } from '../syscall-context.js';

function deliver(k: SyscallContext, t: Thread, target: Process, signal: number): SyscallResult {
  k.signal(target, signal);
  return t.process.alive ? 0 : GONE;
}

function validSignal(signal: number): boolean {
  return signal >= 0 && signal <= SIGNAL_MAX;
}

/** kill(pid, sig) */
export function sysKill(k: SyscallContext, t: Thread, args: Int32Array): SyscallResult {
  const pid = args[0]!;
  const signal = args[1]!;
  if (!validSignal(signal) || pid <= 0) return -EINVAL;
  const target = k.findProcess(pid);
  if (target === undefined) return -ESRCH;
  if (!target.alive) return 0; // a zombie: Linux accepts and ignores
  return deliver(k, t, target, signal);
}

/** tkill(tid, sig) */
export function sysTkill(k: SyscallContext, t: Thread, args: Int32Array): SyscallResult {
  const tid = args[0]!;
  const signal = args[1]!;
  if (!validSignal(signal) || tid <= 0) return -EINVAL;
  const target = k.findThread(tid);
  if (target === undefined) return -ESRCH;
  return deliver(k, t, target.process, signal);
}

/** tgkill(tgid, tid, sig) */
export function sysTgkill(k: SyscallContext, t: Thread, args: Int32Array): SyscallResult {
  const tgid = args[0]!;
  const tid = args[1]!;
  const signal = args[2]!;
  if (!validSignal(signal) || tid <= 0 || tgid <= 0) return -EINVAL;
  const target = k.findThread(tid);
  if (target === undefined || target.process.pid !== tgid) return -ESRCH;
  return deliver(k, t, target.process, signal);
}
