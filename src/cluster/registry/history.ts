// The bounded history of recent registry events that lets a watch start at a past revision. Whole
// revisions are dropped from the front once it holds more than WATCH_HISTORY_MAX events; a watch
// from a dropped revision gets RegistryError('compacted').

import { assert, RegistryError } from './errors.js';
import { WATCH_HISTORY_MAX } from './limits.js';
import type { WatchEvent } from './types.js';

export class EventHistory {
  private events: WatchEvent[] = [];
  private start = 0;
  /** Every event of a revision <= this one has been dropped. */
  compactedRevision = 0;

  constructor(private readonly max = WATCH_HISTORY_MAX) {}

  get length(): number {
    return this.events.length - this.start;
  }

  /** Adds the events of one new revision. */
  add(events: readonly WatchEvent[]): void {
    const last = this.events[this.events.length - 1];
    const revision = events[0]?.revision ?? 0;
    assert(last === undefined || revision > last.revision, 'history revisions increase');
    for (const e of events) {
      assert(e.revision === revision, 'the events added together share one revision');
      this.events.push(e);
    }
    while (this.length > this.max) {
      const dropped = this.events[this.start] as WatchEvent;
      while (
        this.start < this.events.length &&
        (this.events[this.start] as WatchEvent).revision === dropped.revision
      )
        this.start++;
      this.compactedRevision = dropped.revision;
    }
    if (this.start > this.max) {
      this.events = this.events.slice(this.start);
      this.start = 0;
    }
  }

  /** Events of revision >= fromRevision accepted by `matches`, oldest first. */
  since(fromRevision: number, matches: (key: string) => boolean): WatchEvent[] {
    if (!Number.isSafeInteger(fromRevision) || fromRevision < 1)
      throw new RegistryError('invalid-argument', `a watch starts at a revision >= 1, not ${fromRevision}`);
    if (fromRevision <= this.compactedRevision)
      throw new RegistryError(
        'compacted',
        `revision ${fromRevision} is compacted: the history starts at ${this.compactedRevision + 1}`,
      );
    // Binary search for the first event at or after fromRevision.
    let lo = this.start;
    let hi = this.events.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.events[mid] as WatchEvent).revision < fromRevision) lo = mid + 1;
      else hi = mid;
    }
    const out: WatchEvent[] = [];
    for (let i = lo; i < this.events.length; i++) {
      const e = this.events[i] as WatchEvent;
      if (matches(e.key)) out.push(e);
    }
    return out;
  }

  /** Empties the history: revisions up to `revision` count as compacted (after a restore). */
  reset(revision: number): void {
    this.events = [];
    this.start = 0;
    this.compactedRevision = revision;
  }
}
