// Limits of the simulator's tools, in one place: every decoded line, count and search is bounded.

/** Most records (lines) in one history file. */
export const HISTORY_RECORDS_MAX = 2_000_000;
/** Longest line of a history file, in characters. */
export const HISTORY_LINE_MAX = 128 * 1024;
/** Longest client id, key or value in a history record, in characters. */
export const HISTORY_FIELD_MAX = 64 * 1024;
/**
 * Most search steps the linearizability checker spends on one key before it answers "unknown"
 * rather than running on (the search is exponential in the worst case).
 */
export const LINEARIZABILITY_STEPS_MAX = 2_000_000;
