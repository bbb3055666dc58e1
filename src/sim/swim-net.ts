// A deterministic virtual network for the membership state machine: many Membership instances over
// one virtual clock and an event queue, with seeded delays, loss, partitions, crashes (a member stops
// responding), pauses (a member stops ticking and processing, then catches up on its backlog) and
// slow members (every input and tick reaches it late). Every event is folded into a trace hash, so
// the same seed gives the same hash. Used by the membership tests and the cluster bench.

import { createHash, type Hash } from 'node:crypto';
import {
  decodeDatagram,
  decodeMembership,
  encodeDatagram,
  encodeMembership,
  MembershipWireError,
} from '../cluster/membership/codec.js';
import type { MembershipConfig } from '../cluster/membership/config.js';
import type { Channel, MembershipEvent } from '../cluster/membership/member.js';
import { Membership } from '../cluster/membership/membership.js';
import type { Labels, MemberState, MembershipMessage } from '../cluster/membership/messages.js';
import type { NodeId } from '../net/node-id.js';
import { randomFloat, SeededRandom } from '../net/random.js';

export interface SwimNetOptions {
  readonly seed: number;
  readonly config?: Partial<MembershipConfig>;
  /** One-way delay range in ms (uniform); default 1..5. */
  readonly latencyMs?: readonly [number, number];
  /** Datagram loss probability, 0..1 (the reliable channel never loses). */
  readonly loss?: number;
  /** Keep every event in `events` (turn off for 1,000-member runs). Default true. */
  readonly keepEvents?: boolean;
  /** Check every member's invariants after each of its steps (O(members); off for big runs). Default true. */
  readonly checkInvariants?: boolean;
  /**
   * Send every message as the daemon's bytes (src/cluster/membership/codec.ts), decoded on delivery.
   * Default true; off only where the encoding's CPU time would dominate a many-member run whose
   * subject is dissemination, not the codec.
   */
  readonly wire?: boolean;
}

/** An event as one member observed it, at a virtual time. */
export interface ObservedEvent {
  readonly time: number;
  readonly observer: NodeId;
  readonly event: MembershipEvent;
}

interface SimMember {
  readonly id: NodeId;
  readonly address: string;
  readonly membership: Membership;
  crashed: boolean;
  pausedUntil: number;
  /** Extra delay before every input and tick reaches this member (a slow event loop). */
  slowMs: number;
  backlog: Delivery[];
  scheduledTick: number;
}

interface Delivery {
  readonly to: NodeId;
  readonly from: string;
  readonly channel: Channel;
  /** The message as the daemon sends it: a Datagram on the datagram channel, a MembershipMessage on the reliable one. */
  readonly bytes: Uint8Array | undefined;
  /** The message itself, without `wire`. */
  readonly message: MembershipMessage | undefined;
}

type QueueItem =
  | { readonly time: number; readonly seq: number; readonly kind: 'deliver'; readonly delivery: Delivery }
  | { readonly time: number; readonly seq: number; readonly kind: 'tick'; readonly node: NodeId }
  | { readonly time: number; readonly seq: number; readonly kind: 'resume'; readonly node: NodeId };

/** Binary min-heap on (time, seq): a total order, so runs are reproducible. */
class EventQueue {
  private readonly heap: QueueItem[] = [];
  get size(): number {
    return this.heap.length;
  }
  peek(): QueueItem | undefined {
    return this.heap[0];
  }
  push(item: QueueItem): void {
    const h = this.heap;
    h.push(item);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(h[i] as QueueItem, h[parent] as QueueItem)) break;
      [h[i], h[parent]] = [h[parent] as QueueItem, h[i] as QueueItem];
      i = parent;
    }
  }
  pop(): QueueItem | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last !== undefined) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && before(h[l] as QueueItem, h[m] as QueueItem)) m = l;
        if (r < h.length && before(h[r] as QueueItem, h[m] as QueueItem)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m] as QueueItem, h[i] as QueueItem];
        i = m;
      }
    }
    return top;
  }
}

function before(a: QueueItem, b: QueueItem): boolean {
  return a.time < b.time || (a.time === b.time && a.seq < b.seq);
}

export class SwimNet {
  now = 0;
  readonly events: ObservedEvent[] = [];
  /** Messages sent, dropped by loss, dropped by partition or crash. */
  readonly counts = { sent: 0, lost: 0, blocked: 0, delivered: 0, malformed: 0, bytes: 0 };
  private readonly random: SeededRandom;
  private readonly members = new Map<NodeId, SimMember>();
  private readonly byAddress = new Map<string, SimMember>();
  private readonly queue = new EventQueue();
  private readonly hash: Hash = createHash('sha256');
  private readonly config: Partial<MembershipConfig> | undefined;
  private readonly latency: readonly [number, number];
  private readonly keepEvents: boolean;
  private readonly checkInvariants: boolean;
  private readonly wire: boolean;
  private loss: number;
  private seq = 0;
  /** Partition group per member; members in different groups cannot talk. Empty = no partition. */
  private group = new Map<NodeId, number>();

  constructor(options: SwimNetOptions) {
    this.random = new SeededRandom(options.seed);
    this.config = options.config;
    this.latency = options.latencyMs ?? [1, 5];
    this.loss = options.loss ?? 0;
    this.keepEvents = options.keepEvents ?? true;
    this.checkInvariants = options.checkInvariants ?? true;
    this.wire = options.wire ?? true;
  }

  static address(id: NodeId): string {
    return `sim:${id}`;
  }

  /** Adds a member (not yet joined to anyone). */
  add(id: NodeId, labels?: Labels): Membership {
    const address = SwimNet.address(id);
    const membership = new Membership({
      id,
      addresses: [address],
      random: this.random.fork(),
      now: this.now,
      config: this.config,
      labels,
    });
    const m: SimMember = {
      id,
      address,
      membership,
      crashed: false,
      pausedUntil: 0,
      slowMs: 0,
      backlog: [],
      scheduledTick: Number.POSITIVE_INFINITY,
    };
    this.members.set(id, m);
    this.byAddress.set(address, m);
    this.schedule(m);
    return membership;
  }

  membership(id: NodeId): Membership {
    return this.get(id).membership;
  }

  ids(): NodeId[] {
    return [...this.members.keys()];
  }

  /** Members not crashed. */
  running(): NodeId[] {
    return [...this.members.values()].filter((m) => !m.crashed).map((m) => m.id);
  }

  join(id: NodeId, seeds: readonly NodeId[]): void {
    const m = this.get(id);
    m.membership.join(
      seeds.map((s) => SwimNet.address(s)),
      this.now,
    );
    this.flush(m);
  }

  leave(id: NodeId): void {
    const m = this.get(id);
    m.membership.leave(this.now);
    this.flush(m);
  }

  /** The member stops responding for good (kill -9). */
  crash(id: NodeId): void {
    const m = this.get(id);
    m.crashed = true;
    this.record(id, 'crash');
  }

  /**
   * A crashed member's process starts again with the same id and address but a fresh state
   * (incarnation 0, knowing nobody), and joins through `seeds`.
   */
  restart(id: NodeId, seeds: readonly NodeId[]): Membership {
    const old = this.get(id);
    this.record(id, 'restart');
    const membership = new Membership({
      id,
      addresses: [old.address],
      random: this.random.fork(),
      now: this.now,
      config: this.config,
    });
    const m: SimMember = {
      ...old,
      membership,
      crashed: false,
      pausedUntil: 0,
      backlog: [],
      scheduledTick: Number.POSITIVE_INFINITY,
    };
    this.members.set(id, m);
    this.byAddress.set(old.address, m);
    this.join(id, seeds);
    return membership;
  }

  /** The member stops ticking and processing for `ms`; its inputs wait and run when it resumes. */
  pause(id: NodeId, ms: number): void {
    const m = this.get(id);
    m.pausedUntil = this.now + ms;
    this.push({ time: m.pausedUntil, seq: this.seq++, kind: 'resume', node: id });
    this.record(id, `pause ${ms}`);
  }

  /** Every input and tick reaches the member `ms` late (0 restores it). */
  slow(id: NodeId, ms: number): void {
    this.get(id).slowMs = ms;
    this.record(id, `slow ${ms}`);
  }

  /** Splits the network into groups; members not listed form one more group. */
  partition(groups: readonly (readonly NodeId[])[]): void {
    this.group = new Map();
    groups.forEach((g, i) => {
      for (const id of g) this.group.set(id, i + 1);
    });
    this.record(0 as NodeId, `partition ${groups.map((g) => g.join(',')).join('|')}`);
  }

  heal(): void {
    this.group = new Map();
    this.record(0 as NodeId, 'heal');
  }

  setLoss(p: number): void {
    this.loss = p;
  }

  /** Runs the event queue until virtual time `until`. */
  run(until: number): void {
    for (;;) {
      const next = this.queue.peek();
      if (next === undefined || next.time > until) break;
      this.queue.pop();
      this.now = next.time;
      this.step(next);
    }
    this.now = Math.max(this.now, until);
  }

  /** Runs until `done()` holds (checked every `checkMs`) or `deadline`; returns the time or undefined. */
  runUntil(done: () => boolean, deadline: number, checkMs = 10): number | undefined {
    while (this.now < deadline) {
      if (done()) return this.now;
      this.run(Math.min(deadline, this.now + checkMs));
    }
    return done() ? this.now : undefined;
  }

  /** What `observer` believes of `node`'s state (undefined: unknown). */
  view(observer: NodeId, node: NodeId): MemberState | undefined {
    return this.get(observer).membership.stateOf(node);
  }

  /** Every running member sees every running member alive, and knows of no other live member. */
  converged(): boolean {
    const running = this.running();
    for (const a of running) {
      const ms = this.get(a).membership;
      if (ms.liveCount !== running.length) return false;
      for (const b of running) if (ms.stateOf(b) !== 'alive') return false;
    }
    return true;
  }

  /** The hex SHA-256 of every event so far (same seed → same hash). */
  traceHash(): string {
    return this.hash.copy().digest('hex');
  }

  // ---- internals ----------------------------------------------------------------------------

  private get(id: NodeId): SimMember {
    const m = this.members.get(id);
    if (m === undefined) throw new RangeError(`swim-net: no member ${id}`);
    return m;
  }

  private push(item: QueueItem): void {
    this.queue.push(item);
  }

  private step(item: QueueItem): void {
    switch (item.kind) {
      case 'deliver': {
        const m = this.members.get(item.delivery.to);
        if (m === undefined || m.crashed) {
          this.counts.blocked++;
          return;
        }
        if (this.now < m.pausedUntil) {
          m.backlog.push(item.delivery);
          return;
        }
        this.deliver(m, item.delivery);
        this.flush(m);
        return;
      }
      case 'tick': {
        const m = this.members.get(item.node);
        if (m === undefined || m.scheduledTick !== item.time) return;
        m.scheduledTick = Number.POSITIVE_INFINITY;
        if (m.crashed || this.now < m.pausedUntil) return;
        m.membership.tick(this.now);
        this.flush(m);
        return;
      }
      case 'resume': {
        const m = this.members.get(item.node);
        if (m === undefined || m.crashed || this.now < m.pausedUntil) return;
        // As Node's event loop after a stall: expired timers run first, then the waiting I/O.
        m.membership.tick(this.now);
        const backlog = m.backlog;
        m.backlog = [];
        for (const d of backlog) this.deliver(m, d);
        m.membership.tick(this.now);
        this.flush(m);
        return;
      }
    }
  }

  private deliver(m: SimMember, d: Delivery): void {
    const message = this.decode(d);
    if (message === undefined) {
      this.counts.malformed++;
      return;
    }
    this.counts.delivered++;
    m.membership.receive(d.from, message, this.now, d.channel);
  }

  /** The message in a delivery's bytes; undefined when they are not one (never, unless the codec breaks). */
  private decode(d: Delivery): MembershipMessage | undefined {
    if (d.bytes === undefined) return d.message;
    if (d.channel !== 'datagram') {
      const m = decodeMembership(d.bytes);
      return m instanceof MembershipWireError ? undefined : m;
    }
    const dg = decodeDatagram(d.bytes);
    return dg instanceof MembershipWireError || !('membership' in dg) ? undefined : dg.membership;
  }

  /** Routes a member's outputs: sends go on the queue (or are lost), events go into the trace. */
  private flush(m: SimMember): void {
    if (this.checkInvariants) m.membership.checkInvariants();
    for (const o of m.membership.drain()) {
      if (o.type === 'event') {
        this.hash.update(`${this.now} ${m.id} ${eventLine(o.event)}\n`);
        if (this.keepEvents) this.events.push({ time: this.now, observer: m.id, event: o.event });
        continue;
      }
      this.counts.sent++;
      const to = this.byAddress.get(o.to);
      if (to === undefined || this.partitioned(m.id, to.id)) {
        this.counts.blocked++;
        continue;
      }
      if (o.channel === 'datagram' && this.loss > 0 && randomFloat(this.random) < this.loss) {
        this.counts.lost++;
        continue;
      }
      // The same bytes the daemon sends (src/cluster/membership/codec.ts), decoded on delivery.
      const bytes = !this.wire
        ? undefined
        : o.channel === 'datagram'
          ? encodeDatagram({ membership: o.message })
          : encodeMembership(o.message);
      this.counts.bytes += bytes?.length ?? 0;
      const [lo, hi] = this.latency;
      const delay = lo + (hi - lo) * randomFloat(this.random) + to.slowMs;
      this.push({
        time: this.now + delay,
        seq: this.seq++,
        kind: 'deliver',
        delivery: {
          to: to.id,
          from: m.address,
          channel: o.channel,
          bytes,
          message: bytes === undefined ? o.message : undefined,
        },
      });
    }
    this.schedule(m);
  }

  private schedule(m: SimMember): void {
    const due = Math.max(this.now, m.membership.nextDeadline()) + m.slowMs;
    if (!Number.isFinite(due) || due >= m.scheduledTick) return;
    m.scheduledTick = due;
    this.push({ time: due, seq: this.seq++, kind: 'tick', node: m.id });
  }

  private partitioned(a: NodeId, b: NodeId): boolean {
    if (this.group.size === 0) return false;
    return (this.group.get(a) ?? 0) !== (this.group.get(b) ?? 0);
  }

  private record(id: NodeId, what: string): void {
    this.hash.update(`${this.now} ${id} ${what}\n`);
  }
}

/** A compact, stable line for the trace hash. */
function eventLine(e: MembershipEvent): string {
  switch (e.type) {
    case 'member':
      return `${e.node} ${e.state} ${e.previous} ${e.reason} ${e.incarnation} ${e.reporter}`;
    case 'metadata':
      return `${e.node} meta ${e.incarnation} ${JSON.stringify(e.labels)} ${JSON.stringify(e.health)}`;
    case 'rejected':
      return `rejected ${e.from} ${e.problem}`;
  }
}
