// Replay protection for datagrams: a sliding window over one sender's sequence numbers (as IPsec
// does). A sequence number is accepted once; one older than the window is refused.
import { REPLAY_WINDOW } from './limits.js';

export class ReplayWindow {
  private highest = -1;
  private readonly seen: Uint8Array;
  constructor(private readonly size = REPLAY_WINDOW) {
    this.seen = new Uint8Array(size);
  }

  /** Records `seq` and returns true if it is new; false for a replay or one too old. */
  accept(seq: number): boolean {
    if (seq > this.highest) {
      const gap = seq - this.highest;
      if (gap >= this.size) this.seen.fill(0);
      else for (let s = this.highest + 1; s < seq; s++) this.seen[s % this.size] = 0;
      this.highest = seq;
      this.seen[seq % this.size] = 1;
      return true;
    }
    if (this.highest - seq >= this.size) return false;
    const i = seq % this.size;
    if (this.seen[i]) return false;
    this.seen[i] = 1;
    return true;
  }
}
