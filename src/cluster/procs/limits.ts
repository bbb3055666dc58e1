// Limits of process control across the cluster (src/cluster/procs): every queue, buffer, wait and
// decoded count the service keeps is bounded by a name here.

/** Largest program (ELF) a node accepts to spawn or cache, in bytes. */
export const PROGRAM_MAX_BYTES = 8 * 1024 * 1024;
/** Total bytes of the per-node program cache (<home>/programs); the oldest entries go first. */
export const PROGRAM_CACHE_MAX_BYTES = 128 * 1024 * 1024;
/** Programs the cache keeps at most. */
export const PROGRAM_CACHE_ENTRIES_MAX = 512;
/** Arguments of a spawned program (the registry keeps them: ARGS_MAX there as well). */
export const SPAWN_ARGS_MAX = 64;
/** Longest argument, in bytes. */
export const SPAWN_ARG_MAX_BYTES = 1024;

/** Requests this node has in flight to other nodes at once. */
export const REQUESTS_PENDING_MAX = 256;
/** Requests from other nodes this node serves at once (more are answered "full"). */
export const SERVE_IN_FLIGHT_MAX = 64;
/** Time a request to another node (kill, logs, spawn) waits for its reply, in milliseconds. */
export const REQUEST_TIMEOUT_MS = 5000;
/** Time the transfer of a program's bytes to another node may take, in milliseconds. */
export const PROGRAM_SEND_TIMEOUT_MS = 15_000;
/** Time `ps --all` waits for every node's rows, in milliseconds (a silent node is named, not awaited). */
export const LIST_TIMEOUT_MS = 2000;
/** Time placement waits for the nodes' load figures, in milliseconds. */
export const STATS_TIMEOUT_MS = 1000;
/** Rows one node returns for `ps --all`. */
export const LIST_ROWS_MAX = 4096;
/** Nodes one fan-out (ps --all, placement) asks. */
export const FANOUT_NODES_MAX = 256;

/** Bytes of stdout (and again of stderr) the owner keeps per process. */
export const LOG_RING_BYTES = 64 * 1024;
/** Largest log chunk one request returns, per stream, in bytes. */
export const LOG_CHUNK_MAX = 32 * 1024;
/** Exited processes whose output rings are kept (the oldest are dropped first). */
export const LOG_EXITED_KEPT_MAX = 128;

/** Registry writes of process state in flight at once (state sync). */
export const SYNC_WRITES_IN_FLIGHT_MAX = 4;
/** Delay before a state change is written, so a burst of changes becomes one write, in ms. */
export const SYNC_COALESCE_MS = 20;
/** Pause before a failed state write is tried again, in milliseconds. */
export const SYNC_RETRY_MS = 250;
/** Attempts at one state write (compare-and-set conflicts and registry errors) before giving up. */
export const SYNC_ATTEMPTS_MAX = 40;

/** Longest `wait` one request holds, in milliseconds (the client asks again). */
export const WAIT_MAX_MS = 10_000;
