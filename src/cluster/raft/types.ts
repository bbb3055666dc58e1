// The Raft data model: entries, hard state, snapshots, configuration changes and messages, as plain
// discriminated unions of numbers, NodeIds and Uint8Arrays. No class instances, no protocol-version
// details: a wire codec (net/) or the log codec (codec.ts) maps them to bytes.
import type { NodeId } from '../../net/node-id.js';

/** The id meaning "nobody" (no vote, no leader). Real node ids are >= 1. */
export const NONE = 0;
export type NodeRef = NodeId | typeof NONE;

/** One membership change; at most one is in flight at a time. */
export type ConfChange =
  | { readonly type: 'add-learner'; readonly node: NodeId }
  | { readonly type: 'add-voter'; readonly node: NodeId } // a new node, or the promotion of a learner
  | { readonly type: 'remove'; readonly node: NodeId };

/** A configuration: voters decide (elections, commit); learners only receive the log. */
export interface ConfState {
  readonly voters: readonly NodeId[];
  readonly learners: readonly NodeId[];
}

export type Entry =
  | { readonly kind: 'normal'; readonly term: number; readonly index: number; readonly data: Uint8Array }
  | { readonly kind: 'conf'; readonly term: number; readonly index: number; readonly change: ConfChange };

/** The state that must be durable before any message reflecting it is sent. */
export interface HardState {
  readonly term: number;
  readonly vote: NodeRef;
  readonly commit: number;
}

/** The application's state as of `index` (whose entry had `term`), with the configuration then. */
export interface Snapshot {
  readonly index: number;
  readonly term: number;
  readonly conf: ConfState;
  readonly data: Uint8Array;
}

export type Role = 'follower' | 'pre-candidate' | 'candidate' | 'leader';

/** Volatile state worth telling the application about when it changes. */
export interface SoftState {
  readonly leader: NodeRef;
  readonly role: Role;
}

/** A confirmed linearizable read: the application may answer `context` once it has applied `index`. */
export interface ReadState {
  readonly index: number;
  readonly context: Uint8Array;
}

interface Envelope {
  readonly from: NodeId;
  readonly to: NodeId;
  /** The sender's term (for a pre-vote: the term it would campaign in). */
  readonly term: number;
}

export type Message =
  /** Leader → follower: entries following (index, logTerm), and the leader's commit index. */
  | (Envelope & {
      readonly type: 'append';
      readonly index: number;
      readonly logTerm: number;
      readonly entries: readonly Entry[];
      readonly commit: number;
    })
  /** Follower → leader: accepted up to `index`, or rejected at `index` with a hint where logs may match. */
  | (Envelope & {
      readonly type: 'append-response';
      readonly index: number;
      readonly reject: boolean;
      readonly rejectHint: number;
      readonly logTerm: number;
    })
  /** Candidate → voter (`pre`: a pre-vote, which changes nobody's term). */
  | (Envelope & {
      readonly type: 'vote';
      readonly pre: boolean;
      readonly index: number;
      readonly logTerm: number;
      /** Set on the election a leadership transfer asked for: overrides the leader lease. */
      readonly transfer: boolean;
    })
  | (Envelope & { readonly type: 'vote-response'; readonly pre: boolean; readonly reject: boolean })
  | (Envelope & { readonly type: 'heartbeat'; readonly commit: number; readonly context: Uint8Array })
  | (Envelope & { readonly type: 'heartbeat-response'; readonly context: Uint8Array })
  | (Envelope & { readonly type: 'snapshot'; readonly snapshot: Snapshot })
  /** Leader → transfer target: campaign now, even under a leader lease. */
  | (Envelope & { readonly type: 'timeout-now' })
  /** Follower → leader: a forwarded leadership transfer request. */
  | (Envelope & { readonly type: 'transfer-leader'; readonly target: NodeId })
  /** Follower → leader: a forwarded read-index request; leader → follower: its answer. */
  | (Envelope & { readonly type: 'read-index'; readonly context: Uint8Array })
  | (Envelope & {
      readonly type: 'read-index-response';
      readonly index: number;
      readonly context: Uint8Array;
    });

export type MessageType = Message['type'];

/** A batch of work for the application; see docs/raft.md for what to do with each field, in order. */
export interface Ready {
  /** Present when leader or role changed since the last Ready. */
  readonly softState?: SoftState;
  /** Present when term, vote or commit changed: persist it. */
  readonly hardState?: HardState;
  /** Entries to append to the durable log (they may overwrite a suffix of it). */
  readonly entries: readonly Entry[];
  /** A snapshot received from the leader: persist it, then load its data into the state machine. */
  readonly snapshot?: Snapshot;
  /** Committed entries to apply, in order (after the snapshot, if any). */
  readonly committedEntries: readonly Entry[];
  /** Messages to send, only after everything above is durable. */
  readonly messages: readonly Message[];
  /** Confirmed linearizable reads. */
  readonly readStates: readonly ReadState[];
  /** True when hardState, entries or snapshot must be fsynced before sending. */
  readonly mustSync: boolean;
}
