// The hot path of the remote-port wire codec: PortMessage and PortReply (a call and its answer)
// written and read by hand, byte for byte the protobuf encoding @bufbuild/protobuf gives (proto3:
// defaults omitted, fields in number order, packed repeated scalars), without building message
// objects or BigInts. Reading handles the common shapes only and says `undefined` for anything else
// (unknown fields, unpacked lists, a non-ASCII string, a malformed varint): wire.ts then decodes
// the bytes with @bufbuild/protobuf, which decides. test/cluster/ports-wire-fast.test.ts checks both
// against @bufbuild/protobuf.

/** A send right on the wire (the same shape as wire.ts CapRef). */
export interface FastCap {
  holder: string;
  port: number;
  rights: number;
  badge: number;
}

export interface FastAck {
  stream: number;
  delivered: number;
  /** The AckStatus enum number (0 OK). */
  status: number;
}

export interface FastMessage {
  stream: number;
  seq: number;
  sender: string;
  holder: string;
  port: number;
  badge: number;
  data: Uint8Array;
  caps: FastCap[];
  reply: number;
  replyAcks: number[];
}

export interface FastReply {
  reply: number;
  data: Uint8Array;
  caps: FastCap[];
  errno: number;
  acks: FastAck[];
}

const TWO_32 = 2 ** 32;

/** Bytes of the varint of a non-negative safe integer. */
function varintSize(v: number): number {
  let n = 1;
  while (v >= 128) {
    v = Math.floor(v / 128);
    n++;
  }
  return n;
}

class Writer {
  readonly buf: Uint8Array;
  pos = 0;
  constructor(size: number) {
    this.buf = new Uint8Array(size);
  }
  varint(v: number): void {
    const b = this.buf;
    while (v >= 128) {
      b[this.pos++] = (v % 128) | 128;
      v = Math.floor(v / 128);
    }
    b[this.pos++] = v;
  }
  ascii(s: string): void {
    const b = this.buf;
    for (let i = 0; i < s.length; i++) b[this.pos++] = s.charCodeAt(i);
  }
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 127) return false;
  return true;
}

/** Size of a field of a varint value (omitted when 0). */
const vField = (v: number): number => (v === 0 ? 0 : 1 + varintSize(v));
/** Size of a length-delimited field of `len` bytes (omitted when empty). */
const lField = (len: number): number => (len === 0 ? 0 : 1 + varintSize(len) + len);

function capSize(c: FastCap): number {
  return lField(c.holder.length) + vField(c.port) + vField(c.rights >>> 0) + vField(c.badge >>> 0);
}

function writeCap(w: Writer, tag: number, c: FastCap, size: number): void {
  w.varint(tag);
  w.varint(size);
  if (c.holder.length > 0) {
    w.varint(0x0a);
    w.varint(c.holder.length);
    w.ascii(c.holder);
  }
  if (c.port !== 0) {
    w.varint(0x10);
    w.varint(c.port);
  }
  if (c.rights !== 0) {
    w.varint(0x18);
    w.varint(c.rights >>> 0);
  }
  if (c.badge !== 0) {
    w.varint(0x20);
    w.varint(c.badge >>> 0);
  }
}

function writeV(w: Writer, tag: number, v: number): void {
  if (v === 0) return;
  w.varint(tag);
  w.varint(v);
}

function writeBytes(w: Writer, tag: number, d: Uint8Array): void {
  if (d.length === 0) return;
  w.varint(tag);
  w.varint(d.length);
  w.buf.set(d, w.pos);
  w.pos += d.length;
}

function writeAscii(w: Writer, tag: number, s: string): void {
  if (s.length === 0) return;
  w.varint(tag);
  w.varint(s.length);
  w.ascii(s);
}

/** PortMessage bytes, or undefined when a string is not ASCII (wire.ts encodes those). */
export function fastEncodeMessage(f: FastMessage): Uint8Array | undefined {
  if (!isAscii(f.sender) || !isAscii(f.holder)) return undefined;
  for (const c of f.caps) if (!isAscii(c.holder)) return undefined;
  let acksLen = 0;
  for (const r of f.replyAcks) acksLen += varintSize(r);
  const capSizes = f.caps.map(capSize);
  let size =
    vField(f.stream) +
    vField(f.seq) +
    lField(f.sender.length) +
    lField(f.holder.length) +
    vField(f.port) +
    vField(f.badge >>> 0) +
    lField(f.data.length) +
    vField(f.reply) +
    lField(acksLen);
  for (const s of capSizes) size += 1 + varintSize(s) + s;
  const w = new Writer(size);
  writeV(w, 0x08, f.stream);
  writeV(w, 0x10, f.seq);
  writeAscii(w, 0x1a, f.sender);
  writeAscii(w, 0x22, f.holder);
  writeV(w, 0x28, f.port);
  writeV(w, 0x30, f.badge >>> 0);
  writeBytes(w, 0x3a, f.data);
  for (let i = 0; i < f.caps.length; i++) writeCap(w, 0x42, f.caps[i]!, capSizes[i]!);
  writeV(w, 0x48, f.reply);
  if (acksLen > 0) {
    w.varint(0x52);
    w.varint(acksLen);
    for (const r of f.replyAcks) w.varint(r);
  }
  return w.buf;
}

function ackSize(a: FastAck): number {
  return vField(a.stream) + vField(a.delivered) + vField(a.status);
}

/** PortReply bytes, or undefined when a string is not ASCII (wire.ts encodes those). */
export function fastEncodeReply(f: FastReply): Uint8Array | undefined {
  for (const c of f.caps) if (!isAscii(c.holder)) return undefined;
  const capSizes = f.caps.map(capSize);
  const ackSizes = f.acks.map(ackSize);
  let size = vField(f.reply) + lField(f.data.length) + vField(f.errno >>> 0);
  for (const s of capSizes) size += 1 + varintSize(s) + s;
  for (const s of ackSizes) size += 1 + varintSize(s) + s;
  const w = new Writer(size);
  writeV(w, 0x08, f.reply);
  writeBytes(w, 0x12, f.data);
  for (let i = 0; i < f.caps.length; i++) writeCap(w, 0x1a, f.caps[i]!, capSizes[i]!);
  writeV(w, 0x20, f.errno >>> 0);
  for (let i = 0; i < f.acks.length; i++) {
    const a = f.acks[i]!;
    w.varint(0x2a);
    w.varint(ackSizes[i]!);
    writeV(w, 0x08, a.stream);
    writeV(w, 0x10, a.delivered);
    writeV(w, 0x18, a.status);
  }
  return w.buf;
}

/** Not the common shape: the caller decodes with @bufbuild/protobuf. */
class Other extends Error {}
const OTHER = new Other();

class Reader {
  pos: number;
  constructor(
    readonly buf: Uint8Array,
    start: number,
    readonly end: number,
  ) {
    this.pos = start;
  }
  /** A varint of at most 53 bits (a larger one, or one past the end: Other). */
  varint(): number {
    const b = this.buf;
    let v = 0;
    let mul = 1;
    for (let i = 0; i < 8; i++) {
      if (this.pos >= this.end) throw OTHER;
      const x = b[this.pos++]!;
      v += (x & 127) * mul;
      if (x < 128) {
        if (v > Number.MAX_SAFE_INTEGER) throw OTHER;
        return v;
      }
      mul *= 128;
    }
    throw OTHER;
  }
  /** A uint32 field's value (a larger varint is truncated to 32 bits, as protobuf does; here: Other). */
  u32(): number {
    const v = this.varint();
    if (v >= TWO_32) throw OTHER;
    return v;
  }
  len(): number {
    const n = this.varint();
    if (n > this.end - this.pos) throw OTHER;
    return n;
  }
  ascii(): string {
    const n = this.len();
    const b = this.buf;
    let s = '';
    for (let i = 0; i < n; i++) {
      const c = b[this.pos++]!;
      if (c > 127) throw OTHER;
      s += String.fromCharCode(c);
    }
    return s;
  }
  bytes(): Uint8Array {
    const n = this.len();
    const d = this.buf.slice(this.pos, this.pos + n);
    this.pos += n;
    return d;
  }
}

function readCap(r: Reader): FastCap {
  const n = r.len();
  const end = r.pos + n;
  const c = new Reader(r.buf, r.pos, end);
  const cap: FastCap = { holder: '', port: 0, rights: 0, badge: 0 };
  while (c.pos < end) {
    switch (c.varint()) {
      case 0x0a:
        cap.holder = c.ascii();
        break;
      case 0x10:
        cap.port = c.varint();
        break;
      case 0x18:
        cap.rights = c.u32();
        break;
      case 0x20:
        cap.badge = c.u32();
        break;
      default:
        throw OTHER;
    }
  }
  r.pos = end;
  return cap;
}

function readAck(r: Reader): FastAck {
  const n = r.len();
  const end = r.pos + n;
  const c = new Reader(r.buf, r.pos, end);
  const ack: FastAck = { stream: 0, delivered: 0, status: 0 };
  while (c.pos < end) {
    switch (c.varint()) {
      case 0x08:
        ack.stream = c.varint();
        break;
      case 0x10:
        ack.delivered = c.varint();
        break;
      case 0x18:
        ack.status = c.u32();
        break;
      default:
        throw OTHER;
    }
  }
  r.pos = end;
  return ack;
}

/** A PortMessage in the common shape, or undefined (decode it with @bufbuild/protobuf). */
export function fastDecodeMessage(bytes: Uint8Array): FastMessage | undefined {
  try {
    const r = new Reader(bytes, 0, bytes.length);
    const m: FastMessage = {
      stream: 0,
      seq: 0,
      sender: '',
      holder: '',
      port: 0,
      badge: 0,
      data: new Uint8Array(0),
      caps: [],
      reply: 0,
      replyAcks: [],
    };
    while (r.pos < r.end) {
      switch (r.varint()) {
        case 0x08:
          m.stream = r.varint();
          break;
        case 0x10:
          m.seq = r.varint();
          break;
        case 0x1a:
          m.sender = r.ascii();
          break;
        case 0x22:
          m.holder = r.ascii();
          break;
        case 0x28:
          m.port = r.varint();
          break;
        case 0x30:
          m.badge = r.u32();
          break;
        case 0x3a:
          m.data = r.bytes();
          break;
        case 0x42:
          m.caps.push(readCap(r));
          break;
        case 0x48:
          m.reply = r.varint();
          break;
        case 0x52: {
          const n = r.len();
          const end = r.pos + n;
          const p = new Reader(bytes, r.pos, end);
          while (p.pos < end) m.replyAcks.push(p.varint());
          r.pos = end;
          break;
        }
        default:
          return undefined;
      }
    }
    return m;
  } catch (e) {
    if (e === OTHER) return undefined;
    throw e;
  }
}

/** A PortReply in the common shape, or undefined (decode it with @bufbuild/protobuf). */
export function fastDecodeReply(bytes: Uint8Array): FastReply | undefined {
  try {
    const r = new Reader(bytes, 0, bytes.length);
    const m: FastReply = { reply: 0, data: new Uint8Array(0), caps: [], errno: 0, acks: [] };
    while (r.pos < r.end) {
      switch (r.varint()) {
        case 0x08:
          m.reply = r.varint();
          break;
        case 0x12:
          m.data = r.bytes();
          break;
        case 0x1a:
          m.caps.push(readCap(r));
          break;
        case 0x20:
          m.errno = r.u32();
          break;
        case 0x2a:
          m.acks.push(readAck(r));
          break;
        default:
          return undefined;
      }
    }
    return m;
  } catch (e) {
    if (e === OTHER) return undefined;
    throw e;
  }
}
