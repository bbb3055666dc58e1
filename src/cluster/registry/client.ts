// RegistryClient: the one interface through which the cluster reads and writes the registry. The
// embedded Raft registry is one implementation, LocalRegistry (in-process, for tests) another; an
// adapter to an external etcd can be a third. Every call returns a Promise and rejects only with a
// RegistryError. Reads and writes are linearizable in every implementation.

import type { CasExpectation, KeyValue, OpResult, Txn, WatchFilter } from './types.js';
import type { WatchHandle, WatchListener } from './watch.js';

export interface GetResult {
  /** The store revision the read saw. */
  readonly revision: number;
  readonly kv?: KeyValue;
}
export interface ListResult {
  readonly revision: number;
  /** In key order. */
  readonly kvs: readonly KeyValue[];
}
export interface PutResult {
  readonly revision: number;
  readonly prev?: KeyValue;
}
export interface DeleteResult {
  readonly revision: number;
  /** The deleted key; absent when there was nothing to delete (the revision is then unchanged). */
  readonly prev?: KeyValue;
}
export interface CasResult {
  readonly succeeded: boolean;
  readonly revision: number;
  /** The key after the call (the new one on success, the current one on failure). */
  readonly kv?: KeyValue;
}
export interface TxnResult {
  readonly succeeded: boolean;
  readonly revision: number;
  readonly results: readonly OpResult[];
}
export interface WriteOptions {
  /** Stamp the key's fencing token with this write's log position (ownership changes). */
  readonly fence?: boolean;
}
export interface WatchOptions {
  /** Replay events from this revision on (must not be compacted); default: only new events. */
  readonly fromRevision?: number;
}

export interface RegistryClient {
  get(key: string): Promise<GetResult>;
  /** Keys under `prefix`, at most `limit` (and LIST_MAX). */
  list(prefix: string, limit?: number): Promise<ListResult>;
  put(key: string, value: Uint8Array, options?: WriteOptions): Promise<PutResult>;
  /** Writes `value` (or deletes the key, for null) only if the key matches `expect`. */
  compareAndSet(
    key: string,
    expect: CasExpectation,
    value: Uint8Array | null,
    options?: WriteOptions,
  ): Promise<CasResult>;
  delete(key: string): Promise<DeleteResult>;
  /** Compares, then one branch of puts, deletes and gets, atomically under one revision. */
  txn(txn: Txn): Promise<TxnResult>;
  watch(filter: WatchFilter, listener: WatchListener, options?: WatchOptions): Promise<WatchHandle>;
}
