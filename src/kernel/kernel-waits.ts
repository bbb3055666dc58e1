// Waits and wake-ups of the running kernel: blocking a thread with its wait record, waking it (its
// call runs again), completing its call without running it again (a direct IPC delivery), timeouts,
// interruption by a signal, and console-input waits. The queues are indexes over the threads' wait
// records (futex.ts): an image carries the records and a restore rebuilds the queues from them.
import { assert } from './assert.js';
import type { WaitPoint } from './futex.js';
import type { CapSpace } from './ipc/cspace.js';
import type { KernelState } from './kernel-state.js';
import { IPC_WAITS, type Process, type Thread, type WaitRecord } from './proc.js';
import { BLOCK } from './syscall-context.js';

/** The state a thread of `p` takes instead of ready: stopped, or being migrated; else undefined. */
export function parkedState(p: Process): 'suspended' | 'migrating' | undefined {
  return p.stopped ? 'suspended' : p.migrating ? 'migrating' : undefined;
}

export function block(k: KernelState, thread: Thread, wait: Omit<WaitRecord, 'woken'>): typeof BLOCK {
  // (the messages are built only on failure: these run on every IPC call)
  if (thread.state !== 'running') assert(false, `thread ${thread.tid} blocks while ${thread.state}`);
  // One object shape for every wait record (a spread makes a new shape per caller's literal);
  // the record of the thread's last completed wait when there is one (nothing else holds it).
  const spare = thread.spareWait;
  if (spare !== undefined) {
    thread.spareWait = undefined;
    spare.kind = wait.kind;
    spare.deadline = wait.deadline;
    spare.addr = wait.addr;
    spare.private = wait.private;
    spare.key = wait.key;
    spare.object = wait.object;
    spare.woken = undefined;
    thread.wait = spare;
  } else {
    thread.wait = {
      kind: wait.kind,
      deadline: wait.deadline,
      addr: wait.addr,
      private: wait.private,
      key: wait.key,
      object: wait.object,
      woken: undefined,
    };
  }
  thread.state = 'blocked';
  if (wait.deadline >= 0) k.timers.add(thread);
  if (wait.kind === 'futex') k.futexes.add(wait.key, thread);
  else if (IPC_WAITS.has(wait.kind)) k.ipcWaits.add(wait.key, thread);
  if (wait.kind === 'read') k.host.wantInput?.();
  return BLOCK;
}

/**
 * `block` for an IPC wait without a deadline (the fastpath's send, receive and reply waits): the
 * same record and queue, without a wait-record literal per call or the checks other kinds need.
 */
export function blockIpc(
  k: KernelState,
  thread: Thread,
  kind: 'receive' | 'reply',
  addr: number,
  at: WaitPoint,
  object: number,
): typeof BLOCK {
  const key = at.key;
  if (thread.state !== 'running') assert(false, `thread ${thread.tid} blocks while ${thread.state}`);
  let wait = thread.spareWait;
  if (wait !== undefined) {
    thread.spareWait = undefined;
    wait.kind = kind;
    wait.deadline = -1;
    wait.addr = addr;
    wait.private = false;
    wait.key = key;
    wait.object = object;
    wait.woken = undefined;
  } else wait = { kind, deadline: -1, addr, private: false, key, object, woken: undefined };
  thread.wait = wait;
  thread.state = 'blocked';
  k.ipcWaits.addAt(at, thread);
  return BLOCK;
}

export function wake(k: KernelState, thread: Thread, how: 'event' | 'timeout'): void {
  const wait = thread.wait;
  if (thread.state !== 'blocked' || wait === undefined) return;
  wait.woken = how;
  if (wait.deadline >= 0 && how !== 'timeout') k.timers.remove(thread);
  if (wait.kind === 'futex') k.futexes.remove(wait.key, thread);
  else if (IPC_WAITS.has(wait.kind)) k.ipcWaits.remove(wait.key, thread);
  const parked = parkedState(thread.process);
  if (parked !== undefined) thread.state = parked;
  else {
    thread.state = 'ready';
    k.sched.enqueue(thread, k.instructions);
  }
}

/** Finishes a blocked thread's call with `result` (pc past the ecall) and makes it runnable. */
export function complete(k: KernelState, thread: Thread, result: number): void {
  if (thread.state !== 'blocked' || thread.wait === undefined)
    assert(false, `complete a thread that is ${thread.state}`);
  if (thread.wait.deadline >= 0) k.timers.remove(thread);
  thread.spareWait = thread.wait; // the call is over: no handler reads this record again
  thread.wait = undefined;
  if (k.onHart === thread) {
    k.hart.x[10] = result;
    k.hart.pc = (k.hart.pc + 4) | 0;
  } else {
    thread.regs[10] = result;
    thread.pc = (thread.pc + 4) | 0;
  }
  const parked = parkedState(thread.process);
  if (parked !== undefined) {
    thread.state = parked;
    return;
  }
  thread.state = 'ready';
  if (k.handoffTo === undefined && thread.level <= k.sched.bestLevel()) k.handoffTo = thread;
  else k.sched.enqueue(thread, k.instructions);
}

/**
 * Hands an IPC result to the longest waiter on `key`: `deliver` writes it into that thread's
 * buffers and the thread's call completes (returning 0) without running again. When `deliver`
 * refuses, the thread is woken to run its call again (and meet the error itself).
 */
export function deliverToWaiter(
  k: KernelState,
  key: string,
  deliver: (space: CapSpace, tid: number) => boolean,
): boolean {
  const waiter = k.ipcWaits.takeFirst(key);
  if (waiter === undefined) return false;
  k.delivering = waiter;
  const taken = deliver(waiter.process.caps, waiter.tid);
  k.delivering = undefined;
  if (!taken) {
    wake(k, waiter, 'event');
    return false;
  }
  complete(k, waiter, 0);
  return true;
}

/** Completes the call of `thread`, the first waiter at IPC wait point `at` (the IPC fastpath). */
export function completeWaiter(k: KernelState, thread: Thread, result: number, at: WaitPoint): void {
  const wait = thread.wait;
  assert(
    wait !== undefined && wait.key === at.key && k.ipcWaits.takeFirstAt(at) === thread,
    'fastpath waiter not first in line',
  );
  complete(k, thread, result);
}

/** Wakes every thread waiting on IPC key `key` (their calls run again). */
export function wakeAll(k: KernelState, key: string): void {
  for (let t = k.ipcWaits.takeFirst(key); t !== undefined; t = k.ipcWaits.takeFirst(key)) wake(k, t, 'event');
}

export function expireTimers(k: KernelState): void {
  if (k.timers.size === 0) return;
  for (const thread of k.timers.expire(k.now())) wake(k, thread, 'timeout');
}

/** A blocked thread stops waiting (a signal came): its call is ended or run again on delivery. */
export function interrupt(k: KernelState, thread: Thread): void {
  const wait = thread.wait;
  if (thread.state !== 'blocked' || wait === undefined) return;
  wake(k, thread, 'event');
  wait.woken = undefined;
  if (wait.kind === 'page') {
    thread.wait = thread.callWait; // the access retries (in the call it was in, if any)
    thread.callWait = undefined;
  }
}

/** Wakes every thread blocked reading fd 0 (input arrived or ended). */
export function inputArrived(k: KernelState): void {
  for (const t of k.threads.values())
    if (t.state === 'blocked' && t.wait?.kind === 'read') wake(k, t, 'event');
}

/** True when some thread waits for console input. */
export function wantsInput(k: KernelState): boolean {
  for (const t of k.threads.values()) if (t.state === 'blocked' && t.wait?.kind === 'read') return true;
  return false;
}
