// The byte storage the cluster layer persists through (DESIGN.md §3): synchronous, named files with
// append / sync / atomic replace. The daemon implements it on a directory (node/file-storage.ts),
// tests and the simulator in memory with crash faults (memory-storage.ts). Cluster code never
// touches fs itself.
//
// Durability contract: append() data may be lost or torn by a crash until sync(name) returns;
// writeAtomic() is durable when it returns and a reader sees the old or the new content, never a
// mix; truncate() and remove() are durable when they return.

export type StorageErrorCode = 'invalid-name' | 'io' | 'no-space';

export class StorageError extends Error {
  constructor(
    readonly code: StorageErrorCode,
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
    this.name = 'StorageError';
  }
}

export interface Storage {
  /** The whole content of `name`, or undefined when it does not exist. */
  read(name: string): Uint8Array | undefined;
  /** Appends bytes to `name`, creating it when missing. Not durable until sync(name). */
  append(name: string, bytes: Uint8Array): void;
  /** Replaces `name` atomically and durably. */
  writeAtomic(name: string, bytes: Uint8Array): void;
  /** Cuts `name` to `length` bytes (durable on return). */
  truncate(name: string, length: number): void;
  /** Makes everything appended to `name` so far durable (fdatasync). */
  sync(name: string): void;
  /** Deletes `name` if it exists (durable on return). */
  remove(name: string): void;
  /** The names starting with `prefix`, sorted. */
  list(prefix: string): string[];
}

/** Longest accepted file name. */
export const MAX_STORAGE_NAME = 200;
const NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]*(\/[A-Za-z0-9_-][A-Za-z0-9._-]*)*$/;

/** Throws StorageError('invalid-name') unless `name` is a relative path of plain segments. */
export function checkStorageName(name: string): void {
  if (name.length === 0 || name.length > MAX_STORAGE_NAME || !NAME.test(name)) {
    throw new StorageError(
      'invalid-name',
      name,
      'not a valid storage name (letters, digits, . _ - and / only)',
    );
  }
}
