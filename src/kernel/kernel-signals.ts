// Job control and kill from the node for the running kernel: stopping and continuing a process
// (its threads leave and rejoin the run queue; the parent's waitid hears of it) and the admin
// API's kill. Generation and delivery themselves are signal-delivery.ts.
import { EINVAL, EPERM, ESRCH } from './errno.js';
import { notifyParent } from './kernel-exit.js';
import type { KernelState } from './kernel-state.js';
import type { Process } from './proc.js';
import { post } from './signal-delivery.js';
import { SI_USER, SIGNAL_MAX, sigInfo } from './signals.js';

export function stopProcess(k: KernelState, process: Process): void {
  if (process.stopped) return;
  process.stopped = true;
  for (const t of process.threads) {
    if (t.state === 'ready') k.sched.remove(t);
    if (t.state === 'ready' || t.state === 'running') t.state = 'suspended';
    if (k.current === t) k.current = undefined;
  }
  process.waitReport = 'stopped';
  notifyParent(k, process);
}

export function continueProcess(k: KernelState, process: Process): void {
  if (!process.stopped) return;
  process.stopped = false;
  for (const t of process.threads) {
    if (t.state !== 'suspended') continue;
    if (process.migrating) t.state = 'migrating';
    else {
      t.state = 'ready';
      k.sched.enqueue(t, k.instructions);
    }
  }
  process.waitReport = 'continued';
  notifyParent(k, process);
}

/** kill from the node (admin API): 0 or a negative errno (-EPERM for a system server). */
export function kill(k: KernelState, pid: number, signal: number): number {
  const p = k.processes.get(pid);
  if (p === undefined || !p.alive) return -ESRCH;
  if (k.tasks.has(pid)) return -EPERM; // system servers are not signal targets
  if (!Number.isInteger(signal) || signal < 0 || signal > SIGNAL_MAX) return -EINVAL;
  post(k, p, undefined, sigInfo(signal, SI_USER));
  return 0;
}
