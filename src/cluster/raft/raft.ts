// The Raft protocol core (Ongaro's thesis; shaped like etcd/raft): a pure state machine. Messages
// and ticks go in (step, tick and the proposal methods); messages to send, the log to persist and
// entries to apply accumulate here and leave through RawNode's Ready. No I/O, no clock, no global
// randomness: the election timeout comes from the injected Random.
//
// Implemented: pre-vote, check-quorum with a leader lease (a follower that hears from a leader
// ignores votes), log replication with probe/replicate/snapshot flow control, commit by a quorum of
// the current term only, snapshots, one-at-a-time membership changes with learners (at most
// MAX_VOTERS voters), leadership transfer (TimeoutNow) and ReadIndex reads (heartbeat quorum or lease).
import type { NodeId } from '../../net/node-id.js';
import { randomBelow } from '../../net/random.js';
import { assert } from './assert.js';
import { type RaftConfig, type ReadOnlyMode, type ResolvedLimits, resolveLimits } from './config.js';
import { OK, type Result, refuse } from './errors.js';
import {
  MAX_PENDING_READS,
  MAX_PROPOSAL_BYTES,
  MAX_QUEUED_MESSAGES,
  MAX_READ_CONTEXT_BYTES,
  MAX_VOTERS,
  SNAPSHOT_TIMEOUT_ELECTIONS,
} from './limits.js';
import { emptySnapshot, entryBytes, RaftLog } from './log.js';
import { confChangeProblem, quorumOf } from './membership.js';
import { Progress } from './progress.js';
import { ReadOnlyQueue } from './read-only.js';
import {
  type ConfChange,
  type ConfState,
  type Entry,
  type HardState,
  type Message,
  NONE,
  type NodeRef,
  type ReadState,
  type Role,
  type Snapshot,
  type SoftState,
} from './types.js';
import { messageProblem } from './validate.js';

type Distribute<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** A message as built by this node: from and term are filled in by send() unless given. */
type Outgoing = Distribute<Message, 'from' | 'term'> & { term?: number };

const EMPTY = new Uint8Array(0);

export interface ProgressStatus {
  readonly match: number;
  readonly next: number;
  readonly state: string;
  readonly learner: boolean;
}

export interface RaftStatus {
  readonly id: NodeId;
  readonly term: number;
  readonly vote: NodeRef;
  readonly commit: number;
  readonly applied: number;
  readonly lastIndex: number;
  readonly firstIndex: number;
  readonly leader: NodeRef;
  readonly role: Role;
  readonly voters: NodeId[];
  readonly learners: NodeId[];
  /** Only on the leader: each member's replication progress. */
  readonly progress: Map<NodeId, ProgressStatus>;
  readonly transferee: NodeRef;
  /** Messages dropped because they were malformed or contradicted committed state. */
  readonly rejectedMessages: number;
  readonly lastRejection: string;
}

export class Raft {
  readonly id: NodeId;
  term = 0;
  vote: NodeRef = NONE;
  leader: NodeRef = NONE;
  role: Role = 'follower';
  readonly log: RaftLog;

  private readonly voters = new Set<NodeId>();
  private readonly learners = new Set<NodeId>();
  private readonly progress = new Map<NodeId, Progress>();
  private readonly votes = new Map<NodeId, boolean>();

  private electionElapsed = 0;
  private heartbeatElapsed = 0;
  private randomizedElectionTimeout = 0;
  private readonly electionTicks: number;
  private readonly heartbeatTicks: number;
  private readonly preVote: boolean;
  private readonly checkQuorum: boolean;
  private readonly readOnly: ReadOnlyMode;
  private readonly limits: ResolvedLimits;

  /** Index of the last conf-change entry (or snapshot) reflected in voters/learners. */
  private confIndex = 0;
  /** Index of the latest conf-change entry the leader appended; a new one waits until it is applied. */
  private pendingConfIndex = 0;
  private uncommittedBytes = 0;
  private transferee: NodeRef = NONE;
  private readonly reads = new ReadOnlyQueue();

  private rejectedMessages = 0;
  private lastRejection = '';

  /** Output, drained by RawNode. */
  messages: Message[] = [];
  readStates: ReadState[] = [];

  constructor(private readonly config: RaftConfig) {
    assert(
      config.heartbeatTicks > 0 && config.electionTicks > config.heartbeatTicks,
      'election > heartbeat ticks > 0',
    );
    assert(config.readOnly !== 'lease' || config.checkQuorum === true, 'lease reads need check-quorum');
    this.id = config.id;
    this.electionTicks = config.electionTicks;
    this.heartbeatTicks = config.heartbeatTicks;
    this.preVote = config.preVote ?? false;
    this.checkQuorum = config.checkQuorum ?? false;
    this.readOnly = config.readOnly ?? 'safe';
    this.limits = resolveLimits(config);
    const start = config.start;
    switch (start.kind) {
      case 'bootstrap': {
        assert(
          start.voters.length > 0 && start.voters.length <= MAX_VOTERS,
          'bootstrap with 1..MAX_VOTERS voters',
        );
        const entries: Entry[] = start.voters.map((node, i) => ({
          kind: 'conf',
          term: 1,
          index: i + 1,
          change: { type: 'add-voter', node },
        }));
        this.log = new RaftLog(emptySnapshot({ voters: [], learners: [] }), entries, entries.length);
        this.log.stable = 0; // the bootstrap entries still have to be persisted
        this.term = 1;
        for (const e of entries) if (e.kind === 'conf') this.applyConfChange(e.change, e.index);
        break;
      }
      case 'join':
        this.log = new RaftLog(emptySnapshot({ voters: [], learners: [] }), [], 0);
        break;
      case 'restore': {
        const snap = start.snapshot ?? emptySnapshot({ voters: [], learners: [] });
        this.log = new RaftLog(snap, start.entries, start.hardState.commit);
        this.term = start.hardState.term;
        this.vote = start.hardState.vote;
        this.setConf(snap.conf);
        this.confIndex = snap.index;
        // the configuration is the snapshot's plus every committed change after it
        for (const e of this.log.slice(snap.index + 1, this.log.committed + 1) ?? []) {
          if (e.kind === 'conf') this.applyConfChange(e.change, e.index);
        }
        break;
      }
    }
    this.becomeFollower(this.term, NONE);
  }

  // ---- state queries ----

  hardState(): HardState {
    return { term: this.term, vote: this.vote, commit: this.log.committed };
  }

  softState(): SoftState {
    return { leader: this.leader, role: this.role };
  }

  confState(): ConfState {
    return {
      voters: [...this.voters].sort((a, b) => a - b),
      learners: [...this.learners].sort((a, b) => a - b),
    };
  }

  /** A voter in the current configuration (only voters campaign). */
  promotable(): boolean {
    return this.voters.has(this.id);
  }

  status(): RaftStatus {
    const progress = new Map<NodeId, ProgressStatus>();
    if (this.role === 'leader') {
      for (const [id, pr] of this.progress) {
        progress.set(id, { match: pr.match, next: pr.next, state: pr.state, learner: this.learners.has(id) });
      }
    }
    const conf = this.confState();
    return {
      id: this.id,
      term: this.term,
      vote: this.vote,
      commit: this.log.committed,
      applied: this.log.applied,
      lastIndex: this.log.lastIndex(),
      firstIndex: this.log.firstIndex(),
      leader: this.leader,
      role: this.role,
      voters: [...conf.voters],
      learners: [...conf.learners],
      progress,
      transferee: this.transferee,
      rejectedMessages: this.rejectedMessages,
      lastRejection: this.lastRejection,
    };
  }

  // ---- output ----

  private send(m: Outgoing): void {
    if (this.messages.length >= MAX_QUEUED_MESSAGES) return; // the network may drop; Raft retries
    this.messages.push({ ...m, from: this.id, term: m.term ?? this.term } as Message);
  }

  // ---- role changes ----

  private reset(term: number): void {
    if (term !== this.term) {
      assert(term > this.term, `term never decreases (${this.term} -> ${term})`);
      this.term = term;
      this.vote = NONE;
    }
    this.leader = NONE;
    this.electionElapsed = 0;
    this.heartbeatElapsed = 0;
    this.randomizedElectionTimeout = this.electionTicks + randomBelow(this.config.random, this.electionTicks);
    this.transferee = NONE;
    this.votes.clear();
    this.pendingConfIndex = 0;
    this.uncommittedBytes = 0;
    this.reads.clear();
    const last = this.log.lastIndex();
    for (const [id, pr] of this.progress) {
      const fresh = new Progress(last + 1, this.limits.maxInflightAppends, this.inflightBytes());
      if (id === this.id) fresh.match = last;
      fresh.recentActive = pr.recentActive || id === this.id;
      this.progress.set(id, fresh);
    }
  }

  private inflightBytes(): number {
    return this.limits.maxAppendBytes * this.limits.maxInflightAppends;
  }

  private becomeFollower(term: number, leader: NodeRef): void {
    this.reset(term);
    this.leader = leader;
    this.role = 'follower';
  }

  private becomePreCandidate(): void {
    assert(this.role !== 'leader', 'a leader does not pre-campaign');
    this.votes.clear();
    this.leader = NONE;
    this.role = 'pre-candidate';
  }

  private becomeCandidate(): void {
    assert(this.role !== 'leader', 'a leader does not campaign');
    this.reset(this.term + 1);
    this.vote = this.id;
    this.role = 'candidate';
  }

  private becomeLeader(): void {
    assert(this.role === 'candidate', 'only a candidate becomes leader');
    this.reset(this.term);
    this.leader = this.id;
    this.role = 'leader';
    const self = this.progress.get(this.id);
    if (self) self.becomeReplicate();
    // Conf changes in the uncommitted tail may be pending; allow a new one only after all of them.
    this.pendingConfIndex = this.log.lastIndex();
    // An entry of our own term: committing it commits everything before (Raft §5.4.2).
    this.appendEntries([{ kind: 'normal', term: this.term, index: 0, data: EMPTY }]);
  }

  // ---- ticks ----

  tick(): void {
    if (this.role === 'leader') this.tickHeartbeat();
    else this.tickElection();
  }

  private tickElection(): void {
    this.electionElapsed++;
    if (this.promotable() && this.electionElapsed >= this.randomizedElectionTimeout) {
      this.electionElapsed = 0;
      this.hup(false);
    }
  }

  private tickHeartbeat(): void {
    this.heartbeatElapsed++;
    this.electionElapsed++;
    for (const [id, pr] of this.progress) {
      if (id === this.id || pr.state !== 'snapshot') continue;
      pr.snapshotTicks++;
      if (pr.snapshotTicks >= this.electionTicks * SNAPSHOT_TIMEOUT_ELECTIONS) pr.becomeProbe();
    }
    if (this.electionElapsed >= this.electionTicks) {
      this.electionElapsed = 0;
      if (this.checkQuorum) {
        if (!this.quorumActive()) {
          this.becomeFollower(this.term, NONE);
          return;
        }
      }
      this.transferee = NONE; // a transfer that did not finish in an election timeout is abandoned
    }
    if (this.heartbeatElapsed >= this.heartbeatTicks) {
      this.heartbeatElapsed = 0;
      this.broadcastHeartbeat();
    }
  }

  /** Check-quorum: were a quorum of voters heard from since the last round? Resets the marks. */
  private quorumActive(): boolean {
    let active = 0;
    for (const v of this.voters) {
      const pr = this.progress.get(v);
      if (v === this.id || pr?.recentActive) active++;
    }
    for (const [id, pr] of this.progress) pr.recentActive = id === this.id;
    return active >= this.quorum();
  }

  private quorum(): number {
    return quorumOf(this.voters.size);
  }

  // ---- elections ----

  /** Starts an election now (a pre-vote first if enabled), as if the election timeout had passed. */
  campaign(): void {
    if (this.role !== 'leader') this.hup(false);
  }

  private hup(transfer: boolean): void {
    if (this.role === 'leader' || !this.promotable()) return;
    // A committed but unapplied conf change could remove us or change the quorum: wait for it.
    for (const e of this.log.slice(this.log.applied + 1, this.log.committed + 1) ?? []) {
      if (e.kind === 'conf' && e.index > this.confIndex) return;
    }
    if (this.preVote && !transfer) this.startElection(true, false);
    else this.startElection(false, transfer);
  }

  private startElection(pre: boolean, transfer: boolean): void {
    let term: number;
    if (pre) {
      this.becomePreCandidate();
      term = this.term + 1;
    } else {
      this.becomeCandidate();
      term = this.term;
    }
    if (this.poll(this.id, false) === 'won') {
      if (pre) this.startElection(false, false);
      else this.becomeLeader();
      return;
    }
    for (const v of [...this.voters].sort((a, b) => a - b)) {
      if (v === this.id) continue;
      this.send({
        type: 'vote',
        to: v,
        term,
        pre,
        index: this.log.lastIndex(),
        logTerm: this.log.lastTerm(),
        transfer,
      });
    }
  }

  /** Records a vote (granted unless `reject`) and tells whether the election is won, lost or open. */
  private poll(from: NodeId, reject: boolean): 'won' | 'lost' | 'pending' {
    if (!this.votes.has(from)) this.votes.set(from, !reject);
    let granted = 0;
    let rejected = 0;
    for (const v of this.voters) {
      const g = this.votes.get(v);
      if (g === true) granted++;
      else if (g === false) rejected++;
    }
    if (granted >= this.quorum()) return 'won';
    if (rejected > this.voters.size - this.quorum()) return 'lost';
    return 'pending';
  }

  // ---- the message entry point ----

  step(m: Message): void {
    const problem = messageProblem(m);
    if (problem) {
      this.reject(m, problem);
      return;
    }
    if (m.to !== this.id || m.from === this.id) return;
    if (m.term > this.term) {
      if (m.type === 'vote') {
        const inLease = this.checkQuorum && this.leader !== NONE && this.electionElapsed < this.electionTicks;
        if (!m.transfer && inLease) return; // leader lease: a live leader is not disrupted
      }
      if (m.type === 'vote' && m.pre) {
        // a pre-vote never changes our term
      } else if (m.type === 'vote-response' && m.pre && !m.reject) {
        // a granted pre-vote carries the future term; we adopt it when we campaign
      } else if (m.type === 'append' || m.type === 'heartbeat' || m.type === 'snapshot') {
        this.becomeFollower(m.term, m.from);
      } else {
        this.becomeFollower(m.term, NONE);
      }
    } else if (m.term < this.term) {
      if ((this.checkQuorum || this.preVote) && (m.type === 'heartbeat' || m.type === 'append')) {
        // A stale leader (e.g. partitioned away) learns the new term and steps down.
        this.send({
          type: 'append-response',
          to: m.from,
          index: 0,
          reject: false,
          rejectHint: 0,
          logTerm: 0,
        });
      } else if (m.type === 'vote' && m.pre) {
        this.send({ type: 'vote-response', to: m.from, pre: true, reject: true });
      }
      return;
    }

    if (m.type === 'vote') {
      this.handleVote(m);
      return;
    }
    switch (this.role) {
      case 'leader':
        this.stepLeader(m);
        break;
      case 'candidate':
      case 'pre-candidate':
        this.stepCandidate(m);
        break;
      case 'follower':
        this.stepFollower(m);
        break;
    }
  }

  private reject(m: Message, problem: string): void {
    this.rejectedMessages++;
    this.lastRejection = `${m.type} from ${m.from}: ${problem}`;
  }

  private handleVote(m: Extract<Message, { type: 'vote' }>): void {
    const canVote =
      this.vote === m.from || (this.vote === NONE && this.leader === NONE) || (m.pre && m.term > this.term);
    if (canVote && this.log.isUpToDate(m.index, m.logTerm)) {
      this.send({ type: 'vote-response', to: m.from, term: m.term, pre: m.pre, reject: false });
      if (!m.pre) {
        assert(this.vote === NONE || this.vote === m.from, `two votes in term ${this.term}`);
        this.electionElapsed = 0;
        this.vote = m.from;
      }
    } else {
      this.send({ type: 'vote-response', to: m.from, pre: m.pre, reject: true });
    }
  }

  private stepCandidate(m: Message): void {
    switch (m.type) {
      case 'append':
        this.becomeFollower(m.term, m.from);
        this.handleAppend(m);
        break;
      case 'heartbeat':
        this.becomeFollower(m.term, m.from);
        this.handleHeartbeat(m);
        break;
      case 'snapshot':
        this.becomeFollower(m.term, m.from);
        this.handleSnapshot(m);
        break;
      case 'vote-response': {
        if (m.pre !== (this.role === 'pre-candidate')) return; // an answer to an older election
        const result = this.poll(m.from, m.reject);
        if (result === 'won') {
          if (this.role === 'pre-candidate') this.startElection(false, false);
          else {
            this.becomeLeader();
            this.broadcastAppend();
          }
        } else if (result === 'lost') {
          this.becomeFollower(this.term, NONE);
        }
        break;
      }
      default:
        break; // timeout-now, read-index and the rest need a leader or a follower
    }
  }

  private stepFollower(m: Message): void {
    switch (m.type) {
      case 'append':
        this.electionElapsed = 0;
        this.leader = m.from;
        this.handleAppend(m);
        break;
      case 'heartbeat':
        this.electionElapsed = 0;
        this.leader = m.from;
        this.handleHeartbeat(m);
        break;
      case 'snapshot':
        this.electionElapsed = 0;
        this.leader = m.from;
        this.handleSnapshot(m);
        break;
      case 'timeout-now':
        this.hup(true);
        break;
      case 'transfer-leader':
      case 'read-index':
        if (this.leader !== NONE) this.send({ ...m, to: this.leader });
        break;
      case 'read-index-response':
        this.readStates.push({ index: m.index, context: m.context });
        break;
      default:
        break;
    }
  }

  private stepLeader(m: Message): void {
    if (m.type === 'transfer-leader') {
      this.transferLeader(m.target);
      return;
    }
    if (m.type === 'read-index') {
      this.leaderReadIndex(m.from, m.context);
      return;
    }
    const pr = this.progress.get(m.from);
    if (!pr) return;
    switch (m.type) {
      case 'append-response':
        if (m.index > this.log.lastIndex()) {
          this.reject(m, `acknowledges ${m.index}, beyond our last index ${this.log.lastIndex()}`);
          return;
        }
        pr.recentActive = true;
        this.handleAppendResponse(m, pr);
        break;
      case 'heartbeat-response': {
        pr.recentActive = true;
        pr.probeSent = false;
        if (pr.state === 'replicate' && pr.inflights.full()) pr.inflights.freeFirstOne();
        if (pr.match < this.log.lastIndex()) this.sendAppend(m.from, true);
        if (m.context.length > 0) this.ackRead(m.from, m.context);
        break;
      }
      default:
        break;
    }
  }

  private handleAppendResponse(m: Extract<Message, { type: 'append-response' }>, pr: Progress): void {
    if (m.reject) {
      let hint = m.rejectHint;
      if (m.logTerm > 0) hint = this.log.findConflictByTerm(m.rejectHint, m.logTerm)[0];
      if (pr.maybeDecrTo(m.index, hint)) {
        if (pr.state === 'replicate') pr.becomeProbe();
        this.sendAppend(m.from, true);
      }
      return;
    }
    const wasPaused = pr.isPaused();
    if (!pr.maybeUpdate(m.index)) return;
    if (pr.state === 'probe') pr.becomeReplicate();
    else if (pr.state === 'snapshot' && pr.match + 1 >= this.log.firstIndex()) {
      pr.becomeProbe();
      pr.becomeReplicate();
    } else if (pr.state === 'replicate') pr.inflights.freeLE(m.index);
    if (this.maybeCommit()) this.broadcastAppend();
    else if (wasPaused) this.sendAppend(m.from, true);
    while (this.sendAppend(m.from, false)) {
      // stream the rest of the log while the window allows
    }
    if (m.from === this.transferee && pr.match === this.log.lastIndex()) {
      this.send({ type: 'timeout-now', to: m.from });
    }
  }

  // ---- replication (leader) ----

  /** Sends the next append (or a snapshot) to `to`; returns whether something was sent. */
  private sendAppend(to: NodeId, sendIfEmpty: boolean): boolean {
    const pr = this.progress.get(to);
    if (!pr || to === this.id || pr.isPaused()) return false;
    const prevIndex = pr.next - 1;
    const prevTerm = this.log.term(prevIndex);
    const entries = this.log.slice(
      pr.next,
      this.log.lastIndex() + 1,
      this.limits.maxAppendBytes,
      this.limits.maxAppendEntries,
    );
    if (prevTerm === undefined || entries === undefined) return this.sendSnapshot(to, pr);
    if (entries.length === 0 && !sendIfEmpty) return false;
    let bytes = 0;
    for (const e of entries) bytes += entryBytes(e);
    this.send({
      type: 'append',
      to,
      index: prevIndex,
      logTerm: prevTerm,
      entries,
      commit: this.log.committed,
    });
    pr.sentEntries(prevIndex + entries.length, entries.length, bytes);
    return true;
  }

  private sendSnapshot(to: NodeId, pr: Progress): boolean {
    if (!pr.recentActive) return false;
    const snapshot = this.log.snapshot;
    assert(snapshot.index > 0, 'a snapshot exists when entries are compacted');
    pr.becomeSnapshot(snapshot.index);
    this.send({ type: 'snapshot', to, snapshot });
    return true;
  }

  private broadcastAppend(): void {
    for (const id of this.progress.keys()) if (id !== this.id) this.sendAppend(id, true);
  }

  private broadcastHeartbeat(context: Uint8Array = this.reads.lastContext()): void {
    for (const [id, pr] of this.progress) {
      if (id === this.id) continue;
      // never tell a follower to commit past what it is known to hold
      const commit = Math.min(pr.match, this.log.committed);
      this.send({ type: 'heartbeat', to: id, commit, context });
    }
  }

  /** Commits the highest index a quorum of voters holds, if it is of the current term. */
  private maybeCommit(): boolean {
    const matches: number[] = [];
    for (const v of this.voters) matches.push(this.progress.get(v)?.match ?? 0);
    if (matches.length === 0) return false;
    matches.sort((a, b) => b - a);
    const index = matches[this.quorum() - 1] as number;
    if (index <= this.log.committed || this.log.term(index) !== this.term) return false;
    for (const e of this.log.slice(this.log.committed + 1, index + 1) ?? []) {
      this.uncommittedBytes = Math.max(0, this.uncommittedBytes - entryBytes(e));
    }
    this.log.commitTo(index);
    return true;
  }

  private appendEntries(entries: Entry[]): void {
    let index = this.log.lastIndex();
    const stamped = entries.map((e) => ({ ...e, term: this.term, index: ++index }));
    this.log.append(stamped);
    const self = this.progress.get(this.id);
    if (self) self.maybeUpdate(this.log.lastIndex());
    this.maybeCommit();
  }

  // ---- follower handlers ----

  private handleAppend(m: Extract<Message, { type: 'append' }>): void {
    if (m.index < this.log.committed) {
      this.send({
        type: 'append-response',
        to: m.from,
        index: this.log.committed,
        reject: false,
        rejectHint: 0,
        logTerm: 0,
      });
      return;
    }
    if (this.log.conflictsWithCommitted(m.entries)) {
      // only a broken or malicious peer sends this: refuse it rather than lose committed entries
      this.reject(m, 'entries conflict with committed entries');
      return;
    }
    const lastNew = this.log.maybeAppend(m.index, m.logTerm, m.commit, m.entries);
    if (lastNew !== undefined) {
      this.send({
        type: 'append-response',
        to: m.from,
        index: lastNew,
        reject: false,
        rejectHint: 0,
        logTerm: 0,
      });
      return;
    }
    const [hintIndex, hintTerm] = this.log.findConflictByTerm(
      Math.min(m.index, this.log.lastIndex()),
      m.logTerm,
    );
    this.send({
      type: 'append-response',
      to: m.from,
      index: m.index,
      reject: true,
      rejectHint: hintIndex,
      logTerm: hintTerm,
    });
  }

  private handleHeartbeat(m: Extract<Message, { type: 'heartbeat' }>): void {
    this.log.commitTo(Math.min(m.commit, this.log.lastIndex()));
    this.send({ type: 'heartbeat-response', to: m.from, context: m.context });
  }

  private handleSnapshot(m: Extract<Message, { type: 'snapshot' }>): void {
    const s = m.snapshot;
    if (s.index <= this.log.committed) {
      this.send({
        type: 'append-response',
        to: m.from,
        index: this.log.committed,
        reject: false,
        rejectHint: 0,
        logTerm: 0,
      });
      return;
    }
    if (this.log.matchTerm(s.index, s.term)) {
      // we hold the snapshot's last entry: just fast-forward the commit index
      this.log.commitTo(s.index);
    } else {
      this.log.restore(s);
      this.setConf(s.conf);
      this.confIndex = s.index;
    }
    this.send({
      type: 'append-response',
      to: m.from,
      index: this.log.lastIndex(),
      reject: false,
      rejectHint: 0,
      logTerm: 0,
    });
  }

  // ---- proposals ----

  propose(data: Uint8Array): Result {
    if (this.role !== 'leader')
      return refuse('not-leader', `node ${this.id} is not the leader (leader: ${this.leader})`);
    if (this.transferee !== NONE)
      return refuse('transfer-in-progress', 'a leadership transfer is in progress');
    if (data.length > MAX_PROPOSAL_BYTES)
      return refuse('proposal-too-large', `proposal of ${data.length} bytes > ${MAX_PROPOSAL_BYTES}`);
    const bytes = data.length + 16;
    if (this.uncommittedBytes > 0 && this.uncommittedBytes + bytes > this.limits.maxUncommittedBytes) {
      return refuse('too-many-uncommitted', `more than ${this.limits.maxUncommittedBytes} uncommitted bytes`);
    }
    this.uncommittedBytes += bytes;
    this.appendEntries([{ kind: 'normal', term: 0, index: 0, data }]);
    this.broadcastAppend();
    return OK;
  }

  proposeConfChange(change: ConfChange): Result {
    if (this.role !== 'leader')
      return refuse('not-leader', `node ${this.id} is not the leader (leader: ${this.leader})`);
    if (this.transferee !== NONE)
      return refuse('transfer-in-progress', 'a leadership transfer is in progress');
    if (this.pendingConfIndex > this.log.applied) {
      return refuse('conf-change-pending', `the conf change at ${this.pendingConfIndex} is not applied yet`);
    }
    const invalid = this.validateConfChange(change);
    if (invalid) return invalid;
    this.appendEntries([{ kind: 'conf', term: 0, index: 0, change }]);
    this.pendingConfIndex = this.log.lastIndex();
    this.broadcastAppend();
    return OK;
  }

  /** Why `change` cannot apply to the current configuration, or undefined when it can. */
  private validateConfChange(change: ConfChange): Result | undefined {
    return confChangeProblem(this.voters, this.learners, change);
  }

  /**
   * Applies the committed conf change of entry `index` (RawNode does it when the application
   * advances past the entry; entries already reflected, e.g. after a restart, are skipped). A
   * change that is not valid for the configuration is skipped, identically on every node.
   */
  applyConfChange(change: ConfChange, index: number): void {
    if (index <= this.confIndex) return;
    this.confIndex = index;
    if (this.validateConfChange(change)) return;
    const n = change.node;
    switch (change.type) {
      case 'add-learner':
        this.learners.add(n);
        break;
      case 'add-voter':
        this.learners.delete(n);
        this.voters.add(n);
        break;
      case 'remove':
        this.voters.delete(n);
        this.learners.delete(n);
        break;
    }
    assert(this.voters.size <= MAX_VOTERS, 'at most MAX_VOTERS voters');
    this.syncProgress();
    if (this.role !== 'leader') return;
    if (!this.voters.has(this.id)) {
      this.becomeFollower(this.term, NONE); // a removed leader steps down
      return;
    }
    if (this.transferee !== NONE && !this.voters.has(this.transferee)) this.transferee = NONE;
    if (this.maybeCommit()) this.broadcastAppend();
    else this.broadcastAppend();
  }

  private setConf(conf: ConfState): void {
    this.voters.clear();
    this.learners.clear();
    for (const v of conf.voters) this.voters.add(v);
    for (const l of conf.learners) this.learners.add(l);
    this.syncProgress();
  }

  /** One Progress per member: new members start probing at the end of our log. */
  private syncProgress(): void {
    for (const id of this.progress.keys()) {
      if (!this.voters.has(id) && !this.learners.has(id)) this.progress.delete(id);
    }
    for (const id of [...this.voters, ...this.learners]) {
      if (this.progress.has(id)) continue;
      const pr = new Progress(this.log.lastIndex() + 1, this.limits.maxInflightAppends, this.inflightBytes());
      if (id === this.id) pr.match = this.log.lastIndex();
      this.progress.set(id, pr);
    }
  }

  // ---- leadership transfer ----

  transferLeader(to: NodeId): void {
    if (this.role !== 'leader') {
      if (this.leader !== NONE) this.send({ type: 'transfer-leader', to: this.leader, target: to });
      return;
    }
    if (to === this.id || !this.voters.has(to)) return;
    if (this.transferee === to) return;
    this.transferee = to;
    this.electionElapsed = 0; // the transfer must finish within one election timeout
    const pr = this.progress.get(to);
    if (pr && pr.match === this.log.lastIndex()) this.send({ type: 'timeout-now', to });
    else this.sendAppend(to, true);
  }

  // ---- linearizable reads ----

  readIndex(context: Uint8Array): Result {
    if (context.length > MAX_READ_CONTEXT_BYTES) {
      return refuse(
        'context-too-large',
        `read context of ${context.length} bytes > ${MAX_READ_CONTEXT_BYTES}`,
      );
    }
    if (this.role !== 'leader') {
      if (this.leader === NONE) return refuse('not-leader', 'no known leader to ask');
      this.send({ type: 'read-index', to: this.leader, context });
      return OK;
    }
    return this.leaderReadIndex(this.id, context);
  }

  private leaderReadIndex(from: NodeId, context: Uint8Array): Result {
    // Until an entry of this term commits, the leader's commit index may be stale (thesis §6.4).
    if (this.log.term(this.log.committed) !== this.term) {
      return refuse('no-commit-in-term', 'the leader has not committed an entry in its term yet');
    }
    const index = this.log.committed;
    if (this.voters.size === 1 || this.readOnly === 'lease') {
      this.answerRead(from, index, context);
      return OK;
    }
    if (this.reads.size() >= MAX_PENDING_READS) {
      return refuse('too-many-reads', `more than ${MAX_PENDING_READS} pending reads`);
    }
    this.reads.add(this.id, from, index, context);
    this.broadcastHeartbeat(context);
    return OK;
  }

  /** A heartbeat answer echoing `context`: a quorum of them confirms that read and all before it. */
  private ackRead(from: NodeId, context: Uint8Array): void {
    if (!this.voters.has(from)) return;
    const isConfirmed = (acks: ReadonlySet<NodeId>) => {
      let n = 0;
      for (const v of acks) if (this.voters.has(v)) n++;
      return n >= this.quorum();
    };
    for (const r of this.reads.ack(from, context, isConfirmed)) this.answerRead(r.from, r.index, r.context);
  }

  private answerRead(from: NodeId, index: number, context: Uint8Array): void {
    if (from === this.id) this.readStates.push({ index, context });
    else this.send({ type: 'read-index-response', to: from, index, context });
  }

  // ---- application feedback ----

  /** The application reports that a snapshot sent to `to` failed (or succeeded): probe again. */
  reportSnapshot(to: NodeId, failed: boolean): void {
    const pr = this.progress.get(to);
    if (this.role !== 'leader' || !pr || pr.state !== 'snapshot') return;
    if (failed) pr.pendingSnapshot = 0;
    pr.becomeProbe();
    pr.probeSent = true; // wait for the next heartbeat answer before probing
  }

  /** The application could not reach `to`: stop streaming to it. */
  reportUnreachable(to: NodeId): void {
    const pr = this.progress.get(to);
    if (this.role === 'leader' && pr && pr.state === 'replicate') pr.becomeProbe();
  }

  /** Creates a snapshot at the applied index with the application's `data` and compacts the log. */
  createSnapshot(data: Uint8Array): Snapshot {
    const index = this.log.applied;
    const term = this.log.term(index);
    assert(term !== undefined, `the applied index ${index} is in the log`);
    const snapshot: Snapshot = { index, term, conf: this.confState(), data };
    if (index > this.log.snapshot.index) this.log.compact(snapshot);
    return snapshot;
  }

  /** Called by RawNode when a received snapshot has been handed to the application. */
  snapshotApplied(snapshot: Snapshot): void {
    this.log.appliedTo(snapshot.index);
    if (this.log.pendingSnapshot === snapshot) this.log.pendingSnapshot = undefined;
  }
}
