// Protocol-only mode at scale: N SWIM members (the 5 Raft voters and every learner or gossip-only
// member of a large cluster) over the SwimNet virtual network. Measures, in virtual time, how long
// a membership change takes to reach all N: a new member becoming known alive everywhere, and a
// crashed member being declared dead everywhere. Deterministic: same seed, same figures and hash.
import type { NodeId } from '../net/node-id.js';
import { SwimNet } from './swim-net.js';

export interface ScaleResult {
  readonly members: number;
  readonly seed: number;
  /** Virtual ms until all members saw each other alive after joining through one seed. */
  readonly convergedMs: number;
  /** Virtual ms from a new member's join until every member sees it alive. */
  readonly joinSpreadMs: number | undefined;
  /** Virtual ms from a crash until every member declares it dead. */
  readonly deathSpreadMs: number | undefined;
  readonly messages: number;
  readonly hash: string;
}

const id = (n: number): NodeId => n as NodeId;

export function measureMembership(members: number, seed: number, limitMs = 60_000): ScaleResult {
  const net = new SwimNet({ seed, keepEvents: false, checkInvariants: false });
  for (let i = 1; i <= members; i++) net.add(id(i));
  for (let i = 2; i <= members; i++) net.join(id(i), [id(1)]);
  const convergedMs = net.runUntil(() => net.converged(), limitMs, 50) ?? Number.NaN;
  const newcomer = id(members + 1);
  net.add(newcomer);
  const joinAt = net.now;
  net.join(newcomer, [id(1 + (seed % members))]);
  const known = net.runUntil(
    () => net.running().every((o) => net.view(o, newcomer) === 'alive'),
    joinAt + limitMs,
    5,
  );
  const victim = id(1 + ((seed * 7) % members));
  const crashAt = net.now;
  net.crash(victim);
  const dead = net.runUntil(
    () => net.running().every((o) => net.view(o, victim) === 'dead'),
    crashAt + limitMs,
    5,
  );
  return {
    members,
    seed,
    convergedMs,
    joinSpreadMs: known === undefined ? undefined : known - joinAt,
    deathSpreadMs: dead === undefined ? undefined : dead - crashAt,
    messages: net.counts.sent,
    hash: net.traceHash(),
  };
}

export function describeScale(r: ScaleResult): string {
  const f = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? 'never' : `${Math.round(v)}ms`);
  return (
    `sim members=${r.members} seed=${r.seed} converged=${f(r.convergedMs)} join-reached-all=${f(r.joinSpreadMs)} ` +
    `crash-dead-everywhere=${f(r.deathSpreadMs)} messages=${r.messages} hash=${r.hash}`
  );
}
