// The durable Raft log over a Storage: segment files of checksummed records (entries, hard state)
// plus one snapshot file replaced atomically, which also says from which segment to replay. save() fsyncs before it returns, so
// the Ready contract "persist, then send" holds. On open, a torn tail of the last segment (a crash
// mid-append) is detected and cut; damage anywhere else is a WalError, never silently accepted.
// Byte layout: docs/raft.md.
import { checkStorageName, type Storage } from '../storage.js';
import {
  CodecError,
  crc32,
  Reader,
  readEntry,
  readHardState,
  readSnapshot,
  Writer,
  writeEntry,
  writeHardState,
  writeSnapshot,
} from './codec.js';
import { MAX_SNAPSHOT_BYTES, MAX_WAL_RECORD_BYTES, MAX_WAL_SEGMENTS, WAL_SEGMENT_BYTES } from './limits.js';
import type { Entry, HardState, Ready, Snapshot } from './types.js';

export type WalErrorCode = 'corrupt' | 'too-many-segments' | 'failed';

export class WalError extends Error {
  constructor(
    readonly code: WalErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'WalError';
  }
}

/** What open() recovered: feed it to RawNode as `{ kind: 'restore', ...state }`. */
export interface WalState {
  readonly hardState: HardState;
  readonly snapshot: Snapshot | undefined;
  readonly entries: Entry[];
}

export interface WalOptions {
  readonly segmentBytes?: number;
  readonly maxSnapshotBytes?: number;
}

const SEGMENT_MAGIC = 0x504b574c; // "PKWL"
const SNAPSHOT_MAGIC = 0x504b534e; // "PKSN"
const VERSION = 1;
const HEADER_BYTES = 9; // u32 payload length, u32 crc32(type + payload), u8 type

enum RecordType {
  Segment = 1,
  Entry = 2,
  HardState = 3,
}

const SEGMENT_NAME = /seg-([0-9a-f]{16})\.wal$/;

type Record =
  | { type: RecordType.Segment; seq: number }
  | { type: RecordType.Entry; entry: Entry }
  | { type: RecordType.HardState; hardState: HardState };

/** The snapshot file: the snapshot, the hard state when it was written, and where replay resumes. */
interface SnapshotFile {
  readonly snapshot: Snapshot;
  readonly hardState: HardState;
  /** The segment started right after the snapshot: hard state is replayed from there on. */
  readonly segment: number;
  /** A snapshot from the leader voids all entries before it: older segments are not replayed. */
  readonly replacesLog: boolean;
}

function segmentName(dir: string, seq: number): string {
  return `${dir}/seg-${seq.toString(16).padStart(16, '0')}.wal`;
}

function appendRecord(w: Writer, type: RecordType, body: (w: Writer) => void): void {
  const start = w.length;
  w.u32(0);
  w.u32(0);
  w.u8(type);
  body(w);
  const all = w.peek();
  const payload = all.length - start - HEADER_BYTES;
  if (payload > MAX_WAL_RECORD_BYTES)
    throw new WalError('failed', `a record of ${payload} bytes exceeds ${MAX_WAL_RECORD_BYTES}`);
  w.patchU32(start, payload);
  w.patchU32(start + 4, crc32(all, start + 8, all.length));
}

function decodeRecord(type: number, payload: Uint8Array): Record {
  const r = new Reader(payload);
  let rec: Record;
  switch (type) {
    case RecordType.Segment: {
      if (r.u32('magic') !== SEGMENT_MAGIC) throw new CodecError('bad segment magic');
      const version = r.u16('version');
      if (version !== VERSION) throw new CodecError(`unsupported log version ${version}`);
      rec = { type, seq: r.u64('segment sequence') };
      break;
    }
    case RecordType.Entry:
      rec = { type, entry: readEntry(r) };
      break;
    case RecordType.HardState:
      rec = { type, hardState: readHardState(r) };
      break;
    default:
      throw new CodecError(`unknown record type ${type}`);
  }
  r.end('record');
  return rec;
}

/**
 * Parses one segment. Returns its records and, when the segment ends in a torn record and `isLast`,
 * the offset to cut it at. A bad record followed by more bytes, or in an earlier segment, throws.
 */
function parseSegment(
  name: string,
  bytes: Uint8Array,
  isLast: boolean,
): { records: Record[]; cutAt?: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const records: Record[] = [];
  let offset = 0;
  const torn = (why: string) => {
    if (isLast) return { records, cutAt: offset };
    throw new WalError('corrupt', `${name}: ${why} at offset ${offset} of a sealed segment`);
  };
  while (offset < bytes.length) {
    if (bytes.length - offset < HEADER_BYTES) return torn('a partial record header');
    const length = view.getUint32(offset);
    const end = offset + HEADER_BYTES + length;
    if (length > MAX_WAL_RECORD_BYTES || end > bytes.length) return torn('a record running past the end');
    if (view.getUint32(offset + 4) !== crc32(bytes, offset + 8, end)) {
      if (end === bytes.length) return torn('a checksum mismatch in the last record');
      throw new WalError('corrupt', `${name}: checksum mismatch at offset ${offset}, with records after it`);
    }
    let rec: Record;
    try {
      rec = decodeRecord(bytes[offset + 8] as number, bytes.subarray(offset + HEADER_BYTES, end));
    } catch (err) {
      throw new WalError(
        'corrupt',
        `${name}: undecodable record at offset ${offset}: ${(err as Error).message}`,
      );
    }
    if ((records.length === 0) !== (rec.type === RecordType.Segment)) {
      throw new WalError('corrupt', `${name}: the segment header must be exactly the first record`);
    }
    records.push(rec);
    offset = end;
  }
  return { records };
}

function encodeSnapshotFile(f: SnapshotFile): Uint8Array {
  const body = new Writer();
  body.u64(f.segment);
  body.u8(f.replacesLog ? 1 : 0);
  writeHardState(body, f.hardState);
  writeSnapshot(body, f.snapshot);
  const b = body.finish();
  const w = new Writer();
  w.u32(SNAPSHOT_MAGIC);
  w.u16(VERSION);
  w.u32(crc32(b));
  w.u32(b.length);
  w.bytes(b);
  return w.finish();
}

function decodeSnapshotFile(name: string, bytes: Uint8Array, maxBytes: number): SnapshotFile {
  try {
    const r = new Reader(bytes);
    if (r.u32('magic') !== SNAPSHOT_MAGIC) throw new CodecError('bad snapshot magic');
    const version = r.u16('version');
    if (version !== VERSION) throw new CodecError(`unsupported snapshot version ${version}`);
    const crc = r.u32('crc');
    const body = r.blob(maxBytes, 'snapshot');
    r.end('snapshot file');
    if (crc32(body) !== crc) throw new CodecError('checksum mismatch');
    const br = new Reader(body);
    const segment = br.u64('segment');
    const replacesLog = br.u8('flag') === 1;
    const hardState = readHardState(br);
    const snapshot = readSnapshot(br, maxBytes);
    br.end('snapshot');
    return { snapshot, hardState, segment, replacesLog };
  } catch (err) {
    if (err instanceof CodecError) throw new WalError('corrupt', `${name}: ${err.message}`);
    throw err;
  }
}

export class Wal {
  private seq = 0;
  private segment = '';
  private segmentSize = 0;
  /** Highest entry index written into each live segment (0 when none). */
  private readonly segmentLast = new Map<string, number>();
  private hard: HardState = { term: 0, vote: 0, commit: 0 };
  private snapshotIndex = 0;
  private failed: Error | undefined;
  private readonly segmentBytes: number;

  private constructor(
    private readonly storage: Storage,
    private readonly dir: string,
    options: WalOptions,
  ) {
    this.segmentBytes = options.segmentBytes ?? WAL_SEGMENT_BYTES;
  }

  /**
   * Recovers the log in `dir` (empty state when there is none), cuts a torn tail, and opens a new
   * segment for writing. `cutBytes` says how many torn bytes were cut.
   */
  static open(
    storage: Storage,
    dir: string,
    options: WalOptions = {},
  ): { wal: Wal; state: WalState; cutBytes: number } {
    checkStorageName(dir);
    const wal = new Wal(storage, dir, options);
    const maxSnapshot = options.maxSnapshotBytes ?? MAX_SNAPSHOT_BYTES;
    const snapBytes = storage.read(`${dir}/snapshot`);
    const snapFile = snapBytes ? decodeSnapshotFile(`${dir}/snapshot`, snapBytes, maxSnapshot) : undefined;
    const snapshot = snapFile?.snapshot;
    wal.snapshotIndex = snapshot?.index ?? 0;

    const names = storage.list(`${dir}/seg-`).filter((n) => SEGMENT_NAME.test(n));
    if (names.length > MAX_WAL_SEGMENTS) {
      throw new WalError(
        'too-many-segments',
        `${dir}: ${names.length} segments exceed the limit of ${MAX_WAL_SEGMENTS}`,
      );
    }
    let entries: Entry[] = [];
    let hard: HardState = snapFile?.hardState ?? { term: 0, vote: 0, commit: 0 };
    let cutBytes = 0;
    names.forEach((name, i) => {
      const seq = Number.parseInt((SEGMENT_NAME.exec(name) as RegExpExecArray)[1] as string, 16);
      wal.seq = Math.max(wal.seq, seq);
      if (snapFile?.replacesLog && seq < snapFile.segment) {
        storage.remove(name); // left over from a crash between the snapshot and the cleanup
        return;
      }
      const bytes = storage.read(name) ?? new Uint8Array(0);
      const { records, cutAt } = parseSegment(name, bytes, i === names.length - 1);
      if (cutAt !== undefined) {
        storage.truncate(name, cutAt);
        storage.sync(name);
        cutBytes = bytes.length - cutAt;
      }
      let last = 0;
      for (const rec of records) {
        switch (rec.type) {
          case RecordType.Segment:
            if (rec.seq !== seq) throw new WalError('corrupt', `${name}: header says segment ${rec.seq}`);
            break;
          case RecordType.HardState:
            // hard state written before the snapshot file is older than the one it holds
            if (!snapFile || seq >= snapFile.segment) hard = rec.hardState;
            break;
          case RecordType.Entry: {
            const e = rec.entry;
            last = Math.max(last, e.index);
            const first = entries[0];
            if (first && e.index <= first.index - 1 + entries.length)
              entries.length = Math.max(0, e.index - first.index);
            const prev = entries[entries.length - 1];
            if (prev && e.index !== prev.index + 1) {
              throw new WalError('corrupt', `${name}: entry ${e.index} does not follow entry ${prev.index}`);
            }
            entries.push(e);
            break;
          }
        }
      }
      wal.segmentLast.set(name, last);
    });
    wal.seq = Math.max(wal.seq, snapFile?.segment ?? 0);
    const snapIndex = snapshot?.index ?? 0;
    entries = entries.filter((e) => e.index > snapIndex);
    const firstEntry = entries[0];
    if (firstEntry && firstEntry.index !== snapIndex + 1) {
      throw new WalError(
        'corrupt',
        `${dir}: the log starts at ${firstEntry.index}, the snapshot ends at ${snapIndex}`,
      );
    }
    const lastIndex = snapIndex + entries.length;
    if (hard.commit > lastIndex) {
      throw new WalError('corrupt', `${dir}: commit index ${hard.commit} beyond the last entry ${lastIndex}`);
    }
    wal.hard = hard;
    wal.startSegment();
    return { wal, state: { hardState: hard, snapshot, entries }, cutBytes };
  }

  /** Appends entries and the hard state (either may be empty) and fsyncs. */
  save(hardState: HardState | undefined, entries: readonly Entry[], sync = true): void {
    this.guard(() => {
      if (!hardState && entries.length === 0) return;
      const w = new Writer();
      let last = this.segmentLast.get(this.segment) ?? 0;
      for (const e of entries) {
        appendRecord(w, RecordType.Entry, (b) => writeEntry(b, e));
        last = Math.max(last, e.index);
      }
      if (hardState) {
        appendRecord(w, RecordType.HardState, (b) => writeHardState(b, hardState));
        this.hard = hardState;
      }
      this.write(w.finish(), sync);
      this.segmentLast.set(this.segment, last);
      if (this.segmentSize >= this.segmentBytes) this.startSegment();
    });
  }

  /**
   * Persists a snapshot: the snapshot file atomically (with the hard state and the number of the
   * segment started next), then a fresh segment; segments the snapshot makes useless are deleted.
   * `replacesLog`: the snapshot came from the leader and every entry before it is void (RawNode's
   * Ready snapshot); false for local compaction, which keeps the entries after it.
   */
  saveSnapshot(snapshot: Snapshot, replacesLog: boolean): void {
    this.guard(() => {
      if (snapshot.index < this.snapshotIndex || (snapshot.index === this.snapshotIndex && !replacesLog))
        return;
      const file: SnapshotFile = { snapshot, hardState: this.hard, segment: this.seq + 1, replacesLog };
      this.storage.writeAtomic(`${this.dir}/snapshot`, encodeSnapshotFile(file));
      this.snapshotIndex = snapshot.index;
      this.startSegment();
      // Delete a prefix of segments only: a later segment's entries may overwrite an earlier one's.
      for (const name of this.segments()) {
        const last = this.segmentLast.get(name) ?? 0;
        if (name === this.segment || (!replacesLog && last > snapshot.index)) break;
        this.storage.remove(name);
        this.segmentLast.delete(name);
      }
    });
  }

  /** The persistence half of the Ready contract: snapshot, entries, hard state; fsync when needed. */
  saveReady(rd: Ready): void {
    if (rd.snapshot) this.saveSnapshot(rd.snapshot, true);
    this.save(rd.hardState, rd.entries, rd.mustSync);
  }

  /** Files of this log (for tests and tools). */
  segments(): string[] {
    return [...this.segmentLast.keys()].sort();
  }

  private startSegment(): void {
    // a segment is sealed durable before the next one starts: only the last one can have a torn tail
    if (this.segment) this.storage.sync(this.segment);
    this.seq++;
    this.segment = segmentName(this.dir, this.seq);
    this.segmentSize = 0;
    this.segmentLast.set(this.segment, 0);
    const w = new Writer();
    appendRecord(w, RecordType.Segment, (b) => {
      b.u32(SEGMENT_MAGIC);
      b.u16(VERSION);
      b.u64(this.seq);
    });
    // every segment starts with the current hard state, so older segments can be deleted
    appendRecord(w, RecordType.HardState, (b) => writeHardState(b, this.hard));
    this.write(w.finish(), true);
  }

  private write(bytes: Uint8Array, sync: boolean): void {
    this.storage.append(this.segment, bytes);
    this.segmentSize += bytes.length;
    if (sync) this.storage.sync(this.segment);
  }

  /** After a storage failure the log's state on disk is unknown: refuse everything (reopen to recover). */
  private guard(fn: () => void): void {
    if (this.failed)
      throw new WalError('failed', `the log failed earlier and must be reopened: ${this.failed.message}`);
    try {
      fn();
    } catch (err) {
      this.failed = err as Error;
      throw err;
    }
  }
}
