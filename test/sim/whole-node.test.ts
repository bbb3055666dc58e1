// The simulator's whole-node mode: kernels on small RAM with the Raft registry over SimNetwork.
// The harness runs programs on several nodes in virtual time, survives crash and restart with
// never-reused NPIDs, catches two live copies of one NPID and broken kernel invariants, and the
// checkpoint-restore scenario is reproducible bit for bit and passes on fixed seeds (a failing seed
// prints the command that replays it).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { APP_TYPES } from '../../src/cluster/links.js';
import { members } from '../../src/cluster/registry/schema.js';
import { SimCluster } from '../../src/sim/whole-node/cluster.js';
import { DUPLICATE_GRACE_MS } from '../../src/sim/whole-node/limits.js';
import { checkpointRestore } from '../../src/sim/whole-node/scenarios/checkpoint-restore.js';
import { replayCommand, summarizeScenario } from '../../src/sim/whole-node/scenarios/types.js';
import type { SimServiceContext } from '../../src/sim/whole-node/service.js';

test('programs run on every node in virtual time; services get links, registry and kernel', async () => {
  const seen: { self: number; pid: number; got: string[] }[] = [];
  const c = new SimCluster({
    seed: 7,
    nodes: 3,
    services: [
      (ctx: SimServiceContext) => {
        const links = ctx.links(APP_TYPES.procs);
        const rec = { self: ctx.self, pid: ctx.kernel.liveProcesses(), got: [] as string[] };
        seen.push(rec);
        links.onMessage((peer, _lane, type, payload) => rec.got.push(`${peer}:${type}:${payload.length}`));
        // Every node greets the next one once the registry has a leader (a registry read first).
        const greet = () =>
          ctx.registry
            .get('members/none')
            .then(() =>
              links.send((((ctx.self as number) % 3) + 1) as never, 'control', 33, new Uint8Array(5)),
            )
            .catch(() => ctx.clock.setTimer(100, greet));
        ctx.clock.setTimer(10, greet);
        return { stop: () => undefined };
      },
    ],
  });
  c.start();
  assert.ok(await c.waitForLeader(), 'a leader is elected');
  const hello = [1, 2, 3].map((n) => c.spawn(n, 'hello'));
  const pp = c.spawn(2, 'ipc_pingpong');
  for (const s of [...hello, pp]) {
    const e = await c.waitExit(s.npid, 5_000);
    assert.equal(e?.code, 0, `${s.npid} exits 0`);
    assert.equal(e?.node, s.node);
  }
  assert.equal(c.output(hello[0]?.npid ?? ''), 'Hello from Pakaya!\nhello\n');
  assert.match(c.output(pp.npid), /1000 round trips, counter 1000/);
  assert.ok(c.steps > 0 && c.clock.now() > 0);
  assert.ok(await c.runUntil(() => seen.every((s) => s.got.length > 0), 5_000), 'service messages arrive');
  for (const s of seen) assert.deepEqual(s.got, [`${((s.self + 1) % 3) + 1}:33:5`]);
  // Every node registered itself as an alive member.
  assert.ok(
    await c.runUntil(() => c.leader()?.live?.stateMachine.list(members.prefix).length === 3, 5_000),
    'three members',
  );
  assert.equal(c.violation, undefined);
  assert.ok(c.checkKernels());
  await c.shutdown();
});

test('a crashed node restarts with a fresh kernel, its durable storage and never-reused NPIDs', async () => {
  const c = new SimCluster({ seed: 11, nodes: 3, keepTrace: true });
  c.start();
  assert.ok(await c.waitForLeader());
  const sleeper = c.spawn(3, 'sleep');
  await c.runFor(20);
  assert.equal(c.whereIs(sleeper.npid).length, 1);
  c.crash(3);
  assert.equal(c.node(3).up, false);
  assert.equal(c.whereIs(sleeper.npid).length, 0, 'the process died with its node');
  await c.runFor(500);
  c.boot(3);
  assert.equal(c.node(3).incarnation, 2);
  const after = c.spawn(3, 'hello');
  assert.notEqual(after.npid, sleeper.npid);
  assert.ok(after.pid > sleeper.pid, `the pid counter moved past ${sleeper.pid} (got ${after.pid})`);
  assert.equal((await c.waitExit(after.npid, 5_000))?.code, 0);
  // The restarted replica rejoins and catches up with the cluster's commit.
  assert.ok(await c.waitForLeader(), 'the cluster converges after the restart');
  assert.ok((c.node(3).live?.replica.appliedIndex ?? 0) > 0);
  assert.ok(c.traceText.some((l) => l.endsWith('boot 3 #2')));
  assert.equal(c.violation, undefined);
  await c.shutdown();
});

test('two live copies of one NPID on nodes that can reach each other break the invariant', async () => {
  const c = new SimCluster({ seed: 3, nodes: 2 });
  c.start();
  assert.ok(await c.waitForLeader());
  const s = c.spawn(1, 'sha256'); // blocks reading its (empty, never-ending) input
  await c.runFor(5);
  const k1 = c.node(1).kernel;
  const p = k1.findProcess(s.pid);
  assert.ok(p);
  const image = k1.checkpointGroup(s.pid);
  c.node(2).kernel.restoreAll(image);
  c.node(2).wake();
  // A partition excuses the second copy (its node cannot know); reachable again, it must go.
  c.partition([1], [2]);
  await c.runFor(DUPLICATE_GRACE_MS + 200);
  assert.equal(c.violation, undefined, 'no violation while the nodes are cut apart');
  c.heal();
  await c.runUntil(() => c.violation !== undefined, DUPLICATE_GRACE_MS * 2);
  const v = c.checker.violation as { invariant: string; detail: string } | undefined;
  assert.equal(v?.invariant, 'one-live-copy');
  assert.match(v?.detail ?? '', new RegExp(s.npid));
  await c.shutdown();
});

test('a broken kernel invariant on a node stops the run with the node named', async () => {
  const c = new SimCluster({ seed: 5, nodes: 1 });
  c.start();
  const s = c.spawn(1, 'sha256');
  await c.runFor(5);
  const t = c.node(1).kernel.findProcess(s.pid)?.threads[0];
  assert.ok(t);
  t.state = 'ready'; // a thread that claims to be ready but sits in no run queue
  c.node(1).wake();
  await c.runUntil(() => c.violation !== undefined, 1_000);
  assert.equal(c.violation?.invariant, 'kernel');
  assert.match(c.violation?.detail ?? '', /^node 1: kernel invariant/);
});

test('checkpoint-restore: same seed, same hash; passes on fixed seeds under faults', async () => {
  const short = { seed: 9, steps: 1_500 };
  const a = await checkpointRestore.run(short);
  const b = await checkpointRestore.run(short);
  assert.equal(a.hash, b.hash, 'a seed reproduces the run bit for bit');
  assert.deepEqual(a.figures, b.figures);
  for (const seed of [1, 2]) {
    const r = await checkpointRestore.run({ seed });
    const line = summarizeScenario(r);
    assert.equal(
      r.violation,
      undefined,
      `${line}\n${r.violation?.detail}\nreplay: ${replayCommand(r.scenario, { seed })}`,
    );
    assert.ok((r.figures.checkpoints ?? 0) > r.figures.workloads!, line);
    assert.ok((r.figures.faults ?? 0) > 0, line);
    assert.match(line, /^sim mode=nodes scenario=checkpoint-restore seed=\d+ .* ok .*hash=[0-9a-f]{64}$/);
  }
});
