// Scenario "recovery": processes run with a restart policy and periodic checkpoints (the store's
// PeriodicCheckpoints, replicated to another node) as procs spawns them (npids/ written with a
// fence). Then their node fails — it crashes (kernel and unsynced disk gone) or is cut off from the
// others while it keeps running — and the leader marks it dead. Recovery must bring each process
// back on exactly one live node from its last replicated checkpoint, under a newer fencing token;
// a process without a restart policy becomes lost. A cut-off node that hears of the new owner once
// the partition heals must drop its stale copy (the owner guard) within the grace period, and its
// late writes must not overwrite the new owner's record. At the end every process must have printed,
// across its copies (what each printed up to the checkpoint the next one restored, then the last
// copy), exactly what an uninterrupted run prints, and exited with the same code, recorded in npids/
// by its last owner. Loss, duplication, reordering and delay hit the registry's and SWIM's traffic
// meanwhile (the store's links, reliable streams in the daemon, see partitions and delay).
import {
  checkpoints,
  fenceBefore,
  type NpidRecord,
  npidRecord,
  npids,
} from '../../../cluster/registry/schema.js';
import type { FencingToken } from '../../../cluster/registry/types.js';
import { sha256Hex } from '../../../cluster/store/manifest.js';
import type { NodeId } from '../../../net/node-id.js';
import { randomBelow } from '../../../net/random.js';
import type { FaultKind } from '../../faults.js';
import { SimCluster } from '../cluster.js';
import { FaultSchedule } from '../faults.js';
import { referenceRun } from '../reference.js';
import { StoreNodes } from '../services/store.js';
import { finishScenario } from './finish.js';
import type { Scenario, ScenarioOptions, ScenarioResult } from './types.js';

/** The programs: single processes (a periodic checkpoint captures one process) that end by themselves. */
const WORKLOADS: readonly (readonly string[])[] = [
  ['qsort', '40000'],
  ['futexwait', '3000'],
  ['crc32', '500000'],
  ['matmul', '64'],
];

const RAM_MIB = 8;
/** Instructions per node per virtual ms: programs last long enough in virtual time to be caught. */
const SLICE_BUDGET = 3_000;
const DEFAULT_NODES = 3;
/** A majority of the nodes must outlive the victim. */
const MIN_NODES = 3;
/** The episodes (one per run, drawn from the seed) and the background faults on the links. */
const EPISODES: readonly FaultKind[] = ['crash', 'partition'];
const BACKGROUND: readonly FaultKind[] = ['loss', 'duplicate', 'reorder', 'delay', 'drift', 'pause'];
const DEFAULT_FAULTS: readonly FaultKind[] = ['crash', 'partition', 'loss', 'duplicate', 'delay'];
/** Bounds of the phases (virtual ms). */
const CHECKPOINTED_MS = 10_000;
const RECOVERED_MS = 20_000;
const FINISH_MS = 60_000;

interface Copy {
  readonly node: NodeId;
  /** SimCluster.copyId of the copy's Process. */
  readonly copy: number;
}

interface Taken {
  /** The copies before the one checkpointed, each with the output length its successor restored. */
  readonly history: readonly { copy: Copy; mark: number }[];
  readonly copy: Copy;
  readonly mark: number;
}

interface Workload {
  readonly argv: readonly string[];
  readonly npid: string;
  readonly policy: 'always' | 'no';
  readonly spawnFence: FencingToken;
  history: { copy: Copy; mark: number }[];
  cur: Copy;
  recoveries: number;
}

export const recoveryScenario: Scenario = {
  name: 'recovery',
  description:
    'processes with periodic checkpoints; their node crashes or is cut off; they come back elsewhere under a newer fence, the stale copy is dropped; output equals an uninterrupted run',
  minNodes: MIN_NODES,
  run: runRecovery,
};

async function runRecovery(o: ScenarioOptions): Promise<ScenarioResult> {
  const nodes = o.nodes ?? DEFAULT_NODES;
  if (nodes < MIN_NODES)
    throw new RangeError(
      `the recovery scenario needs ${MIN_NODES} or more nodes (got ${nodes}): a majority must outlive the victim`,
    );
  const kinds = o.faults ?? DEFAULT_FAULTS;
  const figures = {
    workloads: 0,
    checkpoints: 0,
    recovered: 0,
    lost: 0,
    dropped: 0,
    crashes: 0,
    partitions: 0,
    faults: 0,
    instructions: 0,
  };
  const images = new Map<string, Taken>();
  const byNpid = new Map<string, Workload>();
  let c: SimCluster;
  const stores = new StoreNodes({
    replicas: 1,
    onCheckpoint: (node, npid, pid, bundle) => {
      const w = byNpid.get(npid);
      if (!w) return;
      const p = c.node(node).kernel.findProcess(pid);
      if (!p) return;
      const copy: Copy = { node, copy: c.copyId(p) };
      images.set(sha256Hex(bundle), { history: [...w.history], copy, mark: c.copyOutput(copy.copy).length });
      figures.checkpoints++;
    },
    onRestored: (node, npid, bundle, pids) => {
      const w = byNpid.get(npid);
      if (!w) return;
      const taken = images.get(sha256Hex(bundle));
      const pid = pids[0];
      const p = pid === undefined ? undefined : c.node(node).kernel.findProcess(pid);
      if (!taken || !p) {
        c.fail('recovery', `${npid} restored on node ${node} from an image no node took`);
        return;
      }
      w.history = [...taken.history, { copy: taken.copy, mark: taken.mark }];
      w.cur = { node, copy: c.copyId(p) };
      w.recoveries++;
      c.trace(`recovered ${npid} on ${node} pid ${pid} from ${taken.copy.node} copy ${taken.copy.copy}`);
    },
    onRecovery: (node, outcome) => {
      c.trace(`recovery ${node} ${outcome.npid} ${outcome.kind}`);
      if (outcome.kind === 'recovered') figures.recovered++;
      if (outcome.kind === 'lost') figures.lost++;
    },
    onDropped: (node, npid) => {
      c.trace(`dropped ${npid} on ${node}`);
      figures.dropped++;
    },
  });
  c = new SimCluster({
    seed: o.seed,
    nodes,
    ramMiB: RAM_MIB,
    sliceBudget: SLICE_BUDGET,
    keepTrace: o.keepTrace,
    services: [stores.factory],
    // The daemon's node links are reliable streams (a message is lost only with its link): loss,
    // duplication and reordering hit the Raft and SWIM traffic; the store's sees partitions and delay.
    serviceLinkFaults: false,
  });
  const random = c.forkRandom();
  const start = c.steps;
  c.start();
  const fail = (why: string) => c.fail('liveness', why);
  const ready = () => c.nodes.every((n) => stores.of(n.id)?.started === true);
  if (!(await c.waitForLeader()) || !(await c.runUntil(ready, 10_000)))
    fail('the registry or the store services did not start within 10 s');

  // The workloads: most on the victim node, one elsewhere (it must be left alone).
  const victim = (1 + randomBelow(random, nodes)) as NodeId;
  const others = c.nodes.map((n) => n.id).filter((id) => id !== victim);
  const episodes = EPISODES.filter((k) => kinds.includes(k));
  const episode = episodes[randomBelow(random, Math.max(1, episodes.length))];
  const workloads: Workload[] = [];
  const spawn = async (argv: readonly string[], node: NodeId, policy: 'always' | 'no') => {
    // Guest time: a busy node's kernel clock runs at SLICE_BUDGET ns per virtual ms (1 ms ≈ 333 ms).
    const everyMs = 1 + randomBelow(random, 2);
    const p = stores.spawn(node, c.programs.get(argv[0] as string), argv, {
      restart: policy,
      checkpointEveryMs: everyMs,
    });
    let done: { npid: string; pid: number } | undefined;
    let err: Error | undefined;
    p.then(
      (r) => {
        done = r;
      },
      (e: Error) => {
        err = e;
      },
    );
    await c.runUntil(() => done !== undefined || err !== undefined, 5_000);
    if (!done) return fail(`spawn of ${argv.join(' ')} on node ${node}: ${err?.message ?? 'no answer'}`);
    const rec = registryRecord(c, done.npid);
    if (!rec) return fail(`${done.npid} has no npids/ record after its spawn`);
    const w: Workload = {
      argv,
      npid: done.npid,
      policy,
      spawnFence: rec.fence,
      history: [],
      cur: { node, copy: copyOf(c, node, done.pid) },
      recoveries: 0,
    };
    byNpid.set(w.npid, w);
    workloads.push(w);
    figures.workloads++;
    c.trace(`spawned ${w.npid} ${argv.join(' ')} on ${node} every ${everyMs}ms ${policy}`);
  };
  for (let i = 0; i < WORKLOADS.length && !c.violation; i++) {
    const on =
      i === WORKLOADS.length - 1 && others.length > 0 ? others[randomBelow(random, others.length)] : victim;
    await spawn(WORKLOADS[i] as readonly string[], on as NodeId, 'always');
  }
  // Without a restart policy a process of a crashed node becomes lost.
  if (episode === 'crash' && !c.violation) await spawn(['linger'], victim, 'no');

  const faults = new FaultSchedule(c, { kinds: kinds.filter((k) => BACKGROUND.includes(k)) });
  faults.start();

  // Every workload of the victim has a replicated checkpoint (or has ended), then a little more work
  // (lost with it).
  const onVictim = workloads.filter((w) => w.cur.node === victim && w.policy === 'always');
  const published = () =>
    onVictim.every(
      (w) =>
        endedOn(c, w, w.cur) || c.leader()?.live?.stateMachine.get(checkpoints.key(w.npid)) !== undefined,
    );
  if (!c.violation && !(await c.runUntil(published, CHECKPOINTED_MS)))
    fail(`the victim's processes had no replicated checkpoint within ${CHECKPOINTED_MS} ms`);
  if (!c.violation) await c.runFor(randomBelow(random, 150));

  if (episode === 'crash') {
    c.crash(victim);
    figures.crashes++;
  } else if (episode === 'partition') {
    c.partition([victim], others);
    figures.partitions++;
  }
  // Recovery: each process of the victim that had not ended comes back elsewhere (or is lost).
  const settled = (w: Workload) =>
    w.cur.node !== victim ||
    endedOn(c, w, w.cur) ||
    (w.policy === 'no' && registryRecord(c, w.npid, others)?.state === 'lost');
  if (episode !== undefined && !c.violation) {
    const ok = await c.runUntil(() => workloads.every(settled), RECOVERED_MS);
    if (!ok) {
      const left = workloads.filter((w) => !settled(w)).map((w) => w.npid);
      fail(`not recovered within ${RECOVERED_MS} ms of the ${episode}: ${left.join(', ')}`);
    }
  }
  // The heal: the victim comes back (a fresh kernel, or its old one reconnected), faults stop.
  faults.stop();
  figures.faults = faults.injected;
  if (episode === 'crash' && !c.node(victim).up) c.boot(victim);
  if (episode === 'partition') c.heal();

  const finished = (w: Workload) =>
    w.policy === 'no'
      ? registryRecord(c, w.npid)?.state === 'lost'
      : endedOn(c, w, w.cur) &&
        registryRecord(c, w.npid)?.state === 'exited' &&
        c.whereIs(w.npid).length === 0;
  if (!c.violation && !(await c.runUntil(() => workloads.every(finished), FINISH_MS))) {
    const left = workloads.filter((w) => !finished(w)).map((w) => `${w.npid} (${w.argv[0]})`);
    fail(`not finished within ${FINISH_MS} ms of the heal: ${left.join(', ')}`);
  }
  if (!c.violation) c.checkKernels();
  if (!c.violation) for (const w of workloads) check(c, w);
  return finishScenario(c, {
    scenario: recoveryScenario.name,
    options: o,
    nodes,
    start,
    faults: kinds,
    figures,
  });
}

/** The record of `npid` as a live node's replica has it (the first of `via` that is up). */
function registryRecord(c: SimCluster, npid: string, via?: readonly NodeId[]): NpidRecord | undefined {
  const from = (via ?? c.nodes.map((n) => n.id)).map((id) => c.node(id)).find((n) => n.up);
  const leader = via === undefined ? (c.leader() ?? from) : from;
  const kv = leader?.live?.stateMachine.get(npids.key(npid));
  if (!kv) return undefined;
  try {
    return npidRecord(kv);
  } catch {
    return undefined;
  }
}

function copyOf(c: SimCluster, node: NodeId, pid: number): number {
  const p = c.node(node).kernel.findProcess(pid);
  if (!p) throw new Error(`node ${node} has no process ${pid}`);
  return c.copyId(p);
}

/** The exit of copy `copy` of the workload, if it has ended. */
function exitOf(c: SimCluster, w: Workload, copy: Copy) {
  return (c.exits.get(w.npid) ?? []).find((e) => e.copy === copy.copy);
}

function endedOn(c: SimCluster, w: Workload, copy: Copy): boolean {
  const e = exitOf(c, w, copy);
  return e !== undefined && !e.signaled;
}

/** Output, exit code, the registry record and its fence against an uninterrupted run. */
function check(c: SimCluster, w: Workload): void {
  const name = `${w.argv.join(' ')} (${w.npid})`;
  const rec = registryRecord(c, w.npid);
  if (!rec) return c.fail('recovery', `${name}: no npids/ record at the end`);
  if (w.policy === 'no') {
    if (w.recoveries > 0) c.fail('recovery', `${name}: restored though it has no restart policy`);
    return;
  }
  const ref = referenceRun(c.programs, RAM_MIB, w.argv[0] as string, w.argv.slice(1));
  const out =
    w.history.map((h) => c.copyOutput(h.copy.copy).slice(0, h.mark)).join('') + c.copyOutput(w.cur.copy);
  if (ref.outputs.length !== 1 || out !== ref.outputs[0])
    return c.fail(
      'same-output',
      `${name} (recovered ${w.recoveries}x): printed ${JSON.stringify(out)}, the uninterrupted run ${JSON.stringify(ref.outputs)}`,
    );
  const code = exitOf(c, w, w.cur)?.code;
  if (code !== ref.codes[0])
    return c.fail('same-exit', `${name}: exit ${code}, the uninterrupted run ${ref.codes[0]}`);
  if (rec.node !== w.cur.node)
    return c.fail('fencing', `${name}: npids/ names node ${rec.node}, it ended on node ${w.cur.node}`);
  if (rec.status !== code)
    return c.fail('fencing', `${name}: npids/ records status ${rec.status}, it exited ${code}`);
  if (w.recoveries > 0) {
    if (!fenceBefore(w.spawnFence, rec.fence))
      c.fail('fencing', `${name}: recovered without a newer fencing token than its spawn's`);
    if ((rec.restarts ?? 0) < w.recoveries)
      c.fail('fencing', `${name}: restarts=${rec.restarts ?? 0} after ${w.recoveries} recoveries`);
  }
}
