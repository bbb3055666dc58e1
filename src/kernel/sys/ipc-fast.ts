// The IPC fastpath (seL4 style): port_call and port_reply_recv (and their short forms) when the
// partner already waits and the message is plain — no capabilities, no timeout, its bytes inside
// one page when they are in memory. Either end may hold its message in registers (msg-short.ts):
// registers to registers is three words; otherwise the message goes straight between the sender's
// page or registers and the partner's buffer or registers (one copy, no allocation). The partner's
// call completes and it runs next without a trip through the run queue (Kernel.completeWaiter).
// Everything is checked before anything changes: when a condition fails the fastpath returns
// SLOW and the general handler (sys/ipc.ts) runs from the start, reporting any error itself.
import { PAGE_SIZE } from '../../machine/constants.js';
import { assert } from '../assert.js';
import { MSG_BYTES_MAX } from '../ipc/limits.js';
import type { Port, PortSet } from '../ipc/objects.js';
import type { Thread } from '../proc.js';
import type { SyscallContext, SyscallResult } from '../syscall-context.js';
import { type AddressSpace, PROT_READ, PROT_WRITE } from '../vm.js';
import { MSG_SIZE, W_BADGE, W_DATA, W_MOVE, W_NCAPS, W_REPLY, W_SIZE } from './msg-abi.js';
import { copyShort, ramToShort, receivesShort, SHORT_BYTES, shortSize, shortToRam } from './msg-short.js';

/** Messages up to this many bytes are copied byte by byte (cheaper than a copyWithin call). */
const SHORT_COPY = 64;

/** Returned when the fastpath does not apply: run the general handler. */
export const SLOW = Symbol('slow');

/** RAM offset of a word-aligned descriptor inside one page, accessible for `prot`; else -1. */
function descriptorAt(as: AddressSpace, ptr: number, prot: typeof PROT_READ | typeof PROT_WRITE): number {
  if ((ptr & 3) !== 0 || (ptr & (PAGE_SIZE - 1)) > PAGE_SIZE - MSG_SIZE) return -1;
  const off = as.translate(ptr, prot);
  return off < 0 ? -1 : off;
}

/** True when `size` bytes at `ptr` lie inside one page (an empty message always does). */
function inOnePage(ptr: number, size: number): boolean {
  return size === 0 || (ptr & (PAGE_SIZE - 1)) + size <= PAGE_SIZE;
}

/**
 * Where a waiting partner's message goes: the RAM offset of its descriptor and of its buffer for
 * `size` bytes (0 for an empty message), or -1 when its buffer is too small, unwritable or split
 * across pages (the slow path then offers the message and the partner meets the error itself).
 */
const dest = { desc: -1, data: 0 };
function destinationOf(k: SyscallContext, partner: Thread, size: number): boolean {
  const wait = partner.wait;
  if (wait === undefined) return false;
  const as = partner.process.addressSpace;
  const desc = descriptorAt(as, wait.addr >>> 0, PROT_WRITE);
  if (desc < 0) return false;
  const m = k.memory;
  const capacity = m.read32(desc + 4 * W_SIZE) >>> 0;
  const ptr = m.read32(desc + 4 * W_DATA) >>> 0;
  if (size > capacity || !inOnePage(ptr, size)) return false;
  const data = size === 0 ? 0 : as.translate(ptr, PROT_WRITE);
  if (data < 0) return false;
  // The buffer's translation may have broken copy-on-write and remapped: look the descriptor up again.
  dest.desc = size === 0 ? desc : as.translate(wait.addr >>> 0, PROT_WRITE);
  dest.data = data;
  return dest.desc >= 0;
}

/** The message to send, read from the descriptor at `ptr`: plain (no capabilities) and in one page. */
const source = { desc: -1, size: 0, ptr: 0 };
function sourceOf(k: SyscallContext, t: Thread, ptr: number): boolean {
  const as = t.process.addressSpace;
  const desc = descriptorAt(as, ptr, PROT_READ);
  if (desc < 0) return false;
  const m = k.memory;
  if (m.read32(desc + 4 * W_NCAPS) !== 0 || m.read32(desc + 4 * W_MOVE) !== 0) return false;
  const size = m.read32(desc + 4 * W_SIZE) >>> 0;
  const data = m.read32(desc + 4 * W_DATA) >>> 0;
  if (size > MSG_BYTES_MAX || !inOnePage(data, size)) return false;
  if (size > 0 && as.translate(data, PROT_READ) < 0) return false; // EFAULT: the general path says so
  source.size = size;
  source.ptr = data;
  return true;
}

/**
 * Where the message goes when the partner receives into registers: its live registers (the
 * partner's call is a short one and the message fits), else undefined (memory: destinationOf).
 */
function shortDestination(k: SyscallContext, partner: Thread, size: number): Int32Array | undefined | false {
  const regs = k.liveRegisters(partner);
  if (!receivesShort(regs)) return undefined;
  return size <= SHORT_BYTES ? regs : false;
}

/**
 * Copies the message from the caller (its registers `from` for a short call, else the memory
 * sourceOf found) to the partner (registers `to`, else the memory destinationOf found), and writes
 * the partner's out words. Called once every check has passed (the source page is translated
 * again: a copy-on-write break while resolving the destination leaves the source's frame and bytes
 * where they were).
 */
function transfer(
  k: SyscallContext,
  t: Thread,
  from: Int32Array | undefined,
  to: Int32Array | undefined,
  badge: number,
  replySlot: number,
): void {
  const m = k.memory;
  const size = source.size;
  if (from !== undefined && to !== undefined) {
    copyShort(from, to, size, badge, replySlot);
    return;
  }
  const u8 = m.u8;
  let at = -1;
  if (from === undefined && size > 0) {
    // Readable when checked; resolving the destination (a copy-on-write break) never unmaps it.
    at = t.process.addressSpace.translate(source.ptr, PROT_READ);
    assert(at >= 0, 'fastpath source page vanished after its check');
  }
  if (to !== undefined) {
    ramToShort(u8, at, size, to, badge, replySlot);
    return;
  }
  if (size > 0) {
    const dst = dest.data;
    if (from !== undefined) shortToRam(from, size, u8, dst);
    else if (size <= SHORT_COPY) for (let i = 0; i < size; i++) u8[dst + i] = u8[at + i]!;
    else u8.copyWithin(dst, at, at + size);
    m.noteWrite(dst, size);
  }
  // The descriptor is word-aligned (descriptorAt): its words are RAM's little-endian int32s.
  const i32 = m.i32;
  const w = dest.desc >>> 2;
  i32[w + W_SIZE] = size;
  i32[w + W_NCAPS] = 0;
  i32[w + W_MOVE] = 0;
  i32[w + W_BADGE] = badge;
  i32[w + W_REPLY] = replySlot;
  m.noteWrite(dest.desc, MSG_SIZE);
}

/** True when the caller's receive descriptor at `ptr` and its buffer are writable (checkIncoming). */
function incomingOk(k: SyscallContext, t: Thread, ptr: number): boolean {
  const as = t.process.addressSpace;
  const desc = descriptorAt(as, ptr, PROT_WRITE);
  if (desc < 0) return false;
  const capacity = Math.min(k.memory.read32(desc + 4 * W_SIZE) >>> 0, MSG_BYTES_MAX);
  return capacity === 0 || as.rangeOk(k.memory.read32(desc + 4 * W_DATA) >>> 0, capacity, PROT_WRITE);
}

/**
 * The caller's message: its registers for a short call (size checked; undefined when too long),
 * else its descriptor in memory (sourceOf). False when the fastpath does not apply.
 */
function callerSource(
  k: SyscallContext,
  t: Thread,
  short: boolean,
  ptr: number,
): Int32Array | undefined | false {
  if (short) {
    const regs = k.liveRegisters(t);
    const size = shortSize(regs);
    if (size < 0) return false;
    source.size = size;
    return regs;
  }
  return sourceOf(k, t, ptr) ? undefined : false;
}

/**
 * port_call(slot, msg, reply, timeout) — or port_call_short(slot, size, w0, w1, w2) — when a
 * receiver waits on the port itself: the message and a reply capability go straight to it, the
 * caller blocks for the answer and the receiver runs next.
 */
export function fastCall(
  k: SyscallContext,
  t: Thread,
  a: Int32Array,
  short: boolean,
): SyscallResult | typeof SLOW {
  if (t.wait !== undefined || (!short && a[3] !== 0)) return SLOW;
  const replyPtr = short ? 0 : a[2]! >>> 0;
  const from = callerSource(k, t, short, a[1]! >>> 0);
  if (from === false || (!short && !incomingOk(k, t, replyPtr))) return SLOW;
  const caps = t.process.caps;
  const port = k.ipc.fastTarget(caps, a[0]!);
  if (port === undefined) return SLOW;
  const receiver = k.firstIpcWaiter(port.recvWait);
  if (receiver === undefined || receiver.wait?.kind !== 'receive') return SLOW;
  const space = receiver.process.caps;
  if (space !== port.receiver || space.size >= space.limit) return SLOW;
  const to = shortDestination(k, receiver, source.size);
  if (to === false || (to === undefined && !destinationOf(k, receiver, source.size))) return SLOW;
  const reply = k.ipc.newReply(t.tid);
  transfer(k, t, from, to, k.ipc.badgeOf(caps, a[0]!), k.ipc.fastCallReply(space, reply));
  k.completeWaiter(receiver, 0, port.recvWait);
  return k.blockIpc(t, 'reply', replyPtr, reply.wait, reply.id);
}

/**
 * What fastReply found in the receive slot: the port or port set to wait on when nothing is queued
 * (the server then blocks at once), or undefined when a message waits (the general receive takes it).
 */
export const fastReceive: { from: Port | PortSet | undefined } = { from: undefined };

/**
 * The reply half of port_reply_recv(reply slot, reply msg, receive slot, receive msg) — or of
 * port_reply_recv_short — when the client waits for it: the answer goes straight to the client,
 * which runs next. True when it was delivered (the caller goes on to receive); false, with nothing
 * changed, when it does not apply.
 */
export function fastReply(
  k: SyscallContext,
  t: Thread,
  a: Int32Array,
  short: boolean,
  recvSlot: number,
  recvPtr: number,
): boolean {
  if (t.wait !== undefined || a[0]! <= 0) return false;
  if (!short && !incomingOk(k, t, recvPtr)) return false;
  const caps = t.process.caps;
  const queued = k.ipc.receivable(caps, recvSlot);
  if (typeof queued === 'number') return false;
  const from = callerSource(k, t, short, a[1]! >>> 0);
  if (from === false) return false;
  const reply = k.ipc.fastReplyTarget(caps, a[0]!);
  if (reply === undefined) return false;
  const client = k.firstIpcWaiter(reply.wait);
  if (client === undefined || client.wait?.kind !== 'reply') return false;
  const to = shortDestination(k, client, source.size);
  if (to === false || (to === undefined && !destinationOf(k, client, source.size))) return false;
  transfer(k, t, from, to, 0, 0);
  k.ipc.fastReplied(caps, a[0]!, reply);
  k.completeWaiter(client, 0, reply.wait);
  fastReceive.from = queued === undefined ? (caps.get(recvSlot)!.object as Port | PortSet) : undefined;
  return true;
}
