// A virtual Clock for the simulator and tests: time moves only when advanced, timers fire in
// (time, creation order) order, so a run is the same every time.
import type { Clock, Timer } from './clock.js';

interface Entry {
  at: number;
  seq: number;
  fn: (() => void) | undefined;
}

export class VirtualClock implements Clock {
  private time = 0;
  private seq = 0;
  private heap: Entry[] = [];

  now(): number {
    return this.time;
  }

  setTimer(delayMs: number, fn: () => void): Timer {
    const e: Entry = { at: this.time + Math.max(0, delayMs), seq: this.seq++, fn };
    this.push(e);
    return {
      cancel: () => {
        e.fn = undefined;
      },
    };
  }

  /** Timers pending (cancelled ones included until they reach the front). */
  get pending(): number {
    return this.heap.length;
  }

  /** Runs the next timer, advancing time to it; false if none is left. */
  step(): boolean {
    const e = this.pop();
    if (!e) return false;
    this.time = Math.max(this.time, e.at);
    e.fn?.();
    return true;
  }

  /** Runs every timer due within `ms` from now, then sets time to now + ms. */
  advance(ms: number): void {
    const end = this.time + ms;
    while (this.heap.length > 0 && (this.heap[0] as Entry).at <= end) this.step();
    this.time = end;
  }

  /** Steps until `done()` holds; false if `maxMs` of virtual time passed or timers ran out first. */
  runUntil(done: () => boolean, maxMs: number): boolean {
    const end = this.time + maxMs;
    while (!done()) {
      const next = this.heap[0];
      if (!next || next.at > end) return false;
      this.step();
    }
    return true;
  }

  private push(e: Entry): void {
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(e, h[p] as Entry)) break;
      h[i] = h[p] as Entry;
      i = p;
    }
    h[i] = e;
  }

  private pop(): Entry | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= h.length) break;
        const r = l + 1;
        const c = r < h.length && before(h[r] as Entry, h[l] as Entry) ? r : l;
        if (!before(h[c] as Entry, last)) break;
        h[i] = h[c] as Entry;
        i = c;
      }
      h[i] = last;
    }
    return top;
  }
}

const before = (a: Entry, b: Entry): boolean => a.at < b.at || (a.at === b.at && a.seq < b.seq);
