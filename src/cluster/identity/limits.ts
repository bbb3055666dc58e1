// Limits of cluster identity, in one place: every token, certificate, request and list that crosses
// a trust boundary is bounded here and checked where it arrives.

/** Longest join token accepted, in characters (a real one is about 140). */
export const TOKEN_TEXT_MAX = 512;
/** Shortest and longest lifetime of a join token, in milliseconds (`cluster token --ttl`). */
export const TOKEN_TTL_MIN_MS = 1;
export const TOKEN_TTL_MAX_MS = 7 * 24 * 3600 * 1000;
/** Default lifetime of a join token, in milliseconds. */
export const TOKEN_TTL_DEFAULT_MS = 3600 * 1000;
/** Bytes of secret in a join token. */
export const TOKEN_SECRET_BYTES = 32;
/** Bytes of a token id. */
export const TOKEN_ID_BYTES = 8;
/** Most token records kept by the CA (used and expired ones are pruned first). */
export const TOKENS_MAX = 1024;
/** Most entries in the revocation list (node ids plus fingerprints). */
export const REVOKED_MAX = 65_536;

/** Largest PEM certificate or certificate request accepted, in characters. */
export const PEM_TEXT_MAX = 16 * 1024;
/** Largest DER certificate accepted, in bytes. */
export const DER_BYTES_MAX = 12 * 1024;
/** Most subject alternative names read from one certificate. */
export const SAN_ENTRIES_MAX = 16;

/** Lifetime of the cluster CA certificate, in milliseconds (20 years). */
export const CA_VALIDITY_MS = 20 * 365 * 24 * 3600 * 1000;
/** Default lifetime of a node certificate, in milliseconds (5 years; revocation ends one early). */
export const NODE_CERT_VALIDITY_MS = 5 * 365 * 24 * 3600 * 1000;
/** Default lifetime of an admin client certificate, in milliseconds (1 year). */
export const CLIENT_CERT_VALIDITY_MS = 365 * 24 * 3600 * 1000;
/** Clock skew tolerated between CA and members: certificates start this long before issue. */
export const CERT_BACKDATE_MS = 5 * 60 * 1000;

/** Bytes of the cluster datagram key (AES-256-GCM). */
export const CLUSTER_KEY_BYTES = 32;
/** Characters of a cluster id (lower-case base32 of 10 random bytes). */
export const CLUSTER_ID_LENGTH = 16;
/** Longest admin client name. */
export const CLIENT_NAME_MAX = 64;
