// Scenario "checkpoint-restore": programs (single processes, IPC groups, shared-memory groups,
// multi-threaded ones) run on every node while the fault schedule crashes nodes, cuts and degrades
// the network and stalls clocks. Every workload is checkpointed as a group now and then (the
// operator's copy of the image is kept by the scenario, as `pakaya checkpoint` leaves a file); some
// are moved (checkpoint, kill at the source, restore on another node); a workload whose node crashed
// comes back from its last checkpoint on another node, its output since that checkpoint dropped
// (the restored copy prints it again). At the end every workload must have ended with the same
// processes, the same output per process and the same exit codes as an uninterrupted run, and the
// invariants (kernel, registry, one live copy per NPID) must have held at every step.
import { KernelError } from '../../../kernel/errors.js';
import { ImageError } from '../../../kernel/image.js';
import type { NodeId } from '../../../net/node-id.js';
import { randomBelow } from '../../../net/random.js';
import { FAULT_KINDS, type FaultKind } from '../../faults.js';
import { SimCluster } from '../cluster.js';
import { FaultSchedule } from '../faults.js';
import { referenceRun } from '../reference.js';
import { finishScenario } from './finish.js';
import type { Scenario, ScenarioOptions, ScenarioResult } from './types.js';

/** The programs the scenario runs: each ends by itself, prints the same on every node, reads no input. */
const WORKLOADS: readonly (readonly string[])[] = [
  ['ipc_rpc'],
  ['prodcons'],
  ['futexwait', '300'],
  ['threads'],
  ['ipc_pipeline'],
  ['fork_wait'],
  ['ipc_pingpong'],
  ['shm'],
];

const RAM_MIB = 8;
/** Instructions per node per virtual ms: slow enough that faults land while programs run. */
const SLICE_BUDGET = 20_000;
const DEFAULT_NODES = 3;
/** The faults this scenario schedules by default (every kind but disk: images live in memory here). */
const DEFAULT_FAULTS: readonly FaultKind[] = FAULT_KINDS.filter((k) => k !== 'disk');
/** Instances of each program per run (one starts when the previous one ended, while faults last). */
const ROUNDS = 3;
/** Clock events in the fault phase by default (about 3 s of virtual time on 3 nodes). */
const DEFAULT_STEPS = 6_000;
/** After the fault phase: virtual time the workloads have to finish. */
const FINISH_MS = 60_000;

interface Image {
  readonly bytes: Uint8Array;
  readonly node: NodeId;
  readonly incarnation: number;
  /** The cluster's event order when it was taken: exits after it on that copy no longer count. */
  readonly seq: number;
  /** Output length of each process in the image when it was taken. */
  readonly marks: ReadonlyMap<string, number>;
}

interface Workload {
  readonly argv: readonly string[];
  readonly root: string;
  node: NodeId;
  incarnation: number;
  image: Image | undefined;
  /** Copies given up (node, incarnation, after seq): their later exits do not count. */
  readonly abandoned: { node: NodeId; incarnation: number; seq: number }[];
  restores: number;
  /** Set once finished() held (it then holds for good: nothing restores a finished workload). */
  done: boolean;
}

export const checkpointRestore: Scenario = {
  name: 'checkpoint-restore',
  description:
    'programs on every node; group checkpoints, moves and restores after crashes under faults; output equals an uninterrupted run',
  run: runCheckpointRestore,
};

async function runCheckpointRestore(o: ScenarioOptions): Promise<ScenarioResult> {
  const nodes = o.nodes ?? DEFAULT_NODES;
  const kinds = o.faults ?? DEFAULT_FAULTS;
  const steps = o.steps ?? DEFAULT_STEPS;
  const c = new SimCluster({
    seed: o.seed,
    nodes,
    ramMiB: RAM_MIB,
    sliceBudget: SLICE_BUDGET,
    keepTrace: o.keepTrace,
  });
  const figures = {
    workloads: 0,
    checkpoints: 0,
    moves: 0,
    restores: 0,
    crashes: 0,
    faults: 0,
    instructions: 0,
  };
  const random = c.forkRandom();
  c.start();
  if (!(await c.waitForLeader())) c.fail('liveness', 'no registry leader within 10 s of the start');

  // Every program starts on a node (round robin from a seeded offset) and is checkpointed at once;
  // while the fault phase lasts, a program that ended starts again on a random up node.
  const workloads: Workload[] = [];
  const offset = randomBelow(random, nodes);
  const launch = (argv: readonly string[], node: NodeId): Workload | undefined => {
    if (!c.node(node).up) return undefined;
    const s = c.spawn(node, argv[0] as string, argv.slice(1));
    const w: Workload = {
      argv,
      root: s.npid,
      node: s.node,
      incarnation: c.node(node).incarnation,
      image: undefined,
      abandoned: [],
      restores: 0,
      done: false,
    };
    workloads.push(w);
    claim(c, w.root, w.root);
    figures.workloads++;
    checkpoint(c, w, figures);
    return w;
  };
  const slots = WORKLOADS.map((argv, i) => launch(argv, (((offset + i) % nodes) + 1) as NodeId));
  const rounds = slots.map(() => 1);

  const faults = new FaultSchedule(c, { kinds });
  faults.start();
  let acting = true;
  const act = (): void => {
    if (!acting || c.violation) return;
    slots.forEach((w, i) => {
      if (!faults.active || (w && !finished(c, w)) || (rounds[i] ?? ROUNDS) >= ROUNDS) return;
      rounds[i] = (rounds[i] ?? 0) + 1;
      const up = c.nodes.filter((n) => n.up);
      const node = up[randomBelow(random, up.length)];
      if (node) slots[i] = launch(WORKLOADS[i] as readonly string[], node.id) ?? w;
    });
    for (const w of workloads) if (!finished(c, w) && !onLiveNode(c, w)) restore(c, w, random, figures);
    const running = workloads.filter((x) => !finished(c, x) && onLiveNode(c, x));
    const w = running[randomBelow(random, running.length)];
    if (w) {
      if (randomBelow(random, 3) === 0) move(c, w, random, figures);
      else checkpoint(c, w, figures);
    }
    c.clock.setTimer(20 + randomBelow(random, 80), act);
  };
  c.clock.setTimer(50, act);

  const start = c.steps;
  await c.runUntil(() => false, Number.POSITIVE_INFINITY, steps);
  // The heal: no more faults, every node back; lost workloads come back and all must finish.
  faults.stop();
  figures.faults = faults.injected;
  figures.crashes = faults.crashes;
  const recover = (): boolean => {
    for (const w of workloads) if (!finished(c, w) && !onLiveNode(c, w)) restore(c, w, random, figures);
    return workloads.every((w) => finished(c, w));
  };
  if (!c.violation && !(await c.runUntil(recover, FINISH_MS))) {
    const left = workloads.filter((w) => !finished(c, w)).map((w) => w.argv[0]);
    c.fail('liveness', `workloads did not finish within ${FINISH_MS} ms of the heal: ${left.join(', ')}`);
  }
  acting = false;
  if (!c.violation) c.checkKernels();
  if (!c.violation) for (const w of workloads) compare(c, w);
  return finishScenario(c, {
    scenario: checkpointRestore.name,
    options: o,
    nodes,
    start,
    faults: kinds,
    figures,
  });
}

/**
 * Which workload each process belongs to: a root and every process in its checkpoints are claimed
 * by it when first seen there; any other process belongs to its parent's workload. (A process's
 * parent can change — orphans go to the node's first process — so claims come first.)
 */
const claims = new WeakMap<SimCluster, Map<string, string>>();

function claim(c: SimCluster, npid: string, root: string): void {
  let m = claims.get(c);
  if (!m) {
    m = new Map();
    claims.set(c, m);
  }
  if (!m.has(npid)) m.set(npid, root);
}

function ownerOf(c: SimCluster, npid: string): string | undefined {
  const m = claims.get(c);
  let cur: string | undefined = npid;
  for (let hops = 0; cur !== undefined && hops < 64; hops++) {
    const root = m?.get(cur);
    if (root !== undefined) return root;
    cur = c.parentOf.get(cur);
  }
  return undefined;
}

/** The processes of a workload (see ownerOf). */
function members(c: SimCluster, w: Workload): string[] {
  const out = new Set<string>([w.root]);
  for (const npid of [...c.exits.keys(), ...c.parentOf.keys()])
    if (ownerOf(c, npid) === w.root) out.add(npid);
  return [...out];
}

/** The exit records of `npid` that count: none from a copy given up after it was abandoned. */
function validExit(c: SimCluster, w: Workload, npid: string) {
  const list = c.exits.get(npid) ?? [];
  const valid = list.filter(
    (e) => !w.abandoned.some((a) => a.node === e.node && a.incarnation === e.incarnation && e.seq > a.seq),
  );
  return valid[valid.length - 1];
}

/** The root has ended (on the copy that counts) and none of the workload's processes lives on. */
function finished(c: SimCluster, w: Workload): boolean {
  if (w.done) return true;
  if (validExit(c, w, w.root) === undefined) return false;
  w.done = members(c, w).every((npid) => c.whereIs(npid).length === 0);
  return w.done;
}

function onLiveNode(c: SimCluster, w: Workload): boolean {
  const node = c.node(w.node);
  return node.up && node.incarnation === w.incarnation;
}

function checkpoint(c: SimCluster, w: Workload, figures: { checkpoints: number }): void {
  const node = c.node(w.node);
  const k = node.live?.kernel;
  if (!k) return;
  const root = [...k.processes.values()].find((p) => p.npid === w.root && p.alive);
  if (!root) return;
  let bytes: Uint8Array;
  let pids: number[];
  try {
    pids = k.groupOf(root.pid);
    bytes = k.checkpointGroup(root.pid);
  } catch (e) {
    if (e instanceof KernelError) {
      c.trace(`checkpoint-refused ${w.root} ${e.message}`);
      return;
    }
    throw e;
  }
  const marks = new Map<string, number>();
  for (const pid of pids) {
    const p = k.findProcess(pid);
    if (!p) continue;
    claim(c, p.npid, w.root);
    if (ownerOf(c, p.npid) === w.root) marks.set(p.npid, c.outputLength(p.npid));
  }
  w.image = { bytes, node: node.id, incarnation: node.incarnation, seq: c.nextSeq(), marks };
  figures.checkpoints++;
  c.trace(`checkpoint ${w.root} on ${node.id} ${bytes.length} bytes ${[...marks.keys()].join(',')}`);
}

/** Checkpoints the workload, kills it at its node and restores it on another (a manual migration). */
function move(
  c: SimCluster,
  w: Workload,
  random: { uint32(): number },
  figures: { checkpoints: number; moves: number; restores: number },
): void {
  const before = w.image;
  checkpoint(c, w, figures);
  const image = w.image;
  if (!image || image === before) return;
  const source = c.node(w.node);
  const targets = c.nodes.filter((n) => n.up && n.id !== source.id);
  const target = targets[randomBelow(random, targets.length)];
  if (!target) return;
  const k = source.kernel;
  for (const npid of image.marks.keys()) {
    const p = [...k.processes.values()].find((q) => q.npid === npid && q.alive);
    if (p) k.kill(p.pid, 9);
  }
  w.abandoned.push({ node: source.id, incarnation: source.incarnation, seq: image.seq });
  if (restoreOn(c, w, image, target.id)) {
    figures.moves++;
    c.trace(`moved ${w.root} ${source.id}>${target.id}`);
  }
}

/** Brings a workload whose node died back from its last image on an up node. */
function restore(
  c: SimCluster,
  w: Workload,
  random: { uint32(): number },
  figures: { restores: number },
): void {
  const image = w.image;
  if (!image) return;
  const targets = c.nodes.filter((n) => n.up);
  const target = targets[randomBelow(random, targets.length)];
  if (!target) return;
  if (!w.abandoned.some((a) => a.node === w.node && a.incarnation === w.incarnation))
    w.abandoned.push({ node: w.node, incarnation: w.incarnation, seq: image.seq });
  if (restoreOn(c, w, image, target.id)) {
    figures.restores++;
    w.restores++;
  }
}

function restoreOn(c: SimCluster, w: Workload, image: Image, target: NodeId): boolean {
  const node = c.node(target);
  let pids: number[];
  try {
    pids = node.kernel.restoreAll(image.bytes);
  } catch (e) {
    if (e instanceof KernelError) {
      c.trace(`restore-refused ${w.root} on ${target} ${e.message}`);
      return false;
    }
    // An image this kernel wrote that it cannot read back is a bug, not bad input.
    if (e instanceof ImageError) {
      c.fail(
        'image-roundtrip',
        `${w.argv.join(' ')}: the image taken on node ${image.node} does not restore: ${e.message}`,
      );
      return false;
    }
    throw e;
  }
  // What the lost copy printed after the image was taken is printed again by the restored one;
  // processes the lost copy made after it never existed.
  for (const npid of members(c, w)) c.truncateOutput(npid, image.marks.get(npid) ?? 0);
  w.node = target;
  w.incarnation = node.incarnation;
  node.wake();
  c.trace(`restored ${w.root} on ${target} ${pids.length} processes`);
  return true;
}

/** The workload's processes, output and exit codes must equal the uninterrupted run's. */
function compare(c: SimCluster, w: Workload): void {
  const ref = referenceRun(c.programs, RAM_MIB, w.argv[0] as string, w.argv.slice(1));
  const ended = members(c, w)
    .map((npid) => ({ npid, exit: validExit(c, w, npid) }))
    .filter((m) => m.exit !== undefined);
  const outputs = ended.map((m) => c.output(m.npid)).sort();
  const codes = ended.map((m) => m.exit?.code ?? -1).sort((a, b) => a - b);
  const name = w.argv.join(' ');
  if (outputs.length !== ref.outputs.length)
    return c.fail(
      'same-output',
      `${name}: ${outputs.length} processes ended, the uninterrupted run had ${ref.outputs.length}`,
    );
  for (let i = 0; i < outputs.length; i++) {
    if (outputs[i] !== ref.outputs[i])
      return c.fail(
        'same-output',
        `${name} (restored ${w.restores}x): a process printed ${JSON.stringify(outputs[i])}, the uninterrupted run ${JSON.stringify(ref.outputs[i])}`,
      );
  }
  if (codes.join(',') !== ref.codes.join(','))
    c.fail(
      'same-exit',
      `${name}: exit codes ${codes.join(',')}, the uninterrupted run ${ref.codes.join(',')}`,
    );
}
