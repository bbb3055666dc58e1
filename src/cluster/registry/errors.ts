// The registry's one error type: a code a caller can switch on plus a message a person can read.
// Bad input (bytes, arguments, entries) becomes a RegistryError; a broken invariant is an assertion.

export const REGISTRY_ERROR_CODES = [
  'bad-encoding', // bytes that do not decode: truncated, unknown version or kind, bad UTF-8
  'too-large', // a key, value, count or length over its limit (limits.ts)
  'invalid-argument', // a well-formed request that makes no sense (empty key, bad revision)
  'invalid-entry', // a typed schema entry that fails validation
  'checksum', // a snapshot whose checksum does not match
  'compacted', // a watch from a revision older than the kept history
  'limit', // a resource limit reached (keys, watchers)
  'closed', // the registry (or the watch) is closed
] as const;

export type RegistryErrorCode = (typeof REGISTRY_ERROR_CODES)[number];

export function isRegistryErrorCode(code: string): code is RegistryErrorCode {
  return (REGISTRY_ERROR_CODES as readonly string[]).includes(code);
}

export class RegistryError extends Error {
  override readonly name = 'RegistryError';
  constructor(
    readonly code: RegistryErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export class RegistryAssertionError extends Error {
  override readonly name = 'RegistryAssertionError';
}

/** Stops at once when a registry invariant does not hold. */
export function assert(condition: boolean, message: string): asserts condition {
  if (!condition) throw new RegistryAssertionError(`registry invariant violated: ${message}`);
}
