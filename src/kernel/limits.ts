// Limits of the kernel, in one place (TigerBeetle style): every queue, buffer and count is bounded.

/** Highest user virtual address + 1: user space is [USER_BASE, USER_TOP). */
export const USER_TOP = 0x80000000;
/** Lowest user virtual address (page 0 stays unmapped so null dereferences fault). */
export const USER_BASE = 0x1000;
/** Top of the initial user stack (exclusive). */
export const STACK_TOP = 0x7ff00000;
/** Maximum stack size (the stack region is demand-zero). Linux's default RLIMIT_STACK. */
export const STACK_MAX = 8 * 1024 * 1024;
/** Most bytes of argv + envp strings accepted by exec (Linux allows a quarter of the stack). */
export const ARG_MAX = 256 * 1024;
/** Most argv / envp entries accepted by exec. */
export const ARGV_MAX = 4096;
/** The program break may not come closer than this to the bottom of the stack region. */
export const HEAP_STACK_GAP = 16 * 1024 * 1024;
/** Largest single write/writev transfer; larger requests are short writes, as Linux's MAX_RW_COUNT. */
export const RW_MAX = 16 * 1024 * 1024;
/** Most iovec entries in one writev (Linux UIO_MAXIOV). */
export const IOV_MAX = 1024;
/** Most live processes on one node. */
export const PROCESS_MAX = 1024;
/** Instructions a thread runs before the scheduler may switch (the scheduler's slice). */
export const SLICE_INSTRUCTIONS = 200_000;
/** Size of a new process's stack region; it grows on faults down to STACK_TOP - STACK_MAX. */
export const STACK_INITIAL = 128 * 1024;
/** mmap places mappings top-down below this address (under the main stack's reserve and guard). */
export const MMAP_TOP = STACK_TOP - STACK_MAX - 4096;
/** Largest single mmap / shared memory object. */
export const MAP_MAX = 1024 * 1024 * 1024;
/** Default per-process limits: resident pages, threads, open handles. */
export const PROCESS_PAGES_DEFAULT = 64 * 1024;
export const PROCESS_THREADS_DEFAULT = 64;
export const PROCESS_HANDLES_DEFAULT = 256;
/** Most threads on one node. */
export const THREAD_MAX = 4096;
/** Nice values, as Linux: -20 (highest priority) to 19 (lowest); one run queue each. */
export const NICE_MIN = -20;
export const NICE_MAX = 19;
export const PRIORITY_LEVELS = NICE_MAX - NICE_MIN + 1;
/** A ready thread gains one priority level for every this many instructions it waits (aging). */
export const AGING_INSTRUCTIONS = 100_000;
/** Guest time: nanoseconds of CLOCK_MONOTONIC per retired instruction (a 1 GHz virtual clock). */
export const NS_PER_INSTRUCTION = 1;
/** Longest path or argument string accepted by execve/spawn. */
export const PATH_MAX = 4096;
/** Bytes of console input buffered for fd 0 before the node stops reading its input. */
export const INPUT_BUFFER_MAX = 64 * 1024;
/** Most waiters woken by one futex wake. */
export const FUTEX_WAKE_MAX = 1 << 30;
/**
 * Host work charged against the host quantum (instruction units; guest time is unaffected), so a
 * quantum stays a few milliseconds however a guest spends it: every system call, each byte written
 * to the console, and calls that build processes or threads.
 */
export const SYSCALL_COST = 64;
export const CONSOLE_BYTE_COST = 1;
export const SYSCALL_HEAVY_COST = 50_000;

/** Most remote ports (sends routed to another node) one node keeps, and ports it exports. */
export const REMOTE_PORTS_MAX = 1 << 16;
export const EXPORTED_PORTS_MAX = 1 << 16;

/** Emptied wait queues (futex and IPC) kept under their keys before they are all dropped. */
export const WAIT_QUEUES_EMPTY_KEPT = 256;
/** spawn_on calls waiting for their answer at once, node-wide (more get EAGAIN). */
export const REMOTE_SPAWNS_MAX = 64;
/** Entries of the kernel's NPID → process memo (processByNpid) before it is emptied. */
export const NPID_MEMO_MAX = 4096;

// ---- IPC (ipc/; documented in docs/syscalls.md and user/include/pakaya.h) ----

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
/** Finished reply objects kept for reuse by later calls (no allocation, id or key per call). */
export const REPLY_POOL_MAX = 64;

// ---- process and group images (image-codec.ts, image-prescan.ts, image-schema.ts, group-*.ts) ----
// Every length, count and depth a crafted image could inflate is bounded here and checked before
// the part it bounds is decoded. On top of these, an image may not ask for more than the node
// allows a process (its pages, threads and handles limits): see validateManifest.

/** Largest manifest, in bytes (a real one is a few KiB plus 16 bytes per page). */
export const IMAGE_MANIFEST_MAX = 16 * 1024 * 1024;
/** Most page contents in one image (also bounded by the node's per-process page limit). */
export const IMAGE_PAGES_MAX = 1 << 20;
/** Deepest nesting of arrays and maps in a manifest (a real one nests 4 deep: manifest.threads[i].wait). */
export const IMAGE_DEPTH_MAX = 6;
/** Deepest nesting of a group image's manifest (members, their threads, wait records, objects). */
export const GROUP_IMAGE_DEPTH_MAX = 12;
/** Longest byte string in a group image's manifest: a queued message's bytes. */
export const GROUP_IMAGE_BIN_MAX = MSG_BYTES_MAX;
/** Most values (scalars, arrays, maps, keys) in a manifest: bounds the work of decoding it. */
export const IMAGE_VALUES_MAX = 4 * 1024 * 1024;
/** Most entries in one manifest array (pages, symbols, regions). */
export const IMAGE_ARRAY_MAX = 1 << 20;
/** Most keys in one manifest map (the largest real one, the manifest itself, has 17). */
export const IMAGE_MAP_KEYS_MAX = 32;
/** Longest string in a manifest, in bytes (symbol names are the longest). */
export const IMAGE_STRING_MAX = 4096;
/** Most symbols an image carries. */
export const IMAGE_SYMBOLS_MAX = 1 << 16;
/** Most regions in an image's address-space map. */
export const IMAGE_REGIONS_MAX = 1 << 16;
