// The user message descriptor, struct pk_msg (40 bytes, ten 32-bit words), read and written
// without allocation: each descriptor is read once into a preallocated word array, and a received
// message's descriptor is written back from one. Layout (word index):
//   0 data pointer · 1 size (send: bytes; receive: capacity in, bytes out) · 2 capability count
//   3..6 capability slots · 7 move mask (send) · 8 badge (out) · 9 reply slot (out)
import type { Thread } from '../proc.js';

export const MSG_SIZE = 40;
export const MSG_WORDS = 10;
export const W_DATA = 0;
export const W_SIZE = 1;
export const W_NCAPS = 2;
export const W_CAPS = 3;
export const W_MOVE = 7;
export const W_BADGE = 8;
export const W_REPLY = 9;

/** A descriptor buffer: one per use site, so nested uses (a send that delivers) never share one. */
export const newDescriptor = (): Int32Array => new Int32Array(MSG_WORDS);

/** Reads the descriptor at `ptr` of thread `t` into `into`; false when it is not readable. */
export function readDescriptor(t: Thread, ptr: number, into: Int32Array): boolean {
  return t.process.addressSpace.readWords(ptr >>> 0, into, MSG_WORDS);
}

/** Writes `from` as the descriptor at `ptr`; false (nothing written) when it is not writable. */
export function writeDescriptor(t: Thread, ptr: number, from: Int32Array): boolean {
  return t.process.addressSpace.writeWords(ptr >>> 0, from, MSG_WORDS);
}
