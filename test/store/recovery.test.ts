// Recovery in the simulator (several seeds, crashes): when a node is marked dead, its processes with
// a restart policy and a replicated checkpoint come back on exactly one live node with their NPID,
// under a newer fencing token, and finish with the output of an uninterrupted run; those without a
// policy or without a checkpoint become lost; a recovery whose target dies too is finished by the
// next scan on another node.
import assert from 'node:assert/strict';
import test from 'node:test';
import { Recovery, type RecoveryOutcome } from '../../src/cluster/recovery/recovery.js';
import { fenceBefore, npidRecord, npids, type RestartPolicy } from '../../src/cluster/registry/schema.js';
import type { Process } from '../../src/kernel/proc.js';
import type { NodeId } from '../../src/net/node-id.js';
import { program, runFor, runToEnd, uninterruptedRun } from '../kernel/helpers.js';
import { SimStoreCluster, type SimStoreNode } from './harness.js';

function startRecovery(
  c: SimStoreCluster,
  n: SimStoreNode,
  outcomes: RecoveryOutcome[],
  restored: Map<string, { node: NodeId; pid: number }>,
): Recovery {
  const r = new Recovery({
    self: n.id,
    registry: c.registry,
    store: n.store,
    replication: n.replication,
    clock: c.clock,
    rescanMs: 500,
    restore: (npid, bundle) => {
      const [pid] = n.kernel.restoreAll(bundle);
      assert.ok(!restored.has(npid), `${npid} restored twice`);
      restored.set(npid, { node: n.id, pid: pid! });
    },
    onOutcome: (o) => outcomes.push(o),
  });
  return r;
}

async function spawnRecorded(
  c: SimStoreCluster,
  n: SimStoreNode,
  restart: RestartPolicy,
  name: string,
  args: string[],
): Promise<Process> {
  const p = n.kernel.spawn({ file: program(name), argv: [name, ...args], envp: [] });
  await c.registry.put(
    npids.key(p.npid),
    npids.encode({ node: n.id, state: 'running', name, args, restart }),
    { fence: true },
  );
  return p;
}

for (const seed of [21, 22, 23, 24]) {
  test(`seed ${seed}: a dead node's processes come back elsewhere (policy + checkpoint) or become lost`, async () => {
    const whole = uninterruptedRun('qsort', ['5000']);
    const c = new SimStoreCluster(seed, [1, 2, 3]);
    await c.registerMembers();
    const n1 = c.node(1);
    const always = await spawnRecorded(c, n1, 'always', 'qsort', ['5000']);
    const onFailure = await spawnRecorded(c, n1, 'on-failure', 'qsort', ['5000']);
    const noPolicy = await spawnRecorded(c, n1, 'no', 'qsort', ['5000']);
    const noCheckpoint = await spawnRecorded(c, n1, 'always', 'qsort', ['5000']);
    runFor(n1.kernel, 400_000 + seed * 1000);
    for (const p of [always, onFailure, noPolicy])
      await c.settle(n1.replication.checkpoint(p.npid, n1.kernel.checkpoint(p.pid), c.clock.now()));
    const outBefore = new Map([always, onFailure].map((p) => [p.npid, n1.host.stdout(p.pid)]));
    const fenceBeforeCrash = npidRecord((await c.registry.get(npids.key(always.npid))).kv!).fence;
    // Work done after the checkpoint is lost with the node.
    runFor(n1.kernel, 50_000);

    const outcomes: RecoveryOutcome[] = [];
    const restored = new Map<string, { node: NodeId; pid: number }>();
    const recoveries = [2, 3].map((id) => startRecovery(c, c.node(id), outcomes, restored));
    for (const r of recoveries) await r.start();
    c.crash(1);
    await c.setMember(n1.id, 'dead');
    await c.until(
      () => restored.size === 2 && outcomes.filter((o) => o.kind === 'lost').length === 2,
      30_000,
      'recovery',
    );
    for (const r of recoveries) r.stop();

    for (const p of [always, onFailure]) {
      const where = restored.get(p.npid)!;
      const rec = npidRecord((await c.registry.get(npids.key(p.npid))).kv!);
      assert.equal(rec.node, where.node, 'the registry names the node that restored it');
      assert.equal(rec.state, 'running');
      assert.equal(rec.restarts, 1);
      assert.ok(fenceBefore(fenceBeforeCrash, rec.fence), 'ownership moved under a newer fencing token');
      const node = c.node(where.node);
      const proc = node.kernel.findProcess(where.pid)!;
      assert.equal(proc.npid, p.npid, 'same NPID');
      runToEnd(node.kernel);
      assert.equal(outBefore.get(p.npid)! + node.host.stdout(where.pid), whole.out);
      assert.equal(proc.exitCode, whole.code);
    }
    for (const p of [noPolicy, noCheckpoint]) {
      assert.equal(restored.has(p.npid), false);
      assert.equal(npidRecord((await c.registry.get(npids.key(p.npid))).kv!).state, 'lost');
    }
  });
}

test('when the recovering node dies too, the next scan on a live node recovers the process', async () => {
  const whole = uninterruptedRun('crc32', ['2000']);
  const c = new SimStoreCluster(31, [1, 2, 3, 4], { replicas: 2 });
  await c.registerMembers();
  const n1 = c.node(1);
  const p = await spawnRecorded(c, n1, 'always', 'crc32', ['2000']);
  runFor(n1.kernel, 100_000);
  const cp = await c.settle(n1.replication.checkpoint(p.npid, n1.kernel.checkpoint(p.pid), 1));
  const before = n1.host.stdout(p.pid);
  c.crash(1);
  await c.setMember(n1.id, 'dead');
  // The chosen target dies before it acts; the other holder (or any node) takes over.
  const alive = [2, 3, 4] as NodeId[];
  const first = Recovery.target(p.npid, alive, cp.nodes)!;
  c.crash(first);
  await c.setMember(first, 'dead');
  const outcomes: RecoveryOutcome[] = [];
  const restored = new Map<string, { node: NodeId; pid: number }>();
  const rs = alive.filter((id) => id !== first).map((id) => startRecovery(c, c.node(id), outcomes, restored));
  for (const r of rs) await r.start();
  await c.until(() => restored.size === 1, 30_000, 'recovery');
  for (const r of rs) r.stop();
  const where = restored.get(p.npid)!;
  assert.notEqual(where.node, first);
  const node = c.node(where.node);
  const proc = node.kernel.findProcess(where.pid)!;
  runToEnd(node.kernel);
  assert.equal(before + node.host.stdout(where.pid), whole.out);
  assert.equal(proc.exitCode, whole.code);
});
