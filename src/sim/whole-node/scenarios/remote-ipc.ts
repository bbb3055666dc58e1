// Scenario "remote-ipc": svc_server registers a global name (svc/echo) on one node; svc_client
// processes on every node (its own included) look the name up through their own name server (the
// registry's names/ entry) and make numbered calls to it across the network while the fault
// schedule drops, duplicates, reorders and delays messages on every link — the remote-port
// router's included — and cuts the network (partitions, one-way cuts, flapping links). The programs
// check every answer themselves (no loss, no duplicate, no reordering: the server checks each
// client's sequence, each client each answer) and exit 1 otherwise. At the end every program must
// have exited 0 with exactly the expected output, and the invariants must have held at every step.
import type { NodeId } from '../../../net/node-id.js';
import { randomBelow } from '../../../net/random.js';
import type { FaultKind } from '../../faults.js';
import { SimCluster } from '../cluster.js';
import { FaultSchedule } from '../faults.js';
import { PortsNodes } from '../services/ports.js';
import { StoreNodes } from '../services/store.js';
import { finishScenario } from './finish.js';
import { type Recorded, spawnRecorded } from './spawn.js';
import type { Scenario, ScenarioOptions, ScenarioResult } from './types.js';

const RAM_MIB = 8;
const DEFAULT_NODES = 3;
const MIN_NODES = 2;
/** Clients per node and calls per client. */
const CLIENTS_PER_NODE = 2;
const CALLS = 120;
const NAME = 'svc/echo';
/** Network faults only: a crash or a pause would end or stall a program (not what this tests). */
const NETWORK_FAULTS: readonly FaultKind[] = [
  'partition',
  'one-way',
  'flapping',
  'loss',
  'duplicate',
  'reorder',
  'delay',
];
const DEFAULT_FAULTS: readonly FaultKind[] = NETWORK_FAULTS;
/** Virtual ms the programs have to finish (faults run for the first FAULTS_MS of it). */
const FAULTS_MS = 6_000;
const FINISH_MS = 60_000;

export const remoteIpcScenario: Scenario = {
  name: 'remote-ipc',
  description:
    'svc_client on every node calls svc_server by its global name under loss, duplication, reordering and partitions; the programs check no loss or duplication',
  minNodes: MIN_NODES,
  run: runRemoteIpc,
};

async function runRemoteIpc(o: ScenarioOptions): Promise<ScenarioResult> {
  const nodes = o.nodes ?? DEFAULT_NODES;
  if (nodes < MIN_NODES) throw new RangeError(`the remote-ipc scenario needs ${MIN_NODES} or more nodes`);
  const kinds = o.faults ?? DEFAULT_FAULTS;
  const figures = { clients: 0, calls: 0, remoteCalls: 0, resent: 0, faults: 0, instructions: 0 };
  const stores = new StoreNodes();
  const ports = new PortsNodes();
  const c = new SimCluster({
    seed: o.seed,
    nodes,
    ramMiB: RAM_MIB,
    keepTrace: o.keepTrace,
    services: [stores.factory, ports.factory],
  });
  const random = c.forkRandom();
  const start = c.steps;
  c.start();
  const ready = () =>
    c.nodes.every((n) => stores.of(n.id)?.started === true && ports.of(n.id)?.started === true);
  if (!(await c.waitForLeader()) || !(await c.runUntil(ready, 10_000)))
    c.fail('liveness', 'the registry or the services did not start within 10 s');

  const serverNode = (1 + randomBelow(random, nodes)) as NodeId;
  const clientCount = nodes * CLIENTS_PER_NODE;
  const server = c.violation
    ? undefined
    : await spawnRecorded(c, stores, serverNode, ['svc_server', NAME, String(clientCount)]);
  const clients: { id: number; rec: Recorded }[] = [];
  const faults = new FaultSchedule(c, { kinds: kinds.filter((k) => NETWORK_FAULTS.includes(k)) });
  faults.start();
  for (let id = 0; id < clientCount && !c.violation; id++) {
    const node = ((id % nodes) + 1) as NodeId;
    const rec = await spawnRecorded(c, stores, node, ['svc_client', NAME, String(id), String(CALLS)]);
    if (rec) clients.push({ id, rec });
  }
  figures.clients = clients.length;
  const all = [...(server ? [server] : []), ...clients.map((x) => x.rec)];
  const ended = () => all.every((r) => c.exits.has(r.npid));
  if (!c.violation) await c.runUntil(ended, FAULTS_MS);
  faults.stop();
  figures.faults = faults.injected;
  if (!c.violation && !(await c.runUntil(ended, FINISH_MS))) {
    const left = all.filter((r) => !c.exits.has(r.npid)).map((r) => r.npid);
    c.fail('liveness', `programs still running ${FINISH_MS} ms after the faults stopped: ${left.join(', ')}`);
  }
  if (!c.violation) c.checkKernels();
  if (!c.violation && server) {
    const expect = (r: Recorded, code: number, output: string) => {
      const e = c.exitOf(r.npid);
      const out = c.copyOutput(r.copy);
      if (e?.code !== code || e.signaled || out !== output)
        c.fail(
          'programs',
          `${r.npid} on node ${r.node}: exit ${e?.code}, printed ${JSON.stringify(out)}; expected exit ${code}, ${JSON.stringify(output)}`,
        );
    };
    for (const { id, rec } of clients) expect(rec, 0, `svc_client ${id}: ${CALLS} calls ok\n`);
    const total = clientCount * (CALLS + 1);
    expect(
      server,
      0,
      `svc_server: ${NAME} ready\nsvc_server: ${total} calls from ${clientCount} clients ok\n`,
    );
    figures.calls = total;
    figures.remoteCalls = clients.filter((x) => x.rec.node !== serverNode).length * (CALLS + 1);
  }
  for (const n of c.nodes) figures.resent += ports.of(n.id)?.router.stats.resent ?? 0;
  return finishScenario(c, {
    scenario: remoteIpcScenario.name,
    options: o,
    nodes,
    start,
    faults: kinds,
    figures,
  });
}
