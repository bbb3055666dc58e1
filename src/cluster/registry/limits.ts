// Limits of the registry, in one place: every key, value, count and decoded length is bounded here
// and checked where the input arrives (the command codec, the snapshot decoder, the schema).

/** Longest key, in UTF-8 bytes. */
export const KEY_MAX_BYTES = 512;
/** Largest value, in bytes. */
export const VALUE_MAX_BYTES = 64 * 1024;
/** Most operations (and, separately, compares) in one transaction. */
export const TXN_OPS_MAX = 64;
/** Largest encoded command or result (a full transaction of maximal puts fits). */
export const COMMAND_MAX_BYTES = TXN_OPS_MAX * (VALUE_MAX_BYTES + KEY_MAX_BYTES + 64) + 1024;
/** Most keys the registry holds; a put of a new key beyond it fails with 'limit'. */
export const KEYS_MAX = 1_000_000;
/** Most keys one list (prefix get) returns. */
export const LIST_MAX = 10_000;
/** Events kept for watches that start in the past; older revisions count as compacted. */
export const WATCH_HISTORY_MAX = 10_000;
/** Most live watches on one registry instance. */
export const WATCHERS_MAX = 1_024;
/** Largest snapshot accepted by restore. */
export const SNAPSHOT_MAX_BYTES = 512 * 1024 * 1024;

/** Schema limits (typed entries under the registry's prefixes). */
export const ADDRESSES_MAX = 16;
export const ADDRESS_MAX_BYTES = 256;
export const LABELS_MAX = 32;
export const LABEL_KEY_MAX_BYTES = 63;
export const LABEL_VALUE_MAX_BYTES = 256;
export const NAME_MAX_BYTES = 256;
export const TEXT_MAX_BYTES = 1024;
/** Arguments kept in a process's registry entry. */
export const ARGS_MAX = 64;
export const LOCATIONS_MAX = 16;
export const PRINCIPAL_MAX_BYTES = 256;
export const POLICY_PARAMS_MAX = 32;

/** Attempts of a service's start-up read (each bounded by the replica's request timeout). */
export const STARTUP_READ_ATTEMPTS = 10;
