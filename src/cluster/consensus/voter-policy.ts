// Which Raft configuration change the leader makes next, from the configuration and the members'
// liveness (docs/raft.md "Voters follow liveness"). Pure: the daemon (src/node/cluster-registry.ts)
// and the simulator (src/sim/simulator.ts) call it with SWIM's view and their own clock. One change
// per call, applied before the next call, so the configuration changes one step at a time:
//   1. a voter that has been down (SWIM dead or left) for `removeAfterMs` leaves the configuration;
//   2. while there are fewer than MAX_VOTERS voters, a live learner is promoted, so the voter set
//      stays at min(MAX_VOTERS, live members);
//   3. a live node outside the configuration joins as a learner (a returning node too).
// Removals come first: with MAX_VOTERS voters, a dead one must leave before a learner can take its
// place. The leader never removes itself; a node is picked by lowest id, so runs are reproducible.
import type { NodeId } from '../../net/node-id.js';
import { MAX_VOTERS } from '../raft/limits.js';

export type Liveness = 'alive' | 'suspect' | 'down' | 'unknown';

export interface VoterPolicyInput {
  readonly self: NodeId;
  readonly voters: readonly NodeId[];
  readonly learners: readonly NodeId[];
  /** Nodes known (to SWIM) that are not in the configuration. */
  readonly others: readonly NodeId[];
  /** SWIM's state of a node: alive, suspect, down (dead or left), or unknown. */
  readonly liveness: (node: NodeId) => Liveness;
  /** Since when (the caller's clock, ms) `node` has been down, or undefined. */
  readonly downSince: (node: NodeId) => number | undefined;
  readonly now: number;
  /** How long a voter must be down before it is removed (ms). */
  readonly removeAfterMs: number;
}

export type ConfStep =
  | { readonly kind: 'remove'; readonly node: NodeId }
  | { readonly kind: 'promote'; readonly node: NodeId }
  | { readonly kind: 'add-learner'; readonly node: NodeId };

const lowest = (nodes: readonly NodeId[]): NodeId | undefined =>
  nodes.length === 0 ? undefined : (Math.min(...nodes) as NodeId);

/** The next configuration change, or undefined when the configuration is as it should be. */
export function nextConfChange(i: VoterPolicyInput): ConfStep | undefined {
  const downLongEnough = (n: NodeId): boolean => {
    if (n === i.self || i.liveness(n) !== 'down') return false;
    const since = i.downSince(n);
    return since !== undefined && i.now - since >= i.removeAfterMs;
  };
  const gone = lowest(i.voters.filter(downLongEnough));
  if (gone !== undefined) return { kind: 'remove', node: gone };
  if (i.voters.length < MAX_VOTERS) {
    const learner = lowest(i.learners.filter((n) => i.liveness(n) === 'alive'));
    if (learner !== undefined) return { kind: 'promote', node: learner };
  }
  const newcomer = lowest(i.others.filter((n) => n !== i.self && i.liveness(n) === 'alive'));
  if (newcomer !== undefined) return { kind: 'add-learner', node: newcomer };
  return undefined;
}
