// The public surface of membership: what the daemon, the simulator and the registry import.

export {
  decodeDatagram,
  decodeMembership,
  encodeDatagram,
  encodeMembership,
  MembershipWireError,
} from './codec.js';
export {
  configProblem,
  DEFAULT_CONFIG,
  type MembershipConfig,
  pushPullIntervalMs,
  retransmitLimit,
  suspicionMinMs,
  suspicionTimeoutMs,
  WAN_CONFIG,
} from './config.js';
export { MembershipInvariantError } from './invariant.js';
export type { Channel, Member, MemberReason, MembershipEvent, MembershipOutput } from './member.js';
export { type HostHealth, Membership, type MembershipOptions, type MembershipStats } from './membership.js';
export {
  type AliveUpdate,
  type DeadUpdate,
  type DiscoveryBeacon,
  type Health,
  type Labels,
  type LeftUpdate,
  type MemberSnapshot,
  type MemberState,
  type MembershipMessage,
  type SuspectUpdate,
  type Update,
  validateBeacon,
  validateMessage,
  ZERO_HEALTH,
} from './messages.js';
