// Futex wait queues, keyed as Linux keys them: a private futex by (process, virtual address), a
// shared one by the physical location of the word, so processes sharing memory meet on it.
// The queues are an index over the threads' wait records: a restore rebuilds them from those.
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

export class FutexTable {
  private readonly queues = new Map<string, Thread[]>();
  /** One emptied queue kept for the next new key (a wait per IPC call needs no new array). */
  private spare: Thread[] | undefined = undefined;

  private drop(key: string, queue: Thread[]): void {
    this.queues.delete(key);
    this.spare = queue;
  }

  add(key: string, thread: Thread): void {
    let queue = this.queues.get(key);
    if (queue === undefined) {
      queue = this.spare ?? [];
      this.spare = undefined;
      this.queues.set(key, queue);
    }
    queue.push(thread);
  }

  remove(key: string, thread: Thread): void {
    const queue = this.queues.get(key);
    if (queue === undefined) return;
    const at = queue.indexOf(thread);
    if (at >= 0) queue.splice(at, 1);
    if (queue.length === 0) this.drop(key, queue);
  }

  /** Every queue and its waiters (for the invariant checker). */
  entries(): IterableIterator<[string, readonly Thread[]]> {
    return this.queues.entries();
  }

  /** Removes and returns the oldest waiter on `key` (no allocation), or undefined. */
  takeFirst(key: string): Thread | undefined {
    const queue = this.queues.get(key);
    if (queue === undefined) return undefined;
    const first = queue.shift();
    if (queue.length === 0) this.drop(key, queue);
    return first;
  }

  /** Removes and returns up to `n` waiters on `key`, oldest first. */
  take(key: string, n: number): Thread[] {
    const queue = this.queues.get(key);
    if (queue === undefined || n <= 0) return [];
    const woken = queue.splice(0, n);
    if (queue.length === 0) this.queues.delete(key);
    return woken;
  }
}
