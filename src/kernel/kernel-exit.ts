// How threads and processes end in the running kernel: a thread leaves every queue (dropThread),
// a process's last thread ends it (exitThread), a process ends (exitProcess: its space and
// capabilities go, its children go to init, its parent is told with SIGCHLD and waitid), and a
// waited-for zombie leaves the table (reap).
import { assert } from './assert.js';
import { futexKey } from './futex.js';
import type { KernelState } from './kernel-state.js';
import { wake } from './kernel-waits.js';
import { IPC_WAITS, type Process, type Termination, type Thread } from './proc.js';
import { post } from './signal-delivery.js';
import { CLD_EXITED, CLD_KILLED, SIGCHLD, sigInfo } from './signals.js';
import { PROT_READ } from './vm.js';

/** Takes a thread out of every queue and marks it a zombie; its process keeps its instructions. */
export function dropThread(k: KernelState, thread: Thread): void {
  if (thread.state === 'ready') k.sched.remove(thread);
  const wait = thread.wait;
  if (thread.state === 'blocked' && wait !== undefined) {
    if (wait.deadline >= 0) k.timers.remove(thread);
    if (wait.kind === 'futex') k.futexes.remove(wait.key, thread);
    else if (IPC_WAITS.has(wait.kind)) k.ipcWaits.remove(wait.key, thread);
    if (wait.kind === 'reply') k.ipc.abandonReply(wait.object);
  }
  thread.state = 'zombie';
  thread.wait = undefined;
  if (k.current === thread) k.current = undefined;
  if (k.onHart === thread) k.onHart = undefined;
  k.threads.delete(thread.tid);
  const p = thread.process;
  const at = p.threads.indexOf(thread);
  if (at >= 0 && p.threads.length > 1) {
    p.threads.splice(at, 1);
    p.exitedInstructions += thread.instructions;
  }
}

export function exitThread(k: KernelState, thread: Thread, status: number): void {
  const p = thread.process;
  if (p.liveThreads() <= 1) {
    exitProcess(k, p, { kind: 'exited', status: status & 0xff });
    return;
  }
  if (thread.clearChildTid !== 0) {
    const addr = thread.clearChildTid >>> 0;
    if (p.addressSpace.copyOut(addr, new Uint8Array(4))) {
      const key = futexKey(p, addr, false, p.addressSpace.resolve(addr, PROT_READ));
      for (const waiter of k.futexes.take(key, 1)) wake(k, waiter, 'event');
    }
  }
  dropThread(k, thread);
}

export function exitProcess(k: KernelState, process: Process, termination: Termination): void {
  assert(process.alive, `process ${process.pid} exits twice`);
  for (const thread of [...process.threads]) dropThread(k, thread);
  process.termination = termination;
  process.stopped = false;
  process.migrating = false;
  k.pageFetches.delete(process);
  process.addressSpace.destroy();
  k.ipc.dropSpace(process.caps);
  k.flushTranslations();
  // Orphans go to the node's first process while it lives; otherwise the node reaps them.
  const heir = k.init !== undefined && k.init !== process && k.init.alive ? k.init : undefined;
  for (const child of process.children) {
    child.parent = heir;
    if (heir !== undefined) heir.children.add(child);
    if (!child.alive) {
      if (heir === undefined) reap(k, child);
      else notifyParent(k, child);
    }
  }
  process.children.clear();
  if (process === k.init) k.init = undefined;
  const parent = process.parent;
  if (parent?.alive) {
    notifyParent(k, process);
    const code = termination.kind === 'exited' ? CLD_EXITED : CLD_KILLED;
    const status = termination.kind === 'exited' ? termination.status : termination.signal;
    post(k, parent, undefined, sigInfo(SIGCHLD, code, process.pid, 0, status));
  } else reap(k, process);
  k.images.prune();
  k.host.exited?.(process);
  const task = k.tasks.get(process.pid);
  if (task !== undefined) {
    k.tasks.delete(process.pid);
    k.pendingTasks.delete(task);
    k.onTaskEnded?.(process.name);
  }
}

/** Wakes the parent's threads waiting in waitid: a child ended, stopped or continued. */
export function notifyParent(k: KernelState, child: Process): void {
  const parent = child.parent;
  if (parent === undefined) return;
  for (const t of parent.threads) if (t.state === 'blocked' && t.wait?.kind === 'child') wake(k, t, 'event');
}

export function reap(k: KernelState, process: Process): void {
  assert(!process.alive, `reaping live process ${process.pid}`);
  process.parent?.children.delete(process);
  process.reaped = true;
  k.processes.delete(process.pid);
}
