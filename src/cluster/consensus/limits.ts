// Named limits of the consensus replica (docs/raft.md "Replica"): every queue, table and decoded
// count the replica keeps is bounded by one of these.

/** App types on the transport (docs/protocol.md "Consensus"). */
export const APP_TYPE_RAFT = 16;
export const APP_TYPE_PROPOSE = 17;
export const APP_TYPE_PROPOSE_RESULT = 18;

/** Largest encoded consensus message accepted from a peer (a snapshot rides the bulk lane). */
export const MAX_WIRE_MESSAGE_BYTES = 64 * 1024 * 1024;
/** Entries in one decoded append. */
export const MAX_WIRE_ENTRIES = 4096;
/** Node ids in one decoded configuration. */
export const MAX_WIRE_CONF_NODES = 69;
/** Length of an error code / message in a ProposeResult. */
export const MAX_ERROR_TEXT = 512;

/** Proposals waiting for their entry to apply on this node (local and forwarded). */
export const MAX_PENDING_PROPOSALS = 4096;
/** Forwarded proposals one leader tracks for duplicate suppression. */
export const MAX_RECENT_FORWARDED = 8192;
/** Reads waiting for a ReadIndex answer or for the apply index to reach it. */
export const MAX_PENDING_READS = 1024;
/** Default time a proposal or read waits before failing with `timeout` (ms). */
export const DEFAULT_REQUEST_TIMEOUT_MS = 5000;
/** Default tick interval (ms): election timeout = electionTicks × tick. */
export const DEFAULT_TICK_MS = 100;
/** Default entries applied between two snapshots (log compaction). */
export const DEFAULT_SNAPSHOT_EVERY = 10_000;
/** Ticks a read waits to retry after `no-commit-in-term` (a new leader's first commit). */
export const READ_RETRY_TICKS = 1;
