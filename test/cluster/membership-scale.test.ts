// Membership at scale over the virtual network: 200 members converge, and a membership change (a
// new member, a crash) reaches all of them within a measured virtual time. bench/membership-bench.ts
// runs the same with 1,000 members.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_CONFIG, suspicionMinMs } from '../../src/cluster/membership/config.js';
import { id, startCluster } from './swim-scenarios.js';

const N = 200;

test(`${N} members converge; a join and a crash reach every member in bounded virtual time`, () => {
  // Without the protobuf round trip (wire: false): 200 members' messages through the codec cost ~7x
  // the CPU of the protocol; the codec is covered by the smaller SwimNet tests and the simulator.
  const net = startCluster(N, { seed: 2026, keepEvents: false, checkInvariants: false, wire: false });
  const convergedAt = net.now;
  net.run(net.now + 2_000);

  const newcomer = id(N + 1);
  net.add(newcomer);
  const joinAt = net.now;
  net.join(newcomer, [id(17)]);
  const known = net.runUntil(
    () => net.running().every((o) => net.view(o, newcomer) === 'alive'),
    joinAt + 10_000,
    5,
  );
  assert.ok(known !== undefined, 'the join reached every member');

  const victim = id(42);
  const killedAt = net.now;
  net.crash(victim);
  const dead = net.runUntil(
    () => net.running().every((o) => net.view(o, victim) === 'dead'),
    killedAt + 10_000,
    5,
  );
  assert.ok(dead !== undefined, 'the crash reached every member');
  console.log(
    `${N} members: converged at ${convergedAt} ms; join known everywhere after ${known - joinAt} ms; ` +
      `crash dead everywhere after ${dead - killedAt} ms; ${net.counts.sent} messages`,
  );
  // Dissemination is O(log n) protocol periods: well inside 20 periods for 200 members.
  assert.ok(known - joinAt <= 20 * DEFAULT_CONFIG.probeIntervalMs);
  // Detection: suspicion max (2 × 2.5 × log10 200 × 200 ms ≈ 2.3 s) plus probing and gossip.
  assert.ok(dead - killedAt <= 2 * suspicionMinMs(DEFAULT_CONFIG, N) + 10 * DEFAULT_CONFIG.probeIntervalMs);
  for (const o of net.running()) assert.equal(net.membership(o).liveCount, N);
});
