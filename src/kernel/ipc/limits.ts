// The IPC ABI's constants: capability rights and the initial capability slots (docs/syscalls.md,
// user/include/pakaya.h). The IPC limits live in ../limits.ts (the kernel's one limits file) and
// are re-exported here for the IPC modules.
export {
  DEATH_WATCH_MAX,
  MSG_BYTES_MAX,
  MSG_CAPS_MAX,
  PORT_QUEUE_MAX,
  PORTSET_MAX,
  REPLY_POOL_MAX,
  SENDER_QUOTA,
} from '../limits.js';

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
