// The receiving side of remote ports: per sender-port stream the highest seq delivered into the
// port's queue and the accepted messages waiting for room. A message is delivered once and in
// order: a duplicate (a resend after a link drop) is acked again, never delivered; a gap is dropped
// (the sender resends in order). Acks go out only for messages in the port's queue, so a full
// queue fills the sender's window: back-pressure across the network. A port that is not here
// answers "moved" (its holder left) or "dead" (its receive right is gone). Nodes that watch a port
// here (a dead-port watch on a remote reference) are told when it dies, or that its holder left.
import type { Capability } from '../../kernel/ipc/cspace.js';
import { RIGHT_RECEIVE } from '../../kernel/ipc/limits.js';
import { Port } from '../../kernel/ipc/objects.js';
import type { Kernel } from '../../kernel/kernel.js';
import type { Npid } from '../../kernel/npid.js';
import type { Clock, Timer } from '../../net/clock.js';
import type { NodeId } from '../../net/node-id.js';
import type { Lane } from '../../net/transport.js';
import {
  ACK_DELAY_MS,
  ALIASES_MAX,
  CARRIED_ACKS_MAX,
  DEAD_PORTS_MAX,
  DELIVER_RETRY_MS,
  PORT_WATCHERS_MAX,
  STREAM_WINDOW,
  STREAMS_MAX,
} from './limits.js';
import { decodePortState, encodePortState, type InStream, type PortAlias } from './state.js';
import type { PortsStats } from './stats.js';
import {
  type AckFrame,
  type AckState,
  type CapRef,
  encodeAck,
  encodeWatchAnswer,
  type MessageFrame,
  PortsWireError,
  T_ACK,
  T_WATCH_ANSWER,
} from './wire.js';

const EAGAIN = 11;

export interface InboundOptions {
  kernel: Kernel;
  clock: Clock;
  send(node: NodeId, lane: Lane, type: number, bytes: Uint8Array): void;
  capability(ref: CapRef): Capability;
  /** A reply token for a call from `node` (0 when the table is full: the call gets no answer path). */
  token(node: NodeId, call: number): number;
  dropToken(token: number): void;
  changed(): void;
  stats: PortsStats;
  log?: (message: string) => void;
}

/** A node watching a port here, and the holder and port id it names the port by. */
interface Watcher {
  node: NodeId;
  holder: Npid;
  named: number;
}

export class Inbound {
  private readonly streams = new Map<number, InStream>();
  /** Exported port ids found dead (bounded: the oldest are forgotten). */
  private readonly deadPorts = new Set<number>();
  /** Streams with messages waiting for room in their port's queue. */
  private readonly blocked = new Set<InStream>();
  private retryTimer: Timer | undefined = undefined;
  /** Ports of restored holders by the id references know them by: `holder/old id` -> id here. */
  private readonly aliases = new Map<string, number>();
  /** Watches from other nodes: port id here -> `node|holder|named` -> watcher. */
  private readonly watchers = new Map<number, Map<string, Watcher>>();
  private watcherCount = 0;
  /**
   * Acks (ok) not sent yet, by stream: an answer to the same node carries them (takeAcks), or the
   * ack timer sends them. `first`: the delivered count when the ack was first deferred.
   */
  private readonly deferred = new Map<number, { node: NodeId; delivered: number; first: number }>();
  private ackTimer: Timer | undefined = undefined;

  constructor(private readonly o: InboundOptions) {}

  close(): void {
    this.retryTimer?.cancel();
    this.retryTimer = undefined;
    this.ackTimer?.cancel();
    this.ackTimer = undefined;
  }

  get size(): number {
    return this.streams.size;
  }

  onMessage(peer: NodeId, f: MessageFrame): void {
    let s = this.streams.get(f.stream);
    if (s !== undefined && (s.holder !== f.holder || s.port !== f.port)) return; // not this stream's
    // A holder parked for a migration takes nothing (its image, with this stream's state, is on its
    // way): "busy" keeps the message unacked at the sender, which sends it again to wherever the
    // holder then runs (or here, after a rollback).
    if (this.parked(f.holder)) return this.ack(peer, f.stream, s?.delivered ?? 0, 'busy');
    const where = this.whereIs(f.holder, f.port);
    if (where !== 'here') {
      if (s !== undefined) this.forget(s);
      return this.ack(peer, f.stream, s?.delivered ?? 0, where);
    }
    if (s === undefined) {
      if (f.seq !== 1) return this.ack(peer, f.stream, 0, 'reset');
      if (this.streams.size >= STREAMS_MAX && !this.evictIdle()) return this.ack(peer, f.stream, 0, 'busy');
      s = {
        id: f.stream,
        from: peer,
        sender: f.sender,
        holder: f.holder,
        port: f.port,
        delivered: 0,
        pending: [],
      };
      this.streams.set(s.id, s);
    }
    s.from = peer;
    const accepted = s.delivered + s.pending.length;
    if (f.seq <= accepted) {
      this.o.stats.duplicates++;
      return this.ack(peer, s.id, s.delivered, 'ok');
    }
    if (f.seq !== accepted + 1) return this.ack(peer, s.id, s.delivered, 'ok'); // a gap: resent in order
    s.pending.push(f);
    this.deliver(s);
  }

  /** The id here of port `port` of `holder` (another for a port restored under a new id). */
  private local(holder: Npid, port: number): number {
    return this.aliases.get(`${holder}/${port}`) ?? port;
  }

  /** Whether port `port` of `holder` is here, gone ("dead") or elsewhere ("moved"). */
  private whereIs(holder: Npid, named: number): 'here' | 'moved' | 'dead' {
    const k = this.o.kernel;
    const port = this.local(holder, named);
    if (this.deadPorts.has(port)) return 'dead';
    const p = k.processByNpid(holder);
    if (p === undefined) return 'moved';
    if (k.isExported(port)) return 'here';
    // A holder restored or migrated here: its ports are exported on first use.
    for (const c of p.caps.values()) {
      if (c.object instanceof Port && c.object.id === port && c.has(RIGHT_RECEIVE))
        return k.exportPort(p.pid, c.slot) > 0 ? 'here' : 'dead';
    }
    return 'dead';
  }

  /** True while `holder` is parked here for a migration (MIGRATING). */
  private parked(holder: Npid): boolean {
    return this.o.kernel.processByNpid(holder)?.migrating === true;
  }

  /** Moves pending messages into the port's queue while it has room; acks what went in. */
  private deliver(s: InStream): void {
    const k = this.o.kernel;
    if (this.parked(s.holder)) {
      this.blocked.add(s);
      this.armRetry();
      return;
    }
    const before = s.delivered;
    const port = this.local(s.holder, s.port);
    for (let f = s.pending[0]; f !== undefined; f = s.pending[0]) {
      if (!k.canDeliverRemote(port, f.sender)) {
        this.blocked.add(s);
        this.armRetry();
        break;
      }
      const caps = f.caps.map((ref) => this.o.capability(ref));
      const token = f.reply !== 0 ? this.o.token(s.from, f.reply) : 0;
      const r = k.deliverRemote(port, {
        data: f.data,
        caps,
        badge: f.badge,
        sender: f.sender,
        reply: token,
      });
      if (r !== 0) {
        for (const c of caps) k.dropCapability(c);
        if (token !== 0) this.o.dropToken(token);
        if (r === -EAGAIN) {
          this.blocked.add(s);
          this.armRetry();
          break;
        }
        this.portDied(s);
        return;
      }
      s.pending.shift();
      s.delivered = f.seq;
    }
    if (s.pending.length === 0) this.blocked.delete(s);
    if (s.delivered !== before) {
      this.ackLater(s.from, s.id, s.delivered, before);
      this.o.changed();
    }
  }

  private portDied(s: InStream): void {
    this.markDead(this.local(s.holder, s.port));
    this.forget(s);
    this.ack(s.from, s.id, s.delivered, 'dead');
  }

  private markDead(port: number): void {
    if (this.deadPorts.has(port)) return;
    if (this.deadPorts.size >= DEAD_PORTS_MAX) {
      const oldest = this.deadPorts.values().next().value;
      if (oldest !== undefined) this.deadPorts.delete(oldest);
    }
    this.deadPorts.add(port);
  }

  // ---- dead-port watches from other nodes -------------------------------------------------------------

  /** Node `peer` watches port `named` of `holder`: kept until it dies; answered now if dead or gone. */
  onWatch(peer: NodeId, holder: Npid, named: number): void {
    const where = this.whereIs(holder, named);
    if (where !== 'here') return this.watchAnswer(peer, holder, named, where);
    const port = this.local(holder, named);
    const key = `${peer}|${holder}|${named}`;
    let set = this.watchers.get(port);
    if (set?.has(key)) return;
    if (this.watcherCount >= PORT_WATCHERS_MAX) {
      this.o.log?.(`ports: ${PORT_WATCHERS_MAX} dead-port watches; one from ${peer} is not kept`);
      return;
    }
    if (set === undefined) {
      set = new Map();
      this.watchers.set(port, set);
    }
    set.set(key, { node: peer, holder, named });
    this.watcherCount++;
  }

  /**
   * Exported port `port` died here: senders hear "dead" from now on, watchers are told. When its
   * holder left this node (exited, or migrated away: the registry's npids/ entry says which),
   * senders and watchers hear "moved" and look the holder up (exited there: EPIPE).
   */
  exportedDied(port: number, holderGone: boolean): void {
    const moved = holderGone;
    if (!moved) this.markDead(port);
    const set = this.watchers.get(port);
    if (set === undefined) return;
    this.watchers.delete(port);
    this.watcherCount -= set.size;
    for (const w of set.values()) this.watchAnswer(w.node, w.holder, w.named, moved ? 'moved' : 'dead');
  }

  /** Watches on ports of `holder` (it left this node): the watchers look it up and watch again. */
  private watchersMoved(holder: Npid): void {
    for (const [port, set] of this.watchers) {
      for (const [key, w] of set) {
        if (w.holder !== holder) continue;
        set.delete(key);
        this.watcherCount--;
        this.watchAnswer(w.node, w.holder, w.named, 'moved');
      }
      if (set.size === 0) this.watchers.delete(port);
    }
  }

  private watchAnswer(node: NodeId, holder: Npid, port: number, status: 'dead' | 'moved'): void {
    this.o.send(node, 'control', T_WATCH_ANSWER, encodeWatchAnswer(holder, port, status));
  }

  private forget(s: InStream): void {
    this.streams.delete(s.id);
    this.blocked.delete(s);
  }

  private evictIdle(): boolean {
    for (const s of this.streams.values()) {
      if (s.pending.length > 0) continue;
      this.forget(s);
      return true;
    }
    return false;
  }

  private ack(node: NodeId, stream: number, delivered: number, status: AckState): void {
    this.deferred.delete(stream);
    this.o.send(node, 'control', T_ACK, encodeAck({ stream, delivered, status }));
  }

  /** Acks `delivered` on `stream` soon (an answer may carry it); at once past half the window. */
  private ackLater(node: NodeId, stream: number, delivered: number, before: number): void {
    const d = this.deferred.get(stream);
    const first = d !== undefined && d.node === node ? d.first : before;
    if (delivered - first >= STREAM_WINDOW / 2) return this.ack(node, stream, delivered, 'ok');
    this.deferred.set(stream, { node, delivered, first });
    if (this.ackTimer === undefined)
      this.ackTimer = this.o.clock.setTimer(ACK_DELAY_MS, () => {
        this.ackTimer = undefined;
        for (const [id, a] of [...this.deferred]) this.ack(a.node, id, a.delivered, 'ok');
      });
  }

  /** The deferred acks for streams from `node` (at most CARRIED_ACKS_MAX), for a frame to carry. */
  takeAcks(node: NodeId): Omit<AckFrame, 'kind'>[] {
    const acks: Omit<AckFrame, 'kind'>[] = [];
    for (const [id, a] of this.deferred) {
      if (a.node !== node) continue;
      acks.push({ stream: id, delivered: a.delivered, status: 'ok' });
      this.deferred.delete(id);
      if (acks.length >= CARRIED_ACKS_MAX) break;
    }
    return acks;
  }

  private armRetry(): void {
    if (this.retryTimer !== undefined) return;
    this.retryTimer = this.o.clock.setTimer(DELIVER_RETRY_MS, () => {
      this.retryTimer = undefined;
      for (const s of [...this.blocked]) this.deliver(s);
    });
  }

  // ---- migration ------------------------------------------------------------------------------------

  /** The streams into ports `holder` holds, as bytes; they stay here until `drop`. */
  capture(holder: Npid): Uint8Array {
    const p = this.o.kernel.processByNpid(holder);
    const ports: PortAlias[] = [];
    if (p !== undefined)
      for (const c of p.caps.values())
        if (c.object instanceof Port && c.has(RIGHT_RECEIVE)) {
          // References name the port by the id it was first known by (an alias after a restore).
          for (const [key, id] of this.aliases)
            if (id === c.object.id && key.startsWith(`${holder}/`))
              ports.push({ port: Number(key.slice(holder.length + 1)), slot: c.slot });
          ports.push({ port: c.object.id, slot: c.slot });
        }
    return encodePortState(
      holder,
      [...this.streams.values()].filter((s) => s.holder === holder),
      ports,
    );
  }

  /** Drops the streams into ports of `holder` (it left this node: senders hear "moved"). */
  drop(holder: Npid): void {
    for (const s of [...this.streams.values()]) if (s.holder === holder) this.forget(s);
    this.watchersMoved(holder);
  }

  /** Installs captured streams (they replace any of the same id) and delivers what waits. */
  restore(holder: Npid, bytes: Uint8Array): PortsWireError | undefined {
    const state = decodePortState(holder, bytes);
    if (state instanceof PortsWireError) return state;
    const p = this.o.kernel.processByNpid(holder);
    if (p === undefined) return new PortsWireError(`no process ${holder} here to take its port state`);
    for (const a of state.ports) {
      const c = p.caps.get(a.slot);
      if (c?.object instanceof Port && c.has(RIGHT_RECEIVE) && c.object.id !== a.port) {
        if (this.aliases.size >= ALIASES_MAX) this.aliases.delete(this.aliases.keys().next().value!);
        this.aliases.set(`${holder}/${a.port}`, c.object.id);
      }
    }
    const streams = state.streams;
    for (const s of streams) {
      const known = this.streams.get(s.id);
      if (known !== undefined) this.forget(known);
      if (this.streams.size >= STREAMS_MAX) this.evictIdle();
      this.streams.set(s.id, s);
    }
    for (const s of streams) if (s.pending.length > 0) this.deliver(s);
    return undefined;
  }
}
