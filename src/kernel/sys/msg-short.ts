// The short-message ABI (message registers, as L4 and seL4 have): port_call_short,
// port_reply_recv_short and port_send_short (537-539) carry a message of at most SHORT_BYTES
// bytes and no capabilities in registers, and a short call's answer or a short receive's message
// comes back the same way — no descriptor in memory at either end, nothing for the kernel to
// translate or copy through RAM. docs/syscalls.md and pakaya.h give the user's side.
//   in:  a1 size, a2..a4 the bytes (little-endian words; bytes past `size` are ignored)
//   out: a0 0, a1 size, a2..a4 the bytes (zero past `size`), a5 badge, a6 reply slot
// A thread is "in a short receive" while the call it is in (a7, kept while it waits) is a short
// call or short reply_recv: a message for it then goes to its registers. A message that does not
// fit (longer, or with capabilities) is not taken: EMSGSIZE, as for a buffer too small.

export const SYS_PORT_CALL_SHORT = 537;
export const SYS_PORT_REPLY_RECV_SHORT = 538;
export const SYS_PORT_SEND_SHORT = 539;

/** Bytes a short message carries (three registers). */
export const SHORT_BYTES = 12;

/** Register indexes (x10 = a0). */
const A1 = 11;
const A2 = 12;
const A5 = 15;
const A6 = 16;
const A7 = 17;

/** True while `regs` (a thread's live registers) are in a call that receives into registers. */
export function receivesShort(regs: Int32Array): boolean {
  const nr = regs[A7];
  return nr === SYS_PORT_CALL_SHORT || nr === SYS_PORT_REPLY_RECV_SHORT;
}

/** True when a message of `size` bytes with `ncaps` capabilities fits a short receive. */
export function fitsShort(size: number, ncaps: number): boolean {
  return ncaps === 0 && size <= SHORT_BYTES;
}

/** The size of the short message in `regs` (a1), or -1 when it is larger than SHORT_BYTES. */
export function shortSize(regs: Int32Array): number {
  const size = regs[A1]! >>> 0;
  return size <= SHORT_BYTES ? size : -1;
}

/** One view per size over one scratch buffer: a short message's bytes without an allocation. */
const scratch = new Uint8Array(SHORT_BYTES);
const views = Array.from({ length: SHORT_BYTES + 1 }, (_, n) => scratch.subarray(0, n));

/**
 * The bytes of the short message in `regs` (size checked by shortSize), in a view over a scratch
 * buffer that the next call overwrites: the caller hands it on as borrowed (Ipc copies a message
 * that has to stay queued).
 */
export function shortBytes(regs: Int32Array, size: number): Uint8Array {
  for (let i = 0; i < SHORT_BYTES; i += 4) {
    const w = regs[A2 + (i >> 2)]!;
    scratch[i] = w;
    scratch[i + 1] = w >>> 8;
    scratch[i + 2] = w >>> 16;
    scratch[i + 3] = w >>> 24;
  }
  return views[size]!;
}

/** Writes a received short message into `regs` (a1..a6; the caller sets a0). */
export function writeShort(regs: Int32Array, data: Uint8Array, badge: number, replySlot: number): void {
  ramToShort(data, 0, data.length, regs, badge, replySlot);
}

/**
 * Copies a short message from a sender's registers to a short receiver's (the fastpath: three
 * words, the bytes past `size` cleared as writeShort clears them).
 */
export function copyShort(
  from: Int32Array,
  to: Int32Array,
  size: number,
  badge: number,
  replySlot: number,
): void {
  to[A1] = size;
  for (let i = 0; i < 3; i++) {
    const keep = size - 4 * i;
    const w = from[A2 + i]!;
    to[A2 + i] = keep >= 4 ? w : keep <= 0 ? 0 : w & ((1 << (8 * keep)) - 1);
  }
  to[A5] = badge;
  to[A6] = replySlot;
}

/** Writes the first `size` bytes of the short message in `regs` to RAM at `off` (one page). */
export function shortToRam(regs: Int32Array, size: number, u8: Uint8Array, off: number): void {
  for (let i = 0; i < size; i++) u8[off + i] = regs[A2 + (i >> 2)]! >>> (8 * (i & 3));
}

/**
 * Reads `size` (at most SHORT_BYTES) bytes at `off` of `u8` (RAM, or a message's bytes) into a short
 * receiver's registers: a1 the size, a2..a4 the bytes (zero past the size), a5 badge, a6 reply slot.
 */
export function ramToShort(
  u8: Uint8Array,
  off: number,
  size: number,
  to: Int32Array,
  badge: number,
  replySlot: number,
): void {
  to[A1] = size;
  for (let i = 0; i < 3; i++) {
    let w = 0;
    for (let b = 3; b >= 0; b--) {
      const at = 4 * i + b;
      w = (w << 8) | (at < size ? u8[off + at]! : 0);
    }
    to[A2 + i] = w;
  }
  to[A5] = badge;
  to[A6] = replySlot;
}
