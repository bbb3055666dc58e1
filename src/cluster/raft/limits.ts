// Named limits of the Raft core and its durable log. Every queue, batch and decoded count in
// src/cluster/raft/ is bounded by one of these.

/** At most this many voters (DESIGN.md §6); further nodes join as learners. */
export const MAX_VOTERS = 5;
/** At most this many learners. */
export const MAX_LEARNERS = 64;

/** Append messages in flight to one follower in the replicate state (flow control window). */
export const MAX_INFLIGHT_APPENDS = 64;
/** Payload bytes in one append message (at least one entry is always sent). */
export const MAX_APPEND_BYTES = 1024 * 1024;
/** Entries in one append message. */
export const MAX_APPEND_ENTRIES = 4096;
/** Bytes of one proposal's data. */
export const MAX_PROPOSAL_BYTES = 1024 * 1024;
/** Uncommitted bytes a leader accepts before refusing proposals (back-pressure). */
export const MAX_UNCOMMITTED_BYTES = 16 * 1024 * 1024;
/** Pending read-index requests at the leader. */
export const MAX_PENDING_READS = 1024;
/** Bytes of a read-index context. */
export const MAX_READ_CONTEXT_BYTES = 256;
/** Messages queued for the application between two Ready batches. */
export const MAX_QUEUED_MESSAGES = 65536;
/** Committed entries handed out in one Ready. */
export const MAX_COMMITTED_PER_READY = 4096;
/** Ticks a follower may stay in the snapshot state before the leader probes it again, in election timeouts. */
export const SNAPSHOT_TIMEOUT_ELECTIONS = 2;

/** Durable log: bytes of one record payload. */
export const MAX_WAL_RECORD_BYTES = 8 * 1024 * 1024;
/** Durable log: a segment is closed and a new one started past this size. */
export const WAL_SEGMENT_BYTES = 16 * 1024 * 1024;
/** Durable log: segments read on recovery. */
export const MAX_WAL_SEGMENTS = 4096;
/** Durable log: bytes of a snapshot file (its application data included). */
export const MAX_SNAPSHOT_BYTES = 256 * 1024 * 1024;
/** Codec: nodes listed in a decoded configuration. */
export const MAX_CONF_NODES = MAX_VOTERS + MAX_LEARNERS;
