// The SWIM + Lifeguard membership state machine (pure: no I/O, no clock, no Math.random). Inputs:
// tick(now), receive(from, message, now), join(seeds, now), leave(now), setHealth, setLabels,
// handleBeacon. Outputs: messages to send and events, drained with drain(). The host (daemon or
// simulator) calls tick at nextDeadline() and after any input. docs/membership.md is the protocol.

import type { NodeId } from '../../net/node-id.js';
import { type Random, randomBelow, shuffle } from '../../net/random.js';
import { BroadcastQueue } from './broadcast-queue.js';
import {
  configProblem,
  DEFAULT_CONFIG,
  type MembershipConfig,
  pushPullIntervalMs,
  retransmitLimit,
  suspicionMinMs,
} from './config.js';
import { invariant } from './invariant.js';
import {
  MAX_MEMBERS,
  MAX_OUTPUT_QUEUE,
  MAX_PENDING_RELAYS,
  MAX_PIGGYBACK_BYTES,
  MAX_PUSH_PULL_MEMBERS,
  MAX_SEEDS,
  MAX_TOMBSTONES,
} from './limits.js';
import { LocalHealth } from './local-health.js';
import type { Channel, Member, MemberReason, MembershipEvent, MembershipOutput } from './member.js';
import {
  type AliveUpdate,
  type DiscoveryBeacon,
  type Health,
  type Labels,
  labelsProblem,
  type MemberSnapshot,
  type MemberState,
  type MembershipMessage,
  type PushPull,
  type Update,
  validateBeacon,
  validateMessage,
  ZERO_HEALTH,
} from './messages.js';
import { Suspicion } from './suspicion.js';

/** Health numbers the host measures and hands in (Lifeguard's LHM is added by the machine). */
export interface HostHealth {
  readonly eventLoopLagMs: number;
  readonly queueDepth: number;
  readonly guestLoad: number;
}

export interface MembershipOptions {
  readonly id: NodeId;
  /** This node's addresses, first preferred (opaque strings the transport understands). */
  readonly addresses: readonly string[];
  readonly random: Random;
  /** Creation time (ms, the same clock every later `now` comes from). */
  readonly now: number;
  readonly config?: Partial<MembershipConfig>;
  readonly labels?: Labels;
  /** Cluster id carried in discovery beacons; beacons of other clusters are ignored. */
  readonly clusterId?: string;
}

interface MemberRecord {
  readonly node: NodeId;
  addresses: readonly string[];
  incarnation: number;
  state: MemberState;
  reason: MemberReason;
  since: number;
  labels: Labels;
  health: Health;
}

/** The direct probe in flight (one per protocol period). */
interface Probe {
  readonly target: NodeId;
  readonly seq: number;
  timeoutAt: number;
  endAt: number;
  indirect: boolean;
  expectedNacks: number;
  nacks: number;
}

/** An indirect probe this node runs for another member (ping-req helper). */
interface Relay {
  readonly origin: string;
  readonly originSeq: number;
  readonly nackAt: number;
  readonly expireAt: number;
  nackSent: boolean;
}

/** Counters for metrics and tests. */
export interface MembershipStats {
  probes: number;
  probeFailures: number;
  refutations: number;
  rejected: number;
  droppedOutputs: number;
  /** Stalls the host reported (stalled()): times this node was not scheduled in time. */
  stalls: number;
}

export class Membership {
  readonly id: NodeId;
  readonly config: Readonly<MembershipConfig>;
  private readonly random: Random;
  private readonly clusterId: string | undefined;
  private readonly self: MemberRecord;
  private readonly members = new Map<NodeId, MemberRecord>();
  /** Every member but self, for O(1) random picks; `memberSlot` maps id → index. */
  private readonly others: NodeId[] = [];
  private readonly memberSlot = new Map<NodeId, number>();
  private readonly suspicions = new Map<NodeId, Suspicion>();
  private readonly broadcasts = new BroadcastQueue();
  private readonly health: LocalHealth;
  private readonly relays = new Map<number, Relay>();
  private outputs: MembershipOutput[] = [];
  private probeOrder: NodeId[] = [];
  private probeIndex = 0;
  private probe: Probe | undefined;
  private seq = 0;
  /** The latest `now` seen: inputs must not go back in time. */
  private lastNow: number;
  private live = 1;
  private tombstones = 0;
  private seeds: string[] = [];
  private leaving = false;
  private hostHealth: HostHealth = ZERO_HEALTH;
  private nextProbeAt: number;
  private nextGossipAt: number;
  private nextPushPullAt: number;
  private nextSeedAt = Number.POSITIVE_INFINITY;
  private nextReapAt: number;
  private nextHealthAt: number;
  readonly stats: MembershipStats = {
    probes: 0,
    probeFailures: 0,
    refutations: 0,
    rejected: 0,
    droppedOutputs: 0,
    stalls: 0,
  };

  constructor(options: MembershipOptions) {
    const config = { ...DEFAULT_CONFIG, ...options.config };
    const problem = configProblem(config);
    if (problem !== undefined) throw new RangeError(`membership config: ${problem}`);
    const selfProblem = validateBeacon({ clusterId: 'x', node: options.id, addresses: options.addresses });
    if (selfProblem !== undefined) throw new RangeError(`membership: own identity: ${selfProblem}`);
    const labelProblem = options.labels === undefined ? undefined : labelsProblem(options.labels);
    if (labelProblem !== undefined) throw new RangeError(`membership: ${labelProblem}`);
    this.config = config;
    this.id = options.id;
    this.random = options.random;
    this.clusterId = options.clusterId;
    this.health = new LocalHealth(config.maxLocalHealth);
    const now = options.now;
    this.lastNow = now;
    this.self = {
      node: options.id,
      addresses: [...options.addresses],
      incarnation: 0,
      state: 'alive',
      reason: 'self',
      since: now,
      labels: { ...options.labels },
      health: ZERO_HEALTH,
    };
    this.members.set(this.id, this.self);
    // Spread the periodic timers so members started together do not act in lockstep.
    this.nextProbeAt = now + randomBelow(this.random, config.probeIntervalMs);
    this.nextGossipAt = now + randomBelow(this.random, Math.max(1, config.gossipIntervalMs));
    this.nextPushPullAt = now + config.pushPullIntervalMs;
    this.nextReapAt = now + config.tombstoneMs;
    this.nextHealthAt = now + config.healthPublishMs;
  }

  // ---- queries ------------------------------------------------------------------------------

  /** Lifeguard's Local Health Multiplier, 0 (healthy) .. maxLocalHealth. */
  get localHealth(): number {
    return this.health.value;
  }
  get incarnation(): number {
    return this.self.incarnation;
  }
  /** Members alive or suspect, self included (the n of every scaling formula). */
  get liveCount(): number {
    return this.live;
  }
  /** What this node believes of `node` (undefined: unknown); cheaper than member(). */
  stateOf(node: NodeId): MemberState | undefined {
    return this.members.get(node)?.state;
  }
  member(node: NodeId): Member | undefined {
    const r = this.members.get(node);
    return r === undefined ? undefined : { ...r };
  }
  /** Every member this node knows, self included, sorted by id. */
  list(): Member[] {
    return [...this.members.values()].sort((a, b) => a.node - b.node).map((r) => ({ ...r }));
  }
  /** Own discovery beacon content. */
  beacon(): DiscoveryBeacon {
    return { clusterId: this.clusterId ?? '', node: this.id, addresses: this.self.addresses };
  }

  /**
   * Checks the state's internal invariants (counts, suspicions, the member index); throws
   * MembershipInvariantError on a violation. O(members): the simulator calls it after every step.
   */
  checkInvariants(): void {
    let live = 0;
    let tombstones = 0;
    for (const r of this.members.values()) {
      if (this.isLive(r)) live++;
      else if (r.node !== this.id) tombstones++;
      invariant((r.state === 'suspect') === this.suspicions.has(r.node), `suspicion iff suspect (${r.node})`);
      invariant(r.addresses.length > 0, 'a member has an address');
    }
    invariant(live === this.live, `live count ${this.live} matches ${live}`);
    invariant(tombstones + (this.leaving ? 1 : 0) === this.tombstones, 'tombstone count matches');
    invariant(this.others.length === this.members.size - 1, 'the member index holds every other member');
    this.others.forEach((node, slot) => {
      invariant(this.memberSlot.get(node) === slot && this.members.has(node), 'member index slots agree');
    });
    invariant(this.self.state === (this.leaving ? 'left' : 'alive'), 'self is alive until it leaves');
    invariant(this.health.value >= 0 && this.health.value <= this.config.maxLocalHealth, 'LHM in range');
  }

  /** Takes every pending output (messages to send, events), oldest first. */
  drain(): MembershipOutput[] {
    const out = this.outputs;
    this.outputs = [];
    return out;
  }

  /** The earliest time tick() has work to do (Infinity when none). */
  nextDeadline(): number {
    let t = Math.min(this.nextReapAt, this.nextHealthAt);
    if (!this.leaving) {
      const p = this.probe;
      t = Math.min(t, p === undefined ? this.nextProbeAt : p.indirect ? p.endAt : p.timeoutAt);
      t = Math.min(t, this.nextSeedAt);
      if (this.live > 1) t = Math.min(t, this.nextPushPullAt);
    }
    if (this.config.gossipFanout > 0 && this.broadcasts.size > 0) t = Math.min(t, this.nextGossipAt);
    for (const s of this.suspicions.values()) t = Math.min(t, s.deadline);
    for (const r of this.relays.values()) t = Math.min(t, r.nackSent ? r.expireAt : r.nackAt);
    return t;
  }

  // ---- inputs -------------------------------------------------------------------------------

  /** Contacts seed addresses (push-pull join); they are also re-contacted periodically. */
  join(seeds: readonly string[], now: number): void {
    this.advance(now);
    for (const s of seeds) {
      if (
        typeof s !== 'string' ||
        s.length === 0 ||
        this.self.addresses.includes(s) ||
        this.seeds.includes(s)
      )
        continue;
      if (this.seeds.length >= MAX_SEEDS) break;
      this.seeds.push(s);
    }
    if (this.leaving) return;
    const alone = this.live <= 1;
    for (const s of seeds) if (this.seeds.includes(s)) this.sendPushPull(s, false, alone);
    this.nextSeedAt = now + this.config.joinRetryMs;
  }

  /** Leaves gracefully: announces 'left' (higher incarnation), then stops probing. */
  leave(now: number): void {
    this.advance(now);
    if (this.leaving) return;
    this.leaving = true;
    this.probe = undefined;
    this.self.incarnation++;
    this.setState(this.self, 'left', 'graceful-leave', now, undefined);
    const update: Update = { kind: 'left', node: this.id, incarnation: this.self.incarnation };
    this.broadcasts.add(update);
    const fanout = Math.max(this.config.gossipFanout, this.config.indirectChecks, 1);
    for (const node of this.randomMembers(fanout, undefined, true)) {
      const r = this.members.get(node);
      if (r !== undefined)
        this.send(r.addresses[0], 'datagram', {
          type: 'gossip',
          from: this.id,
          updates: this.piggyback(undefined),
        });
    }
  }

  /**
   * The host says this node did not run for `ms` before `now` (its tick timer fired that late: a
   * host whose guests saturate the CPU, a stalled event loop). Time it did not run does not count
   * against the others: the pending probe and every suspicion get it back, so a reply or a
   * refutation that waited for this node is not judged late. A stall of a whole probe interval or
   * more raises Lifeguard's local health, so this node's probes stretch (LHM + 1) while it is slow.
   */
  stalled(ms: number, now: number): void {
    this.advance(now);
    if (!Number.isFinite(ms) || ms <= 0) return;
    this.stats.stalls++;
    const p = this.probe;
    if (p !== undefined) {
      p.timeoutAt += ms;
      p.endAt += ms;
    }
    for (const s of this.suspicions.values()) s.stalled(ms);
    if (ms >= this.config.probeIntervalMs) this.health.apply(1);
  }

  /** Records the host's health numbers; published by gossip at most every healthPublishMs. */
  setHealth(health: HostHealth): void {
    const ok = [health.eventLoopLagMs, health.queueDepth, health.guestLoad].every(
      (v) => Number.isFinite(v) && v >= 0,
    );
    if (!ok) throw new RangeError('membership: health values must be finite numbers >= 0');
    this.hostHealth = { ...health };
  }

  /** Replaces this node's labels and gossips them at once (a new incarnation). */
  setLabels(labels: Labels, now: number): void {
    this.advance(now);
    const problem = labelsProblem(labels);
    if (problem !== undefined) throw new RangeError(`membership: ${problem}`);
    const before = this.self.labels;
    this.self.labels = { ...labels };
    this.publishSelf(now, before);
  }

  /** A discovery beacon heard on the LAN: joins its sender when it is of our cluster and unknown. */
  handleBeacon(beacon: unknown, now: number): void {
    if (validateBeacon(beacon) !== undefined) return;
    const b = beacon as DiscoveryBeacon;
    if (this.clusterId === undefined || b.clusterId !== this.clusterId || b.node === this.id) return;
    const known = this.members.get(b.node);
    if (known !== undefined && (known.state === 'alive' || known.state === 'suspect')) return;
    const address = b.addresses[0];
    if (address !== undefined) this.join([address], now);
  }

  /** Advances timers to `now`: probes, suspicion timeouts, relays, gossip, push-pull, seeds, reaping. */
  tick(now: number): void {
    this.advance(now);
    if (!this.leaving) this.tickProbe(now);
    for (const [node, s] of this.suspicions) {
      if (now < s.deadline) continue;
      const r = this.members.get(node);
      invariant(r !== undefined && r.state === 'suspect', 'a suspicion belongs to a suspect member');
      this.declareDead(r, s.incarnation, this.id, 'suspicion-timeout', now);
    }
    for (const [seq, relay] of this.relays) {
      if (!relay.nackSent && now >= relay.nackAt) {
        relay.nackSent = true;
        this.send(relay.origin, 'datagram', { type: 'nack', seq: relay.originSeq, from: this.id });
      }
      if (now >= relay.expireAt) this.relays.delete(seq);
    }
    if (now >= this.nextGossipAt) {
      this.nextGossipAt = now + Math.max(1, this.config.gossipIntervalMs);
      if (this.config.gossipFanout > 0 && this.broadcasts.size > 0) this.gossipRound();
    }
    if (!this.leaving && now >= this.nextPushPullAt) {
      this.nextPushPullAt = now + pushPullIntervalMs(this.config, this.live);
      const [peer] = this.randomMembers(1, undefined, false);
      const r = peer === undefined ? undefined : this.members.get(peer);
      if (r !== undefined) this.sendPushPull(r.addresses[0], false, false);
    }
    if (!this.leaving && now >= this.nextSeedAt) this.contactSeed(now);
    if (now >= this.nextReapAt) this.reap(now);
    if (now >= this.nextHealthAt) {
      this.nextHealthAt = now + this.config.healthPublishMs;
      if (!this.leaving && this.healthChanged()) this.publishSelf(now);
    }
  }

  /** A message from address `from` (the reply address). Malformed input is rejected, never thrown. */
  receive(from: string, message: MembershipMessage, now: number, channel: Channel = 'datagram'): void {
    this.advance(now);
    const problem = validateMessage(message);
    if (problem !== undefined) {
      this.stats.rejected++;
      this.emit({ type: 'rejected', from: String(from).slice(0, 64), problem });
      return;
    }
    switch (message.type) {
      case 'ping':
        this.applyUpdates(message.updates, now);
        if (message.target !== this.id) return;
        this.send(from, channel, {
          type: 'ack',
          seq: message.seq,
          from: this.id,
          updates: this.piggyback(undefined),
        });
        return;
      case 'ack': {
        this.applyUpdates(message.updates, now);
        const p = this.probe;
        if (p !== undefined && p.seq === message.seq) {
          this.probe = undefined;
          this.health.apply(-1);
        }
        const relay = this.relays.get(message.seq);
        if (relay !== undefined) {
          this.relays.delete(message.seq);
          this.send(relay.origin, 'datagram', {
            type: 'ack',
            seq: relay.originSeq,
            from: this.id,
            updates: this.piggyback(undefined),
          });
        }
        return;
      }
      case 'nack':
        if (this.probe !== undefined && this.probe.seq === message.seq) this.probe.nacks++;
        return;
      case 'ping-req':
        this.applyUpdates(message.updates, now);
        this.relay(from, message.seq, message.target, message.targetAddress, now);
        return;
      case 'gossip':
        this.applyUpdates(message.updates, now);
        return;
      case 'push-pull':
        this.mergeState(message, now);
        if (!message.reply && !this.leaving) this.sendPushPull(from, true, false);
        return;
    }
  }

  // ---- probing ------------------------------------------------------------------------------

  private tickProbe(now: number): void {
    const p = this.probe;
    if (p !== undefined) {
      if (!p.indirect && now >= p.timeoutAt) this.indirectProbe(p);
      if (now >= p.endAt) this.probeFailed(p, now);
    }
    if (this.probe === undefined && now >= this.nextProbeAt) this.startProbe(now);
  }

  private startProbe(now: number): void {
    const interval = this.health.scale(this.config.probeIntervalMs);
    this.nextProbeAt = now + interval;
    const target = this.nextProbeTarget();
    if (target === undefined) return;
    const seq = this.nextSeq();
    this.stats.probes++;
    this.probe = {
      target: target.node,
      seq,
      timeoutAt: now + this.health.scale(this.config.probeTimeoutMs),
      endAt: now + interval,
      indirect: false,
      expectedNacks: 0,
      nacks: 0,
    };
    // Buddy system (Lifeguard): a suspect target hears of its suspicion first, so it can refute.
    const buddy: Update | undefined =
      target.state === 'suspect'
        ? { kind: 'suspect', node: target.node, incarnation: target.incarnation, from: this.id }
        : undefined;
    this.send(target.addresses[0], 'datagram', {
      type: 'ping',
      seq,
      from: this.id,
      target: target.node,
      updates: this.piggyback(buddy),
    });
  }

  /** Round-robin over a shuffled list of live members; reshuffled at the end of each pass. */
  private nextProbeTarget(): MemberRecord | undefined {
    for (let attempts = 0; attempts <= this.probeOrder.length + 1; attempts++) {
      if (this.probeIndex >= this.probeOrder.length) {
        this.probeOrder = shuffle(
          this.random,
          this.others.filter((n) => this.isLive(this.members.get(n))),
        );
        this.probeIndex = 0;
        if (this.probeOrder.length === 0) return undefined;
      }
      const node = this.probeOrder[this.probeIndex++] as NodeId;
      const r = this.members.get(node);
      if (r !== undefined && this.isLive(r)) return r;
    }
    return undefined;
  }

  private indirectProbe(p: Probe): void {
    p.indirect = true;
    const target = this.members.get(p.target);
    if (target === undefined) return;
    const helpers = this.randomMembers(this.config.indirectChecks, p.target, false).filter(
      (n) => this.members.get(n)?.state === 'alive',
    );
    for (const h of helpers) {
      const r = this.members.get(h);
      if (r === undefined) continue;
      this.send(r.addresses[0], 'datagram', {
        type: 'ping-req',
        seq: p.seq,
        from: this.id,
        target: p.target,
        targetAddress: target.addresses[0] as string,
        updates: this.piggyback(undefined),
      });
    }
    p.expectedNacks = helpers.length;
    if (this.config.reliableFallback)
      this.send(target.addresses[0], 'reliable', {
        type: 'ping',
        seq: p.seq,
        from: this.id,
        target: p.target,
        updates: [],
      });
  }

  private probeFailed(p: Probe, now: number): void {
    this.probe = undefined;
    this.stats.probeFailures++;
    // Lifeguard: without helpers every failed probe counts against us; with helpers, only the
    // nacks that did not come (a helper that answered nack proves our network works).
    this.health.apply(p.expectedNacks > 0 ? Math.max(0, p.expectedNacks - p.nacks) : 1);
    const r = this.members.get(p.target);
    if (r !== undefined && this.isLive(r)) this.applySuspect(r.node, r.incarnation, this.id, now);
  }

  private relay(origin: string, originSeq: number, target: NodeId, targetAddress: string, now: number): void {
    if (this.leaving || this.relays.size >= MAX_PENDING_RELAYS) return;
    const seq = this.nextSeq();
    this.relays.set(seq, {
      origin,
      originSeq,
      nackAt: now + this.config.nackFraction * this.config.probeTimeoutMs,
      expireAt: now + this.config.probeIntervalMs,
      nackSent: false,
    });
    this.send(targetAddress, 'datagram', { type: 'ping', seq, from: this.id, target, updates: [] });
  }

  // ---- state changes ------------------------------------------------------------------------

  private applyUpdates(updates: readonly Update[], now: number): void {
    for (const u of updates) {
      switch (u.kind) {
        case 'alive':
          this.applyAlive(u, now);
          break;
        case 'suspect':
          this.applySuspect(u.node, u.incarnation, u.from, now);
          break;
        case 'dead':
          this.applyDead(u.node, u.incarnation, u.from, now);
          break;
        case 'left':
          this.applyLeft(u.node, u.incarnation, now);
          break;
      }
    }
  }

  private applyAlive(u: AliveUpdate, now: number, quiet = false): void {
    if (u.node === this.id) {
      // Someone holds a newer incarnation of us (we restarted and forgot ours): outbid it.
      if (!this.leaving && u.incarnation > this.self.incarnation) this.refute(u.incarnation, now);
      return;
    }
    const r = this.members.get(u.node);
    if (r === undefined) {
      if (this.members.size >= MAX_MEMBERS) return;
      const rec: MemberRecord = {
        node: u.node,
        addresses: [...u.addresses],
        incarnation: u.incarnation,
        state: 'alive',
        reason: 'joined',
        since: now,
        labels: u.labels,
        health: u.health,
      };
      this.members.set(u.node, rec);
      this.memberSlot.set(u.node, this.others.length);
      this.others.push(u.node);
      this.live++;
      this.insertIntoProbeOrder(u.node);
      this.emit({
        type: 'member',
        node: u.node,
        state: 'alive',
        previous: undefined,
        reason: 'joined',
        since: now,
        incarnation: u.incarnation,
        reporter: undefined,
      });
      if (!quiet) this.broadcasts.add(u);
      return;
    }
    if (u.incarnation <= r.incarnation) return;
    const previous = r.state;
    const metadataChanged = !sameLabels(r.labels, u.labels) || !sameHealth(r.health, u.health);
    r.incarnation = u.incarnation;
    r.addresses = [...u.addresses];
    r.labels = u.labels;
    r.health = u.health;
    if (previous !== 'alive') {
      this.suspicions.delete(u.node);
      this.setState(r, 'alive', previous === 'suspect' ? 'refuted' : 'rejoined', now, undefined);
      if (previous === 'dead' || previous === 'left') this.insertIntoProbeOrder(u.node);
    }
    if (metadataChanged)
      this.emit({
        type: 'metadata',
        node: u.node,
        incarnation: u.incarnation,
        labels: u.labels,
        health: u.health,
      });
    this.broadcasts.add(u);
  }

  private applySuspect(node: NodeId, incarnation: number, from: NodeId, now: number): void {
    if (node === this.id) {
      if (this.leaving) this.broadcasts.add({ kind: 'left', node, incarnation: this.self.incarnation });
      else if (incarnation >= this.self.incarnation) this.refute(incarnation, now);
      return;
    }
    const r = this.members.get(node);
    if (r === undefined || incarnation < r.incarnation || r.state === 'dead' || r.state === 'left') return;
    if (r.state === 'suspect') {
      const s = this.suspicions.get(node);
      invariant(s !== undefined, 'a suspect member has a suspicion');
      if (incarnation === s.incarnation) {
        // An independent confirmation shortens the timeout (Lifeguard); pass it on.
        if (s.confirm(from)) this.broadcasts.add({ kind: 'suspect', node, incarnation, from });
        return;
      }
    }
    const n = this.live;
    const min = suspicionMinMs(this.config, n);
    const k = Math.min(this.config.suspicionConfirmations, Math.max(0, n - 2));
    r.incarnation = incarnation;
    this.suspicions.set(
      node,
      new Suspicion(incarnation, now, from, min, min * this.config.suspicionMaxMult, k),
    );
    this.setState(
      r,
      'suspect',
      from === this.id ? 'probe-failed' : 'reported',
      now,
      from === this.id ? undefined : from,
    );
    this.broadcasts.add({ kind: 'suspect', node, incarnation, from });
  }

  private applyDead(node: NodeId, incarnation: number, from: NodeId, now: number): void {
    if (node === this.id) {
      if (this.leaving) this.broadcasts.add({ kind: 'left', node, incarnation: this.self.incarnation });
      else if (incarnation >= this.self.incarnation) this.refute(incarnation, now);
      return;
    }
    const r = this.members.get(node);
    if (r === undefined || incarnation < r.incarnation || r.state === 'dead' || r.state === 'left') return;
    this.declareDead(r, incarnation, from, from === this.id ? 'suspicion-timeout' : 'reported', now);
  }

  private declareDead(
    r: MemberRecord,
    incarnation: number,
    from: NodeId,
    reason: MemberReason,
    now: number,
  ): void {
    this.suspicions.delete(r.node);
    r.incarnation = incarnation;
    this.setState(r, 'dead', reason, now, from === this.id ? undefined : from);
    this.broadcasts.add({ kind: 'dead', node: r.node, incarnation, from });
  }

  private applyLeft(node: NodeId, incarnation: number, now: number): void {
    if (node === this.id) {
      // An earlier life of ours left; we are back (restarted): outbid it.
      if (!this.leaving && incarnation >= this.self.incarnation) this.refute(incarnation, now);
      return;
    }
    const r = this.members.get(node);
    if (r === undefined || incarnation < r.incarnation || r.state === 'left') return;
    this.suspicions.delete(node);
    r.incarnation = incarnation;
    this.setState(r, 'left', 'graceful-leave', now, undefined);
    this.broadcasts.add({ kind: 'left', node, incarnation });
  }

  /** We are suspected or declared dead: outbid the rumour with a higher incarnation. */
  private refute(incarnation: number, now: number): void {
    this.stats.refutations++;
    this.health.apply(1);
    this.self.incarnation = Math.max(this.self.incarnation, incarnation);
    this.publishSelf(now);
  }

  /** Gossips our own record under a new incarnation (refutation, labels, health). */
  private publishSelf(now: number, labelsBefore: Labels = this.self.labels): void {
    if (this.leaving) return;
    this.self.incarnation++;
    const health: Health = { ...this.hostHealth, localHealth: this.health.value };
    const changed = !sameHealth(health, this.self.health) || !sameLabels(labelsBefore, this.self.labels);
    this.self.health = health;
    this.nextHealthAt = now + this.config.healthPublishMs;
    this.broadcasts.add(this.selfAlive());
    if (!changed) return;
    this.emit({
      type: 'metadata',
      node: this.id,
      incarnation: this.self.incarnation,
      labels: this.self.labels,
      health: this.self.health,
    });
  }

  private selfAlive(): AliveUpdate {
    const s = this.self;
    return {
      kind: 'alive',
      node: s.node,
      incarnation: s.incarnation,
      addresses: s.addresses,
      labels: s.labels,
      health: s.health,
    };
  }

  private healthChanged(): boolean {
    const h = this.self.health;
    const host = this.hostHealth;
    return (
      h.eventLoopLagMs !== host.eventLoopLagMs ||
      h.queueDepth !== host.queueDepth ||
      h.guestLoad !== host.guestLoad ||
      h.localHealth !== this.health.value
    );
  }

  private setState(
    r: MemberRecord,
    state: MemberState,
    reason: MemberReason,
    now: number,
    reporter: NodeId | undefined,
  ): void {
    const previous = r.state;
    const wasLive = previous === 'alive' || previous === 'suspect';
    const isLive = state === 'alive' || state === 'suspect';
    if (wasLive && !isLive) {
      this.live--;
      this.tombstones++;
    } else if (!wasLive && isLive) {
      this.live++;
      this.tombstones--;
    }
    invariant(this.live >= 1 || this.leaving, 'self counts as live until it leaves');
    r.state = state;
    r.reason = reason;
    r.since = now;
    invariant(
      (state === 'suspect') === this.suspicions.has(r.node),
      'suspicion exists exactly for suspect members',
    );
    this.emit({
      type: 'member',
      node: r.node,
      state,
      previous,
      reason,
      since: now,
      incarnation: r.incarnation,
      reporter,
    });
  }

  // ---- anti-entropy and seeds ---------------------------------------------------------------

  private sendPushPull(to: string | undefined, reply: boolean, join: boolean): void {
    if (to === undefined) return;
    const members: MemberSnapshot[] = [];
    for (const r of this.members.values()) {
      if (members.length >= MAX_PUSH_PULL_MEMBERS) break;
      members.push({
        node: r.node,
        state: r.state,
        incarnation: r.incarnation,
        addresses: r.addresses,
        labels: r.labels,
        health: r.health,
      });
    }
    this.send(to, 'reliable', { type: 'push-pull', from: this.id, reply, join, members });
  }

  /** Merges a full state: a remote 'dead' becomes a suspicion here (memberlist's rule), not a verdict. */
  private mergeState(m: PushPull, now: number): void {
    // A node that knew nobody (joining) learns the sender's view without re-gossiping all of it:
    // the cluster already knows those members.
    const quiet = this.live <= 1;
    for (const s of m.members) {
      switch (s.state) {
        case 'alive':
          this.applyAlive(
            {
              kind: 'alive',
              node: s.node,
              incarnation: s.incarnation,
              addresses: s.addresses,
              labels: s.labels,
              health: s.health,
            },
            now,
            quiet,
          );
          break;
        case 'suspect':
        case 'dead':
          this.applySuspect(s.node, s.incarnation, m.from, now);
          break;
        case 'left':
          this.applyLeft(s.node, s.incarnation, now);
          break;
      }
    }
  }

  private contactSeed(now: number): void {
    const alone = this.live <= 1;
    this.nextSeedAt = now + (alone ? this.config.joinRetryMs : this.config.seedIntervalMs);
    if (this.seeds.length === 0) {
      this.nextSeedAt = Number.POSITIVE_INFINITY;
      return;
    }
    const seed = this.seeds[randomBelow(this.random, this.seeds.length)];
    this.sendPushPull(seed, false, alone);
  }

  // ---- dissemination ------------------------------------------------------------------------

  private piggyback(first: Update | undefined): Update[] {
    return this.broadcasts.take(MAX_PIGGYBACK_BYTES, retransmitLimit(this.config, this.live), first);
  }

  /** Sends pending updates to a few random members, including recently dead ones (so they can refute). */
  private gossipRound(): void {
    for (const node of this.randomMembers(this.config.gossipFanout, undefined, true)) {
      if (this.broadcasts.size === 0) return;
      const r = this.members.get(node);
      if (r === undefined) continue;
      this.send(r.addresses[0], 'datagram', {
        type: 'gossip',
        from: this.id,
        updates: this.piggyback(undefined),
      });
    }
  }

  // ---- bookkeeping --------------------------------------------------------------------------

  /** Removes tombstones older than tombstoneMs, and the oldest ones past MAX_TOMBSTONES. */
  private reap(now: number): void {
    this.nextReapAt = now + Math.max(1, this.config.tombstoneMs / 4);
    if (this.tombstones === 0) return;
    const dead: MemberRecord[] = [];
    for (const r of this.members.values()) if (r.node !== this.id && !this.isLive(r)) dead.push(r);
    dead.sort((a, b) => a.since - b.since || a.node - b.node);
    const excess = Math.max(0, dead.length - MAX_TOMBSTONES);
    for (let i = 0; i < dead.length; i++) {
      const r = dead[i] as MemberRecord;
      if (i >= excess && now - r.since < this.config.tombstoneMs) break;
      this.remove(r.node);
    }
  }

  private remove(node: NodeId): void {
    const slot = this.memberSlot.get(node);
    invariant(slot !== undefined && node !== this.id, 'only other known members are removed');
    const last = this.others.pop() as NodeId;
    if (last !== node) {
      this.others[slot] = last;
      this.memberSlot.set(last, slot);
    }
    this.memberSlot.delete(node);
    const r = this.members.get(node);
    if (r !== undefined && !this.isLive(r)) this.tombstones--;
    this.members.delete(node);
  }

  /** Up to `count` distinct random other members, live ones (or also recent tombstones), not `except`. */
  private randomMembers(count: number, except: NodeId | undefined, includeDead: boolean): NodeId[] {
    const picked: NodeId[] = [];
    const n = this.others.length;
    if (n === 0 || count <= 0) return picked;
    if (n <= count * 3) {
      const order = shuffle(this.random, [...this.others]);
      for (const node of order) {
        if (picked.length >= count) break;
        if (node !== except && this.eligible(node, includeDead)) picked.push(node);
      }
      return picked;
    }
    for (let tries = 0; tries < count * 4 && picked.length < count; tries++) {
      const node = this.others[randomBelow(this.random, n)] as NodeId;
      if (node !== except && !picked.includes(node) && this.eligible(node, includeDead)) picked.push(node);
    }
    return picked;
  }

  private eligible(node: NodeId, includeDead: boolean): boolean {
    const r = this.members.get(node);
    if (r === undefined) return false;
    return this.isLive(r) || (includeDead && r.state === 'dead');
  }

  private isLive(r: MemberRecord | undefined): boolean {
    return r !== undefined && (r.state === 'alive' || r.state === 'suspect');
  }

  /** Puts a new (or revived) member at a random place in the rest of this pass (memberlist does too). */
  private insertIntoProbeOrder(node: NodeId): void {
    const order = this.probeOrder;
    order.push(node);
    const at = this.probeIndex + randomBelow(this.random, order.length - this.probeIndex);
    const last = order.length - 1;
    order[last] = order[at] as NodeId;
    order[at] = node;
  }

  /** Moves the machine's notion of time forward; a host that goes back in time is a bug. */
  private advance(now: number): void {
    invariant(
      Number.isFinite(now) && now >= this.lastNow,
      `time goes forward (${now} after ${this.lastNow})`,
    );
    this.lastNow = now;
  }

  private nextSeq(): number {
    this.seq = (this.seq + 1) >>> 0;
    return this.seq;
  }

  private send(to: string | undefined, channel: Channel, message: MembershipMessage): void {
    if (to === undefined) return;
    this.push({ type: 'send', to, channel, message });
  }

  private emit(event: MembershipEvent): void {
    this.push({ type: 'event', event });
  }

  private push(o: MembershipOutput): void {
    if (this.outputs.length >= MAX_OUTPUT_QUEUE) {
      this.stats.droppedOutputs++;
      return;
    }
    this.outputs.push(o);
  }
}

function sameLabels(a: Labels, b: Labels): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) if (a[k] !== b[k]) return false;
  return true;
}

function sameHealth(a: Health, b: Health): boolean {
  return (
    a.eventLoopLagMs === b.eventLoopLagMs &&
    a.queueDepth === b.queueDepth &&
    a.guestLoad === b.guestLoad &&
    a.localHealth === b.localHealth
  );
}
