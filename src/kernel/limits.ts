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
