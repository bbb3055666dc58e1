// The Raft log as the core sees it: the last snapshot (the compaction point) plus the entries after
// it, held in memory, with the index up to which they are durable ("stable"), the commit index and
// the applied index. The durable copy is the application's (wal.ts); this is what it fed back.
import { assert } from './assert.js';
import type { ConfState, Entry, Snapshot } from './types.js';

export function entryBytes(e: Entry): number {
  return e.kind === 'normal' ? e.data.length + 16 : 24;
}

export class RaftLog {
  /** The compaction point: entries up to snapshot.index are gone from `entries`. */
  snapshot: Snapshot;
  /** entries[i].index === snapshot.index + 1 + i */
  private entries: Entry[];
  /** Entries up to this index are durable (handed out in a Ready and advanced). */
  stable: number;
  committed: number;
  applied: number;
  /** A snapshot received from the leader and not yet handed to the application. */
  pendingSnapshot: Snapshot | undefined;

  constructor(snapshot: Snapshot, entries: readonly Entry[], committed: number) {
    this.snapshot = snapshot;
    this.entries = [];
    for (const e of entries) if (e.index > snapshot.index) this.entries.push(e);
    this.entries.forEach((e, i) => {
      assert(
        e.index === snapshot.index + 1 + i,
        `log entries are contiguous after the snapshot at ${e.index}`,
      );
    });
    this.stable = this.lastIndex();
    this.committed = Math.max(committed, snapshot.index);
    assert(this.committed <= this.lastIndex(), 'commit index within the log');
    this.applied = snapshot.index;
    this.pendingSnapshot = undefined;
  }

  firstIndex(): number {
    return this.snapshot.index + 1;
  }

  lastIndex(): number {
    return this.snapshot.index + this.entries.length;
  }

  lastTerm(): number {
    return this.term(this.lastIndex()) ?? 0;
  }

  /** The term of entry `i`, or undefined when it is compacted away or beyond the end. */
  term(i: number): number | undefined {
    if (i === this.snapshot.index) return this.snapshot.term;
    if (i < this.snapshot.index || i > this.lastIndex()) return undefined;
    return this.entries[i - this.firstIndex()]?.term;
  }

  matchTerm(i: number, term: number): boolean {
    return this.term(i) === term;
  }

  /** Entries [lo, hi) limited to `maxBytes` (at least one) and `maxCount`, or undefined if lo is compacted. */
  slice(
    lo: number,
    hi: number,
    maxBytes = Number.POSITIVE_INFINITY,
    maxCount = Number.MAX_SAFE_INTEGER,
  ): Entry[] | undefined {
    if (lo < this.firstIndex()) return undefined;
    hi = Math.min(hi, this.lastIndex() + 1);
    const out: Entry[] = [];
    let bytes = 0;
    for (let i = lo; i < hi && out.length < maxCount; i++) {
      const e = this.entries[i - this.firstIndex()] as Entry;
      bytes += entryBytes(e);
      if (out.length > 0 && bytes > maxBytes) break;
      out.push(e);
    }
    return out;
  }

  /** Candidate's log (lastIndex, lastTerm) is at least as up to date as ours (Raft §5.4.1). */
  isUpToDate(index: number, term: number): boolean {
    const lastTerm = this.lastTerm();
    return term > lastTerm || (term === lastTerm && index >= this.lastIndex());
  }

  /**
   * A follower's append: if our log holds (index, logTerm), append `entries` (cutting any conflicting
   * suffix), advance the commit index to min(commit, last new), and return the last new index.
   */
  maybeAppend(index: number, logTerm: number, commit: number, entries: readonly Entry[]): number | undefined {
    if (!this.matchTerm(index, logTerm)) return undefined;
    const lastNew = index + entries.length;
    const conflict = this.findConflict(entries);
    if (conflict !== 0) {
      assert(
        conflict > this.committed,
        `entry ${conflict} conflicts with committed entry (commit ${this.committed})`,
      );
      const first = entries[0] as Entry;
      this.append(entries.slice(conflict - first.index));
    }
    this.commitTo(Math.min(commit, lastNew));
    return lastNew;
  }

  /** True when one of `entries` has another term than our committed entry at its index. */
  conflictsWithCommitted(entries: readonly Entry[]): boolean {
    for (const e of entries) {
      if (e.index > this.committed) return false;
      if (e.index > this.snapshot.index && !this.matchTerm(e.index, e.term)) return true;
    }
    return false;
  }

  /** The first entry of `entries` that is not in our log with the same term, or 0. */
  private findConflict(entries: readonly Entry[]): number {
    for (const e of entries) {
      if (e.index <= this.snapshot.index) continue; // compacted entries are committed, so they match
      if (!this.matchTerm(e.index, e.term)) return e.index;
    }
    return 0;
  }

  /** Appends entries, replacing any suffix from the first one's index; returns the last index. */
  append(entries: readonly Entry[]): number {
    if (entries.length === 0) return this.lastIndex();
    const after = (entries[0] as Entry).index;
    assert(
      after > this.committed,
      `append at ${after} would overwrite committed entries (commit ${this.committed})`,
    );
    assert(after <= this.lastIndex() + 1, `append at ${after} leaves a gap after ${this.lastIndex()}`);
    this.entries.length = after - this.firstIndex();
    for (const e of entries) {
      assert(e.index === this.lastIndex() + 1, 'appended entries are contiguous');
      this.entries.push(e);
    }
    this.stable = Math.min(this.stable, after - 1);
    return this.lastIndex();
  }

  /**
   * The last index at or below `index` whose term is <= `term`, with that term (etcd's
   * findConflictByTerm): lets a rejected leader skip a whole term of mismatching entries at once.
   */
  findConflictByTerm(index: number, term: number): [number, number] {
    for (;;) {
      const t = this.term(index);
      if (t === undefined) return [index, 0];
      if (t <= term) return [index, t];
      index--;
    }
  }

  commitTo(index: number): void {
    if (index <= this.committed) return; // commit never decreases
    assert(index <= this.lastIndex(), `commit ${index} beyond the last index ${this.lastIndex()}`);
    this.committed = index;
  }

  /** Entries not yet handed out as durable. */
  unstableEntries(): Entry[] {
    return this.slice(this.stable + 1, this.lastIndex() + 1) ?? [];
  }

  stableTo(index: number): void {
    if (index > this.stable && index <= this.lastIndex()) this.stable = index;
  }

  /** Committed entries the application has not been handed yet (at most `max`). */
  nextCommitted(max: number): Entry[] {
    const lo = Math.max(this.applied + 1, this.firstIndex());
    return this.slice(lo, this.committed + 1, Number.POSITIVE_INFINITY, max) ?? [];
  }

  appliedTo(index: number): void {
    assert(index <= this.committed, `applied ${index} beyond commit ${this.committed}`);
    if (index > this.applied) this.applied = index;
  }

  /** Replaces the whole log by a snapshot from the leader. */
  restore(snapshot: Snapshot): void {
    assert(snapshot.index > this.committed, 'a restored snapshot is ahead of our commit index');
    this.snapshot = snapshot;
    this.entries = [];
    this.committed = snapshot.index;
    this.stable = snapshot.index;
    this.pendingSnapshot = snapshot;
  }

  /** Drops entries up to a snapshot the application made at or below its applied index. */
  compact(snapshot: Snapshot): void {
    assert(snapshot.index <= this.applied, 'compact only applied entries');
    assert(snapshot.index >= this.snapshot.index, 'compaction moves forward');
    assert(this.term(snapshot.index) === snapshot.term, 'snapshot term matches the log');
    this.entries = this.entries.slice(snapshot.index - this.snapshot.index);
    this.snapshot = snapshot;
  }
}

export function emptySnapshot(conf: ConfState): Snapshot {
  return { index: 0, term: 0, conf, data: new Uint8Array(0) };
}
