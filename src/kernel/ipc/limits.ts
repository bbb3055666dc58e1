// IPC limits: message size and capability count, queue bounds and the per-sender quota, and the
// size of a capability space. Documented in docs/syscalls.md and user/include/pakaya.h.

/** Most bytes a message carries. */
export const MSG_BYTES_MAX = 4096;
/** Most capabilities a message carries. */
export const MSG_CAPS_MAX = 4;
/** Most messages queued on one port. */
export const PORT_QUEUE_MAX = 64;
/** Most messages one sending process may have queued on one port. */
export const SENDER_QUOTA = 16;
/** Most ports in one port set. */
export const PORTSET_MAX = 64;
/** Most dead-port notifications registered on one port. */
export const DEATH_WATCH_MAX = 16;

/** Capability rights (a bit mask). */
export const RIGHT_SEND = 1;
export const RIGHT_RECEIVE = 2;
/** A reply capability: one send, then it is gone. */
export const RIGHT_SEND_ONCE = 4;
/** Capabilities may travel in messages sent with this capability. */
export const RIGHT_GRANT = 8;
export const RIGHT_MAP_READ = 16;
export const RIGHT_MAP_WRITE = 32;
export const RIGHTS_ALL = 63;

/** Initial capability slots of a process (the convention in docs/syscalls.md). */
export const SLOT_NAME_SERVER = 1;
export const SLOT_CONSOLE = 2;
export const SLOT_PARENT = 3;

/** Finished reply objects kept for reuse by later calls (no allocation, id or key per call). */
export const REPLY_POOL_MAX = 64;
