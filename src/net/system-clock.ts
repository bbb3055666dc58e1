// The host's Clock for the real transports (an I/O edge, DESIGN.md §3): performance.now() and
// unref'd timers, so a pending keepalive never holds the process open.
import type { Clock, Timer } from './clock.js';

export const systemClock: Clock = {
  now: () => performance.now(),
  setTimer(delayMs: number, fn: () => void): Timer {
    const t = setTimeout(fn, Math.max(0, delayMs));
    t.unref();
    return { cancel: () => clearTimeout(t) };
  },
};
