// The dissemination queue: at most one pending update per member (a newer one replaces an older),
// each piggybacked at most `limit` times; selection takes the least-sent first, newest first among
// equals, until the message's byte budget is spent (SWIM's infection-style dissemination).

import type { NodeId } from '../../net/node-id.js';
import { MAX_BROADCAST_QUEUE, MAX_UPDATES_PER_MESSAGE } from './limits.js';
import { type Update, updateBytes } from './messages.js';

interface Entry {
  readonly update: Update;
  readonly bytes: number;
  /** Insertion order; larger is newer. */
  readonly order: number;
  transmits: number;
}

export class BroadcastQueue {
  private readonly entries = new Map<NodeId, Entry>();
  private counter = 0;

  get size(): number {
    return this.entries.size;
  }

  /** Queues `update`, replacing any pending update about the same member. */
  add(update: Update): void {
    this.entries.delete(update.node);
    if (this.entries.size >= MAX_BROADCAST_QUEUE) this.dropMostSent();
    this.entries.set(update.node, { update, bytes: updateBytes(update), order: this.counter++, transmits: 0 });
  }

  /** Pending update about `node`, if any. */
  pending(node: NodeId): Update | undefined {
    return this.entries.get(node)?.update;
  }

  /**
   * Takes updates for one message: least-sent first, then newest; at most `maxBytes` (estimated)
   * and MAX_UPDATES_PER_MESSAGE. Each taken update counts one transmit and leaves the queue once
   * it reached `limit`. `first` (the buddy-system suspicion) goes ahead of the rest.
   */
  take(maxBytes: number, limit: number, first?: Update): Update[] {
    const out: Update[] = [];
    let bytes = 0;
    if (first !== undefined) {
      out.push(first);
      bytes += updateBytes(first);
    }
    if (this.entries.size === 0) return out;
    const sorted = [...this.entries.values()].sort((a, b) => a.transmits - b.transmits || b.order - a.order);
    for (const e of sorted) {
      if (out.length >= MAX_UPDATES_PER_MESSAGE) break;
      if (bytes + e.bytes > maxBytes) continue;
      if (first !== undefined && e.update === first) continue;
      out.push(e.update);
      bytes += e.bytes;
      e.transmits++;
      if (e.transmits >= limit) this.entries.delete(e.update.node);
    }
    return out;
  }

  private dropMostSent(): void {
    let worst: Entry | undefined;
    for (const e of this.entries.values())
      if (worst === undefined || e.transmits > worst.transmits || (e.transmits === worst.transmits && e.order < worst.order))
        worst = e;
    if (worst !== undefined) this.entries.delete(worst.update.node);
  }
}
