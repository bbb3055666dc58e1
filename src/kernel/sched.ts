// The scheduler: one FIFO run queue per priority level (nice -20..19), round robin inside a level,
// and aging — a ready thread gains a level for every AGING_INSTRUCTIONS it has waited — so a low
// priority thread still runs under load. Slices are counted in retired instructions by the kernel.
import { assert } from './assert.js';
import { AGING_INSTRUCTIONS, PRIORITY_LEVELS } from './limits.js';
import type { Thread } from './proc.js';

export class Scheduler {
  private readonly queues: Thread[][] = Array.from({ length: PRIORITY_LEVELS }, () => []);
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Puts a ready thread on its level's queue: at the tail, or at the head to keep its turn. */
  enqueue(thread: Thread, now: number, front = false): void {
    // (the messages are built only on failure: this runs on every wake-up)
    if (thread.state !== 'ready') assert(false, `enqueue of a ${thread.state} thread ${thread.tid}`);
    const queue = this.queues[thread.level];
    if (queue === undefined) assert(false, `thread ${thread.tid} has no priority level ${thread.level}`);
    if (queue.includes(thread)) assert(false, `thread ${thread.tid} queued twice`);
    thread.enqueuedAt = now;
    if (front) queue.unshift(thread);
    else queue.push(thread);
    this.count++;
  }

  /** Takes a thread off its queue (it blocked, was suspended, or its priority changes). */
  remove(thread: Thread): boolean {
    const queue = this.queues[thread.level];
    const at = queue === undefined ? -1 : queue.indexOf(thread);
    if (at < 0) return false;
    queue!.splice(at, 1);
    this.count--;
    return true;
  }

  /** Every queued thread, best level first (for the invariant checker). */
  queued(): Thread[] {
    return this.queues.flat();
  }

  /** The thread to run next: the best effective level (level minus aging credit), oldest first. */
  pick(now: number): Thread | undefined {
    if (this.count === 0) return undefined;
    let best: Thread[] | undefined;
    let bestScore = Number.POSITIVE_INFINITY;
    for (let level = 0; level < PRIORITY_LEVELS; level++) {
      const queue = this.queues[level]!;
      const head = queue[0];
      if (head === undefined) continue;
      const score = level - Math.floor((now - head.enqueuedAt) / AGING_INSTRUCTIONS);
      if (score < bestScore) {
        bestScore = score;
        best = queue;
      }
    }
    assert(best !== undefined, 'run queues counted threads but none was found');
    this.count--;
    return best.shift();
  }

  /** The best level among queued threads without aging (to decide on preemption), or Infinity. */
  bestLevel(): number {
    if (this.count === 0) return Number.POSITIVE_INFINITY;
    for (let level = 0; level < PRIORITY_LEVELS; level++) if (this.queues[level]!.length > 0) return level;
    return Number.POSITIVE_INFINITY;
  }
}
