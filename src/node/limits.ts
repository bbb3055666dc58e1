// Limits of the node layer, in one place: every request, file and connection the node accepts is bounded.

/** Largest admin API request body, in bytes. */
export const ADMIN_BODY_MAX = 64 * 1024;
/** Longest unix socket path (sun_path is 108 bytes on Linux, including the terminating NUL). */
export const SOCKET_PATH_MAX = 107;
/** Most concurrent admin connections. */
export const ADMIN_CONNECTIONS_MAX = 64;
/** Time a client has to send a whole request, in milliseconds. */
export const ADMIN_REQUEST_TIMEOUT_MS = 10_000;
/** Time the CLI waits for the node to answer, in milliseconds. */
export const ADMIN_CLIENT_TIMEOUT_MS = 30_000;
/** Largest checkpoint image the node will read back for a restore, in bytes. */
export const IMAGE_FILE_MAX = 2 ** 31 - 1;
/** Longest path accepted in an admin request. */
export const PATH_MAX = 4096;
/** Highest signal number (Linux _NSIG - 1). */
export const SIGNAL_MAX = 64;
/** Largest identity file (cluster.json, tokens.json, revoked.json, PEM files) the node reads, in bytes. */
export const IDENTITY_FILE_MAX = 8 * 1024 * 1024;
/** How long an update of tokens.json or revoked.json waits for identity.lock, in milliseconds. */
export const IDENTITY_LOCK_WAIT_MS = 5000;
/** Pause between attempts to take identity.lock, in milliseconds. */
export const IDENTITY_LOCK_RETRY_MS = 10;

/** File storage (file-storage.ts): append descriptors kept open at once. */
export const MAX_OPEN_STORAGE_FILES = 64;

/** Longest console line (bytes) a tagged console buffers per process and fd; a longer one is cut and flushed as it is. */
export const CONSOLE_LINE_MAX = 4096;
/** Time an admin connection may stay silent (before, during or between requests), in milliseconds. */
export const ADMIN_IDLE_TIMEOUT_MS = ADMIN_REQUEST_TIMEOUT_MS;
/** Largest program file `pakaya run` or the program store reads, in bytes. */
export const PROGRAM_FILE_MAX = 64 * 1024 * 1024;
/** Longest guest-chosen text (a process name) shown in a table cell, in characters. */
export const NAME_SHOWN_MAX = 64;

/** Node networking (cluster-net.ts, join-exchange.ts, admin-forward.ts). */
/** Largest join request or response frame payload, in bytes (a CSR or certificates and a key). */
export const JOIN_FRAME_MAX = 64 * 1024;
/** Time one join exchange may take, either side, in milliseconds. */
export const JOIN_TIMEOUT_MS = 10_000;
/** Join exchanges the CA node serves at once; more are refused. */
export const JOIN_CONCURRENT_MAX = 4;
/** Seeds accepted in --join. */
export const JOIN_SEEDS_MAX = 16;
/** Largest forwarded admin request or reply body, in bytes. */
export const FORWARD_BODY_MAX = 256 * 1024;
/** Forwarded admin requests in flight from this node at once. */
export const FORWARD_PENDING_MAX = 64;
/** Time a forwarded admin request waits for the remote node's reply, in milliseconds. */
export const FORWARD_TIMEOUT_MS = 15_000;
/** How often the daemon re-reads revoked.json, in milliseconds. */
export const REVOCATION_POLL_MS = 500;
/** How often the daemon republishes its health to membership, in milliseconds. */
export const HEALTH_INTERVAL_MS = 1000;
/** Most round trips one `net ping` measures; largest ping payload. */
export const PING_COUNT_MAX = 10_000;
export const PING_SIZE_MAX = 60_000;
/** Frames a `net trace` stream may have queued before events are dropped (counted). */
export const TRACE_QUEUE_MAX = 10_000;
/** Most concurrent `net trace` streams. */
export const TRACE_STREAMS_MAX = 4;
/** Largest capture file `net decode` reads, in bytes. */
export const CAPTURE_FILE_MAX = 256 * 1024 * 1024;
/** Interval of the LAN discovery beacon (--discover multicast), in milliseconds. */
export const BEACON_INTERVAL_MS = 2000;

/** The replicated registry in the daemon (cluster-registry.ts, docs/registry.md "In the daemon"). */
/** Raft tick on the daemon, in milliseconds; the election timeout is RAFT_ELECTION_TICKS of them. */
export const RAFT_TICK_MS = 50;
/** Ticks without a leader's heartbeat before a (pre-)election: 600 ms, randomised up to 1200 ms. */
export const RAFT_ELECTION_TICKS = 12;
/** Time a registry write or read through the daemon may wait, in milliseconds. */
export const REGISTRY_REQUEST_TIMEOUT_MS = 3000;
/** Applied entries between two registry snapshots in the daemon. */
export const REGISTRY_SNAPSHOT_EVERY = 1000;
/** How often each node reconciles SWIM's view with the registry, in milliseconds. */
export const REGISTRY_RECONCILE_MS = 200;
/** Time between SWIM's dead (or left) verdict and the leader writing it to the registry, in ms. */
export const DEAD_MARK_DELAY_MS = 500;
/** Peers one `net block` may name. */
export const BLOCK_PEERS_MAX = 64;

/** Largest credential file (certificate, key, CA certificate) `--credential` reads. */
export const CREDENTIAL_FILE_MAX = 64 * 1024;

/** Longest reason text stored with a certificate revocation (within the registry's text limit). */
export const REVOKE_REASON_MAX = 200;
