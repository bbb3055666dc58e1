// The deterministic simulator (FoundationDB/TigerBeetle style), protocol-only mode: N consensus
// replicas in one process over a SimNetwork, a VirtualClock, a seeded Random and a simulated disk
// per node. From the seed it schedules faults (faults.ts), runs a client workload whose history it
// records, checks the invariants after every step (invariants.ts), then heals everything and
// requires the cluster to commit and converge (liveness), and finally checks the history for
// linearizability. Every event is folded into a SHA-256 trace hash: same seed, same hash.
import { createHash } from 'node:crypto';
import type { ReplicaHooks } from '../cluster/consensus/replica.js';
import { nextConfChange } from '../cluster/consensus/voter-policy.js';
import type { MembershipEvent } from '../cluster/membership/member.js';
import { WalError } from '../cluster/raft/wal.js';
import { StorageError } from '../cluster/storage.js';
import type { NodeId } from '../net/node-id.js';
import { randomBelow, randomFloat, SeededRandom } from '../net/random.js';
import { SimNetwork } from '../net/sim-transport.js';
import { VirtualClock } from '../net/virtual-clock.js';
import { FAULT_KINDS, type FaultKind } from './faults.js';
import type { HistoryRecord } from './history.js';
import { InvariantChecker, type Violation } from './invariants.js';
import {
  SIM_HEAL_MAX_MS,
  SIM_SAME_INSTANT_STEPS_MAX,
  SIM_TRACE_LINES_MAX,
  SIM_VOTER_REMOVE_AFTER_MS,
} from './limits.js';
import { type CheckResult, checkHistory, describeResult } from './linearizability.js';
import { SimNode } from './sim-node.js';
import { type LinkFaults, NO_LINK_FAULTS } from './sim-transport-faults.js';
import { Workload, type WorkloadCounts } from './workload.js';

export interface SimOptions {
  readonly seed: number;
  /** Replicas (default 5): the first min(3, N) bootstrap, the rest join; at most 5 voters. */
  readonly nodes?: number;
  /** Faults to schedule (default: all). */
  readonly faults?: readonly FaultKind[];
  /** Clock events in the fault phase (default DEFAULT_STEPS). */
  readonly steps?: number;
  readonly clients?: number;
  readonly keys?: number;
  /** Keep the trace lines (for --trace). */
  readonly keepTrace?: boolean;
  /** TEST ONLY: every node grants every vote (a deliberately broken protocol). */
  readonly unsafeDoubleVote?: boolean;
  /** TEST ONLY: crashes are not recorded as faults (so SWIM's verdicts about them look unexplained). */
  readonly unsafeSilentCrash?: boolean;
}

export const DEFAULT_STEPS = 30_000;
export const DEFAULT_NODES = 5;

export interface SimResult {
  readonly seed: number;
  readonly nodes: number;
  readonly steps: number;
  readonly faults: readonly FaultKind[];
  readonly virtualMs: number;
  readonly ops: WorkloadCounts;
  readonly committed: number;
  readonly elections: number;
  readonly faultsInjected: number;
  readonly crashes: number;
  /** SWIM "dead" verdicts, each explained by a fault. */
  readonly deaths: number;
  readonly violation: Violation | undefined;
  readonly linearizability: CheckResult | undefined;
  readonly history: readonly HistoryRecord[];
  readonly trace: readonly string[] | undefined;
  readonly hash: string;
}

const TICK_MS = 10;
/** How long after a fault a SWIM "dead" verdict it may have caused counts as explained (ms). */
const EXPLAIN_WINDOW_MS = 15_000;
const ELECTION_TICKS = 10;

/** The command that replays a run. */
export function replayCommand(o: SimOptions): string {
  const parts = [`pakaya sim --seed ${o.seed}`];
  if (o.nodes !== undefined) parts.push(`--nodes ${o.nodes}`);
  if (o.faults !== undefined) parts.push(`--faults ${o.faults.length === 0 ? 'none' : o.faults.join(',')}`);
  if (o.steps !== undefined) parts.push(`--steps ${o.steps}`);
  return parts.join(' ');
}

export function summarize(r: SimResult): string {
  const lin = r.linearizability ? r.linearizability.status : 'skipped';
  const verdict = r.violation ? `FAILED ${r.violation.invariant}` : 'ok';
  return (
    `sim seed=${r.seed} nodes=${r.nodes} steps=${r.steps} ${verdict} virtual=${Math.round(r.virtualMs)}ms ` +
    `ops=${r.ops.invoked} ok=${r.ops.ok} info=${r.ops.info} fail=${r.ops.fail} committed=${r.committed} ` +
    `elections=${r.elections} faults=${r.faultsInjected} crashes=${r.crashes} deaths=${r.deaths} linearizable=${lin} hash=${r.hash}`
  );
}

export class Simulation {
  readonly clock = new VirtualClock();
  readonly random: SeededRandom;
  readonly network: SimNetwork;
  readonly nodes: SimNode[] = [];
  readonly checker: InvariantChecker;
  private readonly hash = createHash('sha256');
  private readonly traceLines: string[] | undefined;
  private linkFaults: LinkFaults = { ...NO_LINK_FAULTS };
  private readonly history: HistoryRecord[] = [];
  private readonly faultRandom: SeededRandom;
  private readonly enabled: Set<FaultKind>;
  private faulting = true;
  private faultsInjected = 0;
  private steps = 0;
  private readonly n: number;
  /** When a fault last touched each node, and when a network-wide fault was last active. */
  private readonly nodeFaultAt = new Map<NodeId, number>();
  private globalFaultAt = Number.NEGATIVE_INFINITY;
  private readonly deathsExplained = { explained: 0 };
  /** Since when the leader's SWIM view has held each node dead or left (virtual ms). */
  private readonly downSince = new Map<NodeId, number>();

  constructor(private readonly o: SimOptions) {
    this.random = new SeededRandom(o.seed);
    this.faultRandom = this.random.fork();
    this.network = new SimNetwork({
      clock: this.clock,
      random: this.random.fork(),
      faults: { latencyMs: 1, jitterMs: 2 },
    });
    this.traceLines = o.keepTrace ? [] : undefined;
    this.checker = new InvariantChecker(() => this.clock.now());
    this.enabled = new Set(o.faults ?? FAULT_KINDS);
    this.n = o.nodes ?? DEFAULT_NODES;
    const ids = Array.from({ length: this.n }, (_, i) => (i + 1) as NodeId);
    const voters = ids.slice(0, Math.min(3, this.n));
    const nodeRandom = this.random.fork();
    for (const id of ids) {
      const start = voters.includes(id) ? { kind: 'bootstrap' as const, voters } : { kind: 'join' as const };
      this.nodes.push(
        new SimNode(
          id,
          {
            clock: this.clock,
            network: this.network,
            random: nodeRandom,
            linkFaults: () => this.linkFaults,
            trace: (l) => this.trace(l),
            hooks: (node) => this.hooks(node),
            ids,
            onMember: (node, e) => this.memberEvent(node.id, e),
            replica: {
              tickMs: TICK_MS,
              electionTicks: ELECTION_TICKS,
              snapshotEvery: 64,
              requestTimeoutMs: 1000,
              unsafeDoubleVote: o.unsafeDoubleVote === true,
            },
          },
          start,
        ),
      );
    }
  }

  trace(line: string): void {
    const l = `${this.clock.now().toFixed(3)} ${line}`;
    this.hash.update(l);
    this.hash.update('\n');
    if (this.traceLines && this.traceLines.length < SIM_TRACE_LINES_MAX) this.traceLines.push(l);
  }

  private touched(id: NodeId, untilMs = 0): void {
    this.nodeFaultAt.set(id, Math.max(this.nodeFaultAt.get(id) ?? 0, this.clock.now() + untilMs));
  }

  private touchedAll(untilMs = 0): void {
    this.globalFaultAt = Math.max(this.globalFaultAt, this.clock.now() + untilMs);
  }

  /** A SWIM verdict: a node declared dead needs a recent fault that explains it. */
  private memberEvent(observer: NodeId, e: MembershipEvent): void {
    if (e.type !== 'member') return;
    this.trace(`member ${observer} sees ${e.node} ${e.state} ${e.reason} inc=${e.incarnation}`);
    if (e.state !== 'dead') return;
    const since = this.clock.now() - EXPLAIN_WINDOW_MS;
    const explained =
      this.globalFaultAt >= since ||
      (this.nodeFaultAt.get(e.node) ?? Number.NEGATIVE_INFINITY) >= since ||
      (this.nodeFaultAt.get(observer) ?? Number.NEGATIVE_INFINITY) >= since;
    if (explained) {
      this.deathsExplained.explained++;
      return;
    }
    this.checker.violation ??= {
      invariant: 'no-unexplained-death',
      detail: `node ${observer} declared node ${e.node} dead (${e.reason}) with no fault touching either in the last ${EXPLAIN_WINDOW_MS} ms`,
      at: this.clock.now(),
    };
  }

  private hooks(node: SimNode): ReplicaHooks {
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
        this.touched(node.id);
        // The process dies of its disk error; it comes back when restarts are on (or at the heal).
        this.clock.setTimer(1, () => {
          if (node.replica?.failed) this.crash(node);
        });
      },
    };
  }

  private boot(node: SimNode): void {
    this.checker.restored(node.id, undefined);
    try {
      node.boot();
    } catch (e) {
      if (e instanceof StorageError || (e instanceof WalError && e.code === 'failed')) {
        // An injected disk fault during recovery: the process dies again and is retried later.
        this.trace(`boot-failed ${node.id} ${e.message}`);
        this.clock.setTimer(100, () => {
          if (!node.up) this.boot(node);
        });
        return;
      }
      this.checker.violation ??= {
        invariant: 'recovery',
        detail: `node ${node.id} could not restart from its WAL: ${(e as Error).message}`,
        at: this.clock.now(),
      };
    }
  }

  private crash(node: SimNode): void {
    if (!this.o.unsafeSilentCrash) this.touched(node.id);
    node.crash(this.faultRandom);
    if (!this.faulting) {
      // A disk fault that fires during the heal: the node comes straight back.
      this.clock.setTimer(10, () => {
        if (!node.up) this.boot(node);
      });
    } else if (this.enabled.has('restart')) {
      this.clock.setTimer(100 + randomBelow(this.faultRandom, 900), () => {
        if (!node.up && this.faulting) this.boot(node);
      });
    }
  }

  /** Runs the whole simulation. Yields to the microtask queue after every step (client promises). */
  async run(): Promise<SimResult> {
    const steps = this.o.steps ?? DEFAULT_STEPS;
    for (const node of this.nodes) this.boot(node);
    const workload = new Workload({
      clients: this.o.clients ?? 5,
      keys: Array.from({ length: this.o.keys ?? 3 }, (_, i) => `k${i}`),
      clientOf: (i) => this.nodes[i % this.nodes.length]?.client,
      clock: this.clock,
      random: this.random.fork(),
      sink: (r) => {
        this.history.push(r);
        this.trace(`op ${JSON.stringify(r)}`);
      },
      thinkMs: 40,
    });
    this.scheduleMembership();
    this.scheduleFault(200);

    while (this.steps < steps && !this.checker.violation) {
      if (!this.step()) break;
      this.steps++;
      await flush();
    }
    // Heal: no more faults; everything crashed comes back; the cluster must commit and converge.
    this.faulting = false;
    workload.stop();
    this.healAll();
    if (!this.checker.violation) await this.converge();
    const lin = this.checker.violation ? undefined : checkHistory(this.history);
    if (lin?.status === 'violation') {
      this.checker.violation = {
        invariant: 'linearizability',
        detail: describeResult(lin),
        at: this.clock.now(),
      };
    }
    this.trace(`end ${this.checker.violation ? this.checker.violation.invariant : 'ok'}`);
    return {
      seed: this.o.seed,
      nodes: this.n,
      steps: this.steps,
      faults: [...this.enabled],
      virtualMs: this.clock.now(),
      ops: workload.counts,
      committed: this.checker.maxApplied,
      elections: this.checker.leaderElections,
      faultsInjected: this.faultsInjected,
      crashes: this.nodes.reduce((a, n) => a + n.crashes, 0),
      deaths: this.deathsExplained.explained,
      violation: this.checker.violation,
      linearizability: lin,
      history: this.history,
      trace: this.traceLines,
      hash: this.hash.copy().digest('hex'),
    };
  }

  private stuckAt = -1;
  private stuckSteps = 0;

  /** One clock event; a run whose virtual time stops advancing (a zero-delay loop) fails. */
  private step(): boolean {
    if (!this.clock.step()) return false;
    if (this.clock.now() === this.stuckAt) {
      if (++this.stuckSteps > SIM_SAME_INSTANT_STEPS_MAX) {
        this.checker.violation ??= {
          invariant: 'progress',
          detail: `more than ${SIM_SAME_INSTANT_STEPS_MAX} events at one virtual instant (a zero-delay timer loop)`,
          at: this.clock.now(),
        };
        return false;
      }
    } else {
      this.stuckAt = this.clock.now();
      this.stuckSteps = 0;
    }
    return true;
  }

  private leader(): SimNode | undefined {
    return this.nodes.find((n) => n.replica?.isLeader);
  }

  /**
   * The leader's configuration follows its SWIM view (nextConfChange, as the daemon's): nodes beyond
   * the bootstrap voters join as learners and are promoted while voters < 5; a voter SWIM has held
   * down for SIM_VOTER_REMOVE_AFTER_MS leaves, and comes back as a learner once alive again. One
   * change per 300 ms tick, also after the faults stop (a removed node must rejoin to converge).
   */
  private scheduleMembership(): void {
    const tick = () => {
      const leader = this.leader();
      const replica = leader?.replica;
      const swim = leader?.swim?.membership;
      if (leader && replica && swim) {
        const st = replica.status();
        const now = this.clock.now();
        for (const n of this.nodes) {
          const state = n.id === leader.id ? 'alive' : swim.stateOf(n.id);
          if (state === 'dead' || state === 'left') {
            if (!this.downSince.has(n.id)) this.downSince.set(n.id, now);
          } else this.downSince.delete(n.id);
        }
        const inConf = new Set([...st.voters, ...st.learners]);
        const step = nextConfChange({
          self: leader.id,
          voters: st.voters,
          learners: st.learners,
          others: this.nodes.map((n) => n.id).filter((id) => !inConf.has(id)),
          liveness: (id) => {
            const state = id === leader.id ? 'alive' : swim.stateOf(id);
            if (state === 'alive' || state === 'suspect') return state;
            return state === 'dead' || state === 'left' ? 'down' : 'unknown';
          },
          downSince: (id) => this.downSince.get(id),
          now,
          removeAfterMs: SIM_VOTER_REMOVE_AFTER_MS,
        });
        if (step) {
          this.trace(`member ${step.kind} ${step.node}`);
          const change =
            step.kind === 'remove'
              ? replica.remove(step.node)
              : step.kind === 'promote'
                ? replica.promote(step.node)
                : replica.addLearner(step.node);
          change.catch(() => undefined);
        }
      }
      this.clock.setTimer(300, tick);
    };
    this.clock.setTimer(300, tick);
  }

  private scheduleFault(delay: number): void {
    this.clock.setTimer(delay, () => {
      if (!this.faulting) return;
      this.injectFault();
      this.scheduleFault(50 + randomBelow(this.faultRandom, 400));
    });
  }

  private pick<T>(items: readonly T[]): T | undefined {
    return items.length === 0 ? undefined : items[randomBelow(this.faultRandom, items.length)];
  }

  private later(minMs: number, maxMs: number, fn: () => void): void {
    this.clock.setTimer(minMs + randomBelow(this.faultRandom, maxMs - minMs), () => {
      if (this.faulting) fn();
    });
  }

  private injectFault(): void {
    const kinds = FAULT_KINDS.filter((k) => k !== 'restart' && this.enabled.has(k));
    const kind = this.pick(kinds);
    if (!kind) return;
    const r = this.faultRandom;
    const up = this.nodes.filter((n) => n.up);
    const ids = this.nodes.map((n) => n.id);
    this.faultsInjected++;
    switch (kind) {
      case 'crash': {
        // Keep a majority of nodes up most of the time, so the run makes progress between faults.
        if (up.length <= Math.floor(this.n / 2) + 1) return;
        const node = this.pick(up);
        if (!node) return;
        this.trace(`fault crash ${node.id}`);
        this.crash(node);
        return;
      }
      case 'pause': {
        const node = this.pick(up);
        if (!node?.clock) return;
        const ms = 50 + randomBelow(r, 750);
        this.trace(`fault pause ${node.id} ${ms}ms`);
        node.clock.pause(ms);
        this.touched(node.id, ms);
        return;
      }
      case 'partition': {
        const shuffled = ids.filter(() => randomBelow(r, 2) === 0);
        const other = ids.filter((id) => !shuffled.includes(id));
        if (shuffled.length === 0 || other.length === 0) return;
        this.trace(`fault partition ${shuffled.join(',')} / ${other.join(',')}`);
        this.network.partition(shuffled, other);
        this.touchedAll();
        this.later(100, 1500, () => {
          this.touchedAll();
          this.trace('heal partition');
          this.network.heal();
        });
        return;
      }
      case 'one-way': {
        const a = this.pick(ids);
        const b = this.pick(ids.filter((id) => id !== a));
        if (a === undefined || b === undefined) return;
        this.trace(`fault one-way ${a}>${b}`);
        this.network.partitionOneWay(a, b);
        this.touchedAll();
        this.later(100, 1500, () => {
          this.touchedAll();
          this.trace('heal one-way');
          this.network.heal();
        });
        return;
      }
      case 'flapping': {
        const a = this.pick(ids);
        if (a === undefined) return;
        const rest = ids.filter((id) => id !== a);
        this.trace(`fault flapping ${a}`);
        let t = 0;
        for (let i = 0; i < 6; i++) {
          t += 20 + randomBelow(r, 150);
          const cut = i % 2 === 0;
          this.clock.setTimer(t, () => {
            if (!this.faulting) return;
            this.trace(`flap ${a} ${cut ? 'cut' : 'heal'}`);
            this.touchedAll();
            if (cut) this.network.partition([a], rest);
            else this.network.heal();
          });
        }
        return;
      }
      case 'loss':
      case 'duplicate':
      case 'reorder': {
        const p = 0.02 + randomFloat(r) * 0.2;
        this.trace(`fault ${kind} ${p.toFixed(3)}`);
        this.touchedAll();
        const reorderMs = 5 + randomBelow(r, 60);
        // Links (Raft) through the node transports; datagrams (SWIM) through the network.
        if (kind === 'loss') this.linkFaults = { ...this.linkFaults, loss: p };
        if (kind === 'duplicate') this.linkFaults = { ...this.linkFaults, duplicate: p };
        if (kind === 'reorder') this.linkFaults = { ...this.linkFaults, reorder: p, reorderMs };
        this.network.setFaults(kind === 'reorder' ? { reorder: p, reorderMs } : { [kind]: p });
        this.later(200, 2000, () => {
          this.touchedAll();
          this.trace(`heal ${kind}`);
          if (kind === 'loss') this.linkFaults = { ...this.linkFaults, loss: 0 };
          if (kind === 'duplicate') this.linkFaults = { ...this.linkFaults, duplicate: 0 };
          if (kind === 'reorder') this.linkFaults = { ...this.linkFaults, reorder: 0 };
          this.network.setFaults(kind === 'reorder' ? { reorder: 0 } : { [kind]: 0 });
        });
        return;
      }
      case 'delay': {
        const latencyMs = 5 + randomBelow(r, 60);
        this.trace(`fault delay ${latencyMs}ms`);
        this.network.setFaults({ latencyMs, jitterMs: latencyMs });
        this.touchedAll();
        this.later(200, 2000, () => {
          this.touchedAll();
          this.trace('heal delay');
          this.network.setFaults({ latencyMs: 1, jitterMs: 2 });
        });
        return;
      }
      case 'drift': {
        const node = this.pick(up);
        if (!node?.clock) return;
        const rate = 0.5 + randomFloat(r) * 1.5;
        this.trace(`fault drift ${node.id} ${rate.toFixed(3)}`);
        node.clock.setDrift(rate);
        this.touched(node.id);
        const clock = node.clock;
        this.later(300, 3000, () => {
          this.touched(node.id);
          clock.setDrift(1);
        });
        return;
      }
      case 'disk': {
        const node = this.pick(up);
        if (!node) return;
        const op = this.pick(['append', 'sync', 'writeAtomic', 'truncate', 'remove'] as const) ?? 'sync';
        this.trace(`fault disk ${node.id} ${op}`);
        node.storage.failNext(op);
        this.touched(node.id);
        return;
      }
    }
  }

  private healAll(): void {
    this.trace('heal all');
    this.network.heal();
    this.network.setFaults({ latencyMs: 1, jitterMs: 2, loss: 0, duplicate: 0, reorder: 0 });
    this.linkFaults = { ...NO_LINK_FAULTS };
    for (const node of this.nodes) {
      if (node.replica?.failed) node.crash(this.faultRandom);
      node.clock?.setDrift(1);
      if (!node.up) this.boot(node);
    }
  }

  /** Liveness: after the heal the cluster elects a leader, commits a write, and every node catches up. */
  private async converge(): Promise<void> {
    const deadline = this.clock.now() + SIM_HEAL_MAX_MS;
    let probe: 'none' | 'pending' | 'done' = 'none';
    let probeIndex = 0;
    const done = (): boolean => {
      const leader = this.leader();
      if (!leader?.replica) return false;
      if (probe === 'none') {
        probe = 'pending';
        leader.client
          ?.put('heal-probe', new TextEncoder().encode(String(this.o.seed)))
          .then(() => {
            probe = 'done';
            probeIndex = this.checker.maxApplied;
          })
          .catch(() => {
            probe = 'none';
          });
        return false;
      }
      if (probe !== 'done') return false;
      const commit = leader.replica.status().commit;
      if (commit < probeIndex) return false;
      return this.nodes.every((n) => n.replica !== undefined && n.replica.appliedIndex >= commit);
    };
    while (!this.checker.violation) {
      if (done()) break;
      if (this.clock.now() > deadline || !this.step()) {
        this.checker.violation = {
          invariant: 'liveness',
          detail: `the cluster did not commit and converge within ${SIM_HEAL_MAX_MS} ms of the heal`,
          at: this.clock.now(),
        };
        return;
      }
      await flush();
    }
    if (this.checker.violation) return;
    // Every node now holds the same state.
    const states = this.nodes.map((n) =>
      Buffer.from(n.stateMachine?.snapshot() ?? new Uint8Array()).toString('hex'),
    );
    const first = states[0];
    const differs = this.nodes.find((_, i) => states[i] !== first);
    if (differs)
      this.checker.violation = {
        invariant: 'convergence',
        detail: `node ${differs.id}'s registry differs from node ${this.nodes[0]?.id}'s after the heal`,
        at: this.clock.now(),
      };
    if (
      this.checker.maxApplied > 0 &&
      this.nodes.some((n) => (n.replica?.appliedIndex ?? 0) < this.checker.maxApplied)
    )
      this.checker.violation ??= {
        invariant: 'committed-never-lost',
        detail: `a node ended below the highest index ever applied (${this.checker.maxApplied})`,
        at: this.clock.now(),
      };
    this.trace(`converged commit=${this.leader()?.replica?.status().commit ?? 0}`);
    // Membership converges too: every node sees every node alive.
    const ids = this.nodes.map((n) => n.id);
    const seen = () =>
      this.nodes.every(
        (n) => n.swim !== undefined && ids.every((id) => n.swim?.membership.stateOf(id) === 'alive'),
      );
    const end = this.clock.now() + SIM_HEAL_MAX_MS;
    while (!this.checker.violation && !seen()) {
      if (this.clock.now() > end || !this.step()) {
        this.checker.violation = {
          invariant: 'membership-converges',
          detail: `SWIM views did not converge within ${SIM_HEAL_MAX_MS} ms of the heal`,
          at: this.clock.now(),
        };
        return;
      }
      await flush();
    }
    this.trace('membership converged');
  }
}

/** Lets every settled promise's continuations run (client operations), deterministically. */
function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Runs one simulation. */
export function simulate(options: SimOptions): Promise<SimResult> {
  return new Simulation(options).run();
}
