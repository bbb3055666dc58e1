// Replication of checkpoints in the simulator (several seeds, latency, jitter, bandwidth, crashes,
// partitions): a checkpoint counts once k other nodes hold it and the registry says where; the
// second checkpoint sends only changed pages; a crashed or cut-off replica is replaced by another
// candidate, and with none the checkpoint does not count; a fenced-off owner cannot publish; a node
// without the checkpoint fetches it from a holder and the restored process finishes correctly.
import assert from 'node:assert/strict';
import test from 'node:test';
import { checkpoints, npids } from '../../src/cluster/registry/schema.js';
import { StoreError } from '../../src/cluster/store/errors.js';
import { PeriodicCheckpoints } from '../../src/cluster/store/periodic.js';
import type { NodeId } from '../../src/net/node-id.js';
import { program, runFor, runToEnd, uninterruptedRun } from '../kernel/helpers.js';
import { SimStoreCluster } from './harness.js';

const SEEDS = [1, 2, 3];

for (const seed of SEEDS) {
  test(`seed ${seed}: a checkpoint is replicated to k nodes, the next one sends only changed pages, a third node fetches and restores it`, async () => {
    const whole = uninterruptedRun('qsort', ['5000']);
    const c = new SimStoreCluster(seed, [1, 2, 3]);
    await c.registerMembers();
    const n1 = c.node(1);
    const p = n1.kernel.spawn({ file: program('qsort'), argv: ['qsort', '5000'], envp: [] });
    runFor(n1.kernel, 150_000);
    const first = await c.settle(n1.replication.checkpoint(p.npid, n1.kernel.checkpoint(p.pid), 10));
    assert.equal(first.nodes.length, 2);
    assert.equal(first.nodes[0], n1.id);
    const holder = c.node(first.nodes[1]!);
    assert.deepEqual(holder.store.missingPages(first.manifest), []);
    assert.equal(holder.store.latest(p.npid)?.manifest, first.manifest);
    const entry = await c.registry.get(checkpoints.key(p.npid));
    assert.deepEqual(checkpoints.decode(entry.kv!.value), {
      npid: p.npid,
      manifest: first.manifest,
      nodes: first.nodes,
      taken: 10,
    });
    assert.equal(first.bytesSent, first.put.pages * 4096, 'the first checkpoint sends every page');

    n1.kernel.markClean(p.pid);
    runFor(n1.kernel, 20_000);
    const second = await c.settle(n1.replication.checkpoint(p.npid, n1.kernel.checkpoint(p.pid), 20));
    assert.ok(second.bytesSent > 0);
    assert.ok(second.bytesSent < first.bytesSent / 2, `${second.bytesSent} vs ${first.bytesSent} bytes`);
    const before = n1.host.stdout(p.pid);

    // A node holding nothing fetches it (a crashed holder in the list is skipped) and restores it.
    const other = [2, 3].find((id) => id !== holder.id)!;
    const target = c.node(other);
    const fetched = await c.settle(target.replication.fetch(second.manifest, second.nodes));
    assert.ok(fetched.pagesFetched > 0);
    const pid = target.kernel.restore(target.store.getImage(second.manifest));
    const restored = target.kernel.findProcess(pid)!;
    assert.equal(restored.npid, p.npid);
    runToEnd(target.kernel);
    assert.equal(before + target.host.stdout(pid), whole.out);
    assert.equal(restored.exitCode, whole.code);
  });
}

test('a crashed replica is replaced by another candidate; with no reachable peer the checkpoint does not count', async () => {
  const c = new SimStoreCluster(11, [1, 2, 3]);
  await c.registerMembers();
  const n1 = c.node(1);
  const p = n1.kernel.spawn({ file: program('crc32'), argv: ['crc32', '2000'], envp: [] });
  runFor(n1.kernel, 50_000);
  const order = await n1.replication.candidates(p.npid);
  c.crash(order[0]!);
  const r = await c.settle(n1.replication.checkpoint(p.npid, n1.kernel.checkpoint(p.pid), 5));
  assert.deepEqual(r.nodes, [n1.id, order[1]]);

  c.net.partition([n1.id], [order[1]!]);
  runFor(n1.kernel, 10_000);
  await assert.rejects(
    c.settle(n1.replication.checkpoint(p.npid, n1.kernel.checkpoint(p.pid), 6)),
    (e: unknown) => e instanceof StoreError && e.code === 'not-replicated',
  );
  const entry = await c.registry.get(checkpoints.key(p.npid));
  assert.equal(checkpoints.decode(entry.kv!.value).taken, 5, 'the registry still names the replicated one');
  assert.equal(n1.store.checkpoints(p.npid).length, 2, 'the local copy is kept');
});

test('a node the registry no longer names as owner cannot publish a checkpoint', async () => {
  const c = new SimStoreCluster(5, [1, 2]);
  await c.registerMembers();
  const n1 = c.node(1);
  const p = n1.kernel.spawn({ file: program('crc32'), argv: ['crc32', '2000'], envp: [] });
  runFor(n1.kernel, 50_000);
  await c.registry.put(npids.key(p.npid), npids.encode({ node: 2 as NodeId, state: 'running' }), {
    fence: true,
  });
  await assert.rejects(
    c.settle(n1.replication.checkpoint(p.npid, n1.kernel.checkpoint(p.pid), 1)),
    (e: unknown) => e instanceof StoreError && e.code === 'unavailable',
  );
  assert.equal((await c.registry.get(checkpoints.key(p.npid))).kv, undefined);
});

test('periodic checkpoints follow guest time: none while the process does not run, one per period while it does', async () => {
  const c = new SimStoreCluster(8, [1, 2]);
  await c.registerMembers();
  const n1 = c.node(1);
  const p = n1.kernel.spawn({ file: program('dhrystone'), argv: ['dhrystone', '30000'], envp: [] });
  await c.registry.put(
    npids.key(p.npid),
    npids.encode({ node: n1.id, state: 'running', restart: 'always', checkpointEveryMs: 2 }),
    { fence: true },
  );
  const results: string[] = [];
  const periodic = new PeriodicCheckpoints({
    self: n1.id,
    registry: c.registry,
    replication: n1.replication,
    clock: c.clock,
    pollMs: 10,
    kernel: {
      now: () => n1.kernel.now(),
      pidOf: (npid) => [...n1.kernel.processes.values()].find((x) => x.alive && x.npid === npid)?.pid,
      checkpoint: (pid) => n1.kernel.checkpoint(pid),
    },
    onCheckpoint: (_npid, r) => results.push(r instanceof Error ? r.message : r.manifest),
  });
  await periodic.start();
  assert.deepEqual([...periodic.followed()], [[p.npid, 2]]);
  // Host (here: simulated) time passes, guest time does not: no checkpoint.
  await c.until(() => c.clock.now() > 500, 1000);
  assert.deepEqual(results, []);
  // 2 ms of guest time at a fixed rate per instruction: run past one period, then another.
  for (let round = 1; round <= 2; round++) {
    const start = n1.kernel.now();
    while (p.alive && n1.kernel.now() - start < 2.1e6) runFor(n1.kernel, 50_000);
    assert.ok(p.alive);
    await c.until(() => results.length === round, 5000, `checkpoint ${round}`);
  }
  periodic.stop();
  assert.equal(new Set(results).size, 2, 'two different checkpoints');
  const entry = checkpoints.decode((await c.registry.get(checkpoints.key(p.npid))).kv!.value);
  assert.equal(entry.manifest, results[1]);
  assert.ok(p.alive && !p.stopped, 'the process did not notice');
});
