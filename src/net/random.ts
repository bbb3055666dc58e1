// Randomness for the distributed layers (DESIGN.md §3). Protocol code takes a Random as a
// parameter; the simulator seeds it so a run is reproducible, the daemon seeds it from node:crypto.

export interface Random {
  /** A uniformly distributed unsigned 32-bit integer. */
  uint32(): number;
}

/** A uniform float in [0, 1). */
export function randomFloat(random: Random): number {
  return random.uint32() / 2 ** 32;
}

/** A uniform integer in [0, n). `n` must be a positive integer <= 2^32. */
export function randomBelow(random: Random, n: number): number {
  return Math.floor(randomFloat(random) * n);
}

/** A value in [base * (1 - fraction), base * (1 + fraction)): jitter for timeouts and backoff. */
export function jitter(random: Random, base: number, fraction: number): number {
  return base * (1 - fraction + 2 * fraction * randomFloat(random));
}

/** Fisher-Yates shuffle in place; returns `items`. */
export function shuffle<T>(random: Random, items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = randomBelow(random, i + 1);
    const a = items[i] as T;
    items[i] = items[j] as T;
    items[j] = a;
  }
  return items;
}

/**
 * A deterministic generator (SplitMix32-style mixing of a Weyl sequence): fast, no allocation, good
 * enough for protocol jitter and simulation. Same seed, same sequence, on every platform.
 */
export class SeededRandom implements Random {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  uint32(): number {
    this.state = (this.state + 0x9e3779b9) | 0;
    let z = this.state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  }
  /** An independent generator derived from this one (for a sub-component). */
  fork(): SeededRandom {
    return new SeededRandom(this.uint32());
  }
}
