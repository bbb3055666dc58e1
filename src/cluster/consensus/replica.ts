// The consensus replica: drives one RawNode over an injected Transport, Clock, Random and Storage.
// It ticks on a Clock timer; handles each Ready in the documented order (WAL, send, apply, reads,
// advance); forwards proposals from followers to the leader (ProposeRequest/ProposeResult on the
// control lane, with ids, timeouts, a bound on what is pending); answers reads through ReadIndex;
// compacts the log into snapshots every N entries; restarts from its WAL; and changes membership
// (learners first, at most 5 voters). It implements RegistryLog, so
// `new LogRegistryClient(stateMachine, replica)` is a linearizable registry client on any node.
import type { Clock, Timer } from '../../net/clock.js';
import type { Lane } from '../../net/frame.js';
import type { NodeId } from '../../net/node-id.js';
import type { Random } from '../../net/random.js';
import type { LinkTransport } from '../../net/transport.js';
import { assert } from '../raft/assert.js';
import type { RaftConfig, ReadOnlyMode } from '../raft/config.js';
import { MAX_VOTERS } from '../raft/limits.js';
import type { RaftStatus } from '../raft/raft.js';
import { RawNode } from '../raft/raw-node.js';
import {
  type ConfChange,
  type Entry,
  type Message,
  NONE,
  type Ready,
  type Role,
  type Snapshot,
} from '../raft/types.js';
import { Wal } from '../raft/wal.js';
import type { RegistryLog } from '../registry/log-client.js';
import type { RegistryStateMachine } from '../registry/state-machine.js';
import type { Storage } from '../storage.js';
import { decodeEnvelope, encodeEnvelope } from './envelope.js';
import { ConsensusError, type ConsensusErrorCode, isConsensusErrorCode } from './errors.js';
import * as L from './limits.js';
import {
  decodeProposeRequest,
  decodeProposeResult,
  decodeRaftMessage,
  encodeProposeRequest,
  encodeProposeResult,
  encodeRaftMessage,
} from './wire.js';

/** The part of a Transport the replica uses (the simulator passes a fault-injecting wrapper). */
export type ReplicaTransport = Pick<LinkTransport, 'self' | 'send' | 'onMessage' | 'onLink'>;

/** Observation points for the simulator's invariant checks and for metrics. */
export interface ReplicaHooks {
  /** Every committed entry, in log order, as this replica applies it. */
  onApply?(entry: Entry): void;
  /** A snapshot loaded into the state machine (from the leader, or at restart). */
  onRestore?(snapshot: Snapshot): void;
  /** Role or leader changed; `term` is the current term. */
  onRole?(role: Role, leader: number, term: number): void;
  /** The replica stopped itself after a storage failure. */
  onFailed?(error: Error): void;
}

export interface ReplicaOptions {
  readonly id: NodeId;
  readonly transport: ReplicaTransport;
  readonly clock: Clock;
  readonly random: Random;
  readonly storage: Storage;
  /** The WAL directory in `storage`. */
  readonly dir: string;
  readonly stateMachine: RegistryStateMachine;
  /** How to start when the WAL is empty: a fresh cluster's voters, or join (learn from the leader). */
  readonly start:
    | { readonly kind: 'bootstrap'; readonly voters: readonly NodeId[] }
    | { readonly kind: 'join' };
  readonly tickMs?: number;
  readonly electionTicks?: number;
  readonly heartbeatTicks?: number;
  readonly readOnly?: ReadOnlyMode;
  /** Applied entries between two snapshots (log compaction). */
  readonly snapshotEvery?: number;
  /** How long a proposal, read or membership change may wait (ms). */
  readonly requestTimeoutMs?: number;
  /** Listen on the transport (default true; false when the caller dispatches to receive()). */
  readonly attach?: boolean;
  readonly hooks?: ReplicaHooks;
  /** Test-only overrides of the Raft configuration. */
  readonly raft?: Partial<Omit<RaftConfig, 'id' | 'start' | 'random'>>;
  /**
   * TEST ONLY, deliberately unsafe: grant every real vote request, even after voting for another
   * candidate in that term (a node that votes twice). The simulator's invariants must catch it.
   */
  readonly unsafeDoubleVote?: boolean;
}

interface Waiter<T> {
  resolve(v: T): void;
  reject(e: Error): void;
  timer: Timer;
}

interface PendingRead extends Waiter<void> {
  /** The read index once the leader confirmed it. */
  index: number | undefined;
  context: Uint8Array;
  retry: boolean;
}

interface PendingConf extends Waiter<void> {
  change: ConfChange;
}

export interface ReplicaCounters {
  wireRejected: number;
  lastWireError: string;
  forwardedOut: number;
  forwardedIn: number;
  duplicatesDropped: number;
  snapshotsTaken: number;
  snapshotsRestored: number;
  sendErrors: number;
}

const ctxKey = (b: Uint8Array): string => Buffer.from(b).toString('hex');

export class Replica implements RegistryLog {
  readonly id: NodeId;
  readonly counters: ReplicaCounters = {
    wireRejected: 0,
    lastWireError: '',
    forwardedOut: 0,
    forwardedIn: 0,
    duplicatesDropped: 0,
    snapshotsTaken: 0,
    snapshotsRestored: 0,
    sendErrors: 0,
  };
  /** Bytes torn off the WAL's tail when it was opened. */
  readonly walCutBytes: number;
  private readonly node: RawNode;
  private readonly wal: Wal;
  private readonly transport: ReplicaTransport;
  private readonly clock: Clock;
  private readonly sm: RegistryStateMachine;
  private readonly hooks: ReplicaHooks;
  private readonly tickMs: number;
  private readonly timeoutMs: number;
  private readonly snapshotEvery: number;
  private readonly session: number;
  private seq = 0;
  private readSeq = 0;
  private applied = 0;
  private lastSnapshot = 0;
  private tickTimer: Timer | undefined;
  private stopped = false;
  private failure: Error | undefined;
  private readonly pending = new Map<number, Waiter<Uint8Array>>();
  private readonly reads = new Map<string, PendingRead>();
  private readonly confs: PendingConf[] = [];
  private readonly recentForwarded = new Set<string>();
  private role: Role = 'follower';
  private leaderId = 0;
  private readonly unsafeDoubleVote: boolean;

  private constructor(o: ReplicaOptions) {
    this.id = o.id;
    this.transport = o.transport;
    this.clock = o.clock;
    this.sm = o.stateMachine;
    this.hooks = o.hooks ?? {};
    this.tickMs = o.tickMs ?? L.DEFAULT_TICK_MS;
    this.timeoutMs = o.requestTimeoutMs ?? L.DEFAULT_REQUEST_TIMEOUT_MS;
    this.snapshotEvery = o.snapshotEvery ?? L.DEFAULT_SNAPSHOT_EVERY;
    this.session = o.random.uint32();
    this.unsafeDoubleVote = o.unsafeDoubleVote === true;
    const opened = Wal.open(o.storage, o.dir);
    this.wal = opened.wal;
    this.walCutBytes = opened.cutBytes;
    const st = opened.state;
    const empty = st.snapshot === undefined && st.entries.length === 0 && st.hardState.term === 0;
    if (st.snapshot) {
      this.sm.restore(st.snapshot.data);
      this.applied = st.snapshot.index;
      this.lastSnapshot = st.snapshot.index;
      this.hooks.onRestore?.(st.snapshot);
    }
    this.node = new RawNode({
      electionTicks: 10,
      heartbeatTicks: 1,
      preVote: true,
      checkQuorum: true,
      readOnly: o.readOnly ?? 'safe',
      ...o.raft,
      ...(o.electionTicks !== undefined ? { electionTicks: o.electionTicks } : {}),
      ...(o.heartbeatTicks !== undefined ? { heartbeatTicks: o.heartbeatTicks } : {}),
      id: o.id,
      random: o.random,
      start: empty ? o.start : { kind: 'restore', ...st },
    });
    if (o.attach !== false) {
      this.transport.onMessage((peer, lane, type, payload) => this.receive(peer, lane, type, payload));
      this.transport.onLink((peer, state) => {
        if (state === 'down') this.linkDown(peer);
      });
    }
  }

  /** Opens the WAL in `dir` (recovering it) and starts ticking. Throws WalError on a corrupt log. */
  static open(options: ReplicaOptions): Replica {
    const r = new Replica(options);
    r.scheduleTick();
    r.drain();
    return r;
  }

  // ---- RegistryLog --------------------------------------------------------------------------

  propose(command: Uint8Array): Promise<Uint8Array> {
    return new Promise<Uint8Array>((resolve, reject) => {
      const refused = this.unavailable();
      if (refused) return reject(refused);
      if (this.pending.size >= L.MAX_PENDING_PROPOSALS)
        return reject(new ConsensusError('unavailable', `${this.pending.size} proposals already pending`));
      const seq = ++this.seq;
      const data = encodeEnvelope(this.id, this.session, seq, command);
      const timer = this.clock.setTimer(this.timeoutMs, () => {
        if (this.pending.delete(seq))
          reject(new ConsensusError('timeout', `proposal not applied within ${this.timeoutMs} ms`));
      });
      this.pending.set(seq, { resolve, reject, timer });
      if (this.role === 'leader') {
        const r = this.node.propose(data);
        if (!r.ok)
          return this.settle(seq, { ok: false, code: mapRaftCode(r.error.code), message: r.error.message });
        this.drain();
        return;
      }
      const leader = this.leaderId;
      if (leader === NONE)
        return this.settle(seq, { ok: false, code: 'not-leader', message: 'no leader known' });
      const err = this.transport.send(
        leader as NodeId,
        'control',
        L.APP_TYPE_PROPOSE,
        encodeProposeRequest(seq, data),
      );
      if (err)
        return this.settle(seq, { ok: false, code: 'unavailable', message: `forward: ${err.message}` });
      this.counters.forwardedOut++;
    });
  }

  readBarrier(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const refused = this.unavailable();
      if (refused) return reject(refused);
      if (this.reads.size >= L.MAX_PENDING_READS)
        return reject(new ConsensusError('unavailable', `${this.reads.size} reads already pending`));
      const context = new Uint8Array(8);
      const v = new DataView(context.buffer);
      v.setUint32(0, this.session);
      v.setUint32(4, ++this.readSeq);
      const key = ctxKey(context);
      const timer = this.clock.setTimer(this.timeoutMs, () => {
        if (this.reads.delete(key))
          reject(new ConsensusError('timeout', `read not confirmed within ${this.timeoutMs} ms`));
      });
      const read: PendingRead = { resolve, reject, timer, index: undefined, context, retry: false };
      this.reads.set(key, read);
      this.askRead(key, read);
      this.drain();
    });
  }

  // ---- membership ---------------------------------------------------------------------------

  /** Adds `node` as a learner (it receives the log, does not vote). Leader only. */
  addLearner(node: NodeId): Promise<void> {
    return this.changeConf({ type: 'add-learner', node });
  }
  /** Makes learner `node` a voter; refused past MAX_VOTERS voters. Leader only. */
  promote(node: NodeId): Promise<void> {
    return this.changeConf({ type: 'add-voter', node });
  }
  /** Removes `node` from the configuration. Leader only. */
  remove(node: NodeId): Promise<void> {
    return this.changeConf({ type: 'remove', node });
  }
  /** Adds `node` as a learner, then promotes it while there are fewer than MAX_VOTERS voters. */
  async addMember(node: NodeId): Promise<'voter' | 'learner'> {
    await this.addLearner(node);
    if (this.node.status().voters.length >= MAX_VOTERS) return 'learner';
    await this.promote(node);
    return 'voter';
  }

  private changeConf(change: ConfChange): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const refused = this.unavailable();
      if (refused) return reject(refused);
      if (this.role !== 'leader')
        return reject(
          new ConsensusError('not-leader', `membership changes go to the leader (${this.leaderId})`),
        );
      const r = this.node.proposeConfChange(change);
      if (!r.ok) return reject(new ConsensusError('refused', `${r.error.code}: ${r.error.message}`));
      const timer = this.clock.setTimer(this.timeoutMs, () => {
        const i = this.confs.indexOf(waiter);
        if (i >= 0) {
          this.confs.splice(i, 1);
          reject(new ConsensusError('timeout', `membership change not applied within ${this.timeoutMs} ms`));
        }
      });
      const waiter: PendingConf = { resolve, reject, timer, change };
      this.confs.push(waiter);
      this.drain();
    });
  }

  /** Asks the current leader to hand leadership to `to`. */
  transferLeader(to: NodeId): void {
    if (this.unavailable()) return;
    this.node.transferLeader(to);
    this.drain();
  }

  /** Starts an election now (tests, the CLI). */
  campaign(): void {
    if (this.unavailable()) return;
    this.node.campaign();
    this.drain();
  }

  // ---- inputs -------------------------------------------------------------------------------

  /** A message from the transport (call it yourself when created with `attach: false`). */
  receive(peer: NodeId, _lane: Lane, type: number, payload: Uint8Array): void {
    if (this.stopped || this.failure) return;
    switch (type) {
      case L.APP_TYPE_RAFT: {
        const m = decodeRaftMessage(payload);
        if (m instanceof Error) return this.rejectWire(m.message);
        if (m.from !== peer) return this.rejectWire(`message from ${m.from} arrived from peer ${peer}`);
        if (this.unsafeDoubleVote && m.type === 'vote' && !m.pre && m.to === this.id)
          this.send({
            type: 'vote-response',
            from: this.id,
            to: m.from,
            term: m.term,
            pre: false,
            reject: false,
          });
        this.node.step(m);
        break;
      }
      case L.APP_TYPE_PROPOSE: {
        const req = decodeProposeRequest(payload);
        if (req instanceof Error) return this.rejectWire(req.message);
        this.forwardedIn(peer, req.id, req.command);
        break;
      }
      case L.APP_TYPE_PROPOSE_RESULT: {
        const res = decodeProposeResult(payload);
        if (res instanceof Error) return this.rejectWire(res.message);
        if (!res.outcome.ok && !isConsensusErrorCode(res.outcome.code))
          return this.rejectWire(`unknown propose error code ${JSON.stringify(res.outcome.code)}`);
        this.settle(res.id, res.outcome);
        break;
      }
      default:
        return; // not ours (another protocol shares the transport)
    }
    this.drain();
  }

  /** The link to `peer` broke: Raft probes it again. */
  linkDown(peer: NodeId): void {
    if (this.stopped || this.failure) return;
    this.node.reportUnreachable(peer);
    this.drain();
  }

  /**
   * Stops ticking and fails every pending request with `unavailable` (a crash as its callers see
   * it). The WAL keeps what was written; open a new Replica on the same storage to restart.
   */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.tickTimer?.cancel();
    this.failAll(new ConsensusError('unavailable', 'the replica stopped'));
  }

  // ---- state --------------------------------------------------------------------------------

  status(): RaftStatus {
    return this.node.status();
  }
  get isLeader(): boolean {
    return this.role === 'leader';
  }
  get leader(): number {
    return this.leaderId;
  }
  get appliedIndex(): number {
    return this.applied;
  }
  get failed(): Error | undefined {
    return this.failure;
  }
  get isStopped(): boolean {
    return this.stopped;
  }
  get pendingRequests(): number {
    return this.pending.size + this.reads.size + this.confs.length;
  }

  // ---- internals ----------------------------------------------------------------------------

  private unavailable(): ConsensusError | undefined {
    if (this.stopped) return new ConsensusError('unavailable', 'the replica is stopped');
    if (this.failure) return new ConsensusError('unavailable', `the replica failed: ${this.failure.message}`);
    return undefined;
  }

  private scheduleTick(): void {
    this.tickTimer = this.clock.setTimer(this.tickMs, () => {
      if (this.stopped || this.failure) return;
      this.node.tick();
      for (const [key, read] of this.reads) if (read.retry) this.askRead(key, read);
      this.drain();
      this.scheduleTick();
    });
  }

  private askRead(key: string, read: PendingRead): void {
    read.retry = false;
    const r = this.node.readIndex(read.context);
    if (r.ok) return;
    const code = r.error.code;
    if (code === 'not-leader' || code === 'no-commit-in-term' || code === 'transfer-in-progress') {
      read.retry = true; // transient: retried every tick until the request times out
      return;
    }
    this.reads.delete(key);
    read.timer.cancel();
    read.reject(new ConsensusError('unavailable', `${code}: ${r.error.message}`));
  }

  private forwardedIn(peer: NodeId, id: number, data: Uint8Array): void {
    const reply = (code: ConsensusErrorCode, message: string) => {
      this.transport.send(
        peer,
        'control',
        L.APP_TYPE_PROPOSE_RESULT,
        encodeProposeResult(id, { ok: false, code, message }, this.leaderId),
      );
    };
    const env = decodeEnvelope(data);
    if (!env || env.origin !== peer || env.seq !== id)
      return this.rejectWire(`forwarded proposal from ${peer} does not carry its own envelope`);
    const key = `${peer}:${env.session}:${env.seq}`;
    if (this.recentForwarded.has(key)) {
      this.counters.duplicatesDropped++;
      return;
    }
    if (this.role !== 'leader') return reply('not-leader', `node ${this.id} is not the leader`);
    const r = this.node.propose(data);
    if (!r.ok) return reply(mapRaftCode(r.error.code), r.error.message);
    this.counters.forwardedIn++;
    this.recentForwarded.add(key);
    if (this.recentForwarded.size > L.MAX_RECENT_FORWARDED) {
      const oldest = this.recentForwarded.values().next().value;
      if (oldest !== undefined) this.recentForwarded.delete(oldest);
    }
  }

  private settle(
    seq: number,
    outcome: { ok: true; result: Uint8Array } | { ok: false; code: string; message: string },
  ): void {
    const w = this.pending.get(seq);
    if (!w) return;
    this.pending.delete(seq);
    w.timer.cancel();
    if (outcome.ok) w.resolve(outcome.result);
    else
      w.reject(
        new ConsensusError(
          isConsensusErrorCode(outcome.code) ? outcome.code : 'unavailable',
          outcome.message,
        ),
      );
  }

  private rejectWire(why: string): void {
    this.counters.wireRejected++;
    this.counters.lastWireError = why;
  }

  private send(m: Message): void {
    const lane: Lane = m.type === 'snapshot' ? 'bulk' : 'control';
    const err = this.transport.send(m.to, lane, L.APP_TYPE_RAFT, encodeRaftMessage(m));
    if (err) {
      this.counters.sendErrors++;
      this.node.reportUnreachable(m.to);
      if (m.type === 'snapshot') this.node.reportSnapshot(m.to, true);
    }
  }

  /** Handles every pending Ready, in the documented order. */
  private drain(): void {
    while (!this.stopped && !this.failure && this.node.hasReady()) {
      const rd = this.node.ready();
      try {
        this.wal.saveReady(rd); // 1. durable before anything reflecting it leaves this node
      } catch (e) {
        this.fail(e as Error);
        return;
      }
      for (const m of rd.messages) this.send(m); // 2.
      this.applyReady(rd); // 3.
      this.node.advance(rd); // 4. conf changes take effect here
      if (rd.softState) this.roleChanged(rd.softState.role, rd.softState.leader);
      this.finishReads();
      this.maybeSnapshot();
    }
  }

  private applyReady(rd: Ready): void {
    if (rd.snapshot) {
      this.sm.restore(rd.snapshot.data);
      this.applied = rd.snapshot.index;
      this.lastSnapshot = rd.snapshot.index;
      this.counters.snapshotsRestored++;
      this.hooks.onRestore?.(rd.snapshot);
    }
    for (const e of rd.committedEntries) {
      if (e.index <= this.applied) continue; // covered by a snapshot loaded above
      assert(e.index === this.applied + 1, `replica ${this.id} applies ${e.index} after ${this.applied}`);
      this.applied = e.index;
      this.hooks.onApply?.(e);
      if (e.kind === 'conf') {
        this.confApplied(e.change);
        continue;
      }
      if (e.data.length === 0) continue; // a new leader's empty entry
      const env = decodeEnvelope(e.data);
      const result = this.sm.apply(e.index, e.term, env ? env.command : e.data);
      if (env && env.origin === this.id && env.session === this.session)
        this.settle(env.seq, { ok: true, result });
    }
    for (const rs of rd.readStates) {
      const read = this.reads.get(ctxKey(rs.context));
      if (read) read.index = rs.index;
    }
  }

  private confApplied(change: ConfChange): void {
    const i = this.confs.findIndex((c) => c.change.type === change.type && c.change.node === change.node);
    if (i < 0) return;
    const [c] = this.confs.splice(i, 1);
    c?.timer.cancel();
    c?.resolve();
  }

  private finishReads(): void {
    for (const [key, read] of this.reads) {
      if (read.index !== undefined && read.index <= this.applied) {
        this.reads.delete(key);
        read.timer.cancel();
        read.resolve();
      }
    }
  }

  private roleChanged(role: Role, leader: number): void {
    this.role = role;
    this.leaderId = leader;
    this.hooks.onRole?.(role, leader, this.node.status().term);
  }

  private maybeSnapshot(): void {
    if (this.applied - this.lastSnapshot < this.snapshotEvery) return;
    try {
      const snap = this.node.createSnapshot(this.sm.snapshot());
      this.wal.saveSnapshot(snap, false);
      this.lastSnapshot = snap.index;
      this.counters.snapshotsTaken++;
    } catch (e) {
      this.fail(e as Error);
    }
  }

  private fail(e: Error): void {
    if (this.failure) return;
    this.failure = e;
    this.tickTimer?.cancel();
    this.failAll(new ConsensusError('unavailable', `storage failure: ${e.message}`));
    this.hooks.onFailed?.(e);
  }

  private failAll(e: ConsensusError): void {
    for (const w of this.pending.values()) {
      w.timer.cancel();
      w.reject(e);
    }
    this.pending.clear();
    for (const r of this.reads.values()) {
      r.timer.cancel();
      r.reject(e);
    }
    this.reads.clear();
    for (const c of this.confs.splice(0)) {
      c.timer.cancel();
      c.reject(e);
    }
  }
}

function mapRaftCode(code: string): ConsensusErrorCode {
  if (code === 'not-leader' || code === 'transfer-in-progress') return 'not-leader';
  if (code === 'proposal-too-large') return 'too-large';
  return 'unavailable';
}
