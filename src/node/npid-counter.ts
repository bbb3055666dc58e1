// The persisted NPID counter of a node home. Local ids are reserved in blocks: before the first id
// of a block is handed out, the new high-water mark is written atomically (temp file, fsync,
// rename). After a crash the node starts at the persisted mark, so an id is never handed out twice
// (ids between the last one used and the mark are skipped, never reused).
import { readFileSync } from 'node:fs';
import { type AtomicWriteOptions, writeFileAtomicSync } from './atomic-file.js';
import type { PidSource } from './node-kernel.js';

/** Local ids are below 2^31 (they fit a signed 32-bit register). */
export const NPID_LOCAL_LIMIT = 2 ** 31;
/** Ids reserved per counter write. */
export const NPID_BLOCK = 1024;

export class CounterError extends Error {
  override readonly name = 'CounterError';
}

/** Reads the persisted mark: the first local id no previous owner can have handed out. */
export function readMark(path: string): number {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 1;
    throw new CounterError(`cannot read ${path}: ${(err as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new CounterError(`${path} is corrupt (not JSON); refusing to guess which NPIDs were used`);
  }
  const mark = (parsed as { mark?: unknown } | null)?.mark;
  if (typeof mark !== 'number' || !Number.isInteger(mark) || mark < 1 || mark > NPID_LOCAL_LIMIT) {
    throw new CounterError(`${path} is corrupt (mark ${JSON.stringify(mark)}); refusing to guess`);
  }
  return mark;
}

/** Hands out local ids from a file-backed counter. Not shared between processes: hold the home lock. */
export class NpidCounter implements PidSource {
  private nextId: number;
  private limit: number;

  constructor(
    readonly nodeId: number,
    private readonly path: string,
    private readonly block = NPID_BLOCK,
    private readonly writeOptions: AtomicWriteOptions = {},
  ) {
    this.nextId = readMark(path);
    this.limit = this.nextId;
  }

  /** The next never-used local id. Persists a new mark first when the current block is spent. */
  next(): number {
    if (this.nextId >= NPID_LOCAL_LIMIT) throw new CounterError('NPID local ids exhausted on this node');
    if (this.nextId >= this.limit) {
      const limit = Math.min(this.nextId + this.block, NPID_LOCAL_LIMIT);
      writeFileAtomicSync(this.path, `${JSON.stringify({ mark: limit })}\n`, this.writeOptions);
      this.limit = limit;
    }
    return this.nextId++;
  }

  /** The mark currently persisted (for tests and the admin API). */
  get persistedMark(): number {
    return this.limit;
  }
}
