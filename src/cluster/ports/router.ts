// The remote-port router (issue 13 §2, contract 3): the kernel's PortRouter over a node's PeerLinks
// (APP_TYPES.ports) and the registry. A pure core: no I/O, no wall clock — it takes PeerLinks, a
// RegistryClient, a Clock and a Random, so the simulator runs it as the daemon does.
// - Sender side: one stream per sender process and route, messages numbered from 1, kept until
//   acked and sent again after a link drop or RESEND_MS; at most STREAM_WINDOW unacked (the credit:
//   a full window blocks the sender, or gives EAGAIN to a non-blocking send). A route whose holder
//   "moved" is looked up again in npids/; one that stays silent DELIVERY_TIMEOUT_MS fails with
//   EHOSTUNREACH, one whose port died with EPIPE (kernel.failRoute: senders and watchers told).
// - Receiver side (inbound.ts): per stream the highest seq delivered; duplicates are acked again,
//   never delivered twice; a full port queue holds messages back (no ack: the sender's window fills).
// - Calls: the call's reply object leaves as a call id; the answer comes back as a PortReply, sent
//   again until acked; a call to a node whose link stays down, or that the registry declares dead,
//   ends with EHOSTUNREACH.
// - Capabilities: a send right to a local port travels as (holder NPID, port id) and is exported;
//   at the receiver it becomes a remote reference, or a local send right on the port's own node.
// - Dead-port watches and monitors: a watch (port_notify_dead) on a remote reference is sent to the
//   port's node (again after a link drop or a move); that node answers when the port dies (its
//   receive right deleted, or its holder exited), and the route fails with EPIPE, which fires the
//   watch. A node the registry declares dead fails its routes with EHOSTUNREACH (watches fire too).
import type { OutboundMessage, OutboundReply, PortRouter } from '../../kernel/hooks.js';
import type { Capability } from '../../kernel/ipc/cspace.js';
import { RIGHT_RECEIVE } from '../../kernel/ipc/limits.js';
import { Port } from '../../kernel/ipc/objects.js';
import type { Kernel } from '../../kernel/kernel.js';
import { type Npid, npidNode } from '../../kernel/npid.js';
import type { Clock, Timer } from '../../net/clock.js';
import { asNodeId, type NodeId } from '../../net/node-id.js';
import type { Random } from '../../net/random.js';
import type { Lane } from '../../net/transport.js';
import type { PeerLinks } from '../links.js';
import type { RegistryClient } from '../registry/client.js';
import { members, npidRecord, npids } from '../registry/schema.js';
import type { WatchHandle } from '../registry/watch.js';
import { Inbound } from './inbound.js';
import {
  ACK_DELAY_MS,
  ANSWER_GRACE_MS,
  CALLS_MAX,
  CARRIED_ACKS_MAX,
  DELIVERY_TIMEOUT_MS,
  REPLIES_UNACKED_MAX,
  REPLY_TOKENS_MAX,
  RESEND_MS,
  RESOLVE_BACKOFF_MS,
  RESOLVES_MAX,
  STREAM_WINDOW,
  STREAMS_MAX,
  TICK_MS,
} from './limits.js';
import { type Route, RouteTable } from './routes.js';
import type { PortsStats } from './stats.js';
import {
  type AckFrame,
  type CapRef,
  decodeFrame,
  encodeMessage,
  encodeReply,
  encodeReplyAck,
  encodeWatch,
  PortsWireError,
  type ReplyFrame,
  T_MESSAGE,
  T_REPLY,
  T_REPLY_ACK,
  T_WATCH,
  type WatchAnswerFrame,
} from './wire.js';

/**
 * The lane port messages and answers take: control, ahead of bulk transfers (a migration's pages,
 * a checkpoint's replication), so a call's latency is not stuck behind them. Messages are at most
 * MSG_BYTES_MAX (4 KiB): one fragment.
 */
const LANE: Lane = 'control';

const EPIPE = 32;
const EHOSTUNREACH = 113;

export interface PortsOptions {
  links: PeerLinks;
  registry: RegistryClient;
  clock: Clock;
  random: Random;
  kernel: Kernel;
  /** Called after anything that may have made a thread runnable (the driver runs the kernel). */
  changed?: () => void;
  /** Diagnostics (dropped frames, failed routes). */
  log?: (message: string) => void;
}

/** One message sent and not acked yet. */
interface Unacked {
  seq: number;
  bytes: Uint8Array;
}

/** The sender side of one sender-port stream. */
interface OutStream {
  readonly id: number;
  readonly route: Route;
  readonly sender: Npid;
  nextSeq: number;
  readonly unacked: Unacked[];
  /** When an ack (any) last came for it, and when it was last (re)sent. */
  heard: number;
  sentAt: number;
}

/** A call this node waits on: the kernel's reply object id and the route it went by. */
interface Call {
  replyId: number;
  route: Route;
  /** The route failed with EPIPE: the call ends then with that errno unless its answer comes. */
  failAt?: number;
  errno?: number;
}

/** An answer sent to a caller's node and not acked yet. */
interface OwedAnswer {
  node: NodeId;
  bytes: Uint8Array;
  since: number;
  sentAt: number;
}

export class PortsRouter implements PortRouter {
  readonly stats: PortsStats = {
    messagesOut: 0,
    messagesIn: 0,
    resent: 0,
    duplicates: 0,
    failedRoutes: 0,
    badFrames: 0,
    acksCarried: 0,
  };
  readonly routes = new RouteTable();
  private readonly streams = new Map<string, OutStream>();
  private readonly streamsById = new Map<number, OutStream>();
  private readonly calls = new Map<number, Call>();
  private readonly owed = new Map<number, OwedAnswer>();
  /** Reply tokens the kernel holds for calls from other nodes: token -> caller's node and call id. */
  private readonly tokens = new Map<number, { node: NodeId; call: number }>();
  private nextToken = 1;
  private nextStream: number;
  private nextCall: number;
  private readonly downSince = new Map<NodeId, number>();
  /** Answers that arrived and are not acked yet, by the node that sent them (a message carries them). */
  private readonly replyAcks = new Map<NodeId, number[]>();
  private replyAckTimer: Timer | undefined = undefined;
  /** Routes with a dead-port watch on one of their remote ports (the port's node is asked to report). */
  private readonly watched = new Set<number>();
  private tickTimer: Timer | undefined = undefined;
  private readonly watches: WatchHandle[] = [];
  private closed = false;
  readonly inbound: Inbound;

  constructor(private readonly o: PortsOptions) {
    // Stream and call ids start at a random point so a restarted node's never meet its old ones.
    this.nextStream = o.random.uint32() * 2 ** 20 + 1;
    this.nextCall = o.random.uint32() * 2 ** 20 + 1;
    this.inbound = new Inbound({
      kernel: o.kernel,
      clock: o.clock,
      send: (node, lane, type, bytes) => this.sendFrame(node, lane, type, bytes),
      capability: (ref) => this.capabilityFor(ref),
      token: (node, call) => this.newToken(node, call),
      dropToken: (token) => this.tokens.delete(token),
      changed: () => this.changed(),
      stats: this.stats,
      log: o.log,
    });
    o.links.onMessage((peer, _lane, type, payload) => this.onFrame(peer, type, payload));
    o.links.onLink((peer, state) => this.onLink(peer, state));
    o.kernel.setPortRouter(this);
  }

  /** Follows npids/ (a holder that exited) and members/ (a node declared dead): monitors. */
  async watchRegistry(): Promise<void> {
    this.watches.push(
      await this.o.registry.watch(
        { prefix: npids.prefix },
        {
          onEvent: (e) => {
            if (e.type === 'delete') return this.holderGone(npids.id(e.key) as Npid, EPIPE);
            if (e.kv === undefined) return;
            const r = npidRecord(e.kv);
            if (r.state === 'exited') this.holderGone(r.npid as Npid, EPIPE);
            else this.holderMoved(r.npid as Npid, r.node);
          },
        },
      ),
    );
    this.watches.push(
      await this.o.registry.watch(
        { prefix: members.prefix },
        {
          onEvent: (e) => {
            if (e.kv === undefined) return;
            const m = members.decode(e.kv.value);
            if (m.state === 'dead') this.nodeDead(m.id);
          },
        },
      ),
    );
  }

  close(): void {
    this.closed = true;
    this.tickTimer?.cancel();
    this.tickTimer = undefined;
    this.replyAckTimer?.cancel();
    this.replyAckTimer = undefined;
    for (const w of this.watches) w.cancel();
    this.inbound.close();
  }

  // ---- the kernel's side (PortRouter) -----------------------------------------------------------

  hasRoom(routeId: number, sender: Npid): boolean {
    const route = this.routes.get(routeId);
    if (route === undefined || route.failed !== 0) return true; // the send meets the error
    const s = this.streams.get(streamKey(sender, routeId));
    if (s !== undefined) return s.unacked.length < STREAM_WINDOW;
    return this.streams.size < STREAMS_MAX || this.evictIdleStream();
  }

  send(routeId: number, m: OutboundMessage): void {
    const route = this.routes.get(routeId);
    const refs = this.refsFor(m.caps);
    if (route === undefined || route.failed !== 0) {
      if (m.reply !== 0) this.o.kernel.failRemoteReply(m.reply, route?.failed || EPIPE);
      return;
    }
    const s = this.stream(m.sender, route);
    let call = 0;
    if (m.reply !== 0) {
      if (this.calls.size >= CALLS_MAX) this.sweepCalls();
      if (this.calls.size >= CALLS_MAX) {
        this.o.kernel.failRemoteReply(m.reply, EHOSTUNREACH);
        return;
      }
      call = this.nextCall++;
      this.calls.set(call, { replyId: m.reply, route });
    }
    const seq = s.nextSeq++;
    const bytes = encodeMessage({
      stream: s.id,
      seq,
      sender: m.sender,
      holder: route.holder,
      port: route.port,
      badge: m.badge,
      data: m.data,
      caps: refs,
      reply: call,
      replyAcks: route.node === undefined ? [] : this.takeReplyAcks(route.node),
    });
    s.unacked.push({ seq, bytes });
    this.stats.messagesOut++;
    if (s.unacked.length === 1) s.heard = this.o.clock.now();
    if (route.node === undefined) this.resolve(route);
    else this.transmit(route.node, bytes);
    s.sentAt = this.o.clock.now();
    this.arm();
  }

  reply(token: number, answer: OutboundReply | undefined, errno: number): void {
    const to = this.tokens.get(token);
    const refs = answer === undefined ? [] : this.refsFor(answer.caps);
    if (to === undefined) return;
    this.tokens.delete(token);
    const acks = this.inbound.takeAcks(to.node);
    this.stats.acksCarried += acks.length;
    const bytes = encodeReply({
      reply: to.call,
      data: answer?.data ?? new Uint8Array(0),
      caps: refs,
      errno,
      acks,
    });
    if (this.owed.size >= REPLIES_UNACKED_MAX)
      this.o.log?.('ports: too many unacked answers; one is sent once');
    else
      this.owed.set(to.call, { node: to.node, bytes, since: this.o.clock.now(), sentAt: this.o.clock.now() });
    this.sendFrame(to.node, LANE, T_REPLY, bytes);
    this.arm();
  }

  watch(routeId: number): void {
    const route = this.routes.get(routeId);
    if (route === undefined || route.failed !== 0 || this.watched.has(routeId)) return;
    this.watched.add(routeId);
    if (route.node === undefined) this.resolve(route);
    else this.sendWatch(route);
  }

  portDied(portId: number, holderGone: boolean): void {
    this.inbound.exportedDied(portId, holderGone);
  }

  // ---- references ---------------------------------------------------------------------------------

  /** A send right (slot) in process `pid` to port `port` held by `holder`, wherever it lives. */
  sendRight(pid: number, holder: Npid, port: number, rights: number, badge = 0): number {
    const cap = this.capabilityFor({ holder, port, rights, badge });
    const p = this.o.kernel.findProcess(pid);
    if (p === undefined) {
      this.o.kernel.dropCapability(cap);
      return -3; // ESRCH
    }
    const slot = this.o.kernel.ipc.place(p.caps, cap);
    return slot;
  }

  /** The capability a reference becomes here: a local send right on the port's node, else remote. */
  capabilityFor(ref: CapRef): Capability {
    const local = this.o.kernel.processByNpid(ref.holder);
    if (local !== undefined) {
      const cap = this.o.kernel.localCapability(ref.port, ref.rights, ref.badge);
      if (cap !== undefined) return cap;
    }
    const route = this.routes.routeFor(ref.holder, ref.port);
    return this.o.kernel.remoteCapability(route.id, ref.rights, ref.badge);
  }

  /** The wire reference of a capability (a send right to a port), exporting a local port. */
  refOf(cap: Capability): CapRef | undefined {
    const port = cap.object;
    if (!(port instanceof Port) || cap.has(RIGHT_RECEIVE)) return undefined;
    if (port.remote !== undefined) {
      const route = this.routes.get(port.remote);
      if (route === undefined) return undefined;
      return { holder: route.holder, port: route.port, rights: cap.rights, badge: cap.badge };
    }
    const space = port.receiver;
    const holder = this.o.kernel.findProcess(space.ownerPid);
    if (holder === undefined) return undefined;
    let slot = 0;
    for (const c of space.values()) if (c.object === port && c.has(RIGHT_RECEIVE)) slot = c.slot;
    if (slot === 0 || this.o.kernel.exportPort(holder.pid, slot) < 0) return undefined;
    return { holder: holder.npid, port: port.id, rights: cap.rights, badge: cap.badge };
  }

  /** The references of carried capabilities; the capabilities go back to the kernel. */
  private refsFor(caps: Capability[]): CapRef[] {
    const refs: CapRef[] = [];
    for (const c of caps) {
      const ref = c.deleted ? undefined : this.refOf(c);
      if (ref !== undefined) refs.push(ref);
      this.o.kernel.dropCapability(c);
    }
    return refs;
  }

  // ---- migration (contract 3) ----------------------------------------------------------------------

  /** The dedup and in-flight state of the ports `npid` holds, for its image. */
  capturePortState(npid: Npid): Uint8Array {
    return this.inbound.capture(npid);
  }

  /** Takes the state capturePortState made on the node `npid` comes from; delivers what waits. */
  restorePortState(npid: Npid, bytes: Uint8Array): void {
    const err = this.inbound.restore(npid, bytes);
    if (err !== undefined) throw err;
  }

  /** Forgets the streams into ports `npid` holds (it left this node: senders hear "moved"). */
  dropPortState(npid: Npid): void {
    this.inbound.drop(npid);
  }

  /** The caller's node and call id behind reply token `token` (a migrating holder's pending answer). */
  replyRoute(token: number): { node: NodeId; call: number } | undefined {
    const t = this.tokens.get(token);
    return t === undefined ? undefined : { node: t.node, call: t.call };
  }

  /** A token here for a call from `node` that a migrated holder answers (0 when the table is full). */
  adoptReply(node: NodeId, call: number): number {
    return this.newToken(node, call);
  }

  /** Forgets reply token `token` (its holder moved away, or a migration that adopted it failed). */
  dropReply(token: number): void {
    this.tokens.delete(token);
  }

  // ---- frames ---------------------------------------------------------------------------------------

  private onFrame(peer: NodeId, type: number, payload: Uint8Array): void {
    if (this.closed) return;
    const f = decodeFrame(type, payload);
    if (f instanceof PortsWireError) {
      this.stats.badFrames++;
      this.o.log?.(`ports: dropped a frame from ${peer}: ${f.message}`);
      return;
    }
    switch (f.kind) {
      case 'message':
        this.stats.messagesIn++;
        for (const r of f.replyAcks) this.owed.delete(r);
        this.inbound.onMessage(peer, f);
        return;
      case 'ack':
        return this.onAck(f);
      case 'reply':
        return this.onReply(peer, f);
      case 'reply-ack':
        this.owed.delete(f.reply);
        return;
      case 'watch':
        this.inbound.onWatch(peer, f.holder, f.port);
        return;
      case 'watch-answer':
        return this.onWatchAnswer(f);
    }
  }

  private onAck(f: AckFrame): void {
    const s = this.streamsById.get(f.stream);
    if (s === undefined) return;
    s.heard = this.o.clock.now();
    const route = s.route;
    switch (f.status) {
      case 'ok': {
        const wasFull = s.unacked.length >= STREAM_WINDOW;
        let n = 0;
        while (n < s.unacked.length && s.unacked[n]!.seq <= f.delivered) n++;
        if (n > 0) s.unacked.splice(0, n);
        if (n > 0 && wasFull) {
          this.o.kernel.routeHasRoom(route.id);
          this.changed();
        }
        return;
      }
      case 'moved':
        this.relocate(route);
        return;
      case 'dead':
      case 'reset':
        this.failRoute(route, EPIPE);
        return;
      case 'busy':
        return;
    }
  }

  private onReply(peer: NodeId, f: ReplyFrame): void {
    for (const a of f.acks) this.onAck({ kind: 'ack', ...a });
    this.replyAckLater(peer, f.reply);
    const call = this.calls.get(f.reply);
    if (call === undefined) return; // a duplicate, or a call that ended
    this.calls.delete(f.reply);
    const caps = f.caps.map((ref) => this.capabilityFor(ref));
    if (f.errno !== 0) this.o.kernel.failRemoteReply(call.replyId, f.errno);
    else if (!this.o.kernel.deliverRemoteReply(call.replyId, f.data, caps)) {
      for (const c of caps) this.o.kernel.dropCapability(c);
    }
    this.changed();
  }

  private onWatchAnswer(f: WatchAnswerFrame): void {
    const route = this.routes.find(f.holder, f.port);
    if (route === undefined || !this.watched.has(route.id)) return;
    if (f.status === 'dead') this.failRoute(route, EPIPE);
    else this.relocate(route);
  }

  /** Acks answer `reply` from `peer` soon: a message to that node carries it, or the timer sends it. */
  private replyAckLater(peer: NodeId, reply: number): void {
    let list = this.replyAcks.get(peer);
    if (list === undefined) {
      list = [];
      this.replyAcks.set(peer, list);
    }
    if (list.length >= CARRIED_ACKS_MAX) {
      this.sendFrame(peer, 'control', T_REPLY_ACK, encodeReplyAck(reply));
      return;
    }
    list.push(reply);
    if (this.replyAckTimer === undefined)
      this.replyAckTimer = this.o.clock.setTimer(ACK_DELAY_MS, () => {
        this.replyAckTimer = undefined;
        for (const [node, replies] of [...this.replyAcks]) {
          this.replyAcks.delete(node);
          for (const r of replies) this.sendFrame(node, 'control', T_REPLY_ACK, encodeReplyAck(r));
        }
      });
  }

  private takeReplyAcks(node: NodeId): number[] {
    const list = this.replyAcks.get(node);
    if (list === undefined) return [];
    this.replyAcks.delete(node);
    this.stats.acksCarried += list.length;
    return list;
  }

  /** Asks the node of `route` to report its port's death (when a watch is on it). */
  private sendWatch(route: Route): void {
    if (!this.watched.has(route.id) || route.node === undefined || route.failed !== 0) return;
    this.sendFrame(route.node, LANE, T_WATCH, encodeWatch(route.holder, route.port));
  }

  private onLink(peer: NodeId, state: 'up' | 'down'): void {
    if (this.closed) return;
    if (state === 'down') {
      if (!this.downSince.has(peer)) this.downSince.set(peer, this.o.clock.now());
      this.arm();
      return;
    }
    this.downSince.delete(peer);
    // Everything unacked toward it goes again (the receiver drops what it already has).
    for (const s of this.streams.values()) if (s.route.node === peer) this.resend(s);
    for (const a of this.owed.values()) if (a.node === peer) this.sendFrame(peer, LANE, T_REPLY, a.bytes);
    for (const id of this.watched) {
      const r = this.routes.get(id);
      if (r !== undefined && r.node === peer) this.sendWatch(r);
    }
  }

  /** Sends a frame; to this node itself, through a zero timer (a holder that moved here). */
  private sendFrame(node: NodeId, lane: Lane, type: number, bytes: Uint8Array): void {
    if (this.closed) return;
    if (node === this.o.links.self) {
      this.o.clock.setTimer(0, () => this.onFrame(node, type, bytes));
      return;
    }
    const err = this.o.links.send(node, lane, type, bytes);
    if (err !== undefined && err.kind === 'overload')
      void this.o.links.whenWritable(node, lane).then(() => this.sendFrame(node, lane, type, bytes));
  }

  private transmit(node: NodeId, bytes: Uint8Array): void {
    this.sendFrame(node, LANE, T_MESSAGE, bytes);
  }

  private resend(s: OutStream): void {
    const node = s.route.node;
    if (node === undefined || s.unacked.length === 0) return;
    for (const u of s.unacked) this.transmit(node, u.bytes);
    this.stats.resent += s.unacked.length;
    s.sentAt = this.o.clock.now();
  }

  // ---- streams, resolution, failure -----------------------------------------------------------------

  private stream(sender: Npid, route: Route): OutStream {
    const key = streamKey(sender, route.id);
    let s = this.streams.get(key);
    if (s === undefined) {
      if (this.streams.size >= STREAMS_MAX) this.evictIdleStream();
      const now = this.o.clock.now();
      s = { id: this.nextStream++, route, sender, nextSeq: 1, unacked: [], heard: now, sentAt: now };
      this.streams.set(key, s);
      this.streamsById.set(s.id, s);
    }
    return s;
  }

  /**
   * Forgets one stream with nothing in flight, to make room. Its receiver keeps its state; a later
   * stream of the same sender and route is a new one (a new id, seq from 1).
   */
  private evictIdleStream(): boolean {
    for (const [key, s] of this.streams) {
      if (s.unacked.length > 0) continue;
      this.streams.delete(key);
      this.streamsById.delete(s.id);
      return true;
    }
    return false;
  }

  /** Looks up where `route`'s holder runs, then sends its unacked messages there. */
  private resolve(route: Route): void {
    if (route.resolving || route.failed !== 0) return;
    const now = this.o.clock.now();
    if (now - route.resolvesSince > DELIVERY_TIMEOUT_MS) {
      route.resolves = 0;
      route.resolvesSince = now;
    }
    if (++route.resolves > RESOLVES_MAX) {
      this.failRoute(route, EHOSTUNREACH);
      return;
    }
    route.resolving = true;
    this.o.registry.get(npids.key(route.holder)).then(
      (r) => {
        route.resolving = false;
        if (this.closed || route.failed !== 0) return;
        if (r.kv === undefined) {
          route.node = asNodeId(npidNode(route.holder)); // never registered: its birth node
        } else {
          const rec = npidRecord(r.kv);
          if (rec.state === 'exited') return this.failRoute(route, EPIPE);
          route.node = rec.node;
        }
        for (const s of this.streams.values()) if (s.route === route) this.resend(s);
        this.sendWatch(route);
      },
      (e: unknown) => {
        route.resolving = false;
        this.o.log?.(`ports: looking up ${route.holder}: ${e instanceof Error ? e.message : String(e)}`);
        this.arm(); // the tick tries again
      },
    );
  }

  /** The holder is not where we sent: look it up again after a short pause. */
  private relocate(route: Route): void {
    if (route.failed !== 0 || route.resolving) return;
    route.node = undefined;
    this.o.clock.setTimer(RESOLVE_BACKOFF_MS, () => {
      if (route.node === undefined && !this.closed) this.resolve(route);
    });
  }

  /** The route fails: its remote ports die with `errno`, its unacked messages and calls end. */
  private failRoute(route: Route, errno: number): void {
    if (route.failed !== 0) return;
    route.failed = errno;
    this.watched.delete(route.id);
    this.stats.failedRoutes++;
    this.o.log?.(`ports: route to port ${route.port} of ${route.holder} failed (errno ${errno})`);
    for (const [key, s] of this.streams) {
      if (s.route !== route) continue;
      this.streams.delete(key);
      this.streamsById.delete(s.id);
    }
    for (const [id, call] of this.calls) {
      if (call.route !== route) continue;
      if (errno === EPIPE && route.node !== undefined) {
        // The holder's node answers every call it took (EPIPE for those never answered): an answer
        // sent before the port died may still be on its way.
        call.failAt = this.o.clock.now() + ANSWER_GRACE_MS;
        call.errno = errno;
        continue;
      }
      this.calls.delete(id);
      this.o.kernel.failRemoteReply(call.replyId, errno);
    }
    this.o.kernel.failRoute(route.id, errno);
    this.arm();
    this.changed();
  }

  private holderGone(holder: Npid, errno: number): void {
    for (const r of this.routes.values()) if (r.holder === holder) this.failRoute(r, errno);
  }

  private holderMoved(holder: Npid, node: NodeId): void {
    for (const r of this.routes.values()) {
      if (r.holder !== holder || r.failed !== 0 || r.node === node) continue;
      r.node = node;
      for (const s of this.streams.values()) if (s.route === r) this.resend(s);
      this.sendWatch(r);
    }
  }

  /** A node declared dead: calls waiting on it end, routes to it fail (EHOSTUNREACH). */
  private nodeDead(node: NodeId): void {
    for (const r of this.routes.values()) if (r.node === node) this.failRoute(r, EHOSTUNREACH);
  }

  /** Drops calls whose caller stopped waiting (timed out): their answers will find nothing. */
  private sweepCalls(): void {
    for (const [id, call] of this.calls) {
      if (this.o.kernel.ipc.replies.get(call.replyId)?.state !== 'waiting') this.calls.delete(id);
    }
  }

  private newToken(node: NodeId, call: number): number {
    if (this.tokens.size >= REPLY_TOKENS_MAX) return 0;
    const token = this.nextToken++;
    this.tokens.set(token, { node, call });
    return token;
  }

  private changed(): void {
    this.o.changed?.();
  }

  // ---- housekeeping ---------------------------------------------------------------------------------

  /** Runs the tick while anything is in flight. */
  private arm(): void {
    if (this.tickTimer !== undefined || this.closed) return;
    this.tickTimer = this.o.clock.setTimer(TICK_MS, () => {
      this.tickTimer = undefined;
      if (this.tick()) this.arm();
    });
  }

  /** Resends, times out and sweeps; true while something is still in flight. */
  private tick(): boolean {
    const now = this.o.clock.now();
    let busy = false;
    for (const s of [...this.streams.values()]) {
      if (s.unacked.length === 0) continue;
      busy = true;
      if (now - s.heard > DELIVERY_TIMEOUT_MS) {
        this.failRoute(s.route, EHOSTUNREACH);
        continue;
      }
      if (s.route.node === undefined) this.resolve(s.route);
      else if (now - s.sentAt >= RESEND_MS) this.resend(s);
    }
    for (const [id, call] of this.calls) {
      if (call.failAt !== undefined) {
        busy = true;
        if (now >= call.failAt) {
          this.calls.delete(id);
          this.o.kernel.failRemoteReply(call.replyId, call.errno ?? EPIPE);
          this.changed();
        }
        continue;
      }
      const node = call.route.node;
      const down = node === undefined ? undefined : this.downSince.get(node);
      if (down === undefined) continue;
      busy = true;
      if (now - down > DELIVERY_TIMEOUT_MS) {
        this.calls.delete(id);
        this.o.kernel.failRemoteReply(call.replyId, EHOSTUNREACH);
        this.changed();
      }
    }
    for (const [id, a] of this.owed) {
      busy = true;
      if (now - a.since > DELIVERY_TIMEOUT_MS) this.owed.delete(id);
      else if (now - a.sentAt >= RESEND_MS) {
        a.sentAt = now;
        this.sendFrame(a.node, LANE, T_REPLY, a.bytes);
      }
    }
    return busy;
  }
}

function streamKey(sender: Npid, route: number): string {
  return `${sender}|${route}`;
}

/** For tests and diagnostics: the node an NPID names as its birth node. */
export function birthNode(id: Npid): NodeId | undefined {
  return asNodeId(npidNode(id));
}
