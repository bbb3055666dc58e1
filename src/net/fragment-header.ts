// The FragmentHeader message (proto/pakaya/net/v1/net.proto) encoded and decoded by hand on the bulk
// path, one per 64 KiB fragment: the same protobuf wire bytes as the generated codec (fields in number
// order, zero fields omitted; tests compare both ways), without its per-call allocations. Unknown
// fields are skipped, as protobuf does, so a newer peer's additions still decode.
import { NetError } from './errors.js';
import { MAX_FRAGMENT_HEADER } from './limits.js';

export interface FragmentHeaderFields {
  messageId: number;
  appType: number;
  totalLength: number;
  index: number;
  count: number;
}

/** The largest encoding: five fields of a one-byte tag and a five-byte varint. */
export const FRAGMENT_HEADER_MAX_ENCODED = 30;

function putVarint(out: Uint8Array, pos: number, v: number): number {
  while (v > 0x7f) {
    out[pos++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  out[pos++] = v;
  return pos;
}

function putField(out: Uint8Array, pos: number, field: number, v: number): number {
  if (v === 0) return pos;
  out[pos++] = field << 3; // wire type 0 (varint)
  return putVarint(out, pos, v >>> 0);
}

/** Writes the header at `out[pos]` (room for FRAGMENT_HEADER_MAX_ENCODED); returns the end. */
export function encodeFragmentHeader(h: FragmentHeaderFields, out: Uint8Array, pos: number): number {
  pos = putField(out, pos, 1, h.messageId);
  pos = putField(out, pos, 2, h.appType);
  pos = putField(out, pos, 3, h.totalLength);
  pos = putField(out, pos, 4, h.index);
  return putField(out, pos, 5, h.count);
}

const bad = (why: string): NetError =>
  new NetError('protocol', `malformed pakaya.net.v1.FragmentHeader: ${why}`);

/** Decodes `b[start, end)`; a protocol NetError on malformed input, never a throw. */
export function decodeFragmentHeader(
  b: Uint8Array,
  start: number,
  end: number,
): FragmentHeaderFields | NetError {
  if (end - start > MAX_FRAGMENT_HEADER) return bad('too long');
  const h: FragmentHeaderFields = { messageId: 0, appType: 0, totalLength: 0, index: 0, count: 0 };
  let i = start;
  // Reads a varint at b[i] (at most 10 bytes); keeps its low 32 bits, as protobuf does for uint32.
  const varint = (): number | undefined => {
    let v = 0;
    for (let k = 0; k < 10; k++) {
      if (i >= end) return undefined;
      const byte = b[i++] as number;
      if (k < 5) v += (byte & 0x7f) * 2 ** (7 * k);
      if ((byte & 0x80) === 0) return v % 2 ** 32;
    }
    return undefined;
  };
  while (i < end) {
    const tag = varint();
    if (tag === undefined) return bad('truncated tag');
    const field = Math.floor(tag / 8);
    const wire = tag & 7;
    if (field === 0) return bad('field number 0');
    if (wire === 0) {
      const v = varint();
      if (v === undefined) return bad('truncated varint');
      if (field === 1) h.messageId = v;
      else if (field === 2) h.appType = v;
      else if (field === 3) h.totalLength = v;
      else if (field === 4) h.index = v;
      else if (field === 5) h.count = v;
    } else if (field >= 1 && field <= 5) {
      return bad(`field ${field} has wire type ${wire}`);
    } else if (wire === 1) {
      i += 8;
    } else if (wire === 5) {
      i += 4;
    } else if (wire === 2) {
      const n = varint();
      if (n === undefined) return bad('truncated length');
      i += n;
    } else {
      return bad(`unsupported wire type ${wire}`);
    }
    if (i > end) return bad('truncated field');
  }
  return h;
}
