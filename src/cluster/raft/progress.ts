// The leader's view of one follower: how far its log matches (match), what to send next (next), and
// the flow-control state: probe (one append at a time until we find where logs agree), replicate
// (stream appends, at most MAX_INFLIGHT_APPENDS / bytes in flight), snapshot (waiting for an install).

export type ProgressState = 'probe' | 'replicate' | 'snapshot';

/** A bounded window of in-flight appends, identified by their last index. */
export class Inflights {
  private readonly items: { index: number; bytes: number }[] = [];
  private bytes = 0;
  constructor(
    readonly maxCount: number,
    readonly maxBytes: number,
  ) {}
  add(index: number, bytes: number): void {
    this.items.push({ index, bytes });
    this.bytes += bytes;
  }
  /** Frees every append whose last index is <= `index` (acknowledged). */
  freeLE(index: number): void {
    while (this.items.length > 0 && (this.items[0] as { index: number }).index <= index) {
      this.bytes -= (this.items.shift() as { bytes: number }).bytes;
    }
  }
  freeFirstOne(): void {
    const first = this.items[0];
    if (first) this.freeLE(first.index);
  }
  full(): boolean {
    return this.items.length >= this.maxCount || this.bytes >= this.maxBytes;
  }
  count(): number {
    return this.items.length;
  }
  reset(): void {
    this.items.length = 0;
    this.bytes = 0;
  }
}

export class Progress {
  match = 0;
  next: number;
  state: ProgressState = 'probe';
  /** In probe state: an append was sent and no answer came yet. */
  probeSent = false;
  /** In snapshot state: the index of the snapshot being installed; ticks spent waiting. */
  pendingSnapshot = 0;
  snapshotTicks = 0;
  /** Heard from since the last check-quorum round. */
  recentActive = true;
  readonly inflights: Inflights;

  constructor(next: number, maxInflight: number, maxInflightBytes: number) {
    this.next = next;
    this.inflights = new Inflights(maxInflight, maxInflightBytes);
  }

  private resetState(state: ProgressState): void {
    this.state = state;
    this.probeSent = false;
    this.pendingSnapshot = 0;
    this.snapshotTicks = 0;
    this.inflights.reset();
  }

  becomeProbe(): void {
    if (this.state === 'snapshot') {
      const pending = this.pendingSnapshot;
      this.resetState('probe');
      this.next = Math.max(this.match + 1, pending + 1);
    } else {
      this.resetState('probe');
      this.next = this.match + 1;
    }
  }

  becomeReplicate(): void {
    this.resetState('replicate');
    this.next = this.match + 1;
  }

  becomeSnapshot(index: number): void {
    this.resetState('snapshot');
    this.pendingSnapshot = index;
  }

  /** An acknowledgement up to `index`; returns whether match moved. */
  maybeUpdate(index: number): boolean {
    let updated = false;
    if (this.match < index) {
      this.match = index;
      updated = true;
      this.probeSent = false;
    }
    this.next = Math.max(this.next, index + 1);
    return updated;
  }

  /**
   * A rejection of the append at `rejected`; `hint` is where the follower's log may match.
   * Returns false when the rejection is stale (answers an older append).
   */
  maybeDecrTo(rejected: number, hint: number): boolean {
    if (this.state === 'replicate') {
      if (rejected <= this.match) return false;
      this.next = this.match + 1;
      return true;
    }
    if (this.next - 1 !== rejected) return false;
    this.next = Math.max(Math.min(rejected, hint + 1), this.match + 1, 1);
    this.probeSent = false;
    return true;
  }

  /** Appends were sent up to `last` (count entries, bytes payload). */
  sentEntries(last: number, count: number, bytes: number): void {
    if (this.state === 'replicate') {
      if (count > 0) {
        this.next = last + 1;
        this.inflights.add(last, bytes);
      }
    } else if (this.state === 'probe') {
      this.probeSent = true;
    }
  }

  isPaused(): boolean {
    switch (this.state) {
      case 'probe':
        return this.probeSent;
      case 'replicate':
        return this.inflights.full();
      case 'snapshot':
        return true;
    }
  }
}
