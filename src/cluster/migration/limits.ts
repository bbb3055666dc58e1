// The named limits of live migration (src/cluster/migration): rounds, chunk sizes, timeouts and
// the most state a target keeps for one migration.

/** Pre-copy: at most this many dirty-page rounds before the freeze. */
export const PRECOPY_ROUNDS_MAX = 8;
/** Pre-copy: freeze once a round leaves at most this many dirty pages. */
export const PRECOPY_STOP_PAGES = 64;
/** Pre-copy: freeze once a round's dirty set is not below this fraction of the previous one. */
export const PRECOPY_SHRINK = 0.9;
/** Pages per MigrationPages message. */
export const PAGES_PER_MESSAGE = 64;
/** Most pages a target holds for one migration (128 MiB: a whole guest RAM many times over). */
export const MIGRATION_PAGES_MAX = 32_768;
/** Most migrations a node runs at once, as source and as target together. */
export const MIGRATIONS_MAX = 4;
/** How long the source waits for each answer of the target (accept, commit) before it gives up. */
export const STEP_TIMEOUT_MS = 15_000;
/** How long a target keeps an offered migration that makes no progress. */
export const TARGET_IDLE_MS = 30_000;
/** Registry calls retried after a failure, this many times, RETRY_DELAY_MS apart. */
export const REGISTRY_RETRIES = 20;
export const RETRY_DELAY_MS = 250;
/** Most post-copy page requests a source serves per message burst (the rest wait a turn). */
export const PAGE_REQUESTS_MAX = 1024;
/** Largest encoded migration message a node accepts (a freeze image or a page chunk). */
export const MIGRATION_MESSAGE_MAX = 64 * 1024 * 1024;
/** Longest reason text carried in an abort. */
export const REASON_MAX = 512;
/** Most members a migrated group may have (as the kernel's group images allow). */
export const MEMBERS_MAX = 64;
/** Most remote callers' pending answers one frozen group may carry (the ports router's own bound). */
export const REPLY_ROUTES_MAX = 4096;
/** Pre-copy target: held pages installed per turn of the event loop after the commit (4 MiB). */
export const INSTALL_CHUNK = 1024;
/** Pre-copy source: pages sent per turn of the event loop in a round (the group runs between). */
export const ROUND_CHUNK_PAGES = 256;
