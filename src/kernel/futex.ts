// Futex wait queues, keyed as Linux keys them: a private futex by (process, virtual address), a
// shared one by the physical location of the word, so processes sharing memory meet on it.
// The queues are an index over the threads' wait records: a restore rebuilds them from those.
import { WAIT_QUEUES_EMPTY_KEPT } from './limits.js';
import type { Process, Thread } from './proc.js';

/**
 * The queue key of the futex word at `addr` (RAM offset `ramOffset`): by physical location when it
 * lies in shared memory and the call is not FUTEX_PRIVATE, else by (process, address) — as Linux
 * keys a futex in private memory by (mm, address) either way.
 */
export function futexKey(p: Process, addr: number, isPrivate: boolean, ramOffset: number): string {
  if (!isPrivate && ramOffset >= 0 && p.addressSpace.findRegion(addr)?.shared !== undefined) {
    return `s${ramOffset}`;
  }
  return `p${p.pid}:${addr >>> 0}`;
}

/**
 * A place threads wait on (a port's receivers, a reply's client) with its queue cached: the IPC
 * fastpath reaches the queue without a Map lookup. The cache holds while no sweep dropped queues
 * (FutexTable.generation); a point is used with one table only (its kernel's IPC waits).
 */
export class WaitPoint {
  queue: Thread[] | undefined = undefined;
  generation = -1;
  constructor(readonly key: string) {}
}

/**
 * Wait queues by key. A queue that empties stays under its key (a port, a pooled reply, a futex
 * word is waited on again and again: no Map delete and insert per wait) until more than
 * WAIT_QUEUES_EMPTY_KEPT are empty; then every empty queue is dropped at once.
 */
export class FutexTable {
  private readonly queues = new Map<string, Thread[]>();
  /** How many queues in the map are empty. */
  private empties = 0;
  /** Counts sweeps that dropped queues: a WaitPoint's cached queue from an older one is stale. */
  private generation = 0;

  private emptied(): void {
    this.empties++;
    if (this.empties <= WAIT_QUEUES_EMPTY_KEPT) return;
    for (const [key, queue] of this.queues) if (queue.length === 0) this.queues.delete(key);
    this.empties = 0;
    this.generation++;
  }

  /** The queue of `p` (cached on it), or undefined when there is none. */
  private at(p: WaitPoint): Thread[] | undefined {
    if (p.generation === this.generation && p.queue !== undefined) return p.queue;
    const queue = this.queues.get(p.key);
    if (queue !== undefined) {
      p.queue = queue;
      p.generation = this.generation;
    }
    return queue;
  }

  /** `add` at a wait point. */
  addAt(p: WaitPoint, thread: Thread): void {
    const queue = this.at(p);
    if (queue === undefined) this.add(p.key, thread);
    else {
      if (queue.length === 0) this.empties--;
      queue.push(thread);
    }
  }

  /** `first` at a wait point. */
  firstAt(p: WaitPoint): Thread | undefined {
    return this.at(p)?.[0];
  }

  /** `takeFirst` at a wait point. */
  takeFirstAt(p: WaitPoint): Thread | undefined {
    const queue = this.at(p);
    if (queue === undefined || queue.length === 0) return undefined;
    const first = queue.shift();
    if (queue.length === 0) this.emptied();
    return first;
  }

  add(key: string, thread: Thread): void {
    const queue = this.queues.get(key);
    if (queue === undefined) this.queues.set(key, [thread]);
    else {
      if (queue.length === 0) this.empties--;
      queue.push(thread);
    }
  }

  remove(key: string, thread: Thread): void {
    const queue = this.queues.get(key);
    if (queue === undefined) return;
    const at = queue.indexOf(thread);
    if (at < 0) return;
    queue.splice(at, 1);
    if (queue.length === 0) this.emptied();
  }

  /** Every queue with waiters, and its waiters (for the invariant checker and images). */
  *entries(): IterableIterator<[string, readonly Thread[]]> {
    for (const entry of this.queues) if (entry[1].length > 0) yield entry;
  }

  /** Queues kept empty (the invariant checker: never more than the limit). */
  get emptyQueues(): number {
    return this.empties;
  }

  /** The oldest waiter on `key`, left in place, or undefined. */
  first(key: string): Thread | undefined {
    return this.queues.get(key)?.[0];
  }

  /** Removes and returns the oldest waiter on `key` (no allocation), or undefined. */
  takeFirst(key: string): Thread | undefined {
    const queue = this.queues.get(key);
    if (queue === undefined || queue.length === 0) return undefined;
    const first = queue.shift();
    if (queue.length === 0) this.emptied();
    return first;
  }

  /** Removes and returns up to `n` waiters on `key`, oldest first. */
  take(key: string, n: number): Thread[] {
    const queue = this.queues.get(key);
    if (queue === undefined || queue.length === 0 || n <= 0) return [];
    const woken = queue.splice(0, n);
    if (queue.length === 0) this.emptied();
    return woken;
  }
}
