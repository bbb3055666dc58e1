// Test support for Raft: an in-process cluster of RawNodes with a controllable network (queues,
// partitions), a toy state machine per node (the list of applied entries), the Ready loop done the
// way docs/raft.md asks (persist, send, apply, advance), and compact text formats for the
// data-driven scripts.

import { MemoryStorage } from '../../src/cluster/memory-storage.js';
import type { RaftConfig, ReadOnlyMode } from '../../src/cluster/raft/config.js';
import { RawNode } from '../../src/cluster/raft/raw-node.js';
import type { Entry, HardState, Message, Ready, Snapshot } from '../../src/cluster/raft/types.js';
import { Wal } from '../../src/cluster/raft/wal.js';
import type { NodeId } from '../../src/net/node-id.js';
import type { Random } from '../../src/net/random.js';
import { SeededRandom } from '../../src/net/random.js';

const decoder = new TextDecoder();
const encoder = new TextEncoder();

export function text(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

export function bytes(s: string): Uint8Array {
  return encoder.encode(s);
}

export function formatEntry(e: Entry): string {
  const body =
    e.kind === 'conf' ? `${e.change.type}(${e.change.node})` : e.data.length === 0 ? '-' : text(e.data);
  return `${e.term}/${e.index} ${body}`;
}

export function formatMessage(m: Message): string {
  const head = `${m.from}->${m.to} ${m.type} term=${m.term}`;
  switch (m.type) {
    case 'append':
      return `${head} index=${m.index} logTerm=${m.logTerm} commit=${m.commit} entries=[${m.entries.map(formatEntry).join(', ')}]`;
    case 'append-response':
      return m.reject
        ? `${head} reject index=${m.index} hint=${m.rejectHint}/${m.logTerm}`
        : `${head} index=${m.index}`;
    case 'vote':
      return `${head}${m.pre ? ' pre' : ''} index=${m.index} logTerm=${m.logTerm}${m.transfer ? ' transfer' : ''}`;
    case 'vote-response':
      return `${head}${m.pre ? ' pre' : ''}${m.reject ? ' reject' : ' grant'}`;
    case 'heartbeat':
      return `${head} commit=${m.commit}${m.context.length ? ` ctx=${text(m.context)}` : ''}`;
    case 'heartbeat-response':
      return `${head}${m.context.length ? ` ctx=${text(m.context)}` : ''}`;
    case 'snapshot':
      return `${head} snapshot=${m.snapshot.term}/${m.snapshot.index} voters=(${m.snapshot.conf.voters.join(',')}) learners=(${m.snapshot.conf.learners.join(',')})`;
    case 'timeout-now':
      return head;
    case 'transfer-leader':
      return `${head} target=${m.target}`;
    case 'read-index':
      return `${head} ctx=${text(m.context)}`;
    case 'read-index-response':
      return `${head} index=${m.index} ctx=${text(m.context)}`;
  }
}

/** What a node has made durable: a stand-in for the WAL (wal.ts has its own tests). */
export interface Persister {
  save(rd: Ready): void;
  saveSnapshot(s: Snapshot): void;
  load(): { hardState: HardState; snapshot: Snapshot | undefined; entries: Entry[] };
}

export class MemoryPersister implements Persister {
  private hard: HardState = { term: 0, vote: 0, commit: 0 };
  private snap: Snapshot | undefined;
  private entries: Entry[] = [];
  save(rd: Ready): void {
    if (rd.snapshot) this.saveSnapshot(rd.snapshot);
    for (const e of rd.entries) {
      const at = this.entries.findIndex((x) => x.index >= e.index);
      if (at >= 0) this.entries.length = at;
      this.entries.push(e);
    }
    if (rd.hardState) this.hard = rd.hardState;
  }
  saveSnapshot(s: Snapshot): void {
    if (this.snap && this.snap.index >= s.index) return;
    this.snap = s;
    this.entries = this.entries.filter((e) => e.index > s.index);
  }
  load(): { hardState: HardState; snapshot: Snapshot | undefined; entries: Entry[] } {
    return { hardState: this.hard, snapshot: this.snap, entries: [...this.entries] };
  }
}

/** The real durable log on a simulated disk: a restart is a power cut that may tear the tail. */
export class WalPersister implements Persister {
  readonly storage = new MemoryStorage();
  private wal: Wal;
  constructor(private readonly tear: Random) {
    this.wal = Wal.open(this.storage, 'raft', { segmentBytes: 2048 }).wal;
  }
  save(rd: Ready): void {
    this.wal.saveReady(rd);
  }
  saveSnapshot(s: Snapshot): void {
    this.wal.saveSnapshot(s, false);
  }
  load(): { hardState: HardState; snapshot: Snapshot | undefined; entries: Entry[] } {
    this.storage.crash(this.tear);
    const { wal, state } = Wal.open(this.storage, 'raft', { segmentBytes: 2048 });
    this.wal = wal;
    return state;
  }
}

export interface Applied {
  readonly index: number;
  readonly term: number;
  readonly text: string;
}

export interface NodeOptions {
  preVote: boolean;
  checkQuorum: boolean;
  readOnly: ReadOnlyMode;
  electionTicks: number;
  heartbeatTicks: number;
  maxInflightAppends?: number;
  maxAppendEntries?: number;
}

export class Member {
  node: RawNode;
  applied: Applied[] = [];
  reads: string[] = [];
  constructor(
    readonly id: NodeId,
    readonly config: RaftConfig,
    readonly persister: Persister,
  ) {
    this.node = new RawNode(config);
  }
}

export class RaftCluster {
  readonly members = new Map<number, Member>();
  /** Messages sent and not delivered yet, in order. */
  queue: Message[] = [];
  private readonly blocked = new Set<string>();
  /** Observers, called after each Ready is handled (the property test checks invariants there). */
  onReady: ((m: Member, rd: Ready) => void) | undefined;
  output: string[] = [];
  level: 'none' | 'info' | 'debug' = 'info';

  constructor(
    readonly seed = 1,
    private readonly persister: (id: number) => Persister = () => new MemoryPersister(),
  ) {}

  add(id: number, start: RaftConfig['start'], options: NodeOptions): Member {
    const config: RaftConfig = {
      id: id as NodeId,
      electionTicks: options.electionTicks,
      heartbeatTicks: options.heartbeatTicks,
      random: new SeededRandom(this.seed * 1000 + id),
      preVote: options.preVote,
      checkQuorum: options.checkQuorum,
      readOnly: options.readOnly,
      maxInflightAppends: options.maxInflightAppends,
      maxAppendEntries: options.maxAppendEntries,
      start,
    };
    const m = new Member(id as NodeId, config, this.persister(id));
    this.members.set(id, m);
    return m;
  }

  member(id: number): Member {
    const m = this.members.get(id);
    if (!m) throw new Error(`no node ${id}`);
    return m;
  }

  ids(): number[] {
    return [...this.members.keys()].sort((a, b) => a - b);
  }

  private say(level: 'info' | 'debug', line: string): void {
    if (this.level === 'debug' || (this.level === 'info' && level === 'info')) this.output.push(line);
  }

  /** Handles one Ready of node `id` (persist, send, apply, advance); returns whether there was one. */
  processReady(id: number): boolean {
    const m = this.member(id);
    if (!m.node.hasReady()) return false;
    const rd = m.node.ready();
    m.persister.save(rd);
    if (rd.softState)
      this.say(
        'info',
        `${id}: ${rd.softState.role} leader=${rd.softState.leader} term=${m.node.status().term}`,
      );
    for (const e of rd.entries) this.say('debug', `${id}: persist ${formatEntry(e)}`);
    if (rd.hardState) {
      const h = rd.hardState;
      this.say('debug', `${id}: hard state term=${h.term} vote=${h.vote} commit=${h.commit}`);
    }
    for (const msg of rd.messages) {
      this.say('debug', `  ${formatMessage(msg)}`);
      if (!this.isBlocked(msg.from, msg.to)) this.queue.push(msg);
    }
    if (rd.snapshot) {
      m.applied = JSON.parse(text(rd.snapshot.data)) as Applied[];
      this.say('info', `${id}: applied snapshot ${rd.snapshot.term}/${rd.snapshot.index}`);
    }
    for (const e of rd.committedEntries) {
      const t = formatEntry(e);
      m.applied.push({ index: e.index, term: e.term, text: t.slice(t.indexOf(' ') + 1) });
      this.say('info', `${id}: apply ${t}`);
    }
    for (const r of rd.readStates) {
      m.reads.push(`${text(r.context)}@${r.index}`);
      this.say('info', `${id}: read ${text(r.context)} at index ${r.index}`);
    }
    this.onReady?.(m, rd);
    m.node.advance(rd);
    return true;
  }

  /** Delivers queued messages addressed to `to` (all when undefined); returns how many. */
  deliver(to?: number): number {
    const now = this.queue.filter((msg) => to === undefined || msg.to === to);
    this.queue = this.queue.filter((msg) => !(to === undefined || msg.to === to));
    for (const msg of now) this.deliverOne(msg);
    return now.length;
  }

  deliverOne(msg: Message): void {
    const target = this.members.get(msg.to);
    if (!target || this.isBlocked(msg.from, msg.to)) return;
    target.node.step(msg);
  }

  /** Ready and deliver until nothing moves. */
  stabilize(): void {
    for (let round = 0; round < 1000; round++) {
      let moved = false;
      for (const id of this.ids()) moved = this.processReady(id) || moved;
      moved = this.deliver() > 0 || moved;
      if (!moved) return;
    }
    throw new Error('stabilize did not converge in 1000 rounds');
  }

  isBlocked(a: number, b: number): boolean {
    return this.blocked.has(`${a}-${b}`);
  }

  /** Cuts every link between different groups; nodes not listed form their own group. */
  partition(groups: number[][]): void {
    this.blocked.clear();
    const group = new Map<number, number>();
    groups.forEach((g, i) => {
      for (const id of g) group.set(id, i);
    });
    for (const a of this.ids())
      for (const b of this.ids()) {
        if (a !== b && (group.get(a) ?? -a) !== (group.get(b) ?? -b)) this.blocked.add(`${a}-${b}`);
      }
  }

  heal(): void {
    this.blocked.clear();
  }

  /** Snapshot data for a node: its applied list. */
  snapshotData(id: number): Uint8Array {
    return bytes(JSON.stringify(this.member(id).applied));
  }

  /** Rebuilds node `id` from what it persisted (a crash loses everything volatile). */
  restart(id: number): void {
    const m = this.member(id);
    const state = m.persister.load();
    const config: RaftConfig = {
      ...m.config,
      random: new SeededRandom(this.seed * 7919 + id),
      start: { kind: 'restore', ...state },
    };
    m.node = new RawNode(config);
    m.applied = state.snapshot ? (JSON.parse(text(state.snapshot.data)) as Applied[]) : [];
    m.reads = [];
  }
}
