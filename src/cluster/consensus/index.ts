// The consensus replica's public surface (docs/raft.md "Replica").
export { decodeEnvelope, type Envelope, encodeEnvelope } from './envelope.js';
export { CONSENSUS_ERROR_CODES, ConsensusError, type ConsensusErrorCode, WireError } from './errors.js';
export * as limits from './limits.js';
export {
  Replica,
  type ReplicaCounters,
  type ReplicaHooks,
  type ReplicaOptions,
  type ReplicaTransport,
} from './replica.js';
export {
  type ConfStep,
  type Liveness,
  nextConfChange,
  type VoterPolicyInput,
} from './voter-policy.js';
export {
  decodeProposeRequest,
  decodeProposeResult,
  decodeRaftMessage,
  encodeProposeRequest,
  encodeProposeResult,
  encodeRaftMessage,
} from './wire.js';
