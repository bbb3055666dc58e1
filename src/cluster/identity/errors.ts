// The one error type of cluster identity: a refusal with a machine-readable reason and a message a
// person can act on. Join refusals, bad certificates and bad requests all end as one of these.

export type IdentityRefusal =
  /** No token was given. */
  | 'no-token'
  /** The token text is not a join token (wrong shape, bad encoding, too long). */
  | 'malformed-token'
  /** The token's id is not one this CA issued (or it was pruned). */
  | 'unknown-token'
  /** The token's secret does not match the one the CA recorded. */
  | 'wrong-secret'
  /** The token's lifetime is over. */
  | 'expired-token'
  /** The token was already used by a successful join. */
  | 'reused-token'
  /** The CA certificate's fingerprint is not the one the token names. */
  | 'ca-mismatch'
  /** A certificate request that does not parse, verify or name a node. */
  | 'bad-request'
  /** A certificate that does not parse, is not signed by the CA, is out of date or names no node. */
  | 'bad-certificate'
  /** A certificate for an admin client presented where a node's is required. */
  | 'not-a-node'
  /** The node or certificate is on the revocation list. */
  | 'revoked'
  /** A limit was reached (too many live tokens, revocation list full). */
  | 'limit';

export class IdentityError extends Error {
  override readonly name = 'IdentityError';
  constructor(
    readonly reason: IdentityRefusal,
    message: string,
  ) {
    super(message);
  }
}

/** Throws an IdentityError unless `condition` holds. */
export function refuseUnless(
  condition: boolean,
  reason: IdentityRefusal,
  message: string,
): asserts condition {
  if (!condition) throw new IdentityError(reason, message);
}

/**
 * Runs `read` (parsing outside input with a library that parses lazily and may throw anything) and
 * turns whatever it throws that is not already an IdentityError into one with `reason`.
 */
export function asIdentityError<T>(reason: IdentityRefusal, what: string, read: () => T): T {
  try {
    return read();
  } catch (err) {
    if (err instanceof IdentityError) throw err;
    throw new IdentityError(reason, `${what}: ${err instanceof Error ? err.message : String(err)}`);
  }
}
