// Named limits and settings of recovery (docs/recovery.md).

/** How often a node looks again for processes of dead nodes left unrecovered (ms). */
export const RECOVERY_RESCAN_MS = 2000;
/** Process records one scan reads (a bounded list of npids/). */
export const RECOVERY_SCAN_MAX = 4096;
/** Recoveries one node runs at once. */
export const RECOVERY_CONCURRENT_MAX = 8;
