// The simulated network: reliable ordered links, lanes, partitions (link down, reconnect on heal),
// one-way partitions, lossy datagrams, bandwidth, back-pressure, and determinism (same seed, same
// trace).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { asNodeId, type NodeId } from '../../src/net/node-id.js';
import { SeededRandom } from '../../src/net/random.js';
import { type SimEvent, SimNetwork } from '../../src/net/sim-transport.js';
import { joinTransports } from '../../src/net/transport.js';
import { VirtualClock } from '../../src/net/virtual-clock.js';

const id = (n: number): NodeId => asNodeId(n) as NodeId;
const A = id(1);
const B = id(2);
const C = id(3);

function setup(seed = 1, faults = {}) {
  const clock = new VirtualClock();
  const net = new SimNetwork({ clock, random: new SeededRandom(seed), faults });
  const a = net.createTransport(A);
  const b = net.createTransport(B);
  const c = net.createTransport(C);
  return { clock, net, a, b, c };
}

test('links deliver in order, exactly once, and report up', () => {
  const { clock, a, b } = setup(1, { latencyMs: 5, jitterMs: 20 });
  const got: number[] = [];
  const links: string[] = [];
  b.onMessage((peer, lane, type, payload) => {
    assert.equal(peer, A);
    assert.equal(lane, 'bulk');
    assert.equal(type, 9);
    got.push(payload[0] as number);
  });
  a.onLink((peer, state) => links.push(`${peer}:${state}`));
  for (let i = 0; i < 200; i++) assert.equal(a.send(B, 'bulk', 9, new Uint8Array([i & 0xff])), undefined);
  assert.ok(clock.runUntil(() => got.length === 200, 10_000));
  assert.deepEqual(
    got,
    Array.from({ length: 200 }, (_, i) => i & 0xff),
  );
  assert.deepEqual(links, ['2:up']);
  assert.equal(a.linkState(B), 'up');
  assert.equal(b.linkState(A), 'up');
  assert.ok((a.linkStats(B)?.bytesOut ?? 0) > 200);
});

test('a control message is not delayed behind a big bulk transfer by more than one fragment', () => {
  const { clock, a, b } = setup(2, { latencyMs: 1, bandwidth: 64 * 1024 }); // 64 KiB per ms
  const order: string[] = [];
  b.onMessage((_p, lane) => order.push(lane));
  a.connect(B);
  clock.advance(5);
  const big = new Uint8Array(4 * 1024 * 1024);
  assert.equal(a.send(B, 'bulk', 1, big), undefined);
  clock.advance(10); // some fragments are on the wire
  const sentAt = clock.now();
  assert.equal(a.send(B, 'control', 2, new Uint8Array(8)), undefined);
  let controlAt = -1;
  b.onMessage((_p, lane) => {
    if (lane === 'control') controlAt = clock.now();
  });
  assert.ok(clock.runUntil(() => order.length === 2, 10_000));
  assert.deepEqual(order, ['control', 'bulk']);
  // One fragment (64 KiB) takes ~1 ms to transmit; plus 1 ms latency.
  assert.ok(controlAt - sentAt <= 3, `control waited ${controlAt - sentAt} ms`);
});

test('a partition takes the link down on both ends; healing reconnects; datagrams are cut', () => {
  const { clock, net, a, b } = setup(3);
  const events: string[] = [];
  a.onLink((p, s, e) => events.push(`a-${p}-${s}${e ? `-${e.kind}` : ''}`));
  b.onLink((p, s) => events.push(`b-${p}-${s}`));
  const got: number[] = [];
  b.onMessage((_p, _l, _t, payload) => got.push(payload[0] as number));
  let dgrams = 0;
  b.onDatagram(() => dgrams++);
  a.send(B, 'control', 1, new Uint8Array([1]));
  assert.ok(clock.runUntil(() => got.length === 1, 1000));
  net.partition([A], [B, C]);
  assert.deepEqual(events, ['a-2-up', 'b-1-up', 'a-2-down-reset', 'b-1-down']);
  assert.equal(a.sendDatagram(B, new Uint8Array([1])), undefined);
  a.send(B, 'control', 1, new Uint8Array([2])); // queued while down
  clock.advance(500);
  assert.equal(dgrams, 0);
  assert.equal(a.linkState(B), 'down');
  net.heal();
  assert.ok(clock.runUntil(() => got.length === 2, 1000));
  assert.deepEqual(got, [1, 2]);
  assert.equal(a.linkState(B), 'up');
  a.sendDatagram(B, new Uint8Array([1]));
  clock.advance(10);
  assert.equal(dgrams, 1);
});

test('a one-way partition drops datagrams one way only and breaks the link', () => {
  const { clock, net, a, b } = setup(4);
  const atA: number[] = [];
  const atB: number[] = [];
  a.onDatagram((_f, p) => atA.push(p[0] as number));
  b.onDatagram((_f, p) => atB.push(p[0] as number));
  a.connect(B);
  clock.advance(5);
  assert.equal(a.linkState(B), 'up');
  net.partitionOneWay(A, B);
  assert.equal(a.linkState(B), 'down');
  a.sendDatagram(B, new Uint8Array([1]));
  b.sendDatagram('sim:00000001', new Uint8Array([2]));
  clock.advance(10);
  assert.deepEqual(atB, []);
  assert.deepEqual(atA, [2]);
});

test('datagram loss and duplication follow the configured rates', () => {
  const { clock, a, b } = setup(5, { loss: 0.3, duplicate: 0.2 });
  let n = 0;
  b.onDatagram(() => n++);
  for (let i = 0; i < 2000; i++) a.sendDatagram(B, new Uint8Array(4));
  clock.advance(100);
  // Expected 2000 * 0.7 * 1.2 = 1680.
  assert.ok(n > 1550 && n < 1810, `received ${n}`);
  assert.equal(a.sendDatagram('nowhere', new Uint8Array(1))?.kind, 'unreachable');
  assert.equal(a.sendDatagram(B, new Uint8Array(5000))?.kind, 'overload');
});

test('back-pressure: a full lane returns overload and whenWritable resolves after draining', async () => {
  const clock = new VirtualClock();
  const net = new SimNetwork({ clock, random: new SeededRandom(6), limits: { bulkBytes: 10_000 } });
  const a = net.createTransport(A);
  net.createTransport(B);
  let overloaded = false;
  for (let i = 0; i < 100; i++) {
    const err = a.send(B, 'bulk', 1, new Uint8Array(1000));
    if (err) {
      assert.equal(err.kind, 'overload');
      overloaded = true;
      break;
    }
  }
  assert.ok(overloaded);
  let writable = false;
  const p = a.whenWritable(B, 'bulk').then(() => {
    writable = true;
  });
  clock.advance(10);
  await p;
  assert.ok(writable);
  assert.ok(a.queued.highWater <= 10_000 + 16 * 10);
});

function traceRun(seed: number): SimEvent[] {
  const clock = new VirtualClock();
  const net = new SimNetwork({
    clock,
    random: new SeededRandom(seed),
    faults: { latencyMs: 2, jitterMs: 8, loss: 0.1, duplicate: 0.1, reorder: 0.2, reorderMs: 15 },
  });
  net.trace = [];
  const nodes = [1, 2, 3, 4].map((n) => net.createTransport(id(n)));
  const r = new SeededRandom(seed + 1);
  for (let i = 0; i < 300; i++) {
    const from = nodes[r.uint32() % 4];
    const to = id(1 + (r.uint32() % 4));
    if (!from || to === from.self) continue;
    if (i % 2) from.send(to, i % 3 ? 'bulk' : 'control', i, new Uint8Array(i));
    else from.sendDatagram(to, new Uint8Array([i & 0xff]));
    if (i === 150) net.partition([id(1)], [id(2)]);
    if (i === 220) net.heal();
    clock.advance(r.uint32() % 5);
  }
  clock.advance(5000);
  return net.trace;
}

test('same seed, same trace; another seed, another trace', () => {
  const t1 = traceRun(42);
  const t2 = traceRun(42);
  const t3 = traceRun(43);
  assert.ok(t1.length > 200);
  assert.deepEqual(t1, t2);
  assert.notDeepEqual(t1, t3);
});

test('orderly close drains queued messages before the link goes down', async () => {
  const { clock, a, b } = setup(7, { latencyMs: 3 });
  const got: number[] = [];
  b.onMessage((_p, _l, _t, payload) => got.push(payload.length));
  for (let i = 1; i <= 20; i++) a.send(B, 'bulk', 1, new Uint8Array(i));
  const closed = a.close();
  assert.equal(a.send(B, 'bulk', 1, new Uint8Array(1))?.kind, 'reset');
  let done = false;
  void closed.then(() => {
    done = true;
  });
  clock.runUntil(() => got.length === 20, 1000);
  clock.advance(10);
  await closed;
  assert.ok(done);
  assert.equal(got.length, 20);
  assert.equal(b.linkState(A), 'down');
});

test('joinTransports routes links and datagrams to their transports and refuses mismatched nodes', () => {
  const { clock, a, b } = setup(8);
  const joined = joinTransports(a, a);
  assert.equal(joined.self, A);
  const got: string[] = [];
  b.onMessage((_p, lane) => got.push(lane));
  b.onDatagram(() => got.push('datagram'));
  assert.equal(joined.send(B, 'control', 1, new Uint8Array(1)), undefined);
  assert.equal(joined.sendDatagram(B, new Uint8Array(1)), undefined);
  clock.advance(10);
  assert.deepEqual(got.sort(), ['control', 'datagram']);
  assert.equal(joined.linkState(B), 'up');
  assert.throws(() => joinTransports(a, b), /different nodes/);
});

test('a crashed node that comes back is reconnected to by the peers that want it', () => {
  const { clock, net, a } = setup(9);
  a.connect(B);
  clock.advance(5);
  const states: string[] = [];
  a.onLink((_p, s) => states.push(s));
  net.crash(B);
  assert.equal(a.linkState(B), 'down');
  clock.advance(200);
  const b2 = net.createTransport(B);
  let got = 0;
  b2.onMessage(() => got++);
  a.send(B, 'control', 1, new Uint8Array(1));
  assert.ok(clock.runUntil(() => got === 1, 1000));
  assert.deepEqual(states, ['down', 'up']);
});
