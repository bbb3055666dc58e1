// One suspicion of a member: when it started, its incarnation, the independent confirmations seen
// so far, and Lifeguard's dynamic deadline that falls from max towards min as confirmations come.

import type { NodeId } from '../../net/node-id.js';
import { suspicionTimeoutMs } from './config.js';

export class Suspicion {
  private readonly confirmers = new Set<NodeId>();
  private deadlineAt: number;
  /** Time the suspecting node itself was stalled (not scheduled): it does not count. */
  private stalledMs = 0;

  /**
   * `firstFrom` is the member whose suspicion started it (not counted as a confirmation);
   * `k` is how many independent confirmations bring the timeout down to `minMs`.
   */
  constructor(
    readonly incarnation: number,
    readonly startedAt: number,
    private readonly firstFrom: NodeId,
    private readonly minMs: number,
    private readonly maxMs: number,
    private readonly k: number,
  ) {
    this.deadlineAt = startedAt + suspicionTimeoutMs(minMs, maxMs, k, 0);
  }

  get deadline(): number {
    return this.deadlineAt;
  }

  get confirmations(): number {
    return this.confirmers.size;
  }

  /** Records an independent confirmation; true when it was new (and so worth re-gossiping). */
  confirm(from: NodeId): boolean {
    if (from === this.firstFrom || this.confirmers.size >= this.k || this.confirmers.has(from)) return false;
    this.confirmers.add(from);
    this.deadlineAt =
      this.startedAt +
      this.stalledMs +
      suspicionTimeoutMs(this.minMs, this.maxMs, this.k, this.confirmers.size);
    return true;
  }

  /** Moves the deadline by `ms` this node was stalled: the suspect gets its whole time to refute. */
  stalled(ms: number): void {
    this.stalledMs += ms;
    this.deadlineAt += ms;
  }
}
