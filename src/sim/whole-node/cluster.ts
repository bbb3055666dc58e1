// The simulator's whole-node mode (DESIGN.md §6): a SimCluster of a handful of WholeNodes — each a
// kernel on small RAM with its system servers, the Raft registry, SWIM and the plugged-in cluster
// services — over one SimNetwork, one VirtualClock and one seeded Random. It offers what scenarios
// need: spawn an ELF on a node, read a process's output by NPID, wait for exits, run until a
// predicate (bounded), and faults (crash, restart, partitions, loss, duplication, delay, pause,
// drift, disk; faults.ts schedules them from the seed). After every step it checks the invariants
// (invariants.ts); every event is folded into a SHA-256 trace hash: same seed, same hash.
import { createHash } from 'node:crypto';
import type { ReplicaHooks } from '../../cluster/consensus/replica.js';
import type { MembershipEvent } from '../../cluster/membership/member.js';
import { MAX_VOTERS } from '../../cluster/raft/limits.js';
import { type Member, members } from '../../cluster/registry/schema.js';
import type { Process } from '../../kernel/proc.js';
import { formatNodeId, type NodeId } from '../../net/node-id.js';
import { SeededRandom } from '../../net/random.js';
import { SimNetwork } from '../../net/sim-transport.js';
import { VirtualClock } from '../../net/virtual-clock.js';
import { InvariantChecker, type Violation } from '../invariants.js';
import { SIM_SAME_INSTANT_STEPS_MAX } from '../limits.js';
import { type LinkFaults, NO_LINK_FAULTS } from '../sim-transport-faults.js';
import { DuplicateWatch } from './invariants.js';
import {
  DRIVER_SLICE_BUDGET,
  EXITS_MAX,
  OUTPUT_BYTES_MAX,
  RUN_STEPS_MAX,
  WHOLE_NODE_RAM_MAX_MIB,
  WHOLE_NODE_RAM_MIB,
  WHOLE_NODES_MAX,
  WHOLE_TRACE_LINES_MAX,
} from './limits.js';
import { WholeNode } from './node.js';
import { type Programs, userPrograms } from './programs.js';
import type { SimServiceFactory } from './service.js';

export interface SimClusterOptions {
  readonly seed: number;
  /** Nodes (default 3, at most WHOLE_NODES_MAX); the first min(N, 5) bootstrap as voters. */
  readonly nodes?: number;
  /** Guest RAM per node in MiB (default WHOLE_NODE_RAM_MIB). */
  readonly ramMiB?: number;
  /** Cluster services every node starts at boot, in order. */
  readonly services?: readonly SimServiceFactory[];
  /** The program store (default: user/bin). */
  readonly programs?: Programs;
  /** Instructions per driver slice (default DRIVER_SLICE_BUDGET). */
  readonly sliceBudget?: number;
  /**
   * Whether link loss, duplication and reordering also hit the services' links (default true: a
   * service must survive what Raft survives). False: only partitions, delay and crashes reach them.
   */
  readonly serviceLinkFaults?: boolean;
  /** Keep the trace lines (for --trace and failing tests). */
  readonly keepTrace?: boolean;
  /** The leader marks a node dead in members/ this long after SWIM's verdict (ms, default 500). */
  readonly deadMarkDelayMs?: number;
}

/** How a process ended, as the cluster saw it. */
export interface ExitRecord {
  readonly npid: string;
  readonly node: NodeId;
  readonly incarnation: number;
  /** The copy's local process id on that node. */
  readonly pid: number;
  /** The copy (see SimCluster.copyId). */
  readonly copy: number;
  readonly code: number;
  readonly signaled: boolean;
  readonly at: number;
  /** Order among all events the cluster records (exits, checkpoints a scenario marks). */
  readonly seq: number;
}

/** What a spawn made. */
export interface Spawned {
  readonly npid: string;
  readonly node: NodeId;
  readonly pid: number;
}

/** The daemon's Raft timing (src/node/limits.ts RAFT_TICK_MS, RAFT_ELECTION_TICKS). */
const TICK_MS = 50;
const ELECTION_TICKS = 12;
/** How often the membership reconciler runs (the daemon's REGISTRY_RECONCILE_MS order). */
const MEMBERSHIP_EVERY_MS = 200;

export class SimCluster {
  readonly clock = new VirtualClock();
  readonly random: SeededRandom;
  readonly network: SimNetwork;
  readonly nodes: WholeNode[] = [];
  readonly checker: InvariantChecker;
  readonly programs: Programs;
  /** Faults on links (Raft, SWIM, and the services' unless serviceLinkFaults is false). */
  linkFaults: LinkFaults = { ...NO_LINK_FAULTS };
  readonly exits = new Map<string, ExitRecord[]>();
  /** Each process's parent NPID when first seen (output or exit): ancestry for scenarios. */
  readonly parentOf = new Map<string, string>();
  /** A counter ordering exits and scenario marks (nextSeq). */
  private seq = 0;
  /** Kernel reports (crash reports, warnings), with the node. */
  readonly reports: string[] = [];
  steps = 0;
  private readonly hash = createHash('sha256');
  private readonly traceLines: string[] | undefined;
  private readonly outputs = new Map<string, { chunks: Uint8Array[]; length: number; dropped: number }>();
  /** Standard output per copy of a process (copyId): what that copy printed. */
  private readonly copyOutputs = new Map<number, { chunks: Uint8Array[]; length: number }>();
  private readonly copyIds = new WeakMap<Process, number>();
  private copies = 0;
  private readonly duplicates: DuplicateWatch;
  private readonly faultRandom: SeededRandom;
  private exitCount = 0;
  private stuckAt = -1;
  private stuckSteps = 0;
  private started = false;
  private readonly swimDead = new Map<NodeId, number>();

  constructor(readonly options: SimClusterOptions) {
    const n = options.nodes ?? 3;
    if (!Number.isInteger(n) || n < 1 || n > WHOLE_NODES_MAX)
      throw new RangeError(`whole-node mode runs 1 to ${WHOLE_NODES_MAX} nodes (got ${n})`);
    const ram = options.ramMiB ?? WHOLE_NODE_RAM_MIB;
    if (!Number.isInteger(ram) || ram < 1 || ram > WHOLE_NODE_RAM_MAX_MIB)
      throw new RangeError(`RAM per node is 1 to ${WHOLE_NODE_RAM_MAX_MIB} MiB (got ${ram})`);
    this.random = new SeededRandom(options.seed);
    this.faultRandom = this.random.fork();
    this.network = new SimNetwork({
      clock: this.clock,
      random: this.random.fork(),
      faults: { latencyMs: 1, jitterMs: 2 },
    });
    this.programs = options.programs ?? userPrograms();
    this.traceLines = options.keepTrace ? [] : undefined;
    this.checker = new InvariantChecker(() => this.clock.now());
    this.duplicates = new DuplicateWatch(
      () => this.clock.now(),
      (a, b) => this.network.isBlocked(a, b) || this.network.isBlocked(b, a),
    );
    const ids = Array.from({ length: n }, (_, i) => (i + 1) as NodeId);
    const voters = ids.slice(0, Math.min(MAX_VOTERS, n));
    const nodeRandom = this.random.fork();
    const serviceFaults = options.serviceLinkFaults !== false;
    for (const id of ids) {
      this.nodes.push(
        new WholeNode(id, {
          clock: this.clock,
          network: this.network,
          random: nodeRandom,
          programs: this.programs,
          ramMiB: ram,
          sliceBudget: options.sliceBudget ?? DRIVER_SLICE_BUDGET,
          linkFaults: () => this.linkFaults,
          serviceLinkFaults: () => (serviceFaults ? this.linkFaults : NO_LINK_FAULTS),
          trace: (l) => this.trace(l),
          hooks: (node) => this.hooks(node),
          ids,
          start: voters.includes(id) ? { kind: 'bootstrap', voters } : { kind: 'join' },
          onMember: (node, e) => this.memberEvent(node, e),
          sinks: (node) => ({
            output: (p, fd, data) => this.recordOutput(node, p, fd, data),
            exited: (p) => this.exited(node, p),
            report: (message) => {
              this.trace(`report ${node.id} ${JSON.stringify(message)}`);
              if (this.reports.length < EXITS_MAX) this.reports.push(`node ${node.id}: ${message}`);
            },
          }),
          afterSlice: () => undefined,
          kernelViolation: (node, e) => this.fail('kernel', `node ${node.id}: ${e.message}`),
          services: options.services ?? [],
          replica: {
            tickMs: TICK_MS,
            electionTicks: ELECTION_TICKS,
            snapshotEvery: 64,
            requestTimeoutMs: 1000,
          },
        }),
      );
    }
    this.duplicates.onViolation = (detail) => this.fail('one-live-copy', detail);
  }

  get violation(): Violation | undefined {
    return this.checker.violation;
  }

  fail(invariant: string, detail: string): void {
    this.checker.violation ??= { invariant, detail, at: this.clock.now() };
    this.trace(`violation ${invariant} ${detail}`);
  }

  trace(line: string): void {
    const l = `${this.clock.now().toFixed(3)} ${line}`;
    this.hash.update(l);
    this.hash.update('\n');
    if (this.traceLines && this.traceLines.length < WHOLE_TRACE_LINES_MAX) this.traceLines.push(l);
  }

  /** The trace so far (when keepTrace). */
  get traceText(): readonly string[] {
    return this.traceLines ?? [];
  }

  /** The SHA-256 of every event so far: same seed and scenario, same hash. */
  digest(): string {
    return this.hash.copy().digest('hex');
  }

  node(id: NodeId | number): WholeNode {
    const n = this.nodes[id - 1];
    if (!n) throw new RangeError(`no node ${id}`);
    return n;
  }

  /** A fork of the cluster's random for the fault schedule and scenarios (from the seed). */
  forkRandom(): SeededRandom {
    return this.faultRandom.fork();
  }

  // ---- the registry ---------------------------------------------------------------------------

  private hooks(node: WholeNode): ReplicaHooks {
    return {
      onApply: (e) => {
        this.trace(`apply ${node.id} ${e.index}/${e.term} ${e.kind}`);
        this.checker.applied(node.id, e);
      },
      onRestore: (s) => {
        this.trace(`restore ${node.id} ${s.index}/${s.term}`);
        this.checker.restored(node.id, s);
      },
      onRole: (role, leader, term) => {
        this.trace(`role ${node.id} ${role} leader=${leader} term=${term}`);
        if (role === 'leader') this.checker.leader(node.id, term);
      },
      onFailed: (e) => {
        this.trace(`failed ${node.id} ${e.message}`);
        // The process dies of its disk error; the fault schedule (or the scenario) restarts it.
        this.clock.setTimer(1, () => {
          if (node.live?.replica.failed) this.crash(node.id);
        });
      },
    };
  }

  private memberEvent(node: WholeNode, e: MembershipEvent): void {
    if (e.type !== 'member') return;
    this.trace(`member ${node.id} sees ${e.node} ${e.state} ${e.reason} inc=${e.incarnation}`);
  }

  /** The node leading the registry now, if any. */
  leader(): WholeNode | undefined {
    return this.nodes.find((n) => n.live?.replica.isLeader);
  }

  /**
   * What the daemon's registry reconciler does: nodes beyond the bootstrap voters join (learners,
   * promoted while voters < 5); each node registers itself in members/ as alive; the leader marks a
   * node dead a while after SWIM declared it so.
   */
  private membershipTick(): void {
    const leader = this.leader();
    const live = leader?.live;
    if (live) {
      const st = live.replica.status();
      const inConf = new Set([...st.voters, ...st.learners]);
      const missing = this.nodes.find((n) => !inConf.has(n.id));
      const learner = st.learners.find(() => st.voters.length < MAX_VOTERS);
      if (missing) {
        this.trace(`raft add-learner ${missing.id}`);
        live.replica.addLearner(missing.id).catch(() => undefined);
      } else if (learner !== undefined) {
        this.trace(`raft promote ${learner}`);
        live.replica.promote(learner).catch(() => undefined);
      }
      const delay = this.options.deadMarkDelayMs ?? 500;
      for (const n of this.nodes) {
        if (n === leader) continue;
        const state = live.swim.membership.stateOf(n.id);
        if (state !== 'dead') {
          this.swimDead.delete(n.id);
          continue;
        }
        const since = this.swimDead.get(n.id) ?? this.clock.now();
        this.swimDead.set(n.id, since);
        if (this.clock.now() - since >= delay) this.markMember(leader, n.id, 'dead');
      }
    }
    for (const n of this.nodes) if (n.live && this.leader()) this.markMember(n, n.id, 'alive');
  }

  private readonly marking = new Set<string>();

  private markMember(via: WholeNode, id: NodeId, state: Member['state']): void {
    const live = via.live;
    if (!live) return;
    const key = members.key(id);
    const cur = live.stateMachine.get(key);
    if (cur) {
      try {
        if (members.decode(cur.value).state === state) return;
      } catch {
        // rewrite a record we cannot read
      }
    }
    const busy = `${via.id}:${id}`;
    if (this.marking.has(busy)) return;
    this.marking.add(busy);
    const record: Member = {
      id,
      fingerprint: formatNodeId(id).padStart(64, '0'),
      addresses: [`sim:${formatNodeId(id)}`],
      labels: {},
      state,
      since: Math.floor(this.clock.now()),
    };
    this.trace(`members ${via.id} marks ${id} ${state}`);
    live.client
      .put(key, members.encode(record))
      .catch(() => undefined)
      .finally(() => this.marking.delete(busy));
  }

  // ---- processes ------------------------------------------------------------------------------

  private recordOutput(node: WholeNode, p: Process, fd: number, data: Uint8Array): void {
    this.trace(`out ${node.id} ${p.npid} fd${fd} ${data.length}`);
    this.noteParent(p);
    this.hash.update(data);
    const rec = this.outputs.get(p.npid) ?? { chunks: [], length: 0, dropped: 0 };
    this.outputs.set(p.npid, rec);
    if (fd !== 1) return;
    const key = this.copyId(p);
    const copy = this.copyOutputs.get(key) ?? { chunks: [], length: 0 };
    this.copyOutputs.set(key, copy);
    if (copy.length + data.length <= OUTPUT_BYTES_MAX) {
      copy.chunks.push(data.slice());
      copy.length += data.length;
    }
    if (rec.length + data.length > OUTPUT_BYTES_MAX) {
      rec.dropped += data.length;
      return;
    }
    rec.chunks.push(data.slice());
    rec.length += data.length;
  }

  private exited(node: WholeNode, p: Process): void {
    const t = p.termination;
    const signaled = t?.kind === 'signaled';
    const code = p.exitCode ?? -1;
    this.trace(`exit ${node.id} ${p.npid} ${signaled ? 'signal' : 'status'} ${code}`);
    this.noteParent(p);
    if (this.exitCount++ >= EXITS_MAX) return;
    const list = this.exits.get(p.npid) ?? [];
    list.push({
      npid: p.npid,
      node: node.id,
      incarnation: node.incarnation,
      pid: p.pid,
      copy: this.copyId(p),
      code,
      signaled,
      at: this.clock.now(),
      seq: this.nextSeq(),
    });
    this.exits.set(p.npid, list);
  }

  private noteParent(p: Process): void {
    const parent = p.parent;
    if (parent && !this.parentOf.has(p.npid)) this.parentOf.set(p.npid, parent.npid);
  }

  /** The next number of the cluster's event order (exits use it; scenarios mark checkpoints). */
  nextSeq(): number {
    return ++this.seq;
  }

  /** Standard output of `npid` so far, from every node it ran on, in order. */
  output(npid: string): string {
    const rec = this.outputs.get(npid);
    return rec ? Buffer.concat(rec.chunks).toString('latin1') : '';
  }

  /**
   * A number for one copy of a process: one kernel's Process object (a restore or a migration makes
   * a new copy with the same NPID, and a restore may reuse the pid of an ended process).
   */
  copyId(p: Process): number {
    let id = this.copyIds.get(p);
    if (id === undefined) {
      id = ++this.copies;
      this.copyIds.set(p, id);
    }
    return id;
  }

  /** Standard output one copy of a process printed (see copyId). */
  copyOutput(copy: number): string {
    const rec = this.copyOutputs.get(copy);
    return rec ? Buffer.concat(rec.chunks).toString('latin1') : '';
  }

  /** Bytes of standard output recorded for `npid`. */
  outputLength(npid: string): number {
    return this.outputs.get(npid)?.length ?? 0;
  }

  /**
   * Cuts the recorded output of `npid` back to `length` bytes: a scenario that restores a process
   * from a checkpoint drops what the lost copy printed after it (the restored copy prints it again).
   */
  truncateOutput(npid: string, length: number): void {
    const rec = this.outputs.get(npid);
    if (!rec || rec.length <= length) return;
    const all = Buffer.concat(rec.chunks).subarray(0, length);
    rec.chunks = [new Uint8Array(all)];
    rec.length = length;
    this.trace(`truncate-output ${npid} ${length}`);
  }

  /** Spawns `program args...` (from the program store) on node `id`. Throws if the node is down. */
  spawn(id: NodeId | number, program: string, args: readonly string[] = []): Spawned {
    const node = this.node(id);
    const p = node.kernel.spawn({ file: this.programs.get(program), argv: [program, ...args], envp: [] });
    this.trace(`spawn ${node.id} ${p.npid} ${program} ${args.join(' ')}`);
    node.wake();
    return { npid: p.npid, node: node.id, pid: p.pid };
  }

  /** The live copy of `npid` on each up node where one exists. */
  whereIs(npid: string): { node: WholeNode; process: Process }[] {
    const out: { node: WholeNode; process: Process }[] = [];
    for (const node of this.nodes) {
      for (const p of node.liveCopies()) if (p.npid === npid) out.push({ node, process: p });
    }
    return out;
  }

  /** The last exit recorded for `npid`, if any. */
  exitOf(npid: string): ExitRecord | undefined {
    const list = this.exits.get(npid);
    return list?.[list.length - 1];
  }

  // ---- running --------------------------------------------------------------------------------

  /** Boots every node and starts the membership reconciler. */
  start(): void {
    if (this.started) return;
    this.started = true;
    for (const n of this.nodes) this.boot(n.id);
    const tick = () => {
      this.membershipTick();
      this.clock.setTimer(MEMBERSHIP_EVERY_MS, tick);
    };
    this.clock.setTimer(MEMBERSHIP_EVERY_MS, tick);
  }

  /** One clock event; false when nothing is left to run or a run is stuck at one instant. */
  step(): boolean {
    if (!this.clock.step()) return false;
    this.steps++;
    this.duplicates.check(this.nodes);
    if (this.clock.now() === this.stuckAt) {
      if (++this.stuckSteps > SIM_SAME_INSTANT_STEPS_MAX) {
        this.fail('progress', `more than ${SIM_SAME_INSTANT_STEPS_MAX} events at one virtual instant`);
        return false;
      }
    } else {
      this.stuckAt = this.clock.now();
      this.stuckSteps = 0;
    }
    return true;
  }

  /**
   * Runs until `done()` holds (true), or an invariant breaks, `maxMs` of virtual time pass or
   * `maxSteps` clock events run (false). Lets promise continuations run after every step.
   */
  async runUntil(done: () => boolean, maxMs = 60_000, maxSteps = RUN_STEPS_MAX): Promise<boolean> {
    const end = this.clock.now() + maxMs;
    let steps = 0;
    while (!this.violation) {
      if (done()) return true;
      if (this.clock.now() > end || steps++ >= maxSteps || !this.step()) return false;
      await flush();
    }
    return false;
  }

  /** Runs `ms` of virtual time (false if an invariant broke). */
  async runFor(ms: number): Promise<boolean> {
    const end = this.clock.now() + ms;
    await this.runUntil(() => this.clock.now() >= end, ms + 1);
    return !this.violation;
  }

  /** Runs until some node leads the registry and every up node has applied its commit index. */
  async waitForLeader(maxMs = 10_000): Promise<boolean> {
    return this.runUntil(() => {
      const l = this.leader()?.live;
      if (!l) return false;
      const commit = l.replica.status().commit;
      return commit > 0 && this.nodes.every((n) => !n.live || n.live.replica.appliedIndex >= commit);
    }, maxMs);
  }

  /** Runs until `npid` has an exit record (true) or the bound passes. */
  async waitExit(npid: string, maxMs = 60_000): Promise<ExitRecord | undefined> {
    await this.runUntil(() => this.exits.has(npid), maxMs);
    return this.exitOf(npid);
  }

  // ---- faults ---------------------------------------------------------------------------------

  /** Boots (or restarts) node `id` from its durable storage: a fresh kernel, the same id. */
  boot(id: NodeId | number): void {
    const node = this.node(id);
    this.checker.restored(node.id, undefined);
    try {
      node.boot();
    } catch (e) {
      this.trace(`boot-failed ${node.id} ${(e as Error).message}`);
      this.clock.setTimer(100, () => {
        if (!node.up) this.boot(node.id);
      });
    }
  }

  /** Node `id` dies at once: kernel, processes and unsynced storage lost. */
  crash(id: NodeId | number): void {
    const node = this.node(id);
    node.crash(this.faultRandom);
  }

  partition(a: readonly (NodeId | number)[], b: readonly (NodeId | number)[]): void {
    this.trace(`partition ${a.join(',')} / ${b.join(',')}`);
    this.network.partition(a as NodeId[], b as NodeId[]);
  }

  heal(): void {
    this.trace('heal');
    this.network.heal();
  }

  /** Stops every node cleanly (services first): the end of a run. */
  async shutdown(): Promise<void> {
    for (const n of this.nodes) await n.shutdown();
  }

  /** A full kernel invariant check on every up node (frames included); false after a violation. */
  checkKernels(): boolean {
    for (const n of this.nodes) {
      const e = n.checkKernel();
      if (e) this.fail('kernel', `node ${n.id}: ${e.message}`);
    }
    return !this.violation;
  }
}

/** Lets every settled promise's continuations run, deterministically (no I/O is pending). */
function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
