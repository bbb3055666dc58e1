// Membership tunables: the defaults (a fast LAN profile that detects a killed node of a small
// cluster in about a second), a WAN profile, validation, and the formulas that scale timers with the
// cluster size as memberlist does (suspicion by log10 n, retransmits by log10 (n+1), push-pull by
// log2 n past 32 members). docs/membership.md explains each one.

import { MAX_GOSSIP_FANOUT, MAX_INDIRECT_CHECKS, MAX_LOCAL_HEALTH } from './limits.js';

export interface MembershipConfig {
  /** Time between direct probes (one member per period), before Lifeguard's LHM scaling. */
  probeIntervalMs: number;
  /** Wait for a direct ack before the indirect probes start (scaled by LHM + 1 too). */
  probeTimeoutMs: number;
  /** Helpers asked to probe a silent member (SWIM's k). */
  indirectChecks: number;
  /** Also probe a silent member over the reliable channel (the TCP fallback of memberlist). */
  reliableFallback: boolean;
  /** A helper sends a nack when the target is silent for this fraction of the probe timeout. */
  nackFraction: number;
  /** Suspicion minimum = suspicionMult × max(1, log10 n) × probeInterval. */
  suspicionMult: number;
  /** Suspicion maximum = suspicionMaxMult × minimum; the timeout decays to the minimum as independent confirmations arrive. */
  suspicionMaxMult: number;
  /** Independent confirmations that bring a suspicion to its minimum (capped at n − 2). */
  suspicionConfirmations: number;
  /** An update is piggybacked at most retransmitMult × ceil(log10(n + 1)) times (SWIM's λ log n). */
  retransmitMult: number;
  /** Extra gossip round (updates only, no reply) every gossipIntervalMs to gossipFanout members; 0 turns it off. */
  gossipIntervalMs: number;
  gossipFanout: number;
  /** Full state exchange with one random member (anti-entropy), scaled up past 32 members. */
  pushPullIntervalMs: number;
  /** Seeds are re-contacted this often so a healed partition merges again. */
  seedIntervalMs: number;
  /** While no other member is known, seeds are retried this often. */
  joinRetryMs: number;
  /** Dead and left members are kept (and still gossiped to, so they may refute) this long, then reaped. */
  tombstoneMs: number;
  /** Own health is republished at most this often (each publication bumps the incarnation). */
  healthPublishMs: number;
  /** Lifeguard: probe interval and timeout scale by (LHM + 1); LHM is 0..maxLocalHealth. */
  maxLocalHealth: number;
}

/**
 * Defaults, a fast LAN profile: probe every 200 ms, ack timeout 100 ms, suspicion 500 ms .. 1 s for a
 * cluster of up to 10 (it grows with log10 n). A killed member of a 5-node cluster is dead
 * everywhere in about 1 s (≤ 1.5 s); memberlist's LAN defaults (1 s / 500 ms / mult 4) take ~6 s.
 */
export const DEFAULT_CONFIG: Readonly<MembershipConfig> = Object.freeze({
  probeIntervalMs: 200,
  probeTimeoutMs: 100,
  indirectChecks: 3,
  reliableFallback: true,
  nackFraction: 0.8,
  suspicionMult: 2.5,
  suspicionMaxMult: 2,
  suspicionConfirmations: 2,
  retransmitMult: 4,
  gossipIntervalMs: 100,
  gossipFanout: 3,
  pushPullIntervalMs: 15_000,
  seedIntervalMs: 5_000,
  joinRetryMs: 1_000,
  tombstoneMs: 30_000,
  healthPublishMs: 5_000,
  maxLocalHealth: MAX_LOCAL_HEALTH,
});

/** A WAN profile (memberlist's DefaultWANConfig timers): slow links, rare false positives. */
export const WAN_CONFIG: Readonly<MembershipConfig> = Object.freeze({
  ...DEFAULT_CONFIG,
  probeIntervalMs: 5_000,
  probeTimeoutMs: 3_000,
  suspicionMult: 6,
  suspicionMaxMult: 6,
  suspicionConfirmations: 4,
  gossipIntervalMs: 500,
  gossipFanout: 4,
  pushPullIntervalMs: 60_000,
  seedIntervalMs: 30_000,
  joinRetryMs: 5_000,
});

/** Why a configuration is unusable, or undefined when it is fine. */
export function configProblem(c: MembershipConfig): string | undefined {
  const positive: (keyof MembershipConfig)[] = [
    'probeIntervalMs',
    'probeTimeoutMs',
    'suspicionMult',
    'suspicionMaxMult',
    'retransmitMult',
    'pushPullIntervalMs',
    'seedIntervalMs',
    'joinRetryMs',
    'tombstoneMs',
    'healthPublishMs',
  ];
  for (const key of positive) {
    const v = c[key];
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) return `${key} must be a positive number`;
  }
  if (c.probeTimeoutMs >= c.probeIntervalMs) return 'probeTimeoutMs must be below probeIntervalMs';
  if (c.suspicionMaxMult < 1) return 'suspicionMaxMult must be at least 1';
  if (!Number.isInteger(c.indirectChecks) || c.indirectChecks < 0 || c.indirectChecks > MAX_INDIRECT_CHECKS)
    return `indirectChecks must be an integer 0..${MAX_INDIRECT_CHECKS}`;
  if (!Number.isInteger(c.gossipFanout) || c.gossipFanout < 0 || c.gossipFanout > MAX_GOSSIP_FANOUT)
    return `gossipFanout must be an integer 0..${MAX_GOSSIP_FANOUT}`;
  if (!(c.gossipIntervalMs >= 0)) return 'gossipIntervalMs must be >= 0';
  if (!(c.nackFraction > 0 && c.nackFraction < 1)) return 'nackFraction must be in (0, 1)';
  if (!Number.isInteger(c.suspicionConfirmations) || c.suspicionConfirmations < 0)
    return 'suspicionConfirmations must be a non-negative integer';
  if (!Number.isInteger(c.maxLocalHealth) || c.maxLocalHealth < 0 || c.maxLocalHealth > MAX_LOCAL_HEALTH)
    return `maxLocalHealth must be an integer 0..${MAX_LOCAL_HEALTH}`;
  return undefined;
}

/** Minimum suspicion timeout for a cluster of n members (memberlist's suspicionTimeout). */
export function suspicionMinMs(c: MembershipConfig, n: number): number {
  return c.suspicionMult * Math.max(1, Math.log10(Math.max(1, n))) * c.probeIntervalMs;
}

/** Times an update is piggybacked before it leaves the queue: λ × ceil(log10(n + 1)). */
export function retransmitLimit(c: MembershipConfig, n: number): number {
  return Math.max(1, Math.ceil(c.retransmitMult * Math.ceil(Math.log10(n + 1))));
}

/** Push-pull interval, stretched past 32 members so full-state traffic stays bounded (memberlist). */
export function pushPullIntervalMs(c: MembershipConfig, n: number): number {
  if (n <= 32) return c.pushPullIntervalMs;
  return c.pushPullIntervalMs * (Math.ceil(Math.log2(n) - Math.log2(32)) + 1);
}

/**
 * Lifeguard's dynamic suspicion timeout after `confirmations` independent confirmations of `k`
 * expected: max − (max − min) × log(c + 1) / log(k + 1), never below min.
 */
export function suspicionTimeoutMs(min: number, max: number, k: number, confirmations: number): number {
  if (k < 1) return min;
  const frac = Math.log(confirmations + 1) / Math.log(k + 1);
  return Math.max(min, max - (max - min) * frac);
}
