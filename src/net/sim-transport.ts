// The simulated network: many nodes' Transports in one process, driven by a Clock and a seeded
// Random. Links behave like TCP streams (reliable and ordered; they break on a partition, with link
// down on both ends, and reconnect when it heals); datagrams are lossy (loss, duplication,
// reordering). Latency, jitter and bandwidth apply to both. Faults can be changed at any time. All
// events go through the Clock, so the same seed gives the same delivery order.
import { ByteBudget } from './buffers.js';
import type { Clock, Timer } from './clock.js';
import { NetError } from './errors.js';
import { FrameReader, type FrameType, HEADER_BYTES, type Lane, writeHeader } from './frame.js';
import type { FrameSink } from './frame-writer.js';
import * as L from './limits.js';
import { DEFAULT_LANE_LIMITS, type LaneLimits, LinkReceiver, LinkSender } from './link.js';
import { LinkStats } from './metrics.js';
import { formatNodeId, type NodeId } from './node-id.js';
import { type Random, randomFloat } from './random.js';
import type {
  DatagramHandler,
  DatagramTarget,
  LinkHandler,
  LinkState,
  MessageHandler,
  Transport,
} from './transport.js';

/** Network conditions for one direction between two nodes (or the defaults). */
export interface SimFaults {
  /** One-way delay in ms. */
  latencyMs: number;
  /** Up to this much extra delay, uniformly (ms). Links stay in order regardless. */
  jitterMs: number;
  /** Bytes per ms a direction carries (0: unlimited). */
  bandwidth: number;
  /** Datagram loss probability. */
  loss: number;
  /** Datagram duplication probability. */
  duplicate: number;
  /** Probability a datagram is held back by up to reorderMs (so later ones overtake it). */
  reorder: number;
  reorderMs: number;
}

export const DEFAULT_SIM_FAULTS: SimFaults = {
  latencyMs: 1,
  jitterMs: 0,
  bandwidth: 0,
  loss: 0,
  duplicate: 0,
  reorder: 0,
  reorderMs: 0,
};

export interface SimNetworkOptions {
  clock: Clock;
  random: Random;
  faults?: Partial<SimFaults>;
  limits?: Partial<LaneLimits>;
  /** Per-node queued-bytes limit. */
  nodeQueueBytes?: number;
}

/** One traced delivery (for determinism checks and debugging). */
export interface SimEvent {
  at: number;
  kind: 'message' | 'datagram' | 'up' | 'down';
  from: NodeId;
  to: NodeId;
  lane?: Lane;
  type?: number;
  size?: number;
}

const pairKey = (a: NodeId, b: NodeId): string => (a < b ? `${a}:${b}` : `${b}:${a}`);
const dirKey = (a: NodeId, b: NodeId): string => `${a}>${b}`;

interface Pipe {
  /** When the current transmission ends (bandwidth). */
  busyUntil: number;
  /** Latest scheduled delivery: later frames are never delivered before it (stream order). */
  lastDelivery: number;
  pumpTimer: Timer | undefined;
}

/** A stream connection between two nodes; `epoch` invalidates deliveries after it breaks. */
interface Connection {
  a: NodeId;
  b: NodeId;
  epoch: number;
  state: 'connecting' | 'up' | 'down';
  pipes: Map<NodeId, Pipe>; // keyed by sending node
}

export class SimNetwork {
  readonly clock: Clock;
  readonly random: Random;
  readonly limits: LaneLimits;
  readonly nodeQueueBytes: number;
  private defaults: SimFaults;
  private readonly directed = new Map<string, Partial<SimFaults>>();
  private readonly blocked = new Set<string>();
  private readonly nodes = new Map<NodeId, SimTransport>();
  private readonly addresses = new Map<string, NodeId>();
  private readonly connections = new Map<string, Connection>();
  private epochs = 0;
  /** Every delivery, in order, when tracing is on. */
  trace: SimEvent[] | undefined;

  constructor(options: SimNetworkOptions) {
    this.clock = options.clock;
    this.random = options.random;
    this.defaults = { ...DEFAULT_SIM_FAULTS, ...options.faults };
    this.limits = { ...DEFAULT_LANE_LIMITS, ...options.limits };
    this.nodeQueueBytes = options.nodeQueueBytes ?? L.NODE_QUEUE_BYTES;
  }

  /** A Transport for node `id`, reachable for datagrams also at `address` (default "sim:<id>"). */
  createTransport(id: NodeId, address = `sim:${formatNodeId(id)}`): SimTransport {
    if (this.nodes.has(id)) throw new Error(`SimNetwork: node ${formatNodeId(id)} already exists`);
    const t = new SimTransport(this, id, address);
    this.nodes.set(id, t);
    this.addresses.set(address, id);
    // A node (re)joining: peers that want a link to it reconnect, as after a restart.
    for (const other of this.nodes.values()) if (other !== t) other.reconnectWanted();
    return t;
  }

  /** Changes the default conditions. */
  setFaults(faults: Partial<SimFaults>): void {
    this.defaults = { ...this.defaults, ...faults };
  }
  /** Conditions for traffic from `from` to `to` only. */
  setDirectedFaults(from: NodeId, to: NodeId, faults: Partial<SimFaults>): void {
    this.directed.set(dirKey(from, to), { ...this.directed.get(dirKey(from, to)), ...faults });
  }
  faults(from: NodeId, to: NodeId): SimFaults {
    const d = this.directed.get(dirKey(from, to));
    return d ? { ...this.defaults, ...d } : this.defaults;
  }

  /** Cuts every path between the two groups, both ways. */
  partition(groupA: NodeId[], groupB: NodeId[]): void {
    for (const a of groupA) for (const b of groupB) this.block(a, b, true);
  }
  /** Cuts traffic from `from` to `to` only: datagrams still flow back; links (needing both) break. */
  partitionOneWay(from: NodeId, to: NodeId): void {
    this.block(from, to, false);
  }
  /** Removes every partition; links that are wanted reconnect. */
  heal(): void {
    this.blocked.clear();
    for (const t of this.nodes.values()) t.reconnectWanted();
  }
  isBlocked(from: NodeId, to: NodeId): boolean {
    return this.blocked.has(dirKey(from, to));
  }

  private block(a: NodeId, b: NodeId, both: boolean): void {
    this.blocked.add(dirKey(a, b));
    if (both) this.blocked.add(dirKey(b, a));
    const c = this.connections.get(pairKey(a, b));
    if (c && c.state !== 'down') this.breakConnection(c, new NetError('reset', 'network partition'));
  }

  /** Stops node `id` at once (a crash): its links break, nothing is drained. */
  crash(id: NodeId): void {
    const t = this.nodes.get(id);
    if (!t) return;
    this.remove(t);
  }

  node(id: NodeId): SimTransport | undefined {
    return this.nodes.get(id);
  }

  /** @internal */
  remove(t: SimTransport): void {
    t.kill();
    this.nodes.delete(t.self);
    this.addresses.delete(t.address);
    for (const c of [...this.connections.values()]) {
      if (c.a === t.self || c.b === t.self) this.breakConnection(c, new NetError('reset', 'peer stopped'));
    }
  }

  /** @internal Opens the connection between a and b if possible (one round trip). */
  ensureConnection(a: NodeId, b: NodeId): void {
    const key = pairKey(a, b);
    const existing = this.connections.get(key);
    if (existing && existing.state !== 'down') return;
    if (!this.nodes.has(b) || this.isBlocked(a, b) || this.isBlocked(b, a)) return;
    const c: Connection = { a, b, epoch: ++this.epochs, state: 'connecting', pipes: new Map() };
    c.pipes.set(a, { busyUntil: 0, lastDelivery: 0, pumpTimer: undefined });
    c.pipes.set(b, { busyUntil: 0, lastDelivery: 0, pumpTimer: undefined });
    this.connections.set(key, c);
    const rtt = this.faults(a, b).latencyMs + this.faults(b, a).latencyMs;
    this.clock.setTimer(rtt, () => {
      if (c.state !== 'connecting') return;
      const ta = this.nodes.get(a);
      const tb = this.nodes.get(b);
      if (!ta || !tb || this.isBlocked(a, b) || this.isBlocked(b, a)) {
        c.state = 'down';
        ta?.retryLater(b);
        return;
      }
      c.state = 'up';
      this.record({ at: this.clock.now(), kind: 'up', from: a, to: b });
      ta.linkUp(b);
      tb.linkUp(a);
      this.pump(c, a);
      this.pump(c, b);
    });
  }

  /** @internal */
  connectionUp(a: NodeId, b: NodeId): boolean {
    return this.connections.get(pairKey(a, b))?.state === 'up';
  }

  /** @internal Whether frames `from` sent on its connections are still on the wire. */
  inFlight(from: NodeId): boolean {
    const now = this.clock.now();
    for (const c of this.connections.values()) {
      if (c.state === 'up' && (c.pipes.get(from)?.lastDelivery ?? 0) > now) return true;
    }
    return false;
  }

  /** @internal Up or still connecting. */
  connectionAlive(a: NodeId, b: NodeId): boolean {
    const s = this.connections.get(pairKey(a, b))?.state;
    return s === 'up' || s === 'connecting';
  }

  /** @internal Sends what `from`'s link to the other end has queued, at the pipe's pace. */
  kick(from: NodeId, to: NodeId): void {
    const c = this.connections.get(pairKey(from, to));
    if (c && c.state === 'up') this.pump(c, from);
  }

  private pump(c: Connection, from: NodeId): void {
    const to = c.a === from ? c.b : c.a;
    const pipe = c.pipes.get(from) as Pipe;
    const sender = this.nodes.get(from);
    if (!sender || c.state !== 'up') return;
    const now = this.clock.now();
    if (pipe.busyUntil > now) {
      if (!pipe.pumpTimer) {
        pipe.pumpTimer = this.clock.setTimer(pipe.busyUntil - now, () => {
          pipe.pumpTimer = undefined;
          this.pump(c, from);
        });
      }
      return;
    }
    const f = this.faults(from, to);
    const out = sender.takeFrames(to, f.bandwidth > 0 ? 1 : Number.POSITIVE_INFINITY);
    if (out.length === 0) return;
    let size = 0;
    for (const b of out) size += b.length;
    const tx = f.bandwidth > 0 ? size / f.bandwidth : 0;
    pipe.busyUntil = now + tx;
    const jitter = f.jitterMs > 0 ? randomFloat(this.random) * f.jitterMs : 0;
    const at = Math.max(now + tx + f.latencyMs + jitter, pipe.lastDelivery);
    pipe.lastDelivery = at;
    const epoch = c.epoch;
    this.clock.setTimer(at - now, () => {
      if (c.epoch !== epoch || c.state !== 'up') return;
      const receiver = this.nodes.get(to);
      if (!receiver) return;
      for (const b of out) {
        const err = receiver.receiveBytes(from, b);
        if (err) {
          this.breakConnection(c, err);
          return;
        }
      }
    });
    if (tx > 0) this.pump(c, from);
  }

  /** @internal */
  breakConnection(c: Connection, error: NetError): void {
    if (c.state === 'down') return;
    const wasUp = c.state === 'up';
    c.state = 'down';
    c.epoch = ++this.epochs;
    for (const p of c.pipes.values()) p.pumpTimer?.cancel();
    if (!wasUp) return;
    this.record({ at: this.clock.now(), kind: 'down', from: c.a, to: c.b });
    this.nodes.get(c.a)?.linkDown(c.b, error);
    this.nodes.get(c.b)?.linkDown(c.a, error);
  }

  /** @internal Delivers a datagram with the directed faults. */
  datagram(from: NodeId, to: DatagramTarget, payload: Uint8Array): NetError | undefined {
    const dest = typeof to === 'string' ? this.addresses.get(to) : to;
    if (dest === undefined) return new NetError('unreachable', `no node at address ${String(to)}`);
    if (payload.length > L.MAX_DATAGRAM_BYTES) {
      return new NetError('overload', `datagram of ${payload.length} bytes exceeds ${L.MAX_DATAGRAM_BYTES}`);
    }
    const f = this.faults(from, dest);
    if (this.isBlocked(from, dest) || !this.nodes.has(dest)) return undefined;
    if (f.loss > 0 && randomFloat(this.random) < f.loss) return undefined;
    const copies = f.duplicate > 0 && randomFloat(this.random) < f.duplicate ? 2 : 1;
    const bytes = payload.slice();
    for (let i = 0; i < copies; i++) {
      let delay = f.latencyMs + (f.jitterMs > 0 ? randomFloat(this.random) * f.jitterMs : 0);
      if (f.reorder > 0 && randomFloat(this.random) < f.reorder)
        delay += randomFloat(this.random) * f.reorderMs;
      if (f.bandwidth > 0) delay += bytes.length / f.bandwidth;
      this.clock.setTimer(delay, () => {
        if (this.isBlocked(from, dest)) return;
        const t = this.nodes.get(dest);
        if (!t) return;
        this.record({ at: this.clock.now(), kind: 'datagram', from, to: dest, size: bytes.length });
        t.receiveDatagram(from, bytes);
      });
    }
    return undefined;
  }

  /** @internal */
  record(e: SimEvent): void {
    this.trace?.push(e);
  }
}

/** Encodes each frame into its own array (the simulator delivers frames, not batches). */
class ArraySink implements FrameSink {
  out: Uint8Array[] = [];
  frame(
    type: number,
    lane: number,
    appType: number,
    prefix: Uint8Array | undefined,
    body: Uint8Array,
    start: number,
    end: number,
  ): void {
    const plen = prefix ? prefix.length : 0;
    const buf = new Uint8Array(HEADER_BYTES + plen + end - start);
    writeHeader(buf, 0, type, lane, appType, prefix, body, start, end);
    if (prefix) buf.set(prefix, HEADER_BYTES);
    buf.set(body.subarray(start, end), HEADER_BYTES + plen);
    this.out.push(buf);
  }
}

interface SimLink {
  sender: LinkSender;
  receiver: LinkReceiver;
  reader: FrameReader;
  stats: LinkStats;
  wanted: boolean;
  state: LinkState;
  retry: Timer | undefined;
  kickScheduled: boolean;
}

/** One node's endpoint on a SimNetwork. */
export class SimTransport implements Transport {
  private readonly links = new Map<NodeId, SimLink>();
  private readonly budget: ByteBudget;
  private messageHandlers: MessageHandler[] = [];
  private linkHandlers: LinkHandler[] = [];
  private datagramHandlers: DatagramHandler[] = [];
  private closing = false;
  private dead = false;

  constructor(
    private readonly net: SimNetwork,
    readonly self: NodeId,
    readonly address: string,
  ) {
    this.budget = new ByteBudget(net.nodeQueueBytes);
  }

  /** Bytes queued on all links (and the high-water mark). */
  get queued(): { inUse: number; highWater: number; limit: number } {
    return { inUse: this.budget.inUse, highWater: this.budget.highWater, limit: this.budget.limit };
  }

  send(peer: NodeId, lane: Lane, type: number, payload: Uint8Array): NetError | undefined {
    if (this.closing || this.dead) return new NetError('reset', 'transport is closed');
    if (peer === this.self) return new NetError('unreachable', 'cannot link to self');
    if (!this.net.node(peer) && !this.links.has(peer)) {
      return new NetError('unreachable', `node ${formatNodeId(peer)} is not on the network`);
    }
    const link = this.link(peer);
    link.wanted = true;
    const err = link.sender.enqueue(lane, type, payload);
    if (err) {
      link.stats.errors[err.kind]++;
      return err;
    }
    if (link.state === 'up') this.scheduleKick(peer, link);
    else this.net.ensureConnection(this.self, peer);
    return undefined;
  }

  whenWritable(peer: NodeId, lane: Lane): Promise<void> {
    return this.link(peer).sender.whenWritable(lane);
  }

  connect(peer: NodeId): void {
    if (this.closing || this.dead || peer === this.self) return;
    const link = this.link(peer);
    link.wanted = true;
    this.net.ensureConnection(this.self, peer);
  }

  disconnect(peer: NodeId): void {
    const link = this.links.get(peer);
    if (!link) return;
    link.wanted = false;
    link.sender.clear();
    link.retry?.cancel();
    const other = this.net.node(peer);
    if (other) other.peerGone(this.self);
    this.links.delete(peer);
  }

  linkState(peer: NodeId): LinkState {
    return this.links.get(peer)?.state ?? 'down';
  }
  linkStats(peer: NodeId): LinkStats | undefined {
    return this.links.get(peer)?.stats;
  }
  peers(): NodeId[] {
    return [...this.links.keys()];
  }
  onMessage(handler: MessageHandler): void {
    this.messageHandlers.push(handler);
  }
  onLink(handler: LinkHandler): void {
    this.linkHandlers.push(handler);
  }
  onDatagram(handler: DatagramHandler): void {
    this.datagramHandlers.push(handler);
  }

  sendDatagram(to: DatagramTarget, payload: Uint8Array): NetError | undefined {
    if (this.closing || this.dead) return new NetError('reset', 'transport is closed');
    return this.net.datagram(this.self, to, payload);
  }

  /** Drains queued messages (up to CLOSE_DRAIN_MS of clock time), then leaves the network. */
  close(): Promise<void> {
    if (this.closing) return Promise.resolve();
    this.closing = true;
    const deadline = this.net.clock.now() + L.CLOSE_DRAIN_MS;
    return new Promise((resolve) => {
      const check = (): void => {
        let busy = false;
        for (const [peer, l] of this.links)
          if (l.sender.pending && this.net.connectionAlive(this.self, peer)) busy = true;
        if (this.net.inFlight(this.self)) busy = true;
        if (!busy || this.net.clock.now() >= deadline || this.dead) {
          this.net.remove(this);
          resolve();
        } else {
          this.net.clock.setTimer(1, check);
        }
      };
      check();
    });
  }

  private link(peer: NodeId): SimLink {
    let link = this.links.get(peer);
    if (!link) {
      const limits = this.net.limits;
      const stats = new LinkStats();
      const receiver = new LinkReceiver(limits, {
        message: (lane, type, payload) => {
          this.net.record({
            at: this.net.clock.now(),
            kind: 'message',
            from: peer,
            to: this.self,
            lane,
            type,
            size: payload.length,
          });
          for (const h of this.messageHandlers) h(peer, lane, type, payload);
        },
        net: (_type: FrameType) => {},
      });
      const created: SimLink = {
        sender: new LinkSender(limits, this.budget),
        receiver,
        reader: new FrameReader(receiver),
        stats,
        wanted: false,
        state: 'down',
        retry: undefined,
        kickScheduled: false,
      };
      this.links.set(peer, created);
      link = created;
    }
    return link;
  }

  private scheduleKick(peer: NodeId, link: SimLink): void {
    if (link.kickScheduled) return;
    link.kickScheduled = true;
    this.net.clock.setTimer(0, () => {
      link.kickScheduled = false;
      this.net.kick(this.self, peer);
    });
  }

  /** @internal The network pulls up to `frames` frames for `peer`. */
  takeFrames(peer: NodeId, frames: number): Uint8Array[] {
    const link = this.links.get(peer);
    if (!link) return [];
    const sink = new ArraySink();
    for (let i = 0; i < frames && link.sender.pending; i++) link.sender.pull(sink, 1);
    for (const b of sink.out) {
      link.stats.bytesOut += b.length;
      link.stats.framesOut++;
    }
    return sink.out;
  }

  /** @internal */
  receiveBytes(peer: NodeId, bytes: Uint8Array): NetError | undefined {
    const link = this.link(peer);
    link.stats.bytesIn += bytes.length;
    link.stats.framesIn++;
    const err = link.reader.push(bytes);
    if (err) link.stats.errors[err.kind]++;
    return err;
  }

  /** @internal */
  receiveDatagram(from: NodeId, bytes: Uint8Array): void {
    if (this.dead) return;
    for (const h of this.datagramHandlers) h(from, bytes);
  }

  /** @internal */
  linkUp(peer: NodeId): void {
    const link = this.link(peer);
    if (link.state === 'up') return;
    link.state = 'up';
    link.retry?.cancel();
    for (const h of this.linkHandlers) h(peer, 'up');
  }

  /** @internal */
  linkDown(peer: NodeId, error: NetError): void {
    const link = this.links.get(peer);
    if (!link || link.state === 'down') return;
    link.state = 'down';
    link.stats.errors[error.kind]++;
    link.receiver.reset();
    link.reader = new FrameReader(link.receiver);
    link.sender.restartPartial();
    for (const h of this.linkHandlers) h(peer, 'down', error);
    if (link.wanted && !this.closing && !this.dead) this.retryLater(peer);
  }

  /** @internal The peer disconnected on purpose. */
  peerGone(peer: NodeId): void {
    const link = this.links.get(peer);
    if (link) link.wanted = false;
  }

  /** @internal */
  retryLater(peer: NodeId): void {
    const link = this.links.get(peer);
    if (!link?.wanted || link.retry) return;
    link.retry = this.net.clock.setTimer(L.RECONNECT_BASE_MS, () => {
      link.retry = undefined;
      link.stats.reconnects++;
      if (link.wanted && !this.dead && !this.closing) this.net.ensureConnection(this.self, peer);
    });
  }

  /** @internal */
  reconnectWanted(): void {
    for (const [peer, link] of this.links)
      if (link.wanted && link.state === 'down') this.net.ensureConnection(this.self, peer);
  }

  /** @internal */
  kill(): void {
    this.dead = true;
    for (const link of this.links.values()) {
      link.retry?.cancel();
      link.sender.clear();
    }
  }
}
