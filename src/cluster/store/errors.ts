// Typed errors of the checkpoint store and its replication: why a page, a manifest or a transfer
// was refused. Nothing the store reads from disk or a peer crashes the node: it becomes one of these.

export type StoreErrorCode =
  /** The page, manifest or checkpoint is not in this store. */
  | 'missing'
  /** Bytes on disk or from a peer do not match their SHA-256, or do not parse: never restored from. */
  | 'corrupt'
  /** An input is over a named limit (store/limits.ts). */
  | 'too-large'
  /** A peer did not answer in time, its link went down, or it refused. */
  | 'unavailable'
  /** Fewer replica holders than required were reachable. */
  | 'not-replicated';

export class StoreError extends Error {
  constructor(
    readonly code: StoreErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'StoreError';
  }
}
