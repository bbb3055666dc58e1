// The membership state machine driven by hand: input validation (bad input is rejected, never
// thrown), state precedence by incarnation, the dissemination queue's bounds and order, the scaling
// formulas, health and labels published by gossip, seeds, discovery beacons, and tombstone reaping.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BroadcastQueue } from '../../src/cluster/membership/broadcast-queue.js';
import {
  configProblem,
  DEFAULT_CONFIG,
  pushPullIntervalMs,
  retransmitLimit,
  suspicionMinMs,
  WAN_CONFIG,
} from '../../src/cluster/membership/config.js';
import { MAX_UPDATES_PER_MESSAGE } from '../../src/cluster/membership/limits.js';
import type { MembershipEvent, MembershipOutput } from '../../src/cluster/membership/member.js';
import { Membership } from '../../src/cluster/membership/membership.js';
import type { MembershipMessage, Update } from '../../src/cluster/membership/messages.js';
import { validateBeacon, validateMessage, ZERO_HEALTH } from '../../src/cluster/membership/messages.js';
import { SeededRandom } from '../../src/net/random.js';
import { id } from './swim-scenarios.js';

const addr = (n: number): string => `m${n}`;
const alive = (n: number, incarnation = 0, labels = {}): Update => ({
  kind: 'alive',
  node: id(n),
  incarnation,
  addresses: [addr(n)],
  labels,
  health: ZERO_HEALTH,
});
const gossip = (from: number, ...updates: Update[]): MembershipMessage => ({
  type: 'gossip',
  from: id(from),
  updates,
});

function fresh(config = {}, clusterId?: string): Membership {
  return new Membership({
    id: id(1),
    addresses: [addr(1)],
    random: new SeededRandom(3),
    now: 0,
    config,
    clusterId,
  });
}
function events(out: MembershipOutput[]): MembershipEvent[] {
  return out.flatMap((o) => (o.type === 'event' ? [o.event] : []));
}
function sent(out: MembershipOutput[]) {
  return out.flatMap((o) => (o.type === 'send' ? [o] : []));
}

test('malformed or oversized messages are rejected with a reason, never thrown', () => {
  const m = fresh();
  const bad: unknown[] = [
    null,
    42,
    'ping',
    {},
    { type: 'ping', from: 0, seq: 1, target: 1, updates: [] },
    { type: 'ping', from: 2, seq: -1, target: 1, updates: [] },
    { type: 'ack', from: 2, seq: 1, updates: 'x' },
    { type: 'gossip', from: 2, updates: Array.from({ length: MAX_UPDATES_PER_MESSAGE + 1 }, () => alive(3)) },
    {
      type: 'gossip',
      from: 2,
      updates: [{ kind: 'alive', node: 3, incarnation: 0, addresses: [], labels: {}, health: ZERO_HEALTH }],
    },
    { type: 'gossip', from: 2, updates: [{ ...alive(3), labels: { k: 5 } }] },
    {
      type: 'gossip',
      from: 2,
      updates: [{ ...alive(3), health: { ...ZERO_HEALTH, guestLoad: Number.NaN } }],
    },
    { type: 'gossip', from: 2, updates: [{ kind: 'bogus', node: 3, incarnation: 0 }] },
    { type: 'ping-req', from: 2, seq: 1, target: 3, targetAddress: 'x'.repeat(300), updates: [] },
    { type: 'push-pull', from: 2, reply: false, join: false, members: [{ node: 3, state: 'zombie' }] },
    { type: 'nope', from: 2 },
  ];
  for (const b of bad) m.receive('evil', b as MembershipMessage, 0);
  const out = m.drain();
  assert.equal(m.stats.rejected, bad.length);
  assert.equal(events(out).filter((e) => e.type === 'rejected').length, bad.length);
  assert.equal(sent(out).length, 0);
  assert.equal(m.list().length, 1, 'nothing learned from bad input');
  assert.equal(validateMessage(gossip(2, alive(3))), undefined);
  assert.match(validateBeacon({ clusterId: '', node: 1, addresses: ['a'] }) ?? '', /clusterId/);
});

test('state precedence: higher incarnation wins; dead beats alive at the same incarnation; left is final', () => {
  const m = fresh();
  m.receive(addr(2), gossip(2, alive(2, 3)), 0);
  assert.equal(m.stateOf(id(2)), 'alive');
  m.receive(addr(4), gossip(4, { kind: 'suspect', node: id(2), incarnation: 2, from: id(4) }), 1);
  assert.equal(m.stateOf(id(2)), 'alive', 'an older suspicion is ignored');
  m.receive(addr(4), gossip(4, { kind: 'dead', node: id(2), incarnation: 3, from: id(4) }), 2);
  assert.equal(m.stateOf(id(2)), 'dead');
  assert.equal(m.member(id(2))?.reason, 'reported');
  m.receive(addr(2), gossip(2, alive(2, 3)), 3);
  assert.equal(m.stateOf(id(2)), 'dead', 'same incarnation does not revive');
  m.receive(addr(2), gossip(2, alive(2, 4)), 4);
  assert.equal(m.stateOf(id(2)), 'alive');
  assert.equal(m.member(id(2))?.reason, 'rejoined');
  assert.equal(m.member(id(2))?.since, 4);
  m.receive(addr(2), gossip(2, { kind: 'left', node: id(2), incarnation: 5 }), 5);
  assert.equal(m.stateOf(id(2)), 'left');
  m.receive(addr(4), gossip(4, { kind: 'dead', node: id(2), incarnation: 5, from: id(4) }), 6);
  assert.equal(m.stateOf(id(2)), 'left', 'a left member is not declared dead');
  const kinds = events(m.drain()).flatMap((e) => (e.type === 'member' ? [`${e.state}:${e.reason}`] : []));
  assert.deepEqual(kinds, ['alive:joined', 'dead:reported', 'alive:rejoined', 'left:graceful-leave']);
});

test('declared dead, a member refutes itself with a higher incarnation', () => {
  const m = fresh();
  m.receive(addr(2), gossip(2, alive(2), { kind: 'dead', node: id(1), incarnation: 0, from: id(2) }), 0);
  assert.equal(m.incarnation, 1);
  assert.equal(m.stats.refutations, 1);
});

test('dissemination queue: one update per member, least-sent and newest first, retransmit limit, byte budget', () => {
  const q = new BroadcastQueue();
  q.add(alive(2, 0));
  q.add(alive(2, 1));
  assert.equal(q.size, 1);
  assert.equal(q.pending(id(2))?.incarnation, 1, 'a newer update replaces the older');
  q.add(alive(3));
  q.add(alive(4));
  assert.deepEqual(
    q.take(10_000, 2).map((u) => u.node),
    [4, 3, 2],
  );
  q.add(alive(5));
  assert.deepEqual(q.take(10_000, 2).map((u) => u.node)[0], 5, 'the never-sent update goes first');
  assert.equal(q.size, 1, 'updates sent twice (the limit) left the queue');
  for (let i = 10; i < 200; i++) q.add(alive(i));
  const batch = q.take(500, 3);
  assert.ok(batch.length > 0 && batch.length < 20, 'the byte budget bounds a message');
  assert.ok(q.take(1_000_000, 3).length <= MAX_UPDATES_PER_MESSAGE);
});

test('scaling formulas: suspicion by log10 n, retransmits by log10 (n+1), push-pull past 32', () => {
  assert.equal(suspicionMinMs(DEFAULT_CONFIG, 5), 500);
  assert.equal(suspicionMinMs(DEFAULT_CONFIG, 1_000), 1_500);
  assert.equal(retransmitLimit(DEFAULT_CONFIG, 5), 4);
  assert.equal(retransmitLimit(DEFAULT_CONFIG, 1_000), 16);
  assert.equal(pushPullIntervalMs(DEFAULT_CONFIG, 10), DEFAULT_CONFIG.pushPullIntervalMs);
  assert.equal(pushPullIntervalMs(DEFAULT_CONFIG, 1_000), 6 * DEFAULT_CONFIG.pushPullIntervalMs);
  assert.equal(configProblem(DEFAULT_CONFIG), undefined);
  assert.equal(configProblem(WAN_CONFIG), undefined);
  assert.match(configProblem({ ...DEFAULT_CONFIG, probeTimeoutMs: 500 }) ?? '', /probeTimeoutMs/);
  assert.throws(() => fresh({ indirectChecks: -1 }), RangeError);
});

test('host health and labels are published by gossip with a new incarnation', () => {
  const a = fresh();
  a.receive(addr(2), gossip(2, alive(2)), 0);
  a.drain();
  a.setHealth({ eventLoopLagMs: 12, queueDepth: 3, guestLoad: 0.75 });
  a.tick(DEFAULT_CONFIG.healthPublishMs - 1);
  assert.equal(a.incarnation, 0, 'not before the publish interval');
  a.tick(DEFAULT_CONFIG.healthPublishMs + 1);
  assert.equal(a.incarnation, 1);
  assert.deepEqual(a.member(id(1))?.health, {
    eventLoopLagMs: 12,
    queueDepth: 3,
    guestLoad: 0.75,
    localHealth: 0,
  });
  a.setLabels({ zone: 'b' }, 6_000);
  assert.equal(a.incarnation, 2);
  a.receive(addr(2), { type: 'ping', seq: 9, from: id(2), target: id(1), updates: [] }, 6_001);
  const ack = sent(a.drain()).find((o) => o.message.type === 'ack');
  assert.ok(ack !== undefined && ack.message.type === 'ack');
  const self = ack.message.updates.find((u) => u.kind === 'alive' && u.node === id(1));
  assert.ok(self !== undefined && self.kind === 'alive');
  assert.deepEqual(self.labels, { zone: 'b' });
  assert.equal(self.health.guestLoad, 0.75);

  const b = new Membership({ id: id(2), addresses: [addr(2)], random: new SeededRandom(4), now: 0 });
  b.receive(addr(1), gossip(1, alive(1, 0)), 0);
  b.drain();
  b.receive(addr(1), gossip(1, self), 1);
  const meta = events(b.drain()).find((e) => e.type === 'metadata');
  assert.ok(meta !== undefined && meta.type === 'metadata');
  assert.equal(meta.labels.zone, 'b');
  assert.equal(meta.health.eventLoopLagMs, 12);
  assert.throws(() => a.setHealth({ eventLoopLagMs: -1, queueDepth: 0, guestLoad: 0 }), RangeError);
});

test('join contacts the seeds by push-pull and retries while alone; beacons of our cluster join', () => {
  const m = fresh({}, 'c1');
  m.join([addr(1), addr(7), addr(8)], 0);
  const first = sent(m.drain());
  assert.deepEqual(
    first.map((o) => [o.to, o.channel, o.message.type]),
    [
      [addr(7), 'reliable', 'push-pull'],
      [addr(8), 'reliable', 'push-pull'],
    ],
    'own address is no seed',
  );
  m.tick(DEFAULT_CONFIG.joinRetryMs);
  assert.equal(
    sent(m.drain()).filter((o) => o.message.type === 'push-pull').length,
    1,
    'retried while alone',
  );

  const b = fresh({}, 'c1');
  b.handleBeacon({ clusterId: 'other', node: 9, addresses: [addr(9)] }, 0);
  b.handleBeacon({ clusterId: 'c1', node: 1, addresses: [addr(1)] }, 0);
  b.handleBeacon({ clusterId: 'c1', node: 9, addresses: [] }, 0);
  assert.equal(sent(b.drain()).length, 0, 'other cluster, self and malformed beacons are ignored');
  b.handleBeacon({ clusterId: 'c1', node: 9, addresses: [addr(9)] }, 0);
  assert.deepEqual(
    sent(b.drain()).map((o) => o.to),
    [addr(9)],
  );
  assert.deepEqual(b.beacon(), { clusterId: 'c1', node: 1, addresses: [addr(1)] });
});

test('a push-pull is merged and answered; a remote dead becomes a local suspicion', () => {
  const m = fresh();
  m.receive(addr(3), gossip(3, alive(3)), 0);
  m.drain();
  m.receive(
    addr(2),
    {
      type: 'push-pull',
      from: id(2),
      reply: false,
      join: true,
      members: [
        {
          node: id(2),
          state: 'alive',
          incarnation: 0,
          addresses: [addr(2)],
          labels: {},
          health: ZERO_HEALTH,
        },
        { node: id(3), state: 'dead', incarnation: 0, addresses: [addr(3)], labels: {}, health: ZERO_HEALTH },
      ],
    },
    0,
  );
  assert.equal(m.stateOf(id(2)), 'alive');
  assert.equal(m.stateOf(id(3)), 'suspect');
  const reply = sent(m.drain()).find((o) => o.message.type === 'push-pull');
  assert.ok(reply !== undefined && reply.message.type === 'push-pull');
  assert.equal(reply.to, addr(2));
  assert.equal(reply.message.reply, true);
  assert.equal(reply.message.members.length, 3);
});

test('tombstones are reaped after tombstoneMs; a reaped member may join again', () => {
  const m = fresh({ tombstoneMs: 1_000 });
  m.receive(addr(2), gossip(2, alive(2), alive(3)), 0);
  m.receive(addr(3), gossip(3, { kind: 'dead', node: id(2), incarnation: 0, from: id(3) }), 10);
  assert.equal(m.stateOf(id(2)), 'dead');
  m.tick(900);
  assert.equal(m.stateOf(id(2)), 'dead');
  m.tick(1_300);
  assert.equal(m.stateOf(id(2)), undefined, 'reaped');
  m.receive(addr(2), gossip(2, alive(2)), 1_400);
  assert.equal(m.member(id(2))?.reason, 'joined');
});

test('a leaving member stops probing and tells others it left', () => {
  const m = fresh();
  m.receive(addr(2), gossip(2, alive(2), alive(3)), 0);
  m.drain();
  m.leave(1);
  const out = m.drain();
  const farewell = sent(out).filter((o) => o.message.type === 'gossip');
  assert.ok(farewell.length > 0);
  assert.ok(
    farewell.every(
      (o) =>
        o.message.type === 'gossip' && o.message.updates.some((u) => u.kind === 'left' && u.node === id(1)),
    ),
  );
  assert.equal(m.member(id(1))?.state, 'left');
  for (let t = 2; t < 2_000; t += 10) m.tick(t);
  assert.equal(sent(m.drain()).filter((o) => o.message.type === 'ping').length, 0, 'no probes after leaving');
});
