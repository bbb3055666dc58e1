// The dissemination queue: at most one pending update per member (a newer one replaces an older),
// each piggybacked at most `limit` times; selection takes the least-sent first and, among equals,
// the most recently queued at that count first, until the message's byte budget is spent (SWIM's
// infection-style dissemination). Entries live in one array per transmit count, with lazy
// deletion, so taking costs about the number of updates taken, not the queue length.

import type { NodeId } from '../../net/node-id.js';
import { MAX_BROADCAST_QUEUE, MAX_UPDATES_PER_MESSAGE } from './limits.js';
import { type Update, updateBytes } from './messages.js';

interface Entry {
  readonly update: Update;
  readonly bytes: number;
  transmits: number;
  /** False once replaced, dropped, moved to the next level or sent its last time. */
  live: boolean;
}

/** Smallest encoded update (updateBytes of a suspect/dead/left). */
const MIN_UPDATE_BYTES = 16;

export class BroadcastQueue {
  private readonly byNode = new Map<NodeId, Entry>();
  /** levels[t]: entries sent t times, oldest first (dead entries skipped and compacted lazily). */
  private readonly levels: Entry[][] = [];
  private readonly deadInLevel: number[] = [];

  get size(): number {
    return this.byNode.size;
  }

  /** Queues `update`, replacing any pending update about the same member. */
  add(update: Update): void {
    const old = this.byNode.get(update.node);
    if (old !== undefined) this.kill(old);
    else if (this.byNode.size >= MAX_BROADCAST_QUEUE) this.dropMostSent();
    const e: Entry = { update, bytes: updateBytes(update), transmits: 0, live: true };
    this.byNode.set(update.node, e);
    this.level(0).push(e);
  }

  /** Pending update about `node`, if any. */
  pending(node: NodeId): Update | undefined {
    return this.byNode.get(node)?.update;
  }

  /**
   * Takes updates for one message: least-sent first, then most recent; at most `maxBytes`
   * (estimated) and MAX_UPDATES_PER_MESSAGE. Each taken update counts one transmit and leaves the
   * queue once it reached `limit`. `first` (the buddy-system suspicion) goes ahead of the rest.
   */
  take(maxBytes: number, limit: number, first?: Update): Update[] {
    const out: Update[] = [];
    let bytes = 0;
    if (first !== undefined) {
      out.push(first);
      bytes += updateBytes(first);
    }
    if (this.byNode.size === 0) return out;
    const taken: Entry[] = [];
    scan: for (let t = 0; t < this.levels.length; t++) {
      const arr = this.levels[t] as Entry[];
      while (arr.length > 0 && !(arr[arr.length - 1] as Entry).live) {
        arr.pop();
        this.deadInLevel[t] = Math.max(0, (this.deadInLevel[t] ?? 0) - 1);
      }
      for (let i = arr.length - 1; i >= 0; i--) {
        if (out.length >= MAX_UPDATES_PER_MESSAGE || maxBytes - bytes < MIN_UPDATE_BYTES) break scan;
        const e = arr[i] as Entry;
        if (!e.live || bytes + e.bytes > maxBytes || e.update === first) continue;
        out.push(e.update);
        bytes += e.bytes;
        taken.push(e);
      }
    }
    for (const e of taken) {
      this.kill(e);
      if (e.transmits + 1 >= limit) continue;
      const moved: Entry = { update: e.update, bytes: e.bytes, transmits: e.transmits + 1, live: true };
      this.byNode.set(e.update.node, moved);
      this.level(moved.transmits).push(moved);
    }
    return out;
  }

  private level(t: number): Entry[] {
    while (this.levels.length <= t) {
      this.levels.push([]);
      this.deadInLevel.push(0);
    }
    return this.levels[t] as Entry[];
  }

  /** Marks an entry gone; compacts its level when most of it is dead. */
  private kill(e: Entry): void {
    e.live = false;
    if (this.byNode.get(e.update.node) === e) this.byNode.delete(e.update.node);
    const t = e.transmits;
    const dead = (this.deadInLevel[t] ?? 0) + 1;
    const arr = this.levels[t] as Entry[];
    if (dead * 2 > arr.length && arr.length > 8) {
      this.levels[t] = arr.filter((x) => x.live);
      this.deadInLevel[t] = 0;
    } else this.deadInLevel[t] = dead;
  }

  private dropMostSent(): void {
    for (let t = this.levels.length - 1; t >= 0; t--) {
      for (const e of this.levels[t] as Entry[]) {
        if (e.live) {
          this.kill(e);
          return;
        }
      }
    }
  }
}
