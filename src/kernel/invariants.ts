// The kernel invariant checker: walks the kernel's state and throws KernelInvariantError naming the
// first rule broken. The kernel's tests run it after every slice and trap (Kernel.afterEachStep);
// nothing in the kernel calls it, so it costs nothing when off. The rules:
// - threads: each live thread is in exactly one place — the run queue (ready; or the hand-off slot),
//   the hart (running), the wait queue its wait record names (blocked), or none (suspended) — and
//   has a timer exactly when its wait has a deadline; queues hold no thread the kernel forgot;
// - frames: each frame's reference count equals its holders — address spaces (root, page tables,
//   mapped pages), the program image cache and shared memory objects; a frame nobody holds is free;
// - capabilities: each slot's capability names that slot and space, is not deleted, and sits in a
//   consistent derivation tree; a port's receive right is held by the space the port names as
//   receiver, at most once; port sets and their ports point at each other;
// - replies: a reply object in the table belongs to a live thread whose wait record names it, and
//   every thread waiting for a reply has its object in the table;
// - baseline: once no program is alive, the image cache holds nothing (every frame in use belongs to
//   a live system task's address space or a shared object a task holds).
import type { FrameAllocator } from './frames.js';
import type { FutexTable } from './futex.js';
import type { ImageCache } from './image-cache.js';
import type { Capability, CapSpace } from './ipc/cspace.js';
import { replyKey } from './ipc/ipc.js';
import { RIGHT_RECEIVE } from './ipc/limits.js';
import { type Message, Port, PortSet, type Reply } from './ipc/objects.js';
import { WAIT_QUEUES_EMPTY_KEPT } from './limits.js';
import { IPC_WAITS, type Process, type Thread, type WaitRecord } from './proc.js';
import type { Scheduler } from './sched.js';
import { SharedMemory } from './shm.js';
import type { Timers } from './timers.js';

/** What the checker reads: the kernel's tables and queues (Kernel.inspect()). */
export interface InvariantView {
  readonly threads: ReadonlyMap<number, Thread>;
  readonly processes: ReadonlyMap<number, Process>;
  isTask(pid: number): boolean;
  readonly sched: Scheduler;
  readonly futexes: FutexTable;
  readonly ipcWaits: FutexTable;
  readonly timers: Timers;
  readonly current: Thread | undefined;
  readonly onHart: Thread | undefined;
  readonly handoffTo: Thread | undefined;
  readonly replies: ReadonlyMap<number, Reply>;
  readonly frames: FrameAllocator;
  readonly images: ImageCache;
}

export class KernelInvariantError extends Error {
  override readonly name = 'KernelInvariantError';
}

function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new KernelInvariantError(`kernel invariant: ${message}`);
}

/**
 * Checks every rule; throws KernelInvariantError for the first one broken. `frames: false` skips
 * the frame count (a walk of every page table and frame: the costly part).
 */
export function checkInvariants(k: InvariantView, options: { frames?: boolean } = {}): void {
  checkThreads(k);
  checkReplies(k);
  const shared = checkCapabilities(k);
  if (options.frames !== false) checkFrames(k, shared);
}

/** How many times each thread appears across a set of queues, and under which key. */
function placesOf(table: FutexTable, where: Map<Thread, string[]>): void {
  check(table.emptyQueues <= WAIT_QUEUES_EMPTY_KEPT, `${table.emptyQueues} empty wait queues kept`);
  for (const [key, queue] of table.entries()) {
    for (const t of queue) where.set(t, [...(where.get(t) ?? []), key]);
  }
}

function checkThreads(k: InvariantView): void {
  const queued = new Map<Thread, number>();
  for (const t of k.sched.queued()) queued.set(t, (queued.get(t) ?? 0) + 1);
  check(queued.size === k.sched.size, `run queue counts ${k.sched.size} threads but holds ${queued.size}`);
  const futexWaits = new Map<Thread, string[]>();
  placesOf(k.futexes, futexWaits);
  const ipcWaits = new Map<Thread, string[]>();
  placesOf(k.ipcWaits, ipcWaits);
  const timed = new Set(k.timers.list());
  check(timed.size === k.timers.list().length, 'a thread has two timers');

  for (const set of [queued.keys(), futexWaits.keys(), ipcWaits.keys(), timed.values()])
    for (const t of set)
      check(k.threads.get(t.tid) === t, `thread ${t.tid} is queued but not in the thread table`);
  for (const t of [k.current, k.onHart, k.handoffTo])
    if (t !== undefined)
      check(k.threads.get(t.tid) === t, `thread ${t.tid} on the hart but not in the table`);

  for (const [tid, t] of k.threads) {
    const name = `thread ${tid} (${t.state})`;
    check(t.tid === tid, `${name} filed under another id`);
    check(t.process.alive && t.process.threads.includes(t), `${name} belongs to no live process`);
    check(t.state !== 'zombie' && t.state !== 'new', `${name} in the thread table`);
    const inRun = queued.get(t) ?? 0;
    const futex = futexWaits.get(t) ?? [];
    const ipc = ipcWaits.get(t) ?? [];
    check(inRun <= 1, `${name} queued ${inRun} times`);
    check(
      t.callWait === undefined || t.wait?.kind === 'page',
      `${name} keeps a call record aside outside a page wait`,
    );
    check(t.state === 'running' ? k.current === t : k.current !== t, `${name}: current thread mismatch`);
    if (t.state === 'ready')
      check(inRun + (k.handoffTo === t ? 1 : 0) === 1, `${name} not runnable exactly once`);
    else check(inRun === 0 && k.handoffTo !== t, `${name} in the run queue`);
    if (t.state === 'blocked') {
      const w = t.wait;
      check(w !== undefined && w.woken === undefined, `${name} without a pending wait record`);
      const expectFutex = w.kind === 'futex' ? [w.key] : [];
      const expectIpc = IPC_WAITS.has(w.kind) ? [w.key] : [];
      check(same(futex, expectFutex), `${name} waits ${w.kind} but is on futex queues [${futex}]`);
      check(same(ipc, expectIpc), `${name} waits ${w.kind} ${w.key} but is on IPC queues [${ipc}]`);
      check(timed.has(t) === w.deadline >= 0, `${name}: timer does not match its deadline ${w.deadline}`);
    } else {
      check(futex.length === 0 && ipc.length === 0, `${name} on a wait queue`);
      check(!timed.has(t), `${name} has a timer`);
    }
  }
  for (const p of k.processes.values()) {
    if (!p.alive) {
      for (const t of p.threads)
        check(k.threads.get(t.tid) !== t, `thread ${t.tid} of dead process ${p.pid} kept`);
      continue;
    }
    for (const t of p.threads)
      if (t.state !== 'zombie')
        check(k.threads.get(t.tid) === t, `live thread ${t.tid} missing from the table`);
  }
}

function same(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** The record of the call a thread is in (a post-copy page wait keeps it aside: Thread.callWait). */
function callRecord(t: Thread): WaitRecord | undefined {
  return t.wait?.kind === 'page' ? t.callWait : t.wait;
}

function checkReplies(k: InvariantView): void {
  for (const [id, reply] of k.replies) {
    check(reply.id === id, `reply ${id} filed under another id`);
    const t = k.threads.get(reply.clientTid);
    check(t !== undefined, `reply ${id} for thread ${reply.clientTid}, which is gone`);
    const w = callRecord(t);
    check(
      w?.kind === 'reply' && w.key === replyKey(id),
      `reply ${id}: its client thread ${t.tid} does not wait for it (${t.state}, ${t.wait?.kind})`,
    );
  }
  for (const t of k.threads.values()) {
    const w = callRecord(t);
    if (w?.kind !== 'reply') continue;
    const id = w.object;
    check(k.replies.has(id), `thread ${t.tid} waits for reply ${id}, which is not in the table`);
  }
}

/** Checks capability spaces and the objects they reach; returns the shared memory objects held. */
function checkCapabilities(k: InvariantView): Set<SharedMemory> {
  const receivers = new Map<Port, CapSpace>();
  const shared = new Set<SharedMemory>();
  const seen = new Set<Capability>();
  const visitCaps = (caps: readonly Capability[], where: string): void => {
    for (const c of caps) {
      if (c.object instanceof SharedMemory && !c.deleted) shared.add(c.object);
      if (c.object instanceof Port && !c.deleted) visitPort(c.object);
      check(c.space === undefined, `${where}: a capability in flight sits in a space`);
    }
  };
  const ports = new Set<Port>();
  const visitPort = (port: Port): void => {
    if (ports.has(port)) return;
    ports.add(port);
    check(port.alive || port.queue.length === 0, `dead port ${port.id} keeps messages`);
    if (port.set !== undefined)
      check(port.set.alive && port.set.ports.has(port), `port ${port.id} names a set that does not hold it`);
    for (const m of port.queue) visitMessage(m, `port ${port.id} queue`);
  };
  const visitMessage = (m: Message, where: string): void => visitCaps(m.caps, where);

  for (const p of k.processes.values()) {
    const space = p.caps;
    if (!p.alive) {
      check(space.size === 0, `dead process ${p.pid} holds ${space.size} capabilities`);
      continue;
    }
    check(space.size <= space.limit, `process ${p.pid} holds ${space.size} capabilities over its limit`);
    for (const c of space.values()) {
      const where = `process ${p.pid} slot ${c.slot}`;
      check(c.space === space && space.get(c.slot) === c, `${where}: capability names another slot`);
      check(!c.deleted, `${where}: deleted capability still in its slot`);
      check(
        c.parent === undefined || (c.parent.children.has(c) && !c.parent.deleted),
        `${where}: broken parent link`,
      );
      for (const child of c.children)
        check(child.parent === c && !child.deleted, `${where}: a child is deleted or names another parent`);
      seen.add(c);
      const o = c.object;
      if (o instanceof Port) {
        visitPort(o);
        if (c.has(RIGHT_RECEIVE)) {
          check(o.alive, `${where}: receive right to dead port ${o.id}`);
          check(!receivers.has(o), `port ${o.id} has two receive rights`);
          receivers.set(o, space);
          check(o.receiver === space, `${where}: port ${o.id} names another receiver`);
        }
      } else if (o instanceof PortSet && c.has(RIGHT_RECEIVE)) {
        check(o.alive, `${where}: receive right to dead port set ${o.id}`);
        for (const port of o.ports)
          check(port.set === o, `port set ${o.id} holds port ${port.id}, which names another`);
      } else if (o instanceof SharedMemory) {
        shared.add(o);
      }
    }
    for (const r of p.addressSpace.regions) if (r.shared !== undefined) shared.add(r.shared);
  }
  for (const reply of k.replies.values())
    if (reply.message !== undefined) visitMessage(reply.message, `reply ${reply.id}`);
  for (const s of shared) check(s.held, `shared memory ${s.id} reachable but released`);
  return shared;
}

function checkFrames(k: InvariantView, shared: Set<SharedMemory>): void {
  const expected = new Uint32Array(k.frames.total);
  const count = (frame: number): void => {
    check(frame >= 0 && frame < expected.length, `frame ${frame} outside RAM`);
    expected[frame]!++;
  };
  let programs = 0;
  for (const p of k.processes.values()) {
    if (!p.alive) continue;
    if (!k.isTask(p.pid)) programs++;
    p.addressSpace.forEachFrameHeld(count);
  }
  let cached = 0;
  k.images.forEachFrame((f) => {
    cached++;
    count(f);
  });
  for (const s of shared) for (const f of s.pageFrames) if (f >= 0) count(f);
  let used = 0;
  for (let f = 0; f < expected.length; f++) {
    const refs = k.frames.refCount(f);
    if (refs > 0) used++;
    check(refs === expected[f], `frame ${f} has ${refs} references but ${expected[f]} holders`);
  }
  check(
    used === k.frames.total - k.frames.available,
    `${used} frames referenced but the allocator lends ${k.frames.total - k.frames.available}`,
  );
  if (programs === 0) check(cached === 0, `no program alive but the image cache holds ${cached} frames`);
}
