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
