// A member record as one node sees it (state, reason, since when, incarnation, addresses, labels,
// health), the events the state machine reports, and the outputs the host drains.

import type { NodeId } from '../../net/node-id.js';
import type { Health, Labels, MemberState, MembershipMessage } from './messages.js';

/** Why a member is in its state. */
export type MemberReason =
  | 'self' // this node
  | 'joined' // first heard of, alive
  | 'refuted' // was suspect, proved alive with a higher incarnation
  | 'rejoined' // was dead or left, came back with a higher incarnation
  | 'probe-failed' // this node's direct and indirect probes got no ack
  | 'reported' // another member said so (gossip or push-pull)
  | 'suspicion-timeout' // suspected and not refuted in time
  | 'graceful-leave'; // the member announced it was leaving

export interface Member {
  readonly node: NodeId;
  readonly addresses: readonly string[];
  readonly incarnation: number;
  readonly state: MemberState;
  readonly reason: MemberReason;
  /** When (the `now` of the input) the member entered this state. */
  readonly since: number;
  readonly labels: Labels;
  readonly health: Health;
}

export type MembershipEvent =
  | {
      readonly type: 'member';
      readonly node: NodeId;
      readonly state: MemberState;
      readonly previous: MemberState | undefined;
      readonly reason: MemberReason;
      readonly since: number;
      readonly incarnation: number;
      /** Who reported it, when another member did (suspect/dead via gossip). */
      readonly reporter: NodeId | undefined;
    }
  | {
      readonly type: 'metadata';
      readonly node: NodeId;
      readonly incarnation: number;
      readonly labels: Labels;
      readonly health: Health;
    }
  | { readonly type: 'rejected'; readonly from: string; readonly problem: string };

/** The channel a message goes on: sealed UDP, or the reliable stream (TCP fallback, push-pull). */
export type Channel = 'datagram' | 'reliable';

export type MembershipOutput =
  | {
      readonly type: 'send';
      readonly to: string;
      readonly channel: Channel;
      readonly message: MembershipMessage;
    }
  | { readonly type: 'event'; readonly event: MembershipEvent };
