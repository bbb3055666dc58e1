// One simulated node's view of time over the shared VirtualClock: clock drift (the node's clock
// runs `rate` times as fast as true time, so its timers fire early or late), pause (a stalled event
// loop: timers and inputs that come due wait in a backlog and run, in order, on resume), and crash
// (every timer of this incarnation is void). Deterministic: it only schedules on the shared clock.
import type { Clock, Timer } from '../net/clock.js';
import type { VirtualClock } from '../net/virtual-clock.js';

export class NodeClock implements Clock {
  private rate = 1;
  private anchorTrue: number;
  private anchorLocal: number;
  private pausedUntil = -1;
  private backlog: (() => void)[] = [];
  private dead = false;
  /** A timer set for local time T fires with now() >= T, whatever the float rounding of drift. */
  private floor = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly base: VirtualClock,
    private readonly maxBacklog: number,
  ) {
    this.anchorTrue = base.now();
    this.anchorLocal = base.now();
  }

  now(): number {
    return Math.max(this.floor, this.anchorLocal + (this.base.now() - this.anchorTrue) * this.rate);
  }

  setTimer(delayMs: number, fn: () => void): Timer {
    let cancelled = false;
    const target = this.now() + Math.max(0, delayMs);
    const inner = this.base.setTimer(Math.max(0, delayMs) / this.rate, () => {
      if (cancelled) return;
      if (target > this.floor) this.floor = target;
      this.run(fn);
    });
    return {
      cancel: () => {
        cancelled = true;
        inner.cancel();
      },
    };
  }

  /** Runs `fn` as an input to this node: now, or on resume when paused; never after a crash. */
  run(fn: () => void): void {
    if (this.dead) return;
    if (this.paused) {
      if (this.backlog.length < this.maxBacklog) this.backlog.push(fn);
      return; // an overflowing backlog loses input, as a stalled process's socket buffers would
    }
    fn();
  }

  get paused(): boolean {
    return this.base.now() < this.pausedUntil;
  }

  get drift(): number {
    return this.rate;
  }

  /** The node's clock runs `rate` × true time from now on (1: exact). */
  setDrift(rate: number): void {
    this.anchorLocal = this.now();
    this.anchorTrue = this.base.now();
    this.rate = rate;
  }

  /** Stalls the node for `ms` of true time; its backlog runs when the pause ends. */
  pause(ms: number): void {
    const until = this.base.now() + ms;
    if (until <= this.pausedUntil) return;
    this.pausedUntil = until;
    this.base.setTimer(ms, () => {
      if (this.dead || this.paused) return;
      const work = this.backlog;
      this.backlog = [];
      for (const fn of work) this.run(fn);
    });
  }

  /** A crash: nothing scheduled by this incarnation runs any more. */
  kill(): void {
    this.dead = true;
    this.backlog = [];
  }
}
