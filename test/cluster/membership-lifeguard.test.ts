// Lifeguard: the Local Health Multiplier (rises on probes that fail without nacks and on
// refutations, falls on successes, scales the probe timers), nacks from ping-req helpers, the
// dynamic suspicion timeout (max → min as independent confirmations come), the buddy system,
// a member with a stalling event loop that does not get others declared dead, and the stalls a
// host reports (membership.stalled): the probe and the suspicions get the time back.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { suspicionTimeoutMs } from '../../src/cluster/membership/config.js';
import { LocalHealth } from '../../src/cluster/membership/local-health.js';
import type { MembershipOutput } from '../../src/cluster/membership/member.js';
import { Membership } from '../../src/cluster/membership/membership.js';
import type { MembershipMessage, Update } from '../../src/cluster/membership/messages.js';
import { ZERO_HEALTH } from '../../src/cluster/membership/messages.js';
import { Suspicion } from '../../src/cluster/membership/suspicion.js';
import { randomBelow, SeededRandom } from '../../src/net/random.js';
import { id, startCluster } from './swim-scenarios.js';

const addr = (n: number): string => `m${n}`;

function alive(n: number, incarnation = 0): Update {
  return { kind: 'alive', node: id(n), incarnation, addresses: [addr(n)], labels: {}, health: ZERO_HEALTH };
}

/** Member 1 knowing members 2..n (via one gossip message), outputs drained. */
function knowing(n: number, config = {}): Membership {
  const m = new Membership({ id: id(1), addresses: [addr(1)], random: new SeededRandom(1), now: 0, config });
  const updates: Update[] = [];
  for (let i = 2; i <= n; i++) updates.push(alive(i));
  m.receive(addr(2), { type: 'gossip', from: id(2), updates }, 0);
  m.drain();
  return m;
}

function sends<T extends MembershipMessage['type']>(out: MembershipOutput[], type: T) {
  return out.flatMap((o) =>
    o.type === 'send' && o.message.type === type
      ? [{ to: o.to, channel: o.channel, message: o.message as Extract<MembershipMessage, { type: T }> }]
      : [],
  );
}

/** Ticks from `from` until a probe ping leaves; returns it and its time. */
function firstPing(
  m: Membership,
  from = 0,
): { to: string; seq: number; now: number; out: MembershipOutput[] } {
  for (let now = from; now < from + 2_000; now++) {
    m.tick(now);
    const out = m.drain();
    const ping = sends(out, 'ping').find((p) => p.channel === 'datagram');
    if (ping !== undefined) return { to: ping.to, seq: ping.message.seq, now, out };
  }
  throw new Error('no probe within 1 s');
}

test('LocalHealth saturates at 0 and max and scales timers by LHM + 1', () => {
  const h = new LocalHealth(8);
  h.apply(-1);
  assert.equal(h.value, 0);
  h.apply(20);
  assert.equal(h.value, 8);
  assert.equal(h.scale(100), 900);
  h.apply(-3);
  assert.equal(h.scale(100), 600);
});

test('dynamic suspicion timeout: max with no confirmation, min after k, monotone between', () => {
  assert.equal(suspicionTimeoutMs(500, 1000, 3, 0), 1000);
  assert.equal(suspicionTimeoutMs(500, 1000, 3, 3), 500);
  assert.equal(suspicionTimeoutMs(500, 1000, 0, 0), 500);
  const c1 = suspicionTimeoutMs(500, 1000, 3, 1);
  const c2 = suspicionTimeoutMs(500, 1000, 3, 2);
  assert.ok(1000 > c1 && c1 > c2 && c2 > 500);
  const s = new Suspicion(4, 100, id(9), 500, 1000, 2);
  assert.equal(s.deadline, 1100);
  assert.equal(s.confirm(id(9)), false, 'the first suspecter is no confirmation');
  assert.equal(s.confirm(id(5)), true);
  assert.equal(s.confirm(id(5)), false, 'a repeated confirmer counts once');
  assert.ok(s.deadline < 1100);
  assert.equal(s.confirm(id(6)), true);
  assert.equal(s.deadline, 600);
  assert.equal(s.confirm(id(7)), false, 'no more than k');
});

test('independent confirmations bring a suspicion to its minimum; without them it waits the maximum', () => {
  const lone = knowing(5);
  lone.receive(
    addr(3),
    { type: 'gossip', from: id(3), updates: [{ kind: 'suspect', node: id(2), incarnation: 0, from: id(3) }] },
    0,
  );
  lone.tick(999);
  assert.equal(lone.stateOf(id(2)), 'suspect', 'no confirmation: still suspect before the 1 s maximum');
  lone.tick(1000);
  assert.equal(lone.stateOf(id(2)), 'dead');

  const confirmed = knowing(5);
  for (const from of [3, 4, 5])
    confirmed.receive(
      addr(from),
      {
        type: 'gossip',
        from: id(from),
        updates: [{ kind: 'suspect', node: id(2), incarnation: 0, from: id(from) }],
      },
      0,
    );
  confirmed.tick(499);
  assert.equal(confirmed.stateOf(id(2)), 'suspect');
  confirmed.tick(500);
  assert.equal(confirmed.stateOf(id(2)), 'dead');
  assert.equal(confirmed.member(id(2))?.reason, 'suspicion-timeout');
});

test('a failed probe: ping-req to helpers plus a reliable ping; with every nack in, LHM stays 0', () => {
  const m = knowing(4);
  const { to, seq, now } = firstPing(m);
  m.tick(now + 100);
  const out = m.drain();
  const reqs = sends(out, 'ping-req');
  assert.equal(reqs.length, 2, 'the two other members help');
  assert.ok(reqs.every((r) => r.to !== to && r.message.type === 'ping-req' && r.message.seq === seq));
  const fallback = sends(out, 'ping').filter((p) => p.channel === 'reliable');
  assert.equal(fallback.length, 1);
  assert.equal(fallback[0]?.to, to);
  for (const r of reqs) m.receive(r.to, { type: 'nack', seq, from: id(Number(r.to.slice(1))) }, now + 150);
  m.tick(now + 200);
  assert.equal(m.localHealth, 0, 'the helpers answered: our own network works');
  const target = id(Number(to.slice(1)));
  assert.equal(m.stateOf(target), 'suspect');
  assert.equal(m.member(target)?.reason, 'probe-failed');
});

test('a failed probe with missing nacks raises LHM by the missing count, and the timers stretch', () => {
  const m = knowing(4);
  const { now } = firstPing(m);
  m.tick(now + 100);
  m.drain();
  m.tick(now + 200);
  assert.equal(m.localHealth, 2);
  // The next probe period is (LHM + 1) × 200 ms: no new ping before it ends.
  const next = firstPing(m, now + 200);
  const gap = next.now - (now + 200);
  assert.ok(gap >= 0);
  m.tick(next.now + 299);
  assert.equal(sends(m.drain(), 'ping-req').length, 0, 'ack timeout is 3 × 100 ms now');
  m.tick(next.now + 300);
  assert.ok(sends(m.drain(), 'ping-req').length > 0);
});

test('a successful probe lowers LHM', () => {
  const m = knowing(4);
  const { now } = firstPing(m);
  m.tick(now + 200);
  m.drain();
  const p = firstPing(m, now + 201);
  const before = m.localHealth;
  assert.ok(before > 0);
  m.receive(p.to, { type: 'ack', seq: p.seq, from: id(Number(p.to.slice(1))), updates: [] }, p.now + 5);
  assert.equal(m.localHealth, before - 1);
});

test('a ping-req helper probes the target and answers nack when it is silent, ack when it answers', () => {
  const helper = knowing(3);
  helper.receive(
    addr(2),
    { type: 'ping-req', seq: 77, from: id(2), target: id(3), targetAddress: addr(3), updates: [] },
    0,
  );
  const ping = sends(helper.drain(), 'ping')[0];
  assert.equal(ping?.to, addr(3));
  helper.tick(79);
  assert.equal(sends(helper.drain(), 'nack').length, 0);
  helper.tick(80);
  const nack = sends(helper.drain(), 'nack');
  assert.equal(nack.length, 1);
  assert.equal(nack[0]?.to, addr(2));
  assert.equal(nack[0]?.message.seq, 77);

  helper.receive(
    addr(2),
    { type: 'ping-req', seq: 78, from: id(2), target: id(3), targetAddress: addr(3), updates: [] },
    200,
  );
  const p2 = sends(helper.drain(), 'ping')[0];
  assert.ok(p2 !== undefined && p2.message.type === 'ping');
  helper.receive(addr(3), { type: 'ack', seq: p2.message.seq, from: id(3), updates: [] }, 210);
  const ack = sends(helper.drain(), 'ack');
  assert.equal(ack.length, 1);
  assert.equal(ack[0]?.to, addr(2));
  assert.equal(ack[0]?.message.seq, 78);
});

test('buddy system: a ping to a suspect member carries its suspicion first', () => {
  const m = knowing(2);
  m.receive(addr(2), { type: 'gossip', from: id(2), updates: [] }, 0);
  const first = firstPing(m);
  m.tick(first.now + 200); // no ack: member 2 becomes suspect
  m.drain();
  assert.equal(m.stateOf(id(2)), 'suspect');
  const next = firstPing(m, first.now + 200);
  const ping = sends(next.out, 'ping').find((p) => p.channel === 'datagram');
  assert.ok(ping !== undefined);
  assert.deepEqual(ping.message.updates[0], { kind: 'suspect', node: id(2), incarnation: 0, from: id(1) });
});

test('refuting a suspicion raises LHM and gossips a higher incarnation', () => {
  const m = knowing(3);
  m.receive(
    addr(2),
    { type: 'gossip', from: id(2), updates: [{ kind: 'suspect', node: id(1), incarnation: 0, from: id(2) }] },
    10,
  );
  assert.equal(m.incarnation, 1);
  assert.equal(m.localHealth, 1);
  m.receive(addr(2), { type: 'ping', seq: 1, from: id(2), target: id(1), updates: [] }, 11);
  const ack = sends(m.drain(), 'ack')[0];
  assert.ok(ack !== undefined && ack.message.type === 'ack');
  assert.ok(ack.message.updates.some((u) => u.kind === 'alive' && u.node === id(1) && u.incarnation === 1));
});

test('a member with a stalling event loop raises its LHM and gets no other member declared dead', () => {
  for (let seed = 1; seed <= 4; seed++) {
    const net = startCluster(5, { seed });
    const slow = id(3);
    const stalls = new SeededRandom(seed * 31);
    const start = net.now;
    let maxHealth = 0;
    while (net.now < start + 20_000) {
      const stall = 50 + randomBelow(stalls, 300);
      net.pause(slow, stall);
      net.run(net.now + stall + 1 + randomBelow(stalls, 150));
      maxHealth = Math.max(maxHealth, net.membership(slow).localHealth);
    }
    net.run(net.now + 10_000);
    assert.ok(maxHealth >= 2, `seed ${seed}: LHM rose to ${maxHealth}`);
    assert.equal(net.membership(slow).localHealth, 0, 'LHM recovers once the stalls stop');
    const othersDead = net.events.filter(
      (e) =>
        e.time >= start && e.event.type === 'member' && e.event.state === 'dead' && e.event.node !== slow,
    );
    assert.deepEqual(othersDead, [], `seed ${seed}: nobody but the stalling member was declared dead`);
    assert.ok(net.converged(), 'the cluster converges again');
  }
});

test('a stall the host reports does not count: the probe and the suspicions get the time back', () => {
  // A suspicion of member 2 (no confirmation: the 1 s maximum), then member 1 stalls 400 ms.
  const m = knowing(5);
  m.receive(
    addr(3),
    { type: 'gossip', from: id(3), updates: [{ kind: 'suspect', node: id(2), incarnation: 0, from: id(3) }] },
    0,
  );
  m.stalled(400, 600);
  assert.equal(m.stats.stalls, 1);
  assert.equal(m.localHealth, 1, 'a stall of a probe interval or more raises the LHM');
  m.tick(1000);
  assert.equal(m.stateOf(id(2)), 'suspect', 'the stalled time is given back to the suspect');
  m.tick(1399);
  assert.equal(m.stateOf(id(2)), 'suspect');
  m.tick(1400);
  assert.equal(m.stateOf(id(2)), 'dead');

  // A probe whose ack waited while the prober stalled: its timeout moves by the stall.
  const p = knowing(4);
  const { to, seq, now } = firstPing(p);
  p.stalled(50, now + 60);
  assert.equal(p.localHealth, 0, 'a short stall leaves the LHM alone');
  p.tick(now + 120);
  assert.equal(sends(p.drain(), 'ping-req').length, 0, 'no indirect probe before timeout + stall');
  const target = Number(to.slice(1));
  p.receive(to, { type: 'ack', seq, from: id(target), updates: [] }, now + 121);
  p.tick(now + 400);
  assert.equal(p.stats.probeFailures, 0);
  assert.equal(p.stateOf(id(target)), 'alive');
});
