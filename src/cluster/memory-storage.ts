// Storage in memory, for tests and the simulator: keeps, per file, the bytes written and the bytes
// known durable, so crash() can lose unsynced appends or tear them (keep a random prefix, optionally
// with a damaged last byte), as a power cut does. Faults: a one-shot failure of the next operation.
import { type Random, randomBelow } from '../net/random.js';
import { checkStorageName, type Storage, StorageError } from './storage.js';

interface MemoryFile {
  data: Uint8Array;
  durable: Uint8Array;
}

export type StorageOperation = 'append' | 'writeAtomic' | 'truncate' | 'sync' | 'remove';

export class MemoryStorage implements Storage {
  private readonly files = new Map<string, MemoryFile>();
  private failing: StorageOperation | undefined;

  read(name: string): Uint8Array | undefined {
    checkStorageName(name);
    const f = this.files.get(name);
    return f ? f.data.slice() : undefined;
  }

  append(name: string, bytes: Uint8Array): void {
    this.op('append', name);
    const f = this.files.get(name) ?? { data: new Uint8Array(0), durable: new Uint8Array(0) };
    const data = new Uint8Array(f.data.length + bytes.length);
    data.set(f.data);
    data.set(bytes, f.data.length);
    f.data = data;
    this.files.set(name, f);
  }

  writeAtomic(name: string, bytes: Uint8Array): void {
    this.op('writeAtomic', name);
    this.files.set(name, { data: bytes.slice(), durable: bytes.slice() });
  }

  truncate(name: string, length: number): void {
    this.op('truncate', name);
    const f = this.files.get(name);
    if (!f) throw new StorageError('io', name, 'truncate of a missing file');
    f.data = f.data.slice(0, length);
    f.durable = f.durable.slice(0, Math.min(length, f.durable.length));
  }

  sync(name: string): void {
    this.op('sync', name);
    const f = this.files.get(name);
    if (f) f.durable = f.data.slice();
  }

  remove(name: string): void {
    this.op('remove', name);
    this.files.delete(name);
  }

  list(prefix: string): string[] {
    return [...this.files.keys()].filter((n) => n.startsWith(prefix)).sort();
  }

  /** The next `operation` throws StorageError('io') (a disk fault), once. */
  failNext(operation: StorageOperation): void {
    this.failing = operation;
  }

  /**
   * A power cut: every file goes back to its durable bytes. With `tear`, a random prefix of each
   * file's unsynced tail survives, and its last surviving byte may be garbage.
   */
  crash(tear?: Random): void {
    for (const f of this.files.values()) {
      if (!tear || f.data.length <= f.durable.length) {
        f.data = f.durable.slice();
        continue;
      }
      const extra = randomBelow(tear, f.data.length - f.durable.length + 1);
      const kept = f.data.slice(0, f.durable.length + extra);
      if (extra > 0 && randomBelow(tear, 2) === 0)
        kept[kept.length - 1] = (kept[kept.length - 1] as number) ^ 0x5a;
      f.data = kept;
      f.durable = kept.slice();
    }
  }

  /** Flips bits of the byte at `offset` of `name` (durably): silent disk corruption. */
  corrupt(name: string, offset: number): void {
    const f = this.files.get(name);
    if (!f || offset >= f.data.length) throw new StorageError('io', name, `no byte ${offset} to corrupt`);
    f.data[offset] = (f.data[offset] as number) ^ 0xff;
    if (offset < f.durable.length) f.durable[offset] = (f.durable[offset] as number) ^ 0xff;
  }

  private op(operation: StorageOperation, name: string): void {
    checkStorageName(name);
    if (this.failing === operation) {
      this.failing = undefined;
      throw new StorageError('io', name, `injected ${operation} failure`);
    }
  }
}
