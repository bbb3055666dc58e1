// The per-node cache of programs, content-addressed: an ELF is kept under its SHA-256 (hex) in a
// Storage (the daemon's is <home>/programs/), checked against its name on every read (a corrupt
// file is dropped, never run), and bounded in count and total bytes (the oldest entries go first).
import { createHash } from 'node:crypto';
import type { Storage } from '../storage.js';
import { PROGRAM_CACHE_ENTRIES_MAX, PROGRAM_CACHE_MAX_BYTES, PROGRAM_MAX_BYTES } from './limits.js';

const SHA256_HEX = /^[0-9a-f]{64}$/;

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function isSha256Hex(text: string): boolean {
  return SHA256_HEX.test(text);
}

export class ProgramCache {
  /** Insertion order = age (oldest first); sizes of the entries this cache knows. */
  private readonly entries = new Map<string, number>();
  private bytes = 0;

  constructor(
    private readonly storage: Storage,
    private readonly maxBytes = PROGRAM_CACHE_MAX_BYTES,
    private readonly maxEntries = PROGRAM_CACHE_ENTRIES_MAX,
  ) {
    for (const name of storage.list('')) {
      if (!isSha256Hex(name)) continue;
      const size = storage.read(name)?.length;
      if (size !== undefined) this.remember(name, size);
    }
    this.trim();
  }

  has(sha: string): boolean {
    return this.entries.has(sha);
  }

  /** The program's bytes, verified against its hash; undefined if absent or corrupt (then dropped). */
  get(sha: string): Uint8Array | undefined {
    if (!isSha256Hex(sha) || !this.entries.has(sha)) return undefined;
    const bytes = this.storage.read(sha);
    if (bytes === undefined || sha256Hex(bytes) !== sha) {
      this.drop(sha);
      return undefined;
    }
    return bytes;
  }

  /**
   * Keeps `bytes` under `sha`; false (nothing kept) when they do not hash to it or are too large.
   * Storage errors propagate (StorageError).
   */
  put(sha: string, bytes: Uint8Array): boolean {
    if (!isSha256Hex(sha) || bytes.length > PROGRAM_MAX_BYTES || sha256Hex(bytes) !== sha) return false;
    if (this.entries.has(sha)) return true;
    this.storage.writeAtomic(sha, bytes);
    this.remember(sha, bytes.length);
    this.trim(sha);
    return true;
  }

  get totalBytes(): number {
    return this.bytes;
  }

  get size(): number {
    return this.entries.size;
  }

  private remember(sha: string, size: number): void {
    this.entries.set(sha, size);
    this.bytes += size;
  }

  private drop(sha: string): void {
    const size = this.entries.get(sha);
    if (size === undefined) return;
    this.entries.delete(sha);
    this.bytes -= size;
    this.storage.remove(sha);
  }

  /** Drops the oldest entries (never `keep`) until the cache is within its bounds. */
  private trim(keep?: string): void {
    for (const sha of [...this.entries.keys()]) {
      if (this.bytes <= this.maxBytes && this.entries.size <= this.maxEntries) return;
      if (sha !== keep) this.drop(sha);
    }
  }
}
