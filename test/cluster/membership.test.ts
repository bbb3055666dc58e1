// SWIM membership over the deterministic virtual network: convergence, failure detection within the
// bound and without false positives (0% and 5% loss), refutation, graceful leave, partition healing
// through seeds, and determinism (same seed → same trace hash).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SwimNet } from '../../src/sim/swim-net.js';
import { falseDeaths, id, startCluster, stateEvents } from './swim-scenarios.js';

/** Issue 15's goal for a killed node, kill → dead on every other member, with the defaults. */
const DETECTION_GOAL_MS = 1_500;

test('5 members converge to all-alive, each knowing the others through gossip', () => {
  const net = startCluster(5, { seed: 1 });
  for (const a of net.ids()) {
    const list = net.membership(a).list();
    assert.equal(list.length, 5);
    assert.ok(list.every((m) => m.state === 'alive'));
  }
  assert.ok(net.now < 2_000, `converged at ${net.now} ms`);
});

for (const [size, loss] of [
  [5, 0],
  [5, 0.05],
  [16, 0],
  [16, 0.05],
] as const) {
  test(`${size} members: a crashed member is dead everywhere within ${DETECTION_GOAL_MS} ms, no false positives (loss ${loss * 100}%)`, () => {
    const times: number[] = [];
    for (let seed = 1; seed <= 8; seed++) {
      const net = startCluster(size, { seed, loss });
      net.run(net.now + 3_000);
      const victim = id(1 + (seed % size));
      const killedAt = net.now;
      net.crash(victim);
      const at = net.runUntil(
        () => net.running().every((o) => net.view(o, victim) === 'dead'),
        killedAt + 10_000,
        5,
      );
      assert.ok(at !== undefined, `seed ${seed}: member ${victim} declared dead`);
      times.push(at - killedAt);
      net.run(net.now + 10_000);
      assert.deepEqual(falseDeaths(net), [], `seed ${seed}: no running member declared dead`);
      for (const o of net.running()) assert.equal(net.view(o, victim), 'dead');
    }
    console.log(`detection (ms, ${size} members, loss ${loss * 100}%): ${times.join(' ')}`);
    assert.ok(Math.max(...times) <= DETECTION_GOAL_MS, `worst detection ${Math.max(...times)} ms`);
  });
}

test('no false positives in 60 s of steady running with 5% loss', () => {
  const net = startCluster(8, { seed: 42, loss: 0.05 });
  net.run(net.now + 60_000);
  assert.deepEqual(falseDeaths(net), []);
  assert.ok(net.counts.lost > 0, 'the network did lose datagrams');
  assert.ok(net.converged());
});

test('indirect probes alone (no reliable fallback) keep 5% loss free of false positives', () => {
  const net = startCluster(16, { seed: 8, loss: 0.05, config: { reliableFallback: false } });
  net.run(net.now + 60_000);
  assert.deepEqual(falseDeaths(net), []);
  const suspicions = net.events.filter((e) => e.event.type === 'member' && e.event.state === 'suspect');
  assert.ok(suspicions.length > 0, 'loss did cause suspicions, which were refuted');
  assert.ok(net.converged());
});

test('a suspected member that is alive refutes with a higher incarnation', () => {
  const net = startCluster(5, { seed: 7 });
  const target = id(3);
  const before = net.membership(target).incarnation;
  const start = net.now;
  net.pause(target, 450); // long enough to fail probes, shorter than the suspicion timeout
  net.run(net.now + 5_000);
  assert.ok(stateEvents(net, target, 'suspect', start).length > 0, 'member 3 was suspected');
  const refuted = net.events.filter(
    (e) =>
      e.time >= start && e.event.type === 'member' && e.event.node === target && e.event.reason === 'refuted',
  );
  assert.ok(refuted.length > 0, 'someone saw member 3 refute');
  assert.ok(net.membership(target).incarnation > before);
  assert.equal(stateEvents(net, target, 'dead').length, 0);
  assert.ok(net.converged());
});

test("a member that leaves is 'left' (graceful-leave) everywhere, never 'dead'", () => {
  const net = startCluster(5, { seed: 3 });
  const leaver = id(5);
  net.leave(leaver);
  const at = net.runUntil(
    () => net.ids().every((o) => o === leaver || net.view(o, leaver) === 'left'),
    net.now + 5_000,
  );
  assert.ok(at !== undefined, 'everyone saw the leave');
  net.crash(leaver); // the process exits after leaving
  net.run(net.now + 10_000);
  for (const o of net.running()) {
    const m = net.membership(o).member(leaver);
    assert.equal(m?.state, 'left');
    assert.equal(m?.reason, 'graceful-leave');
  }
  assert.equal(stateEvents(net, leaver, 'dead').length, 0);
});

test('a healed partition merges again through the seeds', () => {
  const net = startCluster(5, { seed: 11 });
  const a = [id(1), id(2), id(3)];
  const b = [id(4), id(5)];
  net.partition([a, b]);
  const split = net.runUntil(
    () => a.every((x) => b.every((y) => net.view(x, y) === 'dead' && net.view(y, x) === 'dead')),
    net.now + 10_000,
  );
  assert.ok(split !== undefined, 'both sides declared the other dead');
  net.run(net.now + 2_000);
  net.heal();
  const healedAt = net.now;
  const merged = net.runUntil(() => net.converged(), healedAt + 30_000, 50);
  assert.ok(merged !== undefined, 'memberships merged after the heal');
  console.log(`partition merge after heal: ${merged - healedAt} ms`);
  const rejoined = net.events.filter(
    (e) => e.time >= healedAt && e.event.type === 'member' && e.event.reason === 'rejoined',
  );
  assert.ok(rejoined.length > 0);
});

test('a dead member that comes back with a higher incarnation is alive again', () => {
  const net = startCluster(4, { seed: 5 });
  const target = id(4);
  net.pause(target, 5_000); // long enough to be declared dead
  const dead = net.runUntil(
    () => [1, 2, 3].every((o) => net.view(id(o), target) === 'dead'),
    net.now + 5_000,
  );
  assert.ok(dead !== undefined);
  const back = net.runUntil(() => net.converged(), net.now + 20_000, 50);
  assert.ok(back !== undefined, 'the resumed member refuted its death');
  assert.ok(
    stateEvents(net, target, 'alive', dead).some(
      (e) => e.event.type === 'member' && e.event.reason === 'rejoined',
    ),
  );
});

test('a crashed member restarted with a fresh state (incarnation 0) is alive again everywhere', () => {
  const net = startCluster(5, { seed: 12 });
  const target = id(2);
  net.crash(target);
  const dead = net.runUntil(
    () => net.running().every((o) => net.view(o, target) === 'dead'),
    net.now + 5_000,
  );
  assert.ok(dead !== undefined);
  net.restart(target, [id(1)]);
  const back = net.runUntil(() => net.converged(), net.now + 10_000, 20);
  assert.ok(back !== undefined, 'the restarted member refuted its old death');
  assert.ok(net.membership(target).incarnation > 0);
  assert.equal(net.membership(target).liveCount, 5);
});

test('a member that left and restarts fresh is alive again everywhere', () => {
  const net = startCluster(5, { seed: 13 });
  const target = id(4);
  net.leave(target);
  net.runUntil(() => net.ids().every((o) => o === target || net.view(o, target) === 'left'), net.now + 5_000);
  net.crash(target);
  net.run(net.now + 1_000);
  net.restart(target, [id(1)]);
  const back = net.runUntil(() => net.converged(), net.now + 10_000, 20);
  assert.ok(back !== undefined, 'the restarted member outbid its old leave');
  assert.ok(
    stateEvents(net, target, 'alive').some((e) => e.event.type === 'member' && e.event.reason === 'rejoined'),
  );
});

test('same seed, same trace hash; another seed, another hash', () => {
  const run = (seed: number): string => {
    const net = startCluster(6, { seed, loss: 0.05 });
    net.crash(id(2));
    net.pause(id(4), 300);
    net.run(net.now + 3_000);
    net.restart(id(2), [id(1)]);
    net.partition([
      [id(1), id(2)],
      [id(3), id(4), id(5), id(6)],
    ]);
    net.run(net.now + 3_000);
    net.heal();
    net.run(net.now + 5_000);
    return net.traceHash();
  };
  assert.equal(run(99), run(99));
  assert.notEqual(run(99), run(100));
});

test('the harness runs members that never joined: each stays alone and alive', () => {
  const net = new SwimNet({ seed: 1 });
  net.add(id(1));
  net.add(id(2));
  net.run(2_000);
  assert.equal(net.membership(id(1)).liveCount, 1);
  assert.equal(net.view(id(1), id(2)), undefined);
});

test('SwimNet sends the daemon bytes: the codec round trip changes nothing (same hash as without it)', () => {
  const run = (wire: boolean) => {
    const net = startCluster(12, { seed: 7, loss: 0.05, wire });
    net.crash(id(5));
    net.run(net.now + 8_000);
    return { hash: net.traceHash(), counts: { ...net.counts } };
  };
  const withBytes = run(true);
  const without = run(false);
  assert.ok(withBytes.counts.bytes > 10_000, `bytes sent: ${withBytes.counts.bytes}`);
  assert.equal(withBytes.counts.malformed, 0);
  assert.equal(without.counts.bytes, 0);
  assert.equal(withBytes.hash, without.hash);
});
