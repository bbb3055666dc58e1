// Typed errors of the consensus replica: why a proposal or a read was refused or may not have
// taken effect. Wire codec failures are WireError values (never thrown to a peer's input).

export type ConsensusErrorCode =
  /** This node is not the leader and knows none to forward to, or the leader refused. */
  | 'not-leader'
  /** No answer in time: the command may or may not have been committed. */
  | 'timeout'
  /** The replica cannot serve now: stopped, failed disk, too many pending requests. */
  | 'unavailable'
  /** The command is too large to propose. */
  | 'too-large'
  /** A membership change was refused (voter cap, pending change, unknown member). */
  | 'refused';

export const CONSENSUS_ERROR_CODES: readonly ConsensusErrorCode[] = [
  'not-leader',
  'timeout',
  'unavailable',
  'too-large',
  'refused',
];

export class ConsensusError extends Error {
  constructor(
    readonly code: ConsensusErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ConsensusError';
  }
}

/** A consensus message from a peer that cannot be decoded or is out of bounds. */
export class WireError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WireError';
  }
}

export function isConsensusErrorCode(code: string): code is ConsensusErrorCode {
  return (CONSENSUS_ERROR_CODES as readonly string[]).includes(code);
}
