// IPC system calls (Pakaya 520-536): capabilities, ports, port sets, call/reply and notifications.
// Each handler reads its user structures first (every buffer resolved before any side effect),
// then calls the capability-checked operation in ipc/ipc.ts. A call that must wait blocks its
// thread with a wait record; a sender that finds a receiver waiting writes the message straight
// into that receiver's buffer and completes its call (the direct hand-off of DESIGN.md §5).
// The user message descriptor, struct pk_msg, is read once into a preallocated word array
// (msg-abi.ts): no allocation per message beyond its bytes.
import { EAGAIN, EBADF, EFAULT, EINVAL, EMSGSIZE, EPIPE, ETIMEDOUT } from '../errno.js';
import { type Received, WOULD_BLOCK } from '../ipc/ipc.js';
import { MSG_BYTES_MAX, MSG_CAPS_MAX } from '../ipc/limits.js';
import type { Notification, Port, PortSet } from '../ipc/objects.js';
import type { Thread } from '../proc.js';
import type { SyscallContext, SyscallResult } from '../syscall-context.js';
import { PROT_WRITE } from '../vm.js';
import { fastCall, fastReceive, fastReply, SLOW } from './ipc-fast.js';
import {
  MSG_SIZE,
  newDescriptor,
  readDescriptor,
  W_BADGE,
  W_CAPS,
  W_DATA,
  W_MOVE,
  W_NCAPS,
  W_REPLY,
  W_SIZE,
  writeDescriptor,
} from './msg-abi.js';
import { fitsShort, receivesShort, shortBytes, shortSize, writeShort } from './msg-short.js';
import { CLOCK_MONOTONIC, deadlineFor } from './time.js';
import { readTimespec, writable, writeStruct } from './user-mem.js';

const IPC_NONBLOCK = 1;
/** A deadline of none (a wait without a timeout). */
const NO_DEADLINE = -1;
/** priorDeadline's answer for a wait its deadline ended (below every deadline and NO_DEADLINE). */
const TIMED_OUT = -2;

/** The capability slots of a message that carries none (shared: never written). */
const NO_CAPS: number[] = [];
const NO_DATA = new Uint8Array(0);

/** A message to send, read from its descriptor (one at a time: the handler consumes it at once). */
const outgoing: { data: Uint8Array; caps: number[]; move: number; borrowed: boolean } = {
  data: NO_DATA,
  caps: NO_CAPS,
  move: 0,
  borrowed: false,
};
const outDesc = newDescriptor();
const inDesc = newDescriptor();
const recvDesc = newDescriptor();

/** Reads a message to send: the descriptor, its bytes and its capability slots. */
function readOutgoing(t: Thread, ptr: number): typeof outgoing | number {
  const v = outDesc;
  if (!readDescriptor(t, ptr, v)) return -EFAULT;
  const size = v[W_SIZE]! >>> 0;
  const ncaps = v[W_NCAPS]! >>> 0;
  if (size > MSG_BYTES_MAX) return -EMSGSIZE;
  if (ncaps > MSG_CAPS_MAX) return -EINVAL;
  // A message inside one page is borrowed from the sender's memory: handed straight to a waiting
  // receiver it is copied once, user to user; Ipc copies it only if it has to stay queued.
  const as = t.process.addressSpace;
  const dataPtr = v[W_DATA]! >>> 0;
  const borrowed = size === 0 ? undefined : as.borrow(dataPtr, size);
  const data = size === 0 ? NO_DATA : (borrowed ?? as.copyIn(dataPtr, size));
  if (data === undefined) return -EFAULT;
  let caps = NO_CAPS;
  if (ncaps > 0) {
    caps = [];
    for (let i = 0; i < ncaps; i++) caps.push(v[W_CAPS + i]!);
  }
  outgoing.data = data;
  outgoing.caps = caps;
  outgoing.move = v[W_MOVE]! >>> 0;
  outgoing.borrowed = borrowed !== undefined;
  return outgoing;
}

/** Checks a receive descriptor: the struct and `capacity` bytes of its buffer are writable. */
function checkIncoming(t: Thread, ptr: number): number {
  const v = inDesc;
  if (!readDescriptor(t, ptr, v) || !writable(t, ptr, MSG_SIZE)) return -EFAULT;
  const capacity = Math.min(v[W_SIZE]! >>> 0, MSG_BYTES_MAX);
  if (capacity > 0 && !writable(t, v[W_DATA]! >>> 0, capacity)) return -EFAULT;
  return 0;
}

/**
 * Writes a received message into the descriptor at `ptr` of thread `t`. False (nothing written)
 * when the buffer is too small or not writable: the message is then left where it was.
 */
export function writeReceived(t: Thread, ptr: number, r: Received): boolean {
  const v = recvDesc;
  if (!readDescriptor(t, ptr, v)) return false;
  const capacity = v[W_SIZE]! >>> 0;
  const data = r.message.data;
  if (data.length > capacity) return false;
  const as = t.process.addressSpace;
  if (!as.rangeOk(ptr >>> 0, MSG_SIZE, PROT_WRITE)) return false;
  if (data.length > 0 && !as.copyOut(v[W_DATA]! >>> 0, data)) return false;
  v[W_SIZE] = data.length;
  v[W_NCAPS] = r.capSlots.length;
  for (let i = 0; i < r.capSlots.length; i++) v[W_CAPS + i] = r.capSlots[i]!;
  v[W_MOVE] = 0;
  v[W_BADGE] = r.message.badge;
  v[W_REPLY] = r.replySlot;
  return writeDescriptor(t, ptr, v);
}

/**
 * Reads a short message to send from the caller's registers (msg-short.ts): its bytes are borrowed
 * from a scratch buffer (Ipc copies them if the message has to stay queued).
 */
function readShortOutgoing(k: SyscallContext, t: Thread): typeof outgoing | number {
  const regs = k.liveRegisters(t);
  const size = shortSize(regs);
  if (size < 0) return -EMSGSIZE;
  outgoing.data = shortBytes(regs, size);
  outgoing.caps = NO_CAPS;
  outgoing.move = 0;
  outgoing.borrowed = true;
  return outgoing;
}

/**
 * Hands a received message to thread `t`: into its registers while it is in a short receive (false,
 * nothing written, when the message does not fit one), else into its descriptor at `ptr`
 * (writeReceived). The one way every received message reaches a thread.
 */
export function deliverReceived(regs: Int32Array, t: Thread, ptr: number, r: Received): boolean {
  if (!receivesShort(regs)) return writeReceived(t, ptr, r);
  const data = r.message.data;
  if (!fitsShort(data.length, r.capSlots.length)) return false;
  writeShort(regs, data, r.message.badge, r.replySlot);
  return true;
}

/** The deadline of an optional relative timeout at `ptr` (0: none), or -errno. */
function timeoutDeadline(k: SyscallContext, t: Thread, ptr: number): number {
  if (ptr === 0) return NO_DEADLINE;
  const ts = readTimespec(t, ptr);
  if (typeof ts === 'number') return ts;
  return deadlineFor(k, t, CLOCK_MONOTONIC, ts.ns, false);
}

// ---- capabilities -----------------------------------------------------------------------------

/** cap_derive(slot, rights, badge) -> new slot */
export const sysCapDerive = (k: SyscallContext, t: Thread, a: Int32Array): SyscallResult =>
  k.ipc.derive(t.process.caps, a[0]!, a[1]!, a[2]! >>> 0); // a badge is a full uint32

/** cap_delete(slot) */
export const sysCapDelete = (k: SyscallContext, t: Thread, a: Int32Array): SyscallResult =>
  k.ipc.delete(t.process.caps, a[0]!);

/** cap_revoke(slot) -> how many capabilities were deleted */
export const sysCapRevoke = (k: SyscallContext, t: Thread, a: Int32Array): SyscallResult =>
  k.ipc.revoke(t.process.caps, a[0]!);

const KIND_CODES = { port: 1, portset: 2, notification: 3, reply: 4, shm: 5 } as const;

/** cap_info(slot, out): struct pk_cap_info { uint32 kind, rights, badge; } */
export function sysCapInfo(_k: SyscallContext, t: Thread, a: Int32Array): SyscallResult {
  const cap = t.process.caps.get(a[0]!);
  if (cap === undefined) return -EBADF;
  const ok = writeStruct(t, a[1]!, 12, (v) => {
    v.setUint32(0, KIND_CODES[cap.object.kind], true);
    v.setUint32(4, cap.rights, true);
    v.setUint32(8, cap.badge >>> 0, true);
  });
  return ok ? 0 : -EFAULT;
}

// ---- ports ------------------------------------------------------------------------------------

/** port_create() -> receive-right slot */
export const sysPortCreate = (k: SyscallContext, t: Thread): SyscallResult =>
  k.ipc.createPort(t.process.caps);

/** portset_create() -> slot */
export const sysPortsetCreate = (k: SyscallContext, t: Thread): SyscallResult =>
  k.ipc.createPortSet(t.process.caps);

/** portset_add(set, port) */
export const sysPortsetAdd = (k: SyscallContext, t: Thread, a: Int32Array): SyscallResult =>
  k.ipc.portSetAdd(t.process.caps, a[0]!, a[1]!);

/** portset_remove(set, port) */
export const sysPortsetRemove = (k: SyscallContext, t: Thread, a: Int32Array): SyscallResult =>
  k.ipc.portSetRemove(t.process.caps, a[0]!, a[1]!);

/**
 * Blocks `t` until `deadline` on `object`'s send or receive queue (`key`: its sendKey or recvKey),
 * or times out at once when the deadline has passed.
 */
function waitOn(
  k: SyscallContext,
  t: Thread,
  kind: 'send' | 'receive',
  object: Port | PortSet,
  key: string,
  addr: number,
  deadline: number,
) {
  if (deadline >= 0 && deadline <= k.now()) return -ETIMEDOUT;
  return k.block(t, { kind, deadline, addr, private: false, key, object: object.id });
}

/** The key and deadline a woken thread waited with: re-blocking keeps the same deadline. */
function priorDeadline(t: Thread, kind: string): number | undefined {
  const prior = t.wait;
  if (prior === undefined || prior.kind !== kind) return undefined;
  t.wait = undefined;
  if (prior.woken === 'timeout') return TIMED_OUT;
  return prior.deadline;
}

/** port_send(slot, msg, flags, timeout) */
export const sysPortSend = (k: SyscallContext, t: Thread, a: Int32Array): SyscallResult =>
  portSend(k, t, a[0]!, a[1]! >>> 0, a[2]!, a[3]! >>> 0);

/** port_send_short(slot, size, w0, w1, w2, flags): port_send of a message in registers. */
export const sysPortSendShort = (k: SyscallContext, t: Thread, a: Int32Array): SyscallResult =>
  portSend(k, t, a[0]!, SHORT_MESSAGE, a[5]!, 0);

/** The message pointer of a short call: its message is in the caller's registers. */
const SHORT_MESSAGE = -1;

/** The message to send: from the caller's registers (SHORT_MESSAGE) or its descriptor at `msgPtr`. */
const outgoingOf = (k: SyscallContext, t: Thread, msgPtr: number): typeof outgoing | number =>
  msgPtr === SHORT_MESSAGE ? readShortOutgoing(k, t) : readOutgoing(t, msgPtr);

function portSend(
  k: SyscallContext,
  t: Thread,
  slot: number,
  msgPtr: number,
  flags: number,
  timeoutPtr: number,
) {
  const prior = priorDeadline(t, 'send');
  const out = outgoingOf(k, t, msgPtr);
  if (typeof out === 'number') return out;
  const deadline = prior ?? timeoutDeadline(k, t, timeoutPtr);
  if (deadline < NO_DEADLINE) return prior === TIMED_OUT ? -ETIMEDOUT : deadline;
  const caps = t.process.caps;
  const r = k.ipc.send(caps, t.process.pid, slot, out.data, out.caps, out.move, undefined, out.borrowed);
  if (r !== WOULD_BLOCK) return r;
  if (flags & IPC_NONBLOCK) return -EAGAIN;
  const port = caps.get(slot)!.object as Port;
  return waitOn(k, t, 'send', port, port.sendKey, 0, deadline);
}

/** port_recv(slot, msg, flags, timeout) */
export function sysPortRecv(k: SyscallContext, t: Thread, a: Int32Array): SyscallResult {
  const prior = priorDeadline(t, 'receive');
  const ptr = a[1]! >>> 0;
  const bad = checkIncoming(t, ptr);
  if (bad !== 0) return bad;
  const deadline = prior ?? timeoutDeadline(k, t, a[3]! >>> 0);
  if (deadline < NO_DEADLINE && prior !== TIMED_OUT) return deadline;
  return receiveInto(
    k,
    t,
    a[0]!,
    ptr,
    prior === TIMED_OUT ? 0 : a[2]! & IPC_NONBLOCK ? 0 : deadline,
    prior === TIMED_OUT,
  );
}

/** Receives into `ptr`, or waits (deadline -1: forever; `timedOut`: the wait already ended). */
function receiveInto(
  k: SyscallContext,
  t: Thread,
  slot: number,
  ptr: number,
  deadline: number,
  timedOut: boolean,
) {
  const caps = t.process.caps;
  const port = k.ipc.receivable(caps, slot);
  if (typeof port === 'number') return port;
  if (port !== undefined) {
    const regs = k.liveRegisters(t);
    const head = port.queue[0]!;
    if (receivesShort(regs)) {
      if (!fitsShort(head.data.length, head.caps.length)) return -EMSGSIZE; // it stays queued
    } else {
      const capacity = readDescriptor(t, ptr, inDesc) ? inDesc[W_SIZE]! >>> 0 : 0;
      if (head.data.length > capacity) return -EMSGSIZE; // it stays queued
    }
    const r = k.ipc.take(port, caps); // the port receivable() found: its capability is checked
    if (typeof r === 'number') return r;
    // checkIncoming resolved the descriptor and buffer before anything was taken
    if (!deliverReceived(regs, t, ptr, r)) throw new Error('receive buffer failed after its check');
    return 0;
  }
  if (timedOut) return -ETIMEDOUT;
  if (deadline === 0) return -EAGAIN; // non-blocking and empty
  const object = caps.get(slot)!.object as Port | PortSet;
  return waitOn(k, t, 'receive', object, object.recvKey, ptr, deadline);
}

/** port_call(slot, msg, reply, timeout): send with a reply capability, then wait for the answer. */
export const sysPortCall = (k: SyscallContext, t: Thread, a: Int32Array): SyscallResult =>
  portCall(k, t, a, a[1]! >>> 0, a[2]! >>> 0, a[3]! >>> 0);

/** port_call_short(slot, size, w0, w1, w2): port_call with the message and its answer in registers. */
export const sysPortCallShort = (k: SyscallContext, t: Thread, a: Int32Array): SyscallResult =>
  portCall(k, t, a, SHORT_MESSAGE, 0, 0);

function portCall(
  k: SyscallContext,
  t: Thread,
  a: Int32Array,
  msgPtr: number,
  replyPtr: number,
  timeoutPtr: number,
): SyscallResult {
  const short = msgPtr === SHORT_MESSAGE;
  const fast = fastCall(k, t, a, short);
  if (fast !== SLOW) return fast;
  const prior = t.wait;
  if (prior?.kind === 'reply') {
    t.wait = undefined;
    const replyId = prior.object;
    // A post-copy page of the reply buffer not here yet: fail before taking the answer (the call
    // then waits for the page and runs again as this call: syscall.ts).
    const as = t.process.addressSpace;
    if (!short && as.absent !== undefined && checkIncoming(t, replyPtr) !== 0 && as.absentHit >= 0)
      return -EFAULT;
    const got = k.ipc.collectReply(t.process.caps, replyId);
    if (got === WOULD_BLOCK) {
      if (prior.woken === 'timeout') {
        k.ipc.abandonReply(replyId);
        return -ETIMEDOUT;
      }
      return k.block(t, { ...prior });
    }
    if (typeof got === 'number') return got;
    if (deliverReceived(k.liveRegisters(t), t, replyPtr, got)) return 0;
    k.ipc.dropReceived(t.process.caps, got); // the call fails with nothing left in the space
    return -EMSGSIZE;
  }
  const sendPrior = priorDeadline(t, 'send');
  const out = outgoingOf(k, t, msgPtr);
  if (typeof out === 'number') return out;
  if (!short) {
    const bad = checkIncoming(t, replyPtr);
    if (bad !== 0) return bad;
  }
  const deadline = sendPrior ?? timeoutDeadline(k, t, timeoutPtr);
  if (deadline < NO_DEADLINE) return sendPrior === TIMED_OUT ? -ETIMEDOUT : deadline;
  const caps = t.process.caps;
  const check = k.ipc.checkSend(caps, a[0]!, out.data.length, out.caps, out.move);
  if (typeof check === 'number') return check;
  const reply = k.ipc.newReply(t.tid);
  const r = k.ipc.send(caps, t.process.pid, a[0]!, out.data, out.caps, out.move, reply, out.borrowed);
  if (r === WOULD_BLOCK) {
    const port = check.object as Port;
    return waitOn(k, t, 'send', port, port.sendKey, 0, deadline);
  }
  if (r !== 0) return r;
  if (deadline >= 0 && deadline <= k.now()) {
    k.ipc.abandonReply(reply.id);
    return -ETIMEDOUT;
  }
  return k.block(t, {
    kind: 'reply',
    deadline,
    addr: replyPtr,
    private: false,
    key: reply.waitKey,
    object: reply.id,
  });
}

/** port_reply(reply slot, msg): answer a call once. */
export function sysPortReply(k: SyscallContext, t: Thread, a: Int32Array): SyscallResult {
  const out = readOutgoing(t, a[1]! >>> 0);
  if (typeof out === 'number') return out;
  return k.ipc.reply(t.process.caps, a[0]!, out.data, out.caps, out.move, out.borrowed);
}

/**
 * port_reply_recv(reply slot, reply msg, receive slot, receive msg): a server's loop in one call —
 * answer the last call (if reply slot > 0) and wait for the next message.
 */
export const sysPortReplyRecv = (k: SyscallContext, t: Thread, a: Int32Array): SyscallResult =>
  portReplyRecv(k, t, a, a[1]! >>> 0, a[2]!, a[3]! >>> 0);

/**
 * port_reply_recv_short(reply slot, size, w0, w1, w2, receive slot): port_reply_recv with the
 * answer and the next message in registers.
 */
export const sysPortReplyRecvShort = (k: SyscallContext, t: Thread, a: Int32Array): SyscallResult =>
  portReplyRecv(k, t, a, SHORT_MESSAGE, a[5]!, 0);

function portReplyRecv(
  k: SyscallContext,
  t: Thread,
  a: Int32Array,
  msgPtr: number,
  recvSlot: number,
  recvPtr: number,
): SyscallResult {
  const short = msgPtr === SHORT_MESSAGE;
  if (t.wait?.kind === 'receive') {
    t.wait = undefined;
    return receiveInto(k, t, recvSlot, recvPtr, NO_DEADLINE, false);
  }
  if (fastReply(k, t, a, short, recvSlot, recvPtr)) {
    // Nothing queued: wait at once (what receiveInto would do after finding the port empty).
    const from = fastReceive.from;
    fastReceive.from = undefined;
    if (from !== undefined) return k.blockIpc(t, 'receive', recvPtr, from.recvWait, from.id);
    return receiveInto(k, t, recvSlot, recvPtr, NO_DEADLINE, false);
  }
  if (!short) {
    const bad = checkIncoming(t, recvPtr);
    if (bad !== 0) return bad;
  }
  const recv = k.ipc.receivable(t.process.caps, recvSlot);
  if (typeof recv === 'number') return recv;
  if (a[0]! > 0) {
    const out = outgoingOf(k, t, msgPtr);
    if (typeof out === 'number') return out;
    const r = k.ipc.reply(t.process.caps, a[0]!, out.data, out.caps, out.move, out.borrowed);
    if (r !== 0 && r !== -EPIPE) return r; // a client that left (EPIPE) does not stop the server
  }
  return receiveInto(k, t, recvSlot, recvPtr, NO_DEADLINE, false);
}

// ---- notifications ----------------------------------------------------------------------------

/** notify_create() -> slot */
export const sysNotifyCreate = (k: SyscallContext, t: Thread): SyscallResult =>
  k.ipc.createNotification(t.process.caps);

/** notify_signal(slot, bits): never blocks. */
export const sysNotifySignal = (k: SyscallContext, t: Thread, a: Int32Array): SyscallResult =>
  k.ipc.signal(t.process.caps, a[0]!, a[1]! >>> 0);

/** notify_wait(slot, out, flags, timeout): takes the signalled bits, waiting for some. */
export function sysNotifyWait(k: SyscallContext, t: Thread, a: Int32Array): SyscallResult {
  const prior = priorDeadline(t, 'notify');
  const ptr = a[1]! >>> 0;
  if (!writable(t, ptr, 4)) return -EFAULT;
  const deadline = prior ?? timeoutDeadline(k, t, a[3]! >>> 0);
  if (deadline < NO_DEADLINE && prior !== TIMED_OUT) return deadline;
  const got = k.ipc.poll(t.process.caps, a[0]!);
  if (typeof got === 'number') {
    if (got < 0) return got;
    writeStruct(t, ptr, 4, (v) => v.setUint32(0, got, true));
    return 0;
  }
  if (prior === TIMED_OUT) return -ETIMEDOUT;
  if (a[2]! & IPC_NONBLOCK) return -EAGAIN;
  const n = t.process.caps.get(a[0]!)!.object as Notification;
  if (deadline >= 0 && deadline <= k.now()) return -ETIMEDOUT;
  return k.block(t, { kind: 'notify', deadline, addr: ptr, private: false, key: n.waitKey, object: n.id });
}

/** port_notify_dead(port slot, notification slot, bits) */
export const sysPortNotifyDead = (k: SyscallContext, t: Thread, a: Int32Array): SyscallResult =>
  k.ipc.watchDeath(t.process.caps, a[0]!, a[1]!, a[2]! >>> 0);
