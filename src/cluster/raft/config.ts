// How a Raft node is set up: its id, timing in ticks, features, limits and its starting state
// (a fresh cluster's bootstrap voters, an empty node that will join, or state recovered from disk).
import type { NodeId } from '../../net/node-id.js';
import type { Random } from '../../net/random.js';
import {
  MAX_APPEND_BYTES,
  MAX_APPEND_ENTRIES,
  MAX_INFLIGHT_APPENDS,
  MAX_UNCOMMITTED_BYTES,
} from './limits.js';
import type { Entry, HardState, Snapshot } from './types.js';

/** How linearizable reads are confirmed: a heartbeat round to a quorum, or the leader lease. */
export type ReadOnlyMode = 'safe' | 'lease';

export interface RaftConfig {
  readonly id: NodeId;
  /** Ticks without a leader before a follower campaigns: the timeout is random in [T, 2T). */
  readonly electionTicks: number;
  /** Ticks between leader heartbeats (< electionTicks). */
  readonly heartbeatTicks: number;
  /** The source of election-timeout randomness (seeded in tests and the simulator). */
  readonly random: Random;
  readonly preVote?: boolean;
  readonly checkQuorum?: boolean;
  /** 'lease' requires checkQuorum. */
  readonly readOnly?: ReadOnlyMode;
  readonly maxInflightAppends?: number;
  readonly maxAppendBytes?: number;
  readonly maxAppendEntries?: number;
  readonly maxUncommittedBytes?: number;
  /** How the node starts: see RaftStart. */
  readonly start: RaftStart;
}

export type RaftStart =
  /** A new cluster: every initial voter starts with the same list (written as entries 1..n). */
  | { readonly kind: 'bootstrap'; readonly voters: readonly NodeId[] }
  /** A node added later: empty log, no configuration until the leader sends one. */
  | { readonly kind: 'join' }
  /** A restart from the durable log (wal.ts `open`). */
  | {
      readonly kind: 'restore';
      readonly hardState: HardState;
      readonly snapshot: Snapshot | undefined;
      readonly entries: readonly Entry[];
    };

export interface ResolvedLimits {
  readonly maxInflightAppends: number;
  readonly maxAppendBytes: number;
  readonly maxAppendEntries: number;
  readonly maxUncommittedBytes: number;
}

export function resolveLimits(c: RaftConfig): ResolvedLimits {
  return {
    maxInflightAppends: c.maxInflightAppends ?? MAX_INFLIGHT_APPENDS,
    maxAppendBytes: c.maxAppendBytes ?? MAX_APPEND_BYTES,
    maxAppendEntries: c.maxAppendEntries ?? MAX_APPEND_ENTRIES,
    maxUncommittedBytes: c.maxUncommittedBytes ?? MAX_UNCOMMITTED_BYTES,
  };
}
