// A compact binary encoding of Raft entries, hard state and snapshots, for the durable log
// (wal.ts). Big-endian; 64-bit counters as two 32-bit halves (values up to 2^53). Decoding checks
// every length and count against the named limits and throws CodecError on bad input.
// Layouts are in docs/raft.md.
import type { NodeId } from '../../net/node-id.js';
import { MAX_CONF_NODES, MAX_WAL_RECORD_BYTES } from './limits.js';
import type { ConfChange, ConfState, Entry, HardState, Snapshot } from './types.js';

export class CodecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CodecError';
  }
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (IEEE 802.3, as zlib) of bytes[start, end). */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = (CRC_TABLE[(c ^ (bytes[i] as number)) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export class Writer {
  private buf = new Uint8Array(64);
  private view = new DataView(this.buf.buffer);
  length = 0;

  private room(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
  u8(v: number): void {
    this.room(1);
    this.view.setUint8(this.length, v);
    this.length += 1;
  }
  u16(v: number): void {
    this.room(2);
    this.view.setUint16(this.length, v);
    this.length += 2;
  }
  u32(v: number): void {
    this.room(4);
    this.view.setUint32(this.length, v >>> 0);
    this.length += 4;
  }
  u64(v: number): void {
    if (!Number.isSafeInteger(v) || v < 0) throw new CodecError(`${v} is not a counter`);
    this.u32(Math.floor(v / 2 ** 32));
    this.u32(v % 2 ** 32);
  }
  bytes(b: Uint8Array): void {
    this.room(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }
  /** Length-prefixed (u32) bytes. */
  blob(b: Uint8Array): void {
    this.u32(b.length);
    this.bytes(b);
  }
  /** Overwrites a u32 written earlier at `at`. */
  patchU32(at: number, v: number): void {
    this.view.setUint32(at, v >>> 0);
  }
  finish(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
  /** The bytes written so far, without copying (valid until the next write). */
  peek(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }
}

export class Reader {
  private readonly view: DataView;
  offset = 0;
  constructor(private readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  remaining(): number {
    return this.buf.length - this.offset;
  }
  private need(n: number, what: string): void {
    if (this.remaining() < n)
      throw new CodecError(`truncated ${what}: need ${n} bytes, have ${this.remaining()}`);
  }
  u8(what = 'u8'): number {
    this.need(1, what);
    return this.view.getUint8(this.offset++);
  }
  u16(what = 'u16'): number {
    this.need(2, what);
    const v = this.view.getUint16(this.offset);
    this.offset += 2;
    return v;
  }
  u32(what = 'u32'): number {
    this.need(4, what);
    const v = this.view.getUint32(this.offset);
    this.offset += 4;
    return v;
  }
  u64(what = 'u64'): number {
    const hi = this.u32(what);
    const lo = this.u32(what);
    if (hi >= 2 ** 21) throw new CodecError(`${what} beyond 2^53`);
    return hi * 2 ** 32 + lo;
  }
  bytes(n: number, what = 'bytes'): Uint8Array {
    this.need(n, what);
    const b = this.buf.slice(this.offset, this.offset + n);
    this.offset += n;
    return b;
  }
  blob(max: number, what: string): Uint8Array {
    const n = this.u32(`${what} length`);
    if (n > max) throw new CodecError(`${what} of ${n} bytes exceeds the limit of ${max}`);
    return this.bytes(n, what);
  }
  end(what: string): void {
    if (this.remaining() !== 0) throw new CodecError(`${this.remaining()} trailing bytes after ${what}`);
  }
}

const CHANGE_CODES: Record<ConfChange['type'], number> = { 'add-learner': 1, 'add-voter': 2, remove: 3 };
const CHANGE_TYPES = ['', 'add-learner', 'add-voter', 'remove'] as const;

function nodeId(n: number, what: string): NodeId {
  if (n === 0) throw new CodecError(`${what}: node id 0`);
  return n as NodeId;
}

export function writeEntry(w: Writer, e: Entry): void {
  w.u8(e.kind === 'normal' ? 1 : 2);
  w.u64(e.term);
  w.u64(e.index);
  if (e.kind === 'normal') w.blob(e.data);
  else {
    w.u8(CHANGE_CODES[e.change.type]);
    w.u32(e.change.node);
  }
}

export function readEntry(r: Reader): Entry {
  const kind = r.u8('entry kind');
  const term = r.u64('entry term');
  const index = r.u64('entry index');
  if (index === 0) throw new CodecError('entry index 0');
  if (kind === 1) return { kind: 'normal', term, index, data: r.blob(MAX_WAL_RECORD_BYTES, 'entry data') };
  if (kind === 2) {
    const type = CHANGE_TYPES[r.u8('conf change type')];
    if (!type) throw new CodecError('unknown conf change type');
    const node = nodeId(r.u32('conf change node'), 'conf change');
    return { kind: 'conf', term, index, change: { type, node } as ConfChange };
  }
  throw new CodecError(`unknown entry kind ${kind}`);
}

export function writeHardState(w: Writer, h: HardState): void {
  w.u64(h.term);
  w.u32(h.vote);
  w.u64(h.commit);
}

export function readHardState(r: Reader): HardState {
  const term = r.u64('term');
  const vote = r.u32('vote') as NodeId;
  const commit = r.u64('commit');
  return { term, vote, commit };
}

function writeIds(w: Writer, ids: readonly NodeId[]): void {
  w.u16(ids.length);
  for (const id of ids) w.u32(id);
}

function readIds(r: Reader, what: string): NodeId[] {
  const n = r.u16(`${what} count`);
  if (n > MAX_CONF_NODES) throw new CodecError(`${n} ${what} exceed the limit of ${MAX_CONF_NODES}`);
  const out: NodeId[] = [];
  for (let i = 0; i < n; i++) out.push(nodeId(r.u32(what), what));
  return out;
}

export function writeConfState(w: Writer, c: ConfState): void {
  writeIds(w, c.voters);
  writeIds(w, c.learners);
}

export function readConfState(r: Reader): ConfState {
  return { voters: readIds(r, 'voters'), learners: readIds(r, 'learners') };
}

export function writeSnapshot(w: Writer, s: Snapshot): void {
  w.u64(s.index);
  w.u64(s.term);
  writeConfState(w, s.conf);
  w.blob(s.data);
}

export function readSnapshot(r: Reader, maxData: number): Snapshot {
  const index = r.u64('snapshot index');
  const term = r.u64('snapshot term');
  const conf = readConfState(r);
  const data = r.blob(maxData, 'snapshot data');
  return { index, term, conf, data };
}

/** Standalone encodings (a wire codec may reuse them). */
export function encodeEntry(e: Entry): Uint8Array {
  const w = new Writer();
  writeEntry(w, e);
  return w.finish();
}

export function decodeEntry(bytes: Uint8Array): Entry {
  const r = new Reader(bytes);
  const e = readEntry(r);
  r.end('entry');
  return e;
}

export function encodeHardState(h: HardState): Uint8Array {
  const w = new Writer();
  writeHardState(w, h);
  return w.finish();
}

export function decodeHardState(bytes: Uint8Array): HardState {
  const r = new Reader(bytes);
  const h = readHardState(r);
  r.end('hard state');
  return h;
}
