// Limits of the simulator's whole-node mode (kernels on small RAM over SimNetwork), in one place.

/** Nodes in one whole-node run (each owns a machine and a kernel: a handful, not a thousand). */
export const WHOLE_NODES_MAX = 8;
/** Default guest RAM per simulated node (MiB). */
export const WHOLE_NODE_RAM_MIB = 8;
/** Largest guest RAM per simulated node (MiB). */
export const WHOLE_NODE_RAM_MAX_MIB = 64;
/** Virtual ms between two driver slices of a node. */
export const DRIVER_SLICE_MS = 1;
/** Instructions a node's kernel runs at most per driver slice (the fixed budget per step). */
export const DRIVER_SLICE_BUDGET = 100_000;
/** Bytes of console output kept per NPID (more is counted, not kept). */
export const OUTPUT_BYTES_MAX = 1024 * 1024;
/** Exit records kept per run. */
export const EXITS_MAX = 100_000;
/** Clock events one runUntil may take before it gives up (a scenario's step bound). */
export const RUN_STEPS_MAX = 50_000_000;
/** Steps (clock events) in one whole-node scenario's fault phase, by default. */
export const WHOLE_DEFAULT_STEPS = 20_000;
/** Trace lines kept in memory for --trace. */
export const WHOLE_TRACE_LINES_MAX = 1_000_000;
/** Local process ids a node reserves per durable write of its pid counter. */
export const PID_RESERVE_BLOCK = 1024;
/**
 * How long two live copies of one NPID may exist on two up nodes that can reach each other before
 * it is a violation (virtual ms): a node cut off from the cluster keeps its copy until it hears of
 * the new owner, and must drop it within this time once it can.
 */
export const DUPLICATE_GRACE_MS = 3_000;
/** Frames are counted (the costly walk of every page table) on every this many driver slices. */
export const FRAME_CHECK_EVERY = 64;
