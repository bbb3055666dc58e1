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

/** Simulated nodes in one whole-protocol run (Raft replicas; 5 voters, the rest learners). */
export const SIM_NODES_MAX = 69;
/** Steps (clock events) in one run's fault phase. */
export const SIM_STEPS_MAX = 50_000_000;
/** Inputs a paused node holds before it drops more (its socket buffers). */
export const SIM_PAUSE_BACKLOG_MAX = 100_000;
/** Virtual time the final heal phase may take before liveness is declared broken (ms). */
export const SIM_HEAL_MAX_MS = 60_000;
/** Trace lines kept in memory for --trace. */
export const SIM_TRACE_LINES_MAX = 5_000_000;
/** Members in a protocol-only (SWIM) scale run. */
export const SIM_SCALE_MEMBERS_MAX = 5000;
/** Clock events at one virtual instant before a run is declared stuck (a zero-delay timer loop). */
export const SIM_SAME_INSTANT_STEPS_MAX = 200_000;

/** How long the leader's SWIM view must hold a voter down before the simulator's leader removes it (virtual ms). */
export const SIM_VOTER_REMOVE_AFTER_MS = 500;
