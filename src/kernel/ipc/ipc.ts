// The IPC operations every caller goes through — system call handlers for programs, and server
// tasks (src/servers/) directly — so both get the same capability checks. Each operation takes
// the caller's capability space and slot numbers; a slot that does not hold a capability of the
// right kind and rights is an error, never access. Operations never block: they return
// WOULD_BLOCK and the caller decides (the syscall layer blocks the thread with a wait record).
// A sender that finds a receiver already waiting hands the message straight to it (the hooks'
// `deliverToWaiter`), the seL4/L4 fast path.
import { assert } from '../assert.js';
import { EBADF, EINVAL, EMFILE, EMSGSIZE, EOPNOTSUPP, EPERM, EPIPE } from '../errno.js';
import type { SharedMemory } from '../shm.js';
import { Capability, type CapObject, CapSpace } from './cspace.js';
import {
  DEATH_WATCH_MAX,
  MSG_BYTES_MAX,
  MSG_CAPS_MAX,
  PORTSET_MAX,
  REPLY_POOL_MAX,
  RIGHT_GRANT,
  RIGHT_RECEIVE,
  RIGHT_SEND,
  RIGHT_SEND_ONCE,
  RIGHTS_ALL,
} from './limits.js';
import {
  type Message,
  Notification,
  notifyKey,
  Port,
  PortSet,
  Reply,
  receiveKey,
  replyKey,
  sendKey,
} from './objects.js';
import { ReplyTable } from './reply-table.js';

export const WOULD_BLOCK = Symbol('would-block');

export { notifyKey, receiveKey, replyKey, sendKey } from './objects.js';

/** The wait-queue key of an IPC wait of `kind` on object `id` (restored wait records). */
export function waitKey(kind: 'send' | 'receive' | 'reply' | 'notify', id: number): string {
  if (kind === 'send') return sendKey(id);
  if (kind === 'receive') return receiveKey(id);
  return kind === 'reply' ? replyKey(id) : notifyKey(id);
}

/** A received message as the receiver's space now holds it. */
export interface Received {
  message: Message;
  /** Slots of the carried capabilities in the receiver's space (0 for one revoked in flight). */
  capSlots: number[];
  /** Slot of the reply capability (a call), or 0. */
  replySlot: number;
}

/** What the kernel provides: object ids, waking and direct delivery to waiting threads. */
export interface IpcHooks {
  newObjectId(): number;
  /**
   * Gives a result to the longest waiter on `key`: `deliver` gets that thread's capability space
   * and tid and returns true when the thread took it (its call is then complete and it runs next).
   */
  deliverToWaiter(key: string, deliver: Delivery): boolean;
  wakeAll(key: string): void;
  /** A message was queued on `port` with nobody waiting (a server task may own it). */
  queued(port: Port): void;
  /** Writes a received message into the buffers of waiting thread `tid`; false if they refuse it. */
  writeMessage(received: Received, tid: number): boolean;
  /** Writes a notification word to the out pointer of waiting thread `tid`. */
  writeWord(word: number, tid: number): boolean;
  /**
   * A remote port (`port.remote` set): true when its route has room for a message from `senderPid`;
   * then `sendRemote` takes the message (its capabilities already out of the sender's space).
   */
  remoteRoom?(port: Port, senderPid: number): boolean;
  /** Takes a message for a remote port; a call's reply object is `message.reply` (kept in `replies`). */
  sendRemote?(port: Port, message: Message): void;
  /**
   * The answer to a call that came from another node (`reply.remote` set): `message` (its
   * capabilities out of the server's space), or undefined with `errno` when none will come.
   */
  replyRemote?(reply: Reply, message: Message | undefined, errno: number): void;
  /** A dead-port watch was set on remote port `port` (its node is asked to report the death). */
  watchRemote?(port: Port): void;
  /** Local port `port` died (a remote node may watch it). */
  portDied?(port: Port): void;
}

/** Called by the hooks for a waiting thread: true when the thread took the result. */
export type Delivery = (receiver: CapSpace, threadTid: number) => boolean;

function isPort(o: CapObject): o is Port {
  return o instanceof Port;
}

/** A badge is any uint32 (0: none). */
export function isBadge(badge: number): boolean {
  return Number.isInteger(badge) && badge >= 0 && badge <= 0xffffffff;
}

/** Capabilities among `caps` still to be placed (one revoked in flight takes no slot). */
function liveCount(caps: Capability[]): number {
  let n = 0;
  for (const c of caps) if (!c.deleted) n++;
  return n;
}

/** True when every slot holds a send right to a port (what may travel to another node). */
function onlySendRights(space: CapSpace, capSlots: number[]): boolean {
  for (const slot of capSlots) {
    const c = space.get(slot);
    if (!(c?.object instanceof Port) || c.has(RIGHT_RECEIVE)) return false;
  }
  return true;
}

/** The capabilities of a message that carries none, and their slots (shared: never written). */
const NO_CAPS: Capability[] = [];
const NO_SLOTS: number[] = [];

/** A placeholder message (the reused Received of deliverReply holds it between uses). */
const NO_MESSAGE: Message = {
  data: new Uint8Array(0),
  caps: NO_CAPS,
  badge: 0,
  reply: undefined,
  senderPid: 0,
};

/** The receiver a remote port names: no space on this node holds its receive right. */
const REMOTE_RECEIVER = new CapSpace(0, 0);

/** The previous receivers of a message that carries no capabilities (no allocation per message). */
const NO_RECEIVERS: readonly (CapSpace | undefined)[] = [];

/** Where a receive right's port is received now (to restore it when a delivery is undone). */
function receiverOf(c: Capability): CapSpace | undefined {
  return c.object instanceof Port ? c.object.receiver : undefined;
}

export class Ipc {
  /** Replies by id: a client's wait record names its reply object by id. */
  readonly replies = new ReplyTable();
  /** Calls and replies that took the fastpath (sys/ipc-fast.ts): for tests and benchmarks. */
  readonly fastpath = { calls: 0, replies: 0 };
  /** The holders of moved receive rights before a take, to undo it (see unTake). */
  private readonly previousReceivers = new WeakMap<Message, readonly (CapSpace | undefined)[]>();

  constructor(private readonly hooks: IpcHooks) {}

  // ---- creating and managing capabilities ------------------------------------------------------

  /** A new port; the slot holds its receive right (which may also send and grant). */
  createPort(space: CapSpace): number {
    const port = new Port(this.hooks.newObjectId(), space);
    return this.place(space, new Capability(port, RIGHT_RECEIVE | RIGHT_SEND | RIGHT_GRANT, 0));
  }

  createPortSet(space: CapSpace): number {
    return this.place(space, new Capability(new PortSet(this.hooks.newObjectId()), RIGHT_RECEIVE, 0));
  }

  /** A new notification: RECEIVE to wait on it, SEND to signal it. */
  createNotification(space: CapSpace): number {
    const n = new Notification(this.hooks.newObjectId());
    return this.place(space, new Capability(n, RIGHT_RECEIVE | RIGHT_SEND | RIGHT_GRANT, 0));
  }

  /** Adds a new capability (e.g. a shared memory object's first handle) to `space`. */
  place(space: CapSpace, cap: Capability): number {
    const slot = space.insert(cap);
    if (slot < 0) {
      this.destroyObjectOf(cap);
      return -EMFILE;
    }
    return slot;
  }

  /**
   * A copy of the capability in `slot` with fewer `rights` and, if it has none yet, a `badge`.
   * A receive right cannot be copied (there is one per port) and a reply capability not at all.
   */
  derive(space: CapSpace, slot: number, rights: number, badge: number): number {
    const cap = space.get(slot);
    if (cap === undefined) return -EBADF;
    if ((rights & ~RIGHTS_ALL) !== 0 || !isBadge(badge)) return -EINVAL;
    if ((rights & ~cap.rights) !== 0) return -EPERM;
    if (rights & RIGHT_RECEIVE || cap.has(RIGHT_SEND_ONCE)) return -EPERM;
    if (badge !== 0 && cap.badge !== 0 && badge !== cap.badge) return -EPERM;
    // Room first: a failed derive links nothing and holds no reference on the object.
    if (space.size >= space.limit) return -EMFILE;
    const slotOf = space.insert(cap.derive(rights, badge !== 0 ? badge : cap.badge));
    assert(slotOf > 0, 'derive found room but insert failed');
    return slotOf;
  }

  /** Deletes the capability in `slot`; a receive right takes its object with it. */
  delete(space: CapSpace, slot: number): number {
    const cap = space.take(slot);
    if (cap === undefined) return -EBADF;
    this.destroy(cap);
    return 0;
  }

  /** Deletes everything derived from the capability in `slot` (in any space); returns how many. */
  revoke(space: CapSpace, slot: number): number {
    const cap = space.get(slot);
    if (cap === undefined) return -EBADF;
    let n = 0;
    const stack = [...cap.children];
    while (stack.length > 0) {
      const c = stack.pop()!;
      stack.push(...c.children);
      c.children.clear();
      c.parent = undefined;
      if (c.space !== undefined) c.space.take(c.slot);
      this.finish(c);
      n++;
    }
    cap.children.clear();
    return n;
  }

  /** Deletes a capability that never reached a space (or was taken out of one). */
  dropCapability(cap: Capability): void {
    this.destroy(cap);
  }

  /** Deletes every capability in `space` (its process ended). */
  dropSpace(space: CapSpace): void {
    for (const cap of [...space.values()]) {
      space.take(cap.slot);
      this.destroy(cap);
    }
  }

  // ---- ports -----------------------------------------------------------------------------------

  portSetAdd(space: CapSpace, setSlot: number, portSlot: number): number {
    const set = space.get(setSlot);
    const port = space.get(portSlot);
    if (set === undefined || port === undefined) return -EBADF;
    if (!(set.object instanceof PortSet) || !(port.object instanceof Port)) return -EINVAL;
    if (!set.has(RIGHT_RECEIVE) || !port.has(RIGHT_RECEIVE)) return -EPERM;
    if (port.object.set !== undefined) return port.object.set === set.object ? 0 : -EINVAL;
    if (set.object.ports.size >= PORTSET_MAX) return -EMFILE;
    set.object.ports.add(port.object);
    port.object.set = set.object;
    if (port.object.queue.length > 0) this.hooks.wakeAll(set.object.recvKey);
    return 0;
  }

  portSetRemove(space: CapSpace, setSlot: number, portSlot: number): number {
    const set = space.get(setSlot);
    const port = space.get(portSlot);
    if (set === undefined || port === undefined) return -EBADF;
    if (!(set.object instanceof PortSet) || !(port.object instanceof Port)) return -EINVAL;
    if (!set.has(RIGHT_RECEIVE) || !port.has(RIGHT_RECEIVE)) return -EPERM;
    if (port.object.set !== set.object) return -EINVAL;
    set.object.ports.delete(port.object);
    port.object.set = undefined;
    return 0;
  }

  /**
   * The checks a send makes before anything changes: the port capability and the capabilities to
   * carry. Returns the sending capability or -errno.
   */
  checkSend(
    space: CapSpace,
    slot: number,
    size: number,
    capSlots: number[],
    moveMask: number,
  ): Capability | number {
    const cap = space.get(slot);
    if (cap === undefined) return -EBADF;
    if (!isPort(cap.object)) return -EINVAL;
    if (!cap.has(RIGHT_SEND)) return -EPERM;
    if (size > MSG_BYTES_MAX) return -EMSGSIZE;
    const err = this.checkCarried(space, cap, capSlots, moveMask);
    if (err !== 0) return err;
    if (!cap.object.alive) return -(cap.object.deadErrno || EPIPE);
    return cap;
  }

  private checkCarried(space: CapSpace, via: Capability, capSlots: number[], moveMask: number): number {
    if (capSlots.length > MSG_CAPS_MAX || moveMask >>> capSlots.length !== 0) return -EINVAL;
    if (capSlots.length > 0 && !via.has(RIGHT_GRANT)) return -EPERM;
    for (let i = 0; i < capSlots.length; i++) {
      const slot = capSlots[i]!;
      const c = space.get(slot);
      if (c === undefined) return -EBADF;
      if (capSlots.indexOf(slot) !== i || c === via) return -EINVAL;
      if (c.has(RIGHT_SEND_ONCE)) return -EINVAL; // reply capabilities do not travel
      const move = (moveMask >>> i) & 1;
      if (!move && c.has(RIGHT_RECEIVE) && !(c.object instanceof Notification)) return -EPERM;
      // A receive right queued on its own port could never be received: nobody would hold it.
      if (move && c.has(RIGHT_RECEIVE) && c.object === via.object) return -EINVAL;
    }
    return 0;
  }

  /** Takes the carried capabilities out of the sender's space (moved) or derives copies. */
  private carry(space: CapSpace, capSlots: number[], moveMask: number): Capability[] {
    if (capSlots.length === 0) return NO_CAPS;
    return capSlots.map((slot, i) => {
      const c = space.get(slot);
      assert(c !== undefined, 'carried capability vanished after its check');
      if ((moveMask >>> i) & 1) {
        space.take(slot);
        if (c.has(RIGHT_RECEIVE)) this.receiveRightLeft(c.object);
        else if (c.object instanceof Port) this.hooks.wakeAll(c.object.sendKey); // see finish()
        return c;
      }
      return c.derive(c.rights & ~RIGHT_RECEIVE, c.badge);
    });
  }

  /**
   * Sends `data` (and capabilities) on the port the send right in `slot` names. WOULD_BLOCK when
   * the queue or the sender's quota is full. `reply`: the reply object of a call.
   */
  send(
    space: CapSpace,
    senderPid: number,
    slot: number,
    data: Uint8Array,
    capSlots: number[],
    moveMask: number,
    reply: Reply | undefined,
    borrowed = false,
  ): number | typeof WOULD_BLOCK {
    const cap = this.checkSend(space, slot, data.length, capSlots, moveMask);
    if (typeof cap === 'number') return cap;
    const port = cap.object as Port;
    if (port.remote !== undefined)
      return this.sendRemote(space, senderPid, cap, data, capSlots, moveMask, reply);
    if (!port.hasRoomFor(senderPid)) return WOULD_BLOCK;
    // A port waiter that refused the direct message is not offered it again (as announce would not).
    let offered = false;
    if (capSlots.length === 0 && port.queue.length === 0) {
      if (reply !== undefined) this.replies.set(reply.id, reply);
      if (this.sendDirect(port, data, cap.badge, reply, senderPid)) return 0;
      offered = this.directOffered;
    }
    const message: Message = {
      data,
      caps: this.carry(space, capSlots, moveMask),
      badge: cap.badge,
      reply,
      senderPid,
    };
    if (reply !== undefined) this.replies.set(reply.id, reply);
    port.push(message);
    // Borrowed bytes (a view of the sender's memory) are copied only if the message stays queued.
    if (!this.announce(port, offered) && borrowed) message.data = message.data.slice();
    return 0;
  }

  /**
   * A send (or a call: `reply`) on a port whose receiver lives elsewhere, through the kernel's
   * router. Only send rights to ports travel to another node (-EINVAL for any other capability).
   */
  private sendRemote(
    space: CapSpace,
    senderPid: number,
    cap: Capability,
    data: Uint8Array,
    capSlots: number[],
    moveMask: number,
    reply: Reply | undefined,
  ): number | typeof WOULD_BLOCK {
    const port = cap.object as Port;
    if (this.hooks.sendRemote === undefined) return -EOPNOTSUPP;
    if (!onlySendRights(space, capSlots)) return -EINVAL;
    if (this.hooks.remoteRoom?.(port, senderPid) !== true) return WOULD_BLOCK;
    const caps = this.carry(space, capSlots, moveMask);
    if (reply !== undefined) {
      reply.reusable = false;
      this.replies.set(reply.id, reply);
    }
    this.hooks.sendRemote(port, { data, caps, badge: cap.badge, reply, senderPid });
    return 0;
  }

  /**
   * A message from another node for `port` (exported by the kernel): queued, or handed to a waiting
   * receiver. WOULD_BLOCK when the queue or the sender's quota is full; -EPIPE when the port is dead.
   */
  deliverInbound(port: Port, message: Message): number | typeof WOULD_BLOCK {
    if (!port.alive) return -EPIPE;
    if (!port.hasRoomFor(message.senderPid)) return WOULD_BLOCK;
    port.push(message);
    this.announce(port);
    return 0;
  }

  /**
   * A remote port's route failed (its port died, or its node stopped answering): its senders get
   * `errno` from now on, blocked ones wake and meet it, and its dead-port watchers are told.
   */
  remotePortDied(port: Port, errno: number): void {
    if (!port.alive) return;
    port.deadErrno = errno;
    this.killPort(port);
  }

  /** A send right to local `port` made for a reference that came back home from another node. */
  localCapability(port: Port, rights: number, badge: number): Capability {
    return new Capability(port, rights & (RIGHT_SEND | RIGHT_GRANT), badge);
  }

  /**
   * The answer to remote call `replyId` arrived: handed to its waiting client (or kept until it
   * runs its call again). False when nobody waits any more (the caller then drops `caps`).
   */
  answerRemote(replyId: number, data: Uint8Array, caps: Capability[]): boolean {
    const reply = this.replies.get(replyId);
    if (reply === undefined || reply.state !== 'waiting') return false;
    const message: Message = { data, caps, badge: 0, reply: undefined, senderPid: 0 };
    reply.state = 'replied';
    reply.message = message;
    this.replying = reply;
    this.hooks.deliverToWaiter(reply.waitKey, this.deliverReply);
    this.replying = undefined;
    return true;
  }

  /** Remote call `replyId` will get no answer: its client's call ends with -errno. */
  failRemote(replyId: number, errno: number): void {
    const reply = this.replies.get(replyId);
    if (reply === undefined || reply.state !== 'waiting') return;
    reply.errno = errno;
    this.abandon(reply);
  }

  /** No answer will come: the client's call ends with EPIPE; a remote client is told so. */
  private abandon(reply: Reply): void {
    if (reply.state !== 'waiting') return;
    reply.state = 'abandoned';
    if (reply.remote !== undefined) this.hooks.replyRemote?.(reply, undefined, EPIPE);
    else this.hooks.wakeAll(reply.waitKey);
  }

  /** Room again on a remote port's route: its blocked senders try again. */
  remoteRoomFreed(port: Port): void {
    this.hooks.wakeAll(sendKey(port.id));
  }

  /** A new port whose receiver lives elsewhere, reached through `route`; the slot holds a send right. */
  createRemotePort(space: CapSpace, route: number, badge: number): number {
    const port = new Port(this.hooks.newObjectId(), REMOTE_RECEIVER);
    port.remote = route;
    return this.place(space, new Capability(port, RIGHT_SEND | RIGHT_GRANT, badge));
  }

  /** A send right to a new remote port, in no space (for a message arriving from another node). */
  remoteCapability(route: number, rights: number, badge: number): Capability {
    const port = new Port(this.hooks.newObjectId(), REMOTE_RECEIVER);
    port.remote = route;
    return new Capability(port, rights & (RIGHT_SEND | RIGHT_GRANT), badge);
  }

  /**
   * A receive right left its holder's space (moved in a message). The holder's threads blocked
   * receiving through it — on the port, or on a port set holding it — run their call again and
   * meet EBADF or wait on; the port leaves the old holder's port set.
   */
  private receiveRightLeft(o: CapObject): void {
    if (o instanceof Port) {
      const set = o.set;
      if (set !== undefined) {
        set.ports.delete(o);
        o.set = undefined;
      }
      this.hooks.wakeAll(o.recvKey);
      if (set !== undefined) this.hooks.wakeAll(set.recvKey);
    } else if (o instanceof PortSet) {
      // Its ports' receive rights stay where they are: the set's new holder gets an empty set.
      for (const port of o.ports) port.set = undefined;
      o.ports.clear();
      this.hooks.wakeAll(o.recvKey);
    } else if (o instanceof Notification) {
      this.hooks.wakeAll(o.waitKey);
    }
  }

  /**
   * Places carried capabilities in `space`, all or none: -EMFILE (nothing placed) without room for
   * every one. A moved receive right names its new holder. Returns the slots (0: revoked in flight).
   */
  private placeCarried(space: CapSpace, caps: Capability[], extra = 0): number[] | number {
    if (space.limit - space.size < liveCount(caps) + extra) return -EMFILE;
    if (caps.length === 0) return NO_SLOTS;
    return caps.map((c) => {
      if (c.deleted) return 0;
      const slot = space.insert(c);
      assert(slot > 0, 'carried capability found room but insert failed');
      if (c.object instanceof Port && c.has(RIGHT_RECEIVE)) c.object.receiver = space;
      return slot;
    });
  }

  /** Takes placed capabilities back out of `space` (a delivery that failed after placing them). */
  private unplace(
    space: CapSpace,
    caps: Capability[],
    slots: number[],
    previous: readonly (CapSpace | undefined)[],
  ): void {
    slots.forEach((slot, i) => {
      if (slot <= 0) return;
      space.take(slot);
      const c = caps[i]!;
      const before = previous[i];
      if (c.object instanceof Port && c.has(RIGHT_RECEIVE) && before !== undefined)
        c.object.receiver = before;
    });
  }

  /**
   * The register-only path (L4/seL4): a short message without capabilities, sent while a receiver
   * already waits on the port itself and nothing is queued before it, is written straight into
   * that receiver's buffer from the sender's bytes — no Message, no queue, no quota count. The
   * receiver's call completes and it runs next. False (nothing changed) when nobody waits on the
   * port, or the waiter refused it (it runs its call again): the message then takes the queued path.
   */
  private sendDirect(
    port: Port,
    data: Uint8Array,
    badge: number,
    reply: Reply | undefined,
    senderPid: number,
  ) {
    const message = this.directMessage;
    message.data = data;
    message.badge = badge;
    message.reply = reply;
    message.senderPid = senderPid;
    this.directPort = port;
    this.directOffered = false;
    const handed = this.hooks.deliverToWaiter(port.recvKey, this.deliverDirect);
    this.directPort = undefined;
    message.data = NO_MESSAGE.data;
    message.reply = undefined;
    return handed;
  }

  /** The message sendDirect hands over (reused: writeMessage copies it out at once). */
  private readonly directMessage: Message = { ...NO_MESSAGE };
  private readonly directReceived: Received = { message: NO_MESSAGE, capSlots: NO_SLOTS, replySlot: 0 };
  /** The port sendDirect is sending on (read by deliverDirect; no closure per send). */
  private directPort: Port | undefined = undefined;
  /** Whether the last sendDirect found a waiter on the port (that then refused, if not handed). */
  private directOffered = false;

  /** Writes the direct message into waiting thread `tid` of `receiver`, with its reply capability. */
  private readonly deliverDirect: Delivery = (receiver, tid) => {
    const port = this.directPort;
    assert(port !== undefined, 'deliverDirect outside sendDirect');
    this.directOffered = true;
    if (receiver !== port.receiver) return false;
    const message = this.directMessage;
    let replySlot = 0;
    if (message.reply !== undefined) {
      if (receiver.size >= receiver.limit) return false; // it runs again and meets EMFILE queued
      replySlot = receiver.insert(new Capability(message.reply, RIGHT_SEND_ONCE | RIGHT_GRANT, 0));
      assert(replySlot > 0, 'reply capability found room but insert failed');
    }
    const received = this.directReceived;
    received.message = message;
    received.replySlot = replySlot;
    const written = this.hooks.writeMessage(received, tid);
    received.message = NO_MESSAGE;
    received.replySlot = 0;
    if (!written && replySlot > 0) receiver.take(replySlot);
    return written;
  };

  /**
   * A message is queued on `port`: hand it to a waiting receiver (true), or tell the kernel.
   * `portWaiterRefused`: the port's longest waiter was offered it directly and refused.
   */
  private announce(port: Port, portWaiterRefused = false): boolean {
    this.announcing = port;
    const handed =
      (!portWaiterRefused && this.hooks.deliverToWaiter(port.recvKey, this.deliverHead)) ||
      (port.set !== undefined && this.hooks.deliverToWaiter(port.set.recvKey, this.deliverHead));
    this.announcing = undefined;
    if (!handed) this.hooks.queued(port);
    return handed;
  }

  /** The port `announce` is handing a message from (read by deliverHead; no closure per send). */
  private announcing: Port | undefined = undefined;

  /** Gives the head message of the port being announced to waiting thread `tid` of `receiver`. */
  private readonly deliverHead: Delivery = (receiver, tid) => {
    const port = this.announcing;
    assert(port !== undefined, 'deliverHead outside announce');
    if (port.queue.length === 0 || receiver !== port.receiver) return false;
    const received = this.take(port, receiver);
    if (typeof received === 'number') return false;
    if (this.hooks.writeMessage(received, tid)) return true;
    this.unTake(port, received, receiver);
    return false;
  };

  /**
   * Receives from the port or port set the receive right in `slot` names. WOULD_BLOCK when
   * nothing is queued; -EMFILE (the message stays) when the space has no room for its capabilities.
   */
  receive(space: CapSpace, slot: number): Received | number | typeof WOULD_BLOCK {
    const port = this.receivable(space, slot);
    if (typeof port === 'number') return port;
    if (port === undefined) return WOULD_BLOCK;
    return this.take(port, space);
  }

  /** The port to take the next message from: the port itself or the first busy one in the set. */
  receivable(space: CapSpace, slot: number): Port | undefined | number {
    const cap = space.get(slot);
    if (cap === undefined) return -EBADF;
    if (!(cap.object instanceof Port) && !(cap.object instanceof PortSet)) return -EINVAL;
    if (!cap.has(RIGHT_RECEIVE)) return -EPERM;
    if (cap.object instanceof Port) return cap.object.queue.length > 0 ? cap.object : undefined;
    for (const p of cap.object.ports) if (p.queue.length > 0 && p.receiver === space) return p;
    return undefined;
  }

  /** Dequeues the head message of `port` (one `receivable` returned for `space`) into `space`. */
  take(port: Port, space: CapSpace): Received | number {
    const head = port.queue[0];
    assert(head !== undefined, 'take from an empty port');
    const previous = head.caps.length === 0 ? NO_RECEIVERS : head.caps.map(receiverOf);
    const capSlots = this.placeCarried(space, head.caps, head.reply !== undefined ? 1 : 0);
    if (typeof capSlots === 'number') return capSlots;
    const message = port.shift()!;
    if (previous !== NO_RECEIVERS) this.previousReceivers.set(message, previous);
    let replySlot = 0;
    if (message.reply !== undefined)
      replySlot = space.insert(new Capability(message.reply, RIGHT_SEND_ONCE | RIGHT_GRANT, 0));
    this.hooks.wakeAll(port.sendKey); // room for a blocked sender
    return { message, capSlots, replySlot };
  }

  /** Undoes `take` when the receiver's buffer refused the message (it is first again). */
  private unTake(port: Port, received: Received, space: CapSpace): void {
    const m = received.message;
    this.unplace(space, m.caps, received.capSlots, this.previousReceivers.get(m) ?? NO_RECEIVERS);
    if (received.replySlot > 0) space.take(received.replySlot);
    port.queue.unshift(received.message);
    port.pushBackCount(received.message.senderPid);
  }

  // ---- call and reply --------------------------------------------------------------------------

  /**
   * A reply object for a call of thread `clientTid`: a finished one from the pool when there is
   * one (it keeps its id and wait key: nothing references the old use any more), else a new one.
   */
  newReply(clientTid: number): Reply {
    const pooled = this.replyPool.pop();
    if (pooled === undefined) return new Reply(this.hooks.newObjectId(), clientTid);
    pooled.clientTid = clientTid;
    pooled.state = 'waiting';
    pooled.errno = 0;
    return pooled;
  }

  /** Finished reply objects (answered and collected; see recycle). */
  private readonly replyPool: Reply[] = [];

  /**
   * Puts a reply object whose answer its client has taken back in the pool. Only then does nothing
   * refer to it: the reply capability was deleted by the answer, the table entry is gone and the
   * client's wait is over. Images name replies by id, never by object, so reuse is invisible.
   */
  private recycle(reply: Reply): void {
    assert(reply.state === 'replied', 'recycling a live reply');
    reply.message = undefined;
    if (reply.reusable && this.replyPool.length < REPLY_POOL_MAX) {
      this.replies.park(reply); // its table entry stays, unregistered, for its next call
      this.replyPool.push(reply);
    } else this.replies.delete(reply.id);
  }

  /**
   * Answers a call through the reply capability in `slot` (used once: it is deleted). The client
   * gets the message through `deliver` (it waits on the reply's key); -EPIPE if it is gone.
   */
  reply(
    space: CapSpace,
    slot: number,
    data: Uint8Array,
    capSlots: number[],
    moveMask: number,
    borrowed = false,
  ): number {
    const cap = space.get(slot);
    if (cap === undefined) return -EBADF;
    if (!(cap.object instanceof Reply)) return -EINVAL;
    if (data.length > MSG_BYTES_MAX) return -EMSGSIZE;
    const err = this.checkCarried(space, cap, capSlots, moveMask);
    if (err !== 0) return err;
    const reply = cap.object;
    if (reply.remote !== undefined && !onlySendRights(space, capSlots)) return -EINVAL;
    space.take(slot);
    cap.unlink();
    cap.deleted = true;
    if (reply.state !== 'waiting') return -EPIPE;
    const caps = this.carry(space, capSlots, moveMask);
    if (reply.remote !== undefined) {
      // A call from another node: the answer leaves through the router (which encodes it now).
      reply.state = 'replied';
      const answer: Message = { data, caps, badge: 0, reply: undefined, senderPid: space.ownerPid };
      this.hooks.replyRemote?.(reply, answer, 0);
      return 0;
    }
    // An answer without capabilities handed straight to its waiting client needs no Message of its own.
    const message: Message =
      caps.length === 0 ? this.directMessage : { data, caps, badge: 0, reply: undefined, senderPid: 0 };
    message.data = data;
    message.badge = 0;
    message.senderPid = space.ownerPid;
    reply.state = 'replied';
    reply.message = message;
    this.replying = reply;
    const handed = this.hooks.deliverToWaiter(reply.waitKey, this.deliverReply);
    this.replying = undefined;
    if (message === this.directMessage) {
      message.data = NO_MESSAGE.data;
      if (handed) return 0;
      // It waits for the client (which runs its call again): a Message of its own, bytes copied.
      reply.message = {
        data: borrowed ? data.slice() : data,
        caps,
        badge: 0,
        reply: undefined,
        senderPid: space.ownerPid,
      };
    } else if (!handed && borrowed) message.data = message.data.slice(); // it waits for the client
    return 0;
  }

  // ---- the fastpath (sys/ipc-fast.ts) ---------------------------------------------------------

  /**
   * The port a fastpath call or send may go to through `slot`: a live local port the capability may
   * send on, with nothing queued (so a waiting receiver is next in line). Undefined otherwise: the
   * slow path then runs and reports whatever is wrong.
   */
  fastTarget(space: CapSpace, slot: number): Port | undefined {
    const cap = space.get(slot);
    if (cap === undefined || !isPort(cap.object) || !cap.has(RIGHT_SEND)) return undefined;
    const port = cap.object;
    return port.alive && port.remote === undefined && port.queue.length === 0 ? port : undefined;
  }

  /** The badge a message sent through `slot` carries (a capability fastTarget accepted). */
  badgeOf(space: CapSpace, slot: number): number {
    return space.get(slot)?.badge ?? 0;
  }

  /**
   * A fastpath call hands its message to a receiver in `receiver` (room checked by the caller): the
   * reply object goes in the table and its capability into `receiver`. Returns the reply slot.
   */
  fastCallReply(receiver: CapSpace, reply: Reply): number {
    this.fastpath.calls++;
    this.replies.set(reply.id, reply);
    let cap = reply.spareCap;
    if (cap !== undefined) {
      reply.spareCap = undefined;
      cap.deleted = false;
    } else cap = new Capability(reply, RIGHT_SEND_ONCE | RIGHT_GRANT, 0);
    const slot = receiver.insert(cap);
    assert(slot > 0, 'fastpath reply capability found no room');
    return slot;
  }

  /**
   * The reply object a fastpath reply through `slot` answers: one whose client still waits. Undefined
   * otherwise (the slow path reports it).
   */
  fastReplyTarget(space: CapSpace, slot: number): Reply | undefined {
    const cap = space.get(slot);
    if (cap === undefined || !(cap.object instanceof Reply)) return undefined;
    return cap.object.state === 'waiting' ? cap.object : undefined;
  }

  /**
   * A fastpath reply was written into its waiting client: the reply capability in `slot` is used up
   * and the reply object, answered and collected at once, goes back to the pool.
   */
  fastReplied(space: CapSpace, slot: number, reply: Reply): void {
    const cap = space.take(slot);
    assert(cap !== undefined && cap.object === reply, 'fastpath reply capability moved');
    cap.unlink();
    cap.deleted = true;
    reply.state = 'replied';
    // Reply capabilities are never derived and never travel: nothing else holds this one.
    reply.spareCap = cap;
    this.recycle(reply);
    this.fastpath.replies++;
  }

  /** The answer deliverReply hands to writeMessage, which copies it out at once (one object). */
  private readonly replyReceived: Received = { message: NO_MESSAGE, capSlots: NO_SLOTS, replySlot: 0 };

  /** The reply `reply` is answering (read by deliverReply; no closure per reply). */
  private replying: Reply | undefined = undefined;

  /** Gives the answer of the reply being answered to its waiting client `tid` in `receiver`. */
  private readonly deliverReply: Delivery = (receiver, tid) => {
    const reply = this.replying;
    const message = reply?.message;
    assert(reply !== undefined && message !== undefined, 'deliverReply outside reply');
    // All or nothing: without room for every capability the client's call runs again and fails.
    const previous = message.caps.length === 0 ? NO_RECEIVERS : message.caps.map(receiverOf);
    const capSlotsIn = this.placeCarried(receiver, message.caps);
    if (typeof capSlotsIn === 'number') return false;
    const received = this.replyReceived;
    received.message = message;
    received.capSlots = capSlotsIn;
    const written = this.hooks.writeMessage(received, tid);
    received.message = NO_MESSAGE;
    received.capSlots = NO_SLOTS;
    if (!written) {
      this.unplace(receiver, message.caps, capSlotsIn, previous);
      return false;
    }
    this.recycle(reply);
    return true;
  };

  /** The client's side after its wait: the answer (capabilities placed in `space`) or -errno. */
  collectReply(space: CapSpace, replyId: number): Received | number | typeof WOULD_BLOCK {
    const reply = this.replies.get(replyId);
    if (reply === undefined || reply.state === 'abandoned') {
      this.replies.delete(replyId);
      return -(reply?.errno || EPIPE);
    }
    if (reply.state === 'waiting') return WOULD_BLOCK;
    const message = reply.message!;
    const capSlots = this.placeCarried(space, message.caps);
    if (typeof capSlots === 'number') {
      // No room for every capability: the call fails and the answer's capabilities are dropped.
      this.abandonReply(replyId);
      return capSlots;
    }
    this.recycle(reply);
    return { message, capSlots, replySlot: 0 };
  }

  /**
   * Undoes a received message the caller could not take after all (its buffer refused it): the
   * capabilities placed for it are deleted, so the failed call leaves nothing in `space`.
   */
  dropReceived(space: CapSpace, received: Received): void {
    for (const slot of received.capSlots) if (slot > 0) this.delete(space, slot);
    if (received.replySlot > 0) this.delete(space, received.replySlot);
  }

  /**
   * Drops the head message of the port the receive right in `slot` names (a server that cannot
   * take it): its capabilities are deleted and its caller's call ends with EPIPE.
   */
  discardHead(space: CapSpace, slot: number): number {
    const port = this.receivable(space, slot);
    if (typeof port === 'number') return port;
    const m = port?.shift();
    if (m === undefined) return 0;
    for (const c of m.caps) this.destroy(c);
    if (m.reply !== undefined) this.abandon(m.reply);
    this.hooks.wakeAll(port!.sendKey);
    return 1;
  }

  /** The client stops waiting (timeout, or it ended): a later reply finds nobody. */
  abandonReply(replyId: number): void {
    const reply = this.replies.get(replyId);
    if (reply !== undefined && reply.state === 'waiting') reply.state = 'abandoned';
    if (reply?.message !== undefined) for (const c of reply.message.caps) this.destroy(c);
    this.replies.delete(replyId);
  }

  // ---- notifications ---------------------------------------------------------------------------

  /** ORs `bits` into the notification; never blocks. */
  signal(space: CapSpace, slot: number, bits: number): number {
    const cap = space.get(slot);
    if (cap === undefined) return -EBADF;
    if (!(cap.object instanceof Notification)) return -EINVAL;
    if (!cap.has(RIGHT_SEND)) return -EPERM;
    this.raise(cap.object, bits);
    return 0;
  }

  private raise(n: Notification, bits: number): void {
    if (!n.alive) return;
    n.word = (n.word | bits) >>> 0;
    if (n.word === 0) return;
    const word = n.word;
    const taken = this.hooks.deliverToWaiter(n.waitKey, (_space, tid) => this.hooks.writeWord(word, tid));
    if (taken) n.word = 0;
  }

  /** Takes the signalled bits (clearing them); WOULD_BLOCK when none are set. */
  poll(space: CapSpace, slot: number): number | typeof WOULD_BLOCK {
    const cap = space.get(slot);
    if (cap === undefined) return -EBADF;
    if (!(cap.object instanceof Notification)) return -EINVAL;
    if (!cap.has(RIGHT_RECEIVE)) return -EPERM;
    const word = cap.object.word;
    if (word === 0) return WOULD_BLOCK;
    cap.object.word = 0;
    return word;
  }

  /** Signals `bits` on the notification in `notifySlot` when the port `portSlot` names dies. */
  watchDeath(space: CapSpace, portSlot: number, notifySlot: number, bits: number): number {
    const port = space.get(portSlot);
    const n = space.get(notifySlot);
    if (port === undefined || n === undefined) return -EBADF;
    if (!(port.object instanceof Port) || !(n.object instanceof Notification)) return -EINVAL;
    if (!n.has(RIGHT_SEND) || bits === 0) return bits === 0 ? -EINVAL : -EPERM;
    if (!port.object.alive) {
      this.raise(n.object, bits);
      return 0;
    }
    if (port.object.deathWatch.length >= DEATH_WATCH_MAX) return -EMFILE;
    port.object.deathWatch.push({ notification: n.object, bits });
    if (port.object.remote !== undefined) this.hooks.watchRemote?.(port.object);
    return 0;
  }

  // ---- deleting --------------------------------------------------------------------------------

  /** A capability left its space: unlink it and end its object if it was the receive right. */
  private destroy(cap: Capability): void {
    cap.unlink();
    this.finish(cap);
  }

  private finish(cap: Capability): void {
    if (cap.deleted) return;
    cap.deleted = true;
    // A send right gone (deleted, revoked): senders blocked on its port run their call again, so
    // one that was sending through it meets EBADF now instead of when the queue drains.
    if (cap.object instanceof Port && !cap.has(RIGHT_RECEIVE)) this.hooks.wakeAll(cap.object.sendKey);
    this.destroyObjectOf(cap);
  }

  private destroyObjectOf(cap: Capability): void {
    const o = cap.object;
    if (o instanceof Port && cap.has(RIGHT_RECEIVE)) this.killPort(o);
    else if (o instanceof PortSet && cap.has(RIGHT_RECEIVE)) {
      o.alive = false;
      for (const p of o.ports) p.set = undefined;
      o.ports.clear();
      this.hooks.wakeAll(o.recvKey); // its waiters run again and meet EBADF
    } else if (o instanceof Notification && cap.has(RIGHT_RECEIVE)) {
      o.alive = false;
      this.hooks.wakeAll(o.waitKey);
    } else if (o instanceof Reply) {
      this.abandon(o); // the client's call ends with EPIPE
    } else if (!(o instanceof Port) && !(o instanceof PortSet) && !(o instanceof Notification)) {
      (o as SharedMemory).release(); // shared memory: one holder fewer
    }
  }

  /** The receive right is gone: queued messages are dropped, waiters and watchers told. */
  private killPort(port: Port): void {
    if (!port.alive) return;
    port.alive = false;
    port.set?.ports.delete(port);
    port.set = undefined;
    for (let m = port.shift(); m !== undefined; m = port.shift()) {
      for (const c of m.caps) this.destroy(c);
      if (m.reply !== undefined) this.abandon(m.reply);
    }
    this.hooks.wakeAll(port.sendKey);
    this.hooks.wakeAll(port.recvKey);
    for (const w of port.deathWatch) this.raise(w.notification, w.bits);
    port.deathWatch.length = 0;
    if (port.remote === undefined) this.hooks.portDied?.(port);
  }
}
