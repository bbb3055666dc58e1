// Buffers: a pool of equal-size write buffers reused across flushes, and byte budgets (per link,
// per node) that account queued bytes with a high-water mark, exposed for metrics.
import { assert } from './errors.js';
import { POOL_MAX_FREE } from './limits.js';

/** Counts bytes in use against a limit; a child budget also charges its parent. */
export class ByteBudget {
  inUse = 0;
  highWater = 0;
  constructor(
    readonly limit: number,
    private readonly parent?: ByteBudget,
  ) {}
  /** Takes `n` bytes if they fit here and in every parent; returns whether it did. */
  tryTake(n: number): boolean {
    if (this.inUse + n > this.limit) return false;
    if (this.parent && !this.parent.tryTake(n)) return false;
    this.inUse += n;
    if (this.inUse > this.highWater) this.highWater = this.inUse;
    return true;
  }
  /** Takes `n` bytes even past the limit (re-queueing bytes that were already admitted once). */
  forceTake(n: number): void {
    this.inUse += n;
    if (this.inUse > this.highWater) this.highWater = this.inUse;
    this.parent?.forceTake(n);
  }
  give(n: number): void {
    this.inUse -= n;
    assert(this.inUse >= 0, 'byte budget went negative');
    this.parent?.give(n);
  }
}

/** Fixed-size buffers for write batches; release() returns one for reuse. */
export class BufferPool {
  private readonly free: Uint8Array[] = [];
  allocated = 0;
  reused = 0;
  constructor(
    readonly size: number,
    private readonly maxFree = POOL_MAX_FREE,
  ) {}
  acquire(): Uint8Array {
    const b = this.free.pop();
    if (b) {
      this.reused++;
      return b;
    }
    this.allocated++;
    return new Uint8Array(this.size);
  }
  release(b: Uint8Array): void {
    assert(b.length === this.size, 'foreign buffer released to pool');
    if (this.free.length < this.maxFree) this.free.push(b);
  }
  get freeCount(): number {
    return this.free.length;
  }
}
