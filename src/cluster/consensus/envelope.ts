// The proposal envelope: what a replica puts in a log entry's data. It names the replica that
// proposed the command (origin node, its incarnation's random session, a sequence number), so the
// origin resolves its caller when it applies the entry, whichever node was leader. Layout (big
// endian): u8 version (1), u32 origin, u32 session, u32 seq, then the command bytes.
import type { NodeId } from '../../net/node-id.js';
import { asNodeId } from '../../net/node-id.js';

export const ENVELOPE_VERSION = 1;
export const ENVELOPE_HEADER_BYTES = 13;

export interface Envelope {
  readonly origin: NodeId;
  readonly session: number;
  readonly seq: number;
  readonly command: Uint8Array;
}

export function encodeEnvelope(
  origin: NodeId,
  session: number,
  seq: number,
  command: Uint8Array,
): Uint8Array {
  const out = new Uint8Array(ENVELOPE_HEADER_BYTES + command.length);
  const v = new DataView(out.buffer);
  v.setUint8(0, ENVELOPE_VERSION);
  v.setUint32(1, origin);
  v.setUint32(5, session >>> 0);
  v.setUint32(9, seq >>> 0);
  out.set(command, ENVELOPE_HEADER_BYTES);
  return out;
}

/** The envelope in `data`, or undefined when it is not one (the entry is then applied raw). */
export function decodeEnvelope(data: Uint8Array): Envelope | undefined {
  if (data.length < ENVELOPE_HEADER_BYTES || data[0] !== ENVELOPE_VERSION) return undefined;
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const origin = asNodeId(v.getUint32(1));
  if (origin === undefined) return undefined;
  return {
    origin,
    session: v.getUint32(5),
    seq: v.getUint32(9),
    command: data.subarray(ENVELOPE_HEADER_BYTES),
  };
}
