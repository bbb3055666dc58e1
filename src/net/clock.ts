// Time for the distributed layers (DESIGN.md §3): a monotonic millisecond clock and one-shot timers.
// Protocol code in net/ and cluster/ takes a Clock as a parameter; the daemon hands in the host's
// (real-clock.ts), the simulator a virtual one, so a seed replays a run bit for bit.

/** A pending timer; cancel() is idempotent and safe after it fired. */
export interface Timer {
  cancel(): void;
}

export interface Clock {
  /** Monotonic time in milliseconds (may be fractional). Never goes backwards. */
  now(): number;
  /** Runs `fn` once, `delayMs` (>= 0) from now. */
  setTimer(delayMs: number, fn: () => void): Timer;
}
