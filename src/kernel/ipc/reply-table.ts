// The table of live reply objects by id (a client's wait record names its reply by id). A reply
// answered and collected goes back to Ipc's pool; `park` leaves it in the underlying Map, hidden,
// so the next call that takes it from the pool registers it again without a Map delete and insert
// (V8 rebuilds a small Map's backing store on such churn: an allocation per call on the fastpath).
// Everything that reads the table sees only registered replies.
import { REPLY_POOL_MAX } from '../limits.js';
import type { Reply } from './objects.js';

export class ReplyTable implements ReadonlyMap<number, Reply> {
  /** Registered replies and parked (pooled) ones; Reply.inTable tells them apart. */
  private readonly map = new Map<number, Reply>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Hidden entries of parked replies (at most REPLY_POOL_MAX: see park). */
  get parked(): number {
    return this.map.size - this.count;
  }

  get(id: number): Reply | undefined {
    const r = this.map.get(id);
    return r?.inTable ? r : undefined;
  }

  has(id: number): boolean {
    return this.get(id) !== undefined;
  }

  /** Registers `reply` under `id` (replacing any reply registered or parked there). */
  set(id: number, reply: Reply): this {
    if (reply.parked && id === reply.id) {
      // A pooled reply registered again under its own id: its entry is still there (no lookup).
      reply.parked = false;
      reply.inTable = true;
      this.count++;
      return this;
    }
    const old = this.map.get(id);
    if (old !== reply) {
      if (old?.inTable === true) {
        old.inTable = false;
        this.count--;
      }
      if (old !== undefined) old.parked = false;
      this.map.set(id, reply);
    }
    reply.parked = false;
    if (!reply.inTable) {
      reply.inTable = true;
      this.count++;
    }
    return this;
  }

  /** Removes the reply registered under `id`; true when there was one. */
  delete(id: number): boolean {
    const r = this.map.get(id);
    if (r === undefined) return false;
    this.map.delete(id);
    r.parked = false;
    if (!r.inTable) return false;
    r.inTable = false;
    this.count--;
    return true;
  }

  /** Unregisters `reply` but keeps its Map entry for its next registration (it is pooled). */
  park(reply: Reply): void {
    // Registered replies are always under their own id (set's callers pass reply.id).
    if (!reply.inTable || this.map.get(reply.id) !== reply) return;
    reply.inTable = false;
    reply.parked = true;
    this.count--;
    // A pooled reply taken for a call that then failed never comes back: its entry is dropped here.
    if (this.map.size > this.count + REPLY_POOL_MAX) {
      for (const [id, r] of this.map)
        if (!r.inTable) {
          this.map.delete(id);
          r.parked = false;
        }
    }
  }

  *entries(): MapIterator<[number, Reply]> {
    for (const e of this.map) if (e[1].inTable) yield e;
  }

  *keys(): MapIterator<number> {
    for (const [id] of this.entries()) yield id;
  }

  *values(): MapIterator<Reply> {
    for (const [, r] of this.entries()) yield r;
  }

  [Symbol.iterator](): MapIterator<[number, Reply]> {
    return this.entries();
  }

  forEach(fn: (value: Reply, key: number, map: ReadonlyMap<number, Reply>) => void): void {
    for (const [id, r] of this.entries()) fn(r, id, this);
  }
}
