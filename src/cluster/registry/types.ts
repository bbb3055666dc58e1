// The registry's data model: keys with revisions, the commands the Raft log carries, their results
// and the events watches see. Plain data; the codec (codec.ts) gives each its byte form.

import type { RegistryErrorCode } from './errors.js';

/** The log position of a write: the fencing token of an ownership change (DESIGN.md §6). */
export interface FencingToken {
  readonly term: number;
  readonly index: number;
}

/** A key as stored. Revisions are etcd's: the store revision of the key's creation and last write. */
export interface KeyValue {
  readonly key: string;
  readonly value: Uint8Array;
  /** Store revision of the write that created this key (since its last delete). */
  readonly createRevision: number;
  /** Store revision of the last write to this key. */
  readonly modRevision: number;
  /** Number of writes since creation: 1 after the first put. */
  readonly version: number;
  /**
   * Log position of the last write made with `fence: true` ({0, 0} if none). Ownership changes
   * (an NPID moving node) write with fence set; other updates keep the token.
   */
  readonly fence: FencingToken;
}

/**
 * A condition on one key; every field given must hold. An absent key has value null, modRevision 0
 * and version 0.
 */
export interface Compare {
  readonly key: string;
  readonly value?: Uint8Array | null;
  readonly modRevision?: number;
  readonly version?: number;
}

export type TxnOp =
  | { readonly type: 'put'; readonly key: string; readonly value: Uint8Array; readonly fence?: boolean }
  | { readonly type: 'delete'; readonly key: string }
  | { readonly type: 'get'; readonly key: string };

export interface Txn {
  readonly compares: readonly Compare[];
  readonly success: readonly TxnOp[];
  readonly failure: readonly TxnOp[];
}

/** What a compare-and-set expects of the key's current state (at least one field). */
export interface CasExpectation {
  /** The current value, or null for "the key is absent". */
  readonly value?: Uint8Array | null;
  /** The current mod revision (0 for "the key is absent"). */
  readonly modRevision?: number;
}

/** A write the Raft log carries. */
export type Command =
  | { readonly type: 'put'; readonly key: string; readonly value: Uint8Array; readonly fence?: boolean }
  | { readonly type: 'delete'; readonly key: string }
  | {
      readonly type: 'cas';
      readonly key: string;
      readonly expect: CasExpectation;
      /** The new value, or null to delete the key. */
      readonly value: Uint8Array | null;
      readonly fence?: boolean;
    }
  | ({ readonly type: 'txn' } & Txn);

export type OpResult =
  | { readonly type: 'put'; readonly prev?: KeyValue }
  | { readonly type: 'delete'; readonly prev?: KeyValue }
  | { readonly type: 'get'; readonly kv?: KeyValue };

/** The outcome of applying a command; `revision` is the store revision after it. */
export type CommandResult =
  | { readonly type: 'put'; readonly revision: number; readonly prev?: KeyValue }
  | { readonly type: 'delete'; readonly revision: number; readonly prev?: KeyValue }
  | {
      readonly type: 'cas';
      readonly succeeded: boolean;
      readonly revision: number;
      /** The key after the command (absent if it does not exist). */
      readonly kv?: KeyValue;
    }
  | {
      readonly type: 'txn';
      readonly succeeded: boolean;
      readonly revision: number;
      readonly results: readonly OpResult[];
    }
  | { readonly type: 'error'; readonly code: RegistryErrorCode; readonly message: string };

/** A change a watch sees. For a delete, `kv` is absent and `prev` is the deleted key. */
export interface WatchEvent {
  readonly type: 'put' | 'delete';
  readonly key: string;
  readonly revision: number;
  readonly kv?: KeyValue;
  readonly prev?: KeyValue;
}

/** Which keys a watch follows: one key, or every key that starts with a prefix. */
export type WatchFilter = { readonly key: string } | { readonly prefix: string };

export const NO_FENCE: FencingToken = Object.freeze({ term: 0, index: 0 });

/** A copy of `kv` whose value bytes the caller may keep or change. */
export function copyKeyValue(kv: KeyValue): KeyValue {
  return { ...kv, value: kv.value.slice() };
}
