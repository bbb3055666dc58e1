// Named limits and settings of the checkpoint store and its replication (docs/recovery.md): every
// table, message and retry the store keeps is bounded by one of these.

/** Checkpoints kept per process; older ones are dropped and their pages garbage-collected. */
export const STORE_KEEP_CHECKPOINTS = 3;
/** Other nodes a checkpoint must reach before it counts (`checkpoints/<npid>` is written). */
export const STORE_REPLICAS_DEFAULT = 1;
/** Bytes of one page. */
export const STORE_PAGE_BYTES = 4096;
/** Bytes of a SHA-256. */
export const STORE_HASH_BYTES = 32;
/** Largest image head (magic, version, kernel manifest) a store manifest may hold. */
export const STORE_HEAD_MAX = 16 * 1024 * 1024 + 16;
/** Most pages one store manifest may name (the kernel's IMAGE_PAGES_MAX). */
export const STORE_MANIFEST_PAGES_MAX = 1 << 20;
/** Checkpoint records one process index file may hold when read back (bounds a crafted file). */
export const STORE_INDEX_MAX = 64;

/** Pages in one replication or fetch message (bulk lane): 32 × 4 KiB. */
export const STORE_PAGES_PER_MESSAGE = 32;
/** Page hashes in one "need" or "fetch" message. */
export const STORE_HASHES_PER_MESSAGE = 8192;
/** Largest store message accepted from a peer. */
export const STORE_MESSAGE_MAX = STORE_HEAD_MAX + 64 * 1024;
/** Requests this node has outstanding to peers at once. */
export const STORE_PENDING_REQUESTS_MAX = 256;
/** How long one request to a peer waits for its answer before failing (ms). */
export const STORE_REQUEST_TIMEOUT_MS = 10_000;
/** Transfers a node serves at once for peers (uploads in progress). */
export const STORE_INBOUND_TRANSFERS_MAX = 64;
