// Limits of the cluster demo (`pakaya demo`), in one place: every wait has a deadline, every buffer
// a bound, so a demo that goes wrong says what it waited for and stops everything it started.

/** Daemons the demo starts on loopback. */
export const DEMO_NODES = 3;
/** RAM of each demo daemon, in MiB (the programs are small). */
export const DEMO_NODE_MEMORY_MIB = 64;
/** Validity of the join tokens the demo mints, in milliseconds. */
export const DEMO_TOKEN_TTL_MS = 10 * 60_000;
/** Time a daemon has to print its `listening HOST:PORT` line, in milliseconds. */
export const DEMO_DAEMON_START_MS = 20_000;
/** Time the three daemons have to form the cluster (links up, one leader, three voters), in milliseconds. */
export const DEMO_FORM_MS = 30_000;
/** Time one `pakaya` command run by the demo may take, in milliseconds. */
export const DEMO_COMMAND_MS = 30_000;
/** Time an act may wait for the cluster to reach a state (a process placed, a node declared dead), in milliseconds. */
export const DEMO_WAIT_MS = 30_000;
/** Time a stopped daemon has to exit after SIGTERM before it gets SIGKILL, in milliseconds. */
export const DEMO_STOP_MS = 5_000;
/** Pause between two polls of the cluster's state, in milliseconds. */
export const DEMO_POLL_MS = 150;
/** Pause between two polls of the cluster-wide process table (the watcher), in milliseconds. */
export const DEMO_TABLE_POLL_MS = 300;
/** Time a demo program has to end once the demo waits for it, in milliseconds. */
export const DEMO_PROGRAM_MS = 60_000;
/** Lines of a daemon's stderr kept to show when it fails. */
export const DEMO_STDERR_LINES = 20;
/** Longest daemon or command output line the demo relays, in characters (longer ones are cut). */
export const DEMO_LINE_MAX = 400;
/** Most output lines kept per command (its stdout is shown and parsed). */
export const DEMO_COMMAND_OUTPUT_MAX = 1024 * 1024;
/** Time the migration act gives `pakaya migrate` to answer (it streams progress meanwhile), in milliseconds. */
export const DEMO_MIGRATE_MS = 30_000;
/** Period of the failure act's worker's checkpoints into the store (guest time), in milliseconds. */
export const DEMO_CHECKPOINT_EVERY_MS = 500;
/** Time recovery has to bring the failed node's worker back on a live node after it is declared dead, in milliseconds. */
export const DEMO_RECOVERY_MS = 30_000;
