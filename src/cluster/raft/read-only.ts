// The leader's queue of pending ReadIndex requests (safe mode): each waits for a quorum of voters
// to echo its context in heartbeat answers. A quorum for one request also confirms every earlier
// one, since the leader was still leader after they were recorded.
import type { NodeId } from '../../net/node-id.js';

export interface PendingRead {
  readonly key: string;
  readonly index: number;
  readonly from: NodeId;
  readonly context: Uint8Array;
  readonly acks: Set<NodeId>;
}

const EMPTY = new Uint8Array(0);

function contextKey(context: Uint8Array): string {
  let s = '';
  for (const b of context) s += b.toString(16).padStart(2, '0');
  return s;
}

export class ReadOnlyQueue {
  private pending: PendingRead[] = [];

  size(): number {
    return this.pending.length;
  }

  clear(): void {
    this.pending = [];
  }

  /** Records a read at `index` asked by `from` (the leader has acknowledged it itself). */
  add(self: NodeId, from: NodeId, index: number, context: Uint8Array): void {
    const key = contextKey(context);
    if (this.pending.some((r) => r.key === key)) return; // the same request, already waiting
    this.pending.push({ key, index, from, context, acks: new Set([self]) });
  }

  /** The context heartbeats carry: the latest request's. */
  lastContext(): Uint8Array {
    return this.pending[this.pending.length - 1]?.context ?? EMPTY;
  }

  /**
   * A heartbeat answer from `from` echoing `context`; returns the requests it confirms (in order),
   * once `isConfirmed(acks)` holds for that request.
   */
  ack(from: NodeId, context: Uint8Array, isConfirmed: (acks: ReadonlySet<NodeId>) => boolean): PendingRead[] {
    const key = contextKey(context);
    const at = this.pending.findIndex((r) => r.key === key);
    if (at < 0) return [];
    const read = this.pending[at] as PendingRead;
    read.acks.add(from);
    if (!isConfirmed(read.acks)) return [];
    return this.pending.splice(0, at + 1);
  }
}
