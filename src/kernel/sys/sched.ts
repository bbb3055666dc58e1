// Scheduling calls: sched_yield, and getpriority / setpriority on nice values (PRIO_PROCESS: the
// thread `who` names, 0 for the caller, as Linux does). getpriority returns 20 - nice like the raw
// Linux call (libc turns it back into a nice value).
import { EINVAL, ESRCH } from '../errno.js';
import { NICE_MAX, NICE_MIN } from '../limits.js';
import type { Thread } from '../proc.js';
import type { SyscallContext, SyscallResult } from '../syscall-context.js';

const PRIO_PROCESS = 0;
const PRIO_PGRP = 1;
const PRIO_USER = 2;

export function sysSchedYield(k: SyscallContext, t: Thread): SyscallResult {
  k.yieldThread(t);
  return 0;
}

/** The threads a (which, who) pair names; a negative errno when none. */
function targets(k: SyscallContext, t: Thread, which: number, who: number): Thread[] | number {
  if (which !== PRIO_PROCESS && which !== PRIO_PGRP && which !== PRIO_USER) return -EINVAL;
  if (which === PRIO_PROCESS) {
    if (who === 0) return [t];
    const thread = k.findThread(who);
    return thread === undefined ? -ESRCH : [thread];
  }
  // No process groups or users yet: group 0 / user 0 is the caller's process.
  if (who !== 0) return -ESRCH;
  return t.process.threads.filter((x) => x.state !== 'zombie');
}

export function sysGetpriority(k: SyscallContext, t: Thread, args: Int32Array): SyscallResult {
  const found = targets(k, t, args[0]!, args[1]!);
  if (typeof found === 'number') return found;
  return 20 - Math.min(...found.map((x) => x.nice));
}

export function sysSetpriority(k: SyscallContext, t: Thread, args: Int32Array): SyscallResult {
  const found = targets(k, t, args[0]!, args[1]!);
  if (typeof found === 'number') return found;
  const nice = Math.min(NICE_MAX, Math.max(NICE_MIN, args[2]!));
  for (const thread of found) k.setNice(thread, nice);
  return 0;
}
