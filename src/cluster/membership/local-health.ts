// Lifeguard's Local Health Multiplier (LHM): a saturating counter 0..max that rises when this node
// shows signs of being the slow one (probes that fail without the helpers' nacks to explain them,
// having to refute a suspicion) and falls with every successful probe. Timers scale by LHM + 1.

export class LocalHealth {
  private score = 0;
  constructor(private readonly max: number) {}

  /** Current multiplier score, 0 (healthy) .. max. */
  get value(): number {
    return this.score;
  }

  /** Adds delta (negative to lower), clamped to 0..max. */
  apply(delta: number): void {
    this.score = Math.min(this.max, Math.max(0, this.score + delta));
  }

  /** `ms` scaled by LHM + 1 (Lifeguard's probe interval and timeout). */
  scale(ms: number): number {
    return ms * (this.score + 1);
  }
}
