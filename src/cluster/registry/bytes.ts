// Bounded byte writer and reader for the registry's binary forms (commands, results, snapshots).
// The reader never throws anything but a RegistryError: every length is checked against what is
// left and against the caller's limit before anything is allocated.

import { RegistryError } from './errors.js';

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

export class ByteWriter {
  private buf = new Uint8Array(256);
  private view = new DataView(this.buf.buffer);
  private at = 0;

  private reserve(n: number): void {
    if (this.at + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.at + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.at));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
  u8(v: number): this {
    this.reserve(1);
    this.buf[this.at++] = v & 0xff;
    return this;
  }
  u32(v: number): this {
    this.reserve(4);
    this.view.setUint32(this.at, v >>> 0);
    this.at += 4;
    return this;
  }
  /** A non-negative safe integer (revisions, indexes, terms) as two 32-bit halves. */
  u53(v: number): this {
    return this.u32(Math.floor(v / 2 ** 32)).u32(v % 2 ** 32);
  }
  bytes(v: Uint8Array): this {
    this.u32(v.length);
    this.reserve(v.length);
    this.buf.set(v, this.at);
    this.at += v.length;
    return this;
  }
  raw(v: Uint8Array): this {
    this.reserve(v.length);
    this.buf.set(v, this.at);
    this.at += v.length;
    return this;
  }
  string(v: string): this {
    return this.bytes(utf8Encoder.encode(v));
  }
  finish(): Uint8Array {
    return this.buf.slice(0, this.at);
  }
}

export class ByteReader {
  private at = 0;
  private readonly view: DataView;
  constructor(
    private readonly buf: Uint8Array,
    private readonly what: string,
  ) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  get offset(): number {
    return this.at;
  }
  get remaining(): number {
    return this.buf.length - this.at;
  }
  private need(n: number, field: string): void {
    if (this.at + n > this.buf.length)
      throw new RegistryError('bad-encoding', `${this.what}: truncated at byte ${this.at} (${field})`);
  }
  u8(field: string): number {
    this.need(1, field);
    return this.buf[this.at++] as number;
  }
  u32(field: string): number {
    this.need(4, field);
    const v = this.view.getUint32(this.at);
    this.at += 4;
    return v;
  }
  u53(field: string): number {
    const hi = this.u32(field);
    const lo = this.u32(field);
    if (hi > 0x1fffff)
      throw new RegistryError('bad-encoding', `${this.what}: ${field} is not a safe integer`);
    return hi * 2 ** 32 + lo;
  }
  /** A count, refused over `max` before anything is allocated for it. */
  count(field: string, max: number): number {
    const n = this.u32(field);
    if (n > max) throw new RegistryError('too-large', `${this.what}: ${field} ${n} is over the limit ${max}`);
    return n;
  }
  bytes(field: string, max: number): Uint8Array {
    const n = this.count(`${field} length`, max);
    this.need(n, field);
    const v = this.buf.slice(this.at, this.at + n);
    this.at += n;
    return v;
  }
  raw(field: string, n: number): Uint8Array {
    this.need(n, field);
    const v = this.buf.subarray(this.at, this.at + n);
    this.at += n;
    return v;
  }
  string(field: string, maxBytes: number): string {
    const b = this.bytes(field, maxBytes);
    try {
      return utf8Decoder.decode(b);
    } catch {
      throw new RegistryError('bad-encoding', `${this.what}: ${field} is not valid UTF-8`);
    }
  }
  bool(field: string): boolean {
    const v = this.u8(field);
    if (v > 1) throw new RegistryError('bad-encoding', `${this.what}: ${field} is not a boolean (${v})`);
    return v === 1;
  }
  end(): void {
    if (this.at !== this.buf.length)
      throw new RegistryError('bad-encoding', `${this.what}: ${this.buf.length - this.at} trailing bytes`);
  }
}

/** The UTF-8 length of `s` without encoding it (a lone surrogate counts 3, as TextEncoder writes U+FFFD). */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d < 0xe000) {
        n += 4;
        i++;
      } else n += 3;
    } else n += 3;
  }
  return n;
}

export function utf8(s: string): Uint8Array {
  return utf8Encoder.encode(s);
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
