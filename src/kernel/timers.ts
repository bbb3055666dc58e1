// Deadlines of blocked threads (sleeps and timed waits), kept sorted so the kernel can find the
// next one in O(1) at every slice boundary and jump the virtual clock to it when the node is idle.
import { assert } from './assert.js';
import type { Thread } from './proc.js';

export class Timers {
  private readonly waiting: Thread[] = [];

  get size(): number {
    return this.waiting.length;
  }

  add(thread: Thread): void {
    const deadline = thread.wait?.deadline ?? -1;
    assert(deadline >= 0, `thread ${thread.tid} has no deadline`);
    let at = this.waiting.length;
    while (at > 0 && (this.waiting[at - 1]!.wait?.deadline ?? 0) > deadline) at--;
    this.waiting.splice(at, 0, thread);
  }

  remove(thread: Thread): void {
    const at = this.waiting.indexOf(thread);
    if (at >= 0) this.waiting.splice(at, 1);
  }

  /** The threads with a deadline, earliest first (for the invariant checker). */
  list(): readonly Thread[] {
    return this.waiting;
  }

  /** The earliest deadline, or -1. */
  next(): number {
    return this.waiting[0]?.wait?.deadline ?? -1;
  }

  /** Removes and returns every thread whose deadline is at or before `now`. */
  expire(now: number): Thread[] {
    let n = 0;
    while (n < this.waiting.length && (this.waiting[n]!.wait?.deadline ?? 0) <= now) n++;
    return n === 0 ? [] : this.waiting.splice(0, n);
  }
}
