// The kernel objects IPC reaches through capabilities (DESIGN.md §5): ports (a bounded message
// queue with one receive right), port sets (receive from many ports), notifications (a word of
// bits that signalling never blocks on) and replies (the send-once object a call waits on). Shared
// memory objects (../shm.ts) are the fifth kind. Plain data: the queues of waiting threads live in
// the kernel's wait-queue index, keyed by the ids here (the fastpath's queues cached on WaitPoints).
import { assert } from '../assert.js';
import { WaitPoint } from '../futex.js';
import type { Capability, CapSpace } from './cspace.js';
import { PORT_QUEUE_MAX, SENDER_QUOTA } from './limits.js';

/** The wait-queue keys of IPC waits (built once per object: no string per operation). */
export const receiveKey = (id: number): string => `r${id}`;
export const sendKey = (id: number): string => `s${id}`;
export const replyKey = (id: number): string => `y${id}`;
export const notifyKey = (id: number): string => `n${id}`;

/** A message in flight: its bytes, the capabilities it carries and who sent it. */
export interface Message {
  data: Uint8Array;
  caps: Capability[];
  /** The badge of the send right it was sent with (0: none). */
  badge: number;
  /** The reply object of a call, or undefined for a plain send. */
  reply: Reply | undefined;
  senderPid: number;
}

export class Port {
  readonly kind = 'port';
  readonly queue: Message[] = [];
  alive = true;
  /** The port set it belongs to (a port is in at most one). */
  set: PortSet | undefined = undefined;
  /** The capability space holding the receive right. */
  receiver: CapSpace;
  /** Queued messages per sending process (the per-sender quota). */
  private readonly queuedBy = new Map<number, number>();
  /** Notifications to signal when the port dies (port_notify_dead). */
  readonly deathWatch: { notification: Notification; bits: number }[] = [];
  /** A port whose receiver lives on another node: the router's route to it (see ../hooks.ts). */
  remote: number | undefined = undefined;
  /** A dead remote port: the errno its senders get (EPIPE: the port died; EHOSTUNREACH). */
  deadErrno = 0;

  /** Wait-queue keys: receivers blocked on the port, senders blocked on its full queue. */
  readonly recvKey: string;
  readonly sendKey: string;
  /** The receivers' queue, cached (the fastpath). */
  readonly recvWait: WaitPoint;

  constructor(
    readonly id: number,
    receiver: CapSpace,
  ) {
    this.receiver = receiver;
    this.recvKey = receiveKey(id);
    this.sendKey = sendKey(id);
    this.recvWait = new WaitPoint(this.recvKey);
  }

  /** True when a message from `pid` fits: room in the queue and in the sender's quota. */
  hasRoomFor(pid: number): boolean {
    return this.queue.length < PORT_QUEUE_MAX && (this.queuedBy.get(pid) ?? 0) < SENDER_QUOTA;
  }

  push(message: Message): void {
    assert(this.hasRoomFor(message.senderPid), `port ${this.id} queue over its limits`);
    this.queue.push(message);
    this.queuedBy.set(message.senderPid, (this.queuedBy.get(message.senderPid) ?? 0) + 1);
  }

  /** Counts a message put back at the head of the queue (see Ipc.unTake). */
  pushBackCount(pid: number): void {
    this.queuedBy.set(pid, (this.queuedBy.get(pid) ?? 0) + 1);
  }

  shift(): Message | undefined {
    const message = this.queue.shift();
    if (message === undefined) return undefined;
    const n = (this.queuedBy.get(message.senderPid) ?? 0) - 1;
    assert(n >= 0, `port ${this.id} quota count went negative`);
    if (n === 0) this.queuedBy.delete(message.senderPid);
    else this.queuedBy.set(message.senderPid, n);
    return message;
  }
}

export class PortSet {
  readonly kind = 'portset';
  readonly ports = new Set<Port>();
  alive = true;
  /** Wait-queue key of receivers blocked on the set. */
  readonly recvKey: string;
  /** The receivers' queue, cached (the fastpath). */
  readonly recvWait: WaitPoint;
  constructor(readonly id: number) {
    this.recvKey = receiveKey(id);
    this.recvWait = new WaitPoint(this.recvKey);
  }
}

export class Notification {
  readonly kind = 'notification';
  /** Signalled bits not yet taken by a wait. */
  word = 0;
  alive = true;
  /** Wait-queue key of threads waiting for bits. */
  readonly waitKey: string;
  constructor(readonly id: number) {
    this.waitKey = notifyKey(id);
  }
}

export class Reply {
  readonly kind = 'reply';
  /** The waiting thread (a pooled reply object is reused for another call: see Ipc.newReply). */
  clientTid: number;
  /** waiting: the client waits; replied: `message` is its answer; abandoned: no answer will come. */
  state: 'waiting' | 'replied' | 'abandoned' = 'waiting';
  message: Message | undefined = undefined;
  /** Registered in Ipc's reply table (ReplyTable keeps pooled replies' entries, unregistered). */
  inTable = false;
  /** True while it is parked in the table (its Map entry kept, unregistered: ReplyTable.park). */
  parked = false;
  /** Its last reply capability, used up and held by nothing: the fastpath's next call reuses it. */
  spareCap: Capability | undefined = undefined;
  /** A call from another node: the router's token for the way back (its answer leaves through it). */
  remote: number | undefined = undefined;
  /** False for a remote call's reply: its id is never reused (a late answer must find nothing). */
  reusable = true;
  /** Abandoned with a cause other than EPIPE (a remote call: EHOSTUNREACH), else 0. */
  errno = 0;
  /** Wait-queue key of the client waiting for the answer. */
  readonly waitKey: string;
  /** The client's queue, cached (the fastpath). */
  readonly wait: WaitPoint;
  constructor(
    readonly id: number,
    clientTid: number,
  ) {
    this.clientTid = clientTid;
    this.waitKey = replyKey(id);
    this.wait = new WaitPoint(this.waitKey);
  }
}
