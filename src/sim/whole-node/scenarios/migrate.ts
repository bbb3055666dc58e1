// Scenarios "migrate" and "migrate-ports": memtouch processes (each checks every word of its memory
// at the end and exits 1 on corruption) run on the nodes — and, in migrate-ports, svc_server answers
// svc_client calls from every node by its global name — while the scenario live-migrates them
// between nodes again and again, pre-copy and
// post-copy, under network faults on the registry's and SWIM's links. Some migrations are made to
// fail: the target crashes during the pre-copy rounds (before any commit is possible), or the link
// between source and target is cut at a random point of the migration. A migration that fails
// before its commit must leave the process running at the source, with npids/ naming the source;
// one that committed leaves it on the target. At the end every program must have exited with the
// output and exit code of an uninterrupted run (the clients and the server check every call: no
// loss, no duplicate), npids/ recording where each ended, and the invariants (one live copy per
// NPID, kernel, registry) must have held at every step.
import { MigrationError, type MigrationProgress } from '../../../cluster/migration/types.js';
import type { Mode } from '../../../cluster/migration/wire.js';
import { npidRecord, npids } from '../../../cluster/registry/schema.js';
import type { NodeId } from '../../../net/node-id.js';
import { randomBelow } from '../../../net/random.js';
import type { FaultKind } from '../../faults.js';
import { SimCluster } from '../cluster.js';
import { FaultSchedule } from '../faults.js';
import { referenceRun } from '../reference.js';
import { MigrationNodes } from '../services/migration.js';
import { PortsNodes } from '../services/ports.js';
import { StoreNodes } from '../services/store.js';
import { finishScenario } from './finish.js';
import { type Recorded, spawnRecorded } from './spawn.js';
import type { Scenario, ScenarioOptions, ScenarioResult } from './types.js';

const RAM_MIB = 8;
const DEFAULT_NODES = 3;
const MIN_NODES = 2;
/** memtouch MIB PASSES HOT_KIB SLEEP_MS EVERY: 1 MiB, 5 ms of guest sleep between passes (4 s). */
const MEMTOUCH: readonly string[] = ['memtouch', '1', '800', '8', '5', '100'];
const MEMTOUCHES = 3;
const NAME = 'svc/migrating';
const CLIENTS = 2;
const CALLS = 150;
/** Background faults (crashes and partitions are the scenario's own, aimed at migrations). */
const BACKGROUND: readonly FaultKind[] = ['loss', 'duplicate', 'reorder', 'delay'];
const DEFAULT_FAULTS: readonly FaultKind[] = ['crash', 'partition', 'loss', 'delay'];
/** Virtual ms of the migration phase, and then for the programs to finish. */
const MIGRATING_MS = 5_000;
const FINISH_MS = 60_000;

export const migrateScenario: Scenario = {
  name: 'migrate',
  description:
    'memtouch processes are live-migrated (pre- and post-copy) again and again under faults; failed migrations (target crash, cut link) leave the process at the source',
  minNodes: MIN_NODES,
  run: (o) => runMigrate(o, 'migrate', false),
};

/** The same with a svc_server among the migrated, its svc_clients calling it throughout. */
export const migratePortsScenario: Scenario = {
  name: 'migrate-ports',
  description:
    'as migrate, and a svc_server answering svc_client calls from every node is migrated too: no call lost, doubled or failed',
  minNodes: MIN_NODES,
  run: (o) => runMigrate(o, 'migrate-ports', true),
};

interface Workload {
  readonly rec: Recorded;
  readonly argv: readonly string[];
  /** The output the scenario expects (memtouch: the uninterrupted run's; the server: its count). */
  readonly expect: { output: string; code: number };
  migrating: boolean;
  /** The source of the migration in flight (its promise never settles if that node crashes). */
  from?: { node: NodeId; incarnation: number };
  /** It ran on a node the scenario crashed (no restart policy here: it is gone, not checked). */
  lost: boolean;
}

async function runMigrate(o: ScenarioOptions, name: string, withServer: boolean): Promise<ScenarioResult> {
  const nodes = o.nodes ?? DEFAULT_NODES;
  if (nodes < MIN_NODES) throw new RangeError(`the migrate scenario needs ${MIN_NODES} or more nodes`);
  const kinds = o.faults ?? DEFAULT_FAULTS;
  const figures = {
    workloads: 0,
    migrations: 0,
    committed: 0,
    failed: 0,
    rolledBack: 0,
    precopy: 0,
    postcopy: 0,
    targetCrashes: 0,
    lostWithNode: 0,
    lostPostcopy: 0,
    cuts: 0,
    faults: 0,
    instructions: 0,
  };
  const stores = new StoreNodes();
  const ports = new PortsNodes();
  const migrations = new MigrationNodes(stores);
  const c = new SimCluster({
    seed: o.seed,
    nodes,
    ramMiB: RAM_MIB,
    keepTrace: o.keepTrace,
    services: [stores.factory, ports.factory, migrations.factory],
    // The node links are reliable streams in the daemon: loss and duplication hit Raft and SWIM.
    serviceLinkFaults: false,
  });
  const random = c.forkRandom();
  const start = c.steps;
  c.start();
  const ready = () =>
    c.nodes.every((n) => stores.of(n.id)?.started === true && ports.of(n.id)?.started === true);
  if (!(await c.waitForLeader()) || !(await c.runUntil(ready, 10_000)))
    c.fail('liveness', 'the registry or the services did not start within 10 s');

  const workloads: Workload[] = [];
  const ids = c.nodes.map((n) => n.id);
  const pick = <T>(xs: readonly T[]): T | undefined => xs[randomBelow(random, xs.length)];
  const ref = referenceRun(c.programs, RAM_MIB, MEMTOUCH[0] as string, MEMTOUCH.slice(1));
  for (let i = 0; i < MEMTOUCHES && !c.violation; i++) {
    const rec = await spawnRecorded(c, stores, pick(ids) as NodeId, MEMTOUCH);
    if (rec)
      workloads.push({
        rec,
        argv: MEMTOUCH,
        expect: { output: ref.outputs[0] ?? '', code: ref.codes[0] ?? 0 },
        migrating: false,
        lost: false,
      });
  }
  const server =
    c.violation || !withServer
      ? undefined
      : await spawnRecorded(c, stores, pick(ids) as NodeId, ['svc_server', NAME, String(CLIENTS)]);
  if (server) {
    const total = CLIENTS * (CALLS + 1);
    workloads.push({
      rec: server,
      argv: ['svc_server'],
      expect: {
        output: `svc_server: ${NAME} ready\nsvc_server: ${total} calls from ${CLIENTS} clients ok\n`,
        code: 0,
      },
      migrating: false,
      lost: false,
    });
  }
  const clients: { id: number; rec: Recorded }[] = [];
  for (let id = 0; id < (server ? CLIENTS : 0) && !c.violation; id++) {
    const rec = await spawnRecorded(c, stores, ids[id % ids.length] as NodeId, [
      'svc_client',
      NAME,
      String(id),
      String(CALLS),
    ]);
    if (rec) clients.push({ id, rec });
  }
  figures.workloads = workloads.length + clients.length;

  const faults = new FaultSchedule(c, { kinds: kinds.filter((k) => BACKGROUND.includes(k)) });
  faults.start();
  const where = (npid: string): NodeId | undefined => c.whereIs(npid)[0]?.node.id;
  const recordNode = (npid: string): NodeId | undefined => {
    const kv = c.leader()?.live?.stateMachine.get(npids.key(npid));
    return kv ? npidRecord(kv).node : undefined;
  };

  // One migration: a live workload to another up node, maybe made to fail.
  let migrating = true;
  const migrateOne = (): void => {
    const live = workloads.filter((w) => !w.migrating && where(w.rec.npid) !== undefined);
    const w = pick(live);
    if (!w) return;
    const source = where(w.rec.npid) as NodeId;
    const target = pick(c.nodes.filter((n) => n.up && n.id !== source).map((n) => n.id));
    const service = migrations.of(source);
    if (target === undefined || !service) return;
    const mode: Mode = randomBelow(random, 2) === 0 ? 'precopy' : 'postcopy';
    const roll = randomBelow(random, 4);
    // (Not with the server: a crash would take clients with it, and it would wait for them forever.)
    const crashTarget = kinds.includes('crash') && !withServer && mode === 'precopy' && roll === 0;
    const cutAfter = kinds.includes('partition') && roll === 1 ? randomBelow(random, 6) : -1;
    let reports = 0;
    let sabotaged = false;
    const onProgress = (p: MigrationProgress): void => {
      reports++;
      if (sabotaged) return;
      // Before the freeze, in the pre-copy rounds: no commit can have happened yet.
      if (crashTarget && p.phase === 'round') {
        sabotaged = true;
        c.trace(`migrate-sabotage crash target ${target} of ${w.rec.npid}`);
        for (const x of workloads)
          if (x !== w && hasCopy(c, target, x.rec.npid)) {
            x.lost = true;
            figures.lostWithNode++;
          }
        c.crash(target);
        figures.targetCrashes++;
        c.clock.setTimer(300 + randomBelow(random, 700), () => {
          if (!c.node(target).up) c.boot(target);
        });
      } else if (cutAfter >= 0 && reports > cutAfter) {
        sabotaged = true;
        c.trace(`migrate-sabotage cut ${source}/${target} of ${w.rec.npid} at ${p.phase}`);
        c.network.partition([source], [target]);
        figures.cuts++;
        c.clock.setTimer(200 + randomBelow(random, 1500), () => c.heal());
      }
    };
    w.migrating = true;
    w.from = { node: source, incarnation: c.node(source).incarnation };
    figures.migrations++;
    figures[mode]++;
    c.trace(
      `migrate ${w.rec.npid} ${source}>${target} ${mode}${crashTarget ? ' crash-target' : ''}${cutAfter >= 0 ? ` cut@${cutAfter}` : ''}`,
    );
    service.migrate(w.rec.npid, target, mode, onProgress).then(
      (s) => {
        w.migrating = false;
        figures.committed++;
        c.trace(
          `migrated ${w.rec.npid} ${source}>${target} rounds=${s.rounds} pages=${s.pages} freeze=${s.freezeMs.toFixed(1)}ms`,
        );
        if (crashTarget && sabotaged)
          c.fail('migration', `${w.rec.npid}: committed on node ${target}, which crashed before the freeze`);
      },
      (e: unknown) => {
        w.migrating = false;
        figures.failed++;
        const code = e instanceof MigrationError ? e.code : 'error';
        c.trace(`migrate-failed ${w.rec.npid} ${source}>${target} ${code} ${(e as Error).message}`);
        if (!(e instanceof MigrationError))
          return c.fail('migration', `${w.rec.npid}: ${(e as Error).message}`);
        if (code === 'lost') {
          // Post-copy, the link broke after the commit: the target cannot fetch the rest (documented).
          w.lost = true;
          figures.lostPostcopy++;
          return;
        }
        if (code === 'registry' || code === 'busy') return;
        // A migration that failed before its commit: the process runs on at the source.
        const at = c.whereIs(w.rec.npid).map((x) => x.node.id);
        const ended = c.exits.has(w.rec.npid);
        if (!ended && (at.length !== 1 || at[0] !== source))
          return c.fail(
            'migration',
            `${w.rec.npid}: migration to ${target} failed (${code}) but the process is live on [${at.join(', ')}], not at its source ${source}`,
          );
        if (!ended) figures.rolledBack++;
        if (crashTarget && sabotaged) {
          // The record names the source again once the rollback is applied (checked at the end too).
          const named = recordNode(w.rec.npid);
          if (named !== undefined && named !== source && !ended)
            c.trace(`note ${w.rec.npid} record names ${named} right after the rollback`);
        }
      },
    );
  };
  const tick = (): void => {
    if (!migrating || c.violation) return;
    migrateOne();
    c.clock.setTimer(100 + randomBelow(random, 300), tick);
  };
  c.clock.setTimer(50, tick);
  const all = [...workloads.map((w) => w.rec), ...clients.map((x) => x.rec)];
  // Ended: an exit recorded and no copy left anywhere (a migration's source copy ends when dropped).
  const gone = (npid: string) =>
    c.exits.has(npid) &&
    c.nodes.every(
      (n) => !n.live || ![...n.live.kernel.processes.values()].some((p) => p.alive && p.npid === npid),
    );
  const lost = (npid: string) => workloads.some((w) => w.lost && w.rec.npid === npid);
  const serverGone = () => workloads.some((w) => w.lost && w.rec === server);
  const ended = () =>
    all.every((r) => lost(r.npid) || gone(r.npid) || (serverGone() && clients.some((x) => x.rec === r)));
  if (!c.violation) await c.runUntil(ended, MIGRATING_MS);
  migrating = false;
  faults.stop();
  figures.faults = faults.injected;
  c.heal();
  for (const n of c.nodes) if (!n.up) c.boot(n.id);
  const inFlight = (w: Workload) =>
    w.migrating &&
    w.from !== undefined &&
    c.node(w.from.node).incarnation === w.from.incarnation &&
    c.node(w.from.node).up;
  const settled = () => ended() && !workloads.some(inFlight);
  // A client that failed leaves the server waiting for it: that failure is the one to report.
  const clientFailed = () => clients.some((x) => (c.exitOf(x.rec.npid)?.code ?? 0) !== 0);
  if (!c.violation && !(await c.runUntil(() => settled() || clientFailed(), FINISH_MS))) {
    const left = all.filter((r) => !lost(r.npid) && !gone(r.npid)).map((r) => r.npid);
    c.fail(
      'liveness',
      `programs still running ${FINISH_MS} ms after the migrations stopped: ${left.join(', ')}`,
    );
  }
  if (!c.violation) c.checkKernels();
  const expect = (r: Recorded, output: string, code: number): void => {
    if (c.violation) return;
    // The copy that ran last: a migration's source copy ends with SIGKILL when dropped, maybe after.
    const list = c.exits.get(r.npid) ?? [];
    const e = [...list].reverse().find((x) => !(x.signaled && x.code === 137)) ?? list[list.length - 1];
    const out = c.output(r.npid);
    if (e?.code !== code || e.signaled || out !== output)
      return c.fail(
        'programs',
        `${r.npid}: exit ${e?.code}${e?.signaled ? ' (signal)' : ''} on node ${e?.node}, printed ${JSON.stringify(out.slice(-300))}; expected exit ${code}, ${JSON.stringify(output.slice(-300))}`,
      );
    // npids/ names where it ended, as exited.
    const kv = c.leader()?.live?.stateMachine.get(npids.key(r.npid));
    const rec = kv ? npidRecord(kv) : undefined;
    if (rec?.node !== e.node || rec.state !== 'exited')
      c.fail(
        'fencing',
        `${r.npid} ended on node ${e.node}; npids/ says node ${rec?.node} state ${rec?.state}`,
      );
  };
  if (!c.violation)
    await c.runUntil(
      () =>
        all.every(
          (r) =>
            c.leader()?.live?.stateMachine.get(npids.key(r.npid)) !== undefined &&
            recordState(c, r.npid) === 'exited',
        ),
      10_000,
    );
  // A server lost in a post-copy whose link broke after the commit takes its clients' calls with it.
  const serverLost = workloads.some((w) => w.lost && w.rec === server);
  if (serverLost) c.trace('server lost: its clients are not checked');
  else for (const { id, rec } of clients) expect(rec, `svc_client ${id}: ${CALLS} calls ok\n`, 0);
  for (const w of workloads) if (!w.lost) expect(w.rec, w.expect.output, w.expect.code);
  return finishScenario(c, { scenario: name, options: o, nodes, start, faults: kinds, figures });
}

/** Node `id` holds a live copy of `npid`, frozen for a migration or not. */
function hasCopy(c: SimCluster, id: NodeId, npid: string): boolean {
  const live = c.node(id).live;
  return live !== undefined && [...live.kernel.processes.values()].some((p) => p.alive && p.npid === npid);
}

function recordState(c: SimCluster, npid: string): string | undefined {
  const kv = c.leader()?.live?.stateMachine.get(npids.key(npid));
  try {
    return kv ? npidRecord(kv).state : undefined;
  } catch {
    return undefined;
  }
}
