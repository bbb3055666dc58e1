// The TLS transport on loopback with throwaway certificates: mutual authentication, refusals (a
// foreign CA, a certificate naming the wrong node, a revoked node, a garbage TCP client) after which
// the node keeps serving, reconnection by identity to a peer restarted on a new port, a peer that
// stops reading (bounded memory, overload to the sender), and the control lane during a 64 MiB
// bulk transfer.
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { after, before, test } from 'node:test';
import type { NetError } from '../../src/net/errors.js';
import type { NetLogger } from '../../src/net/logger.js';
import { asNodeId, type NodeId } from '../../src/net/node-id.js';
import { SeededRandom } from '../../src/net/random.js';
import { TlsTransport, type TlsTransportOptions } from '../../src/net/tls-transport.js';
import { makeCa, makeNodeCert, type NodeCreds, type TestCa } from './certs.js';

const id = (n: number): NodeId => asNodeId(n) as NodeId;
const A = id(0xa);
const B = id(0xb);
const C = id(0xc);

let ca: TestCa;
let foreign: TestCa;
const creds = new Map<NodeId, NodeCreds>();
const open: TlsTransport[] = [];

before(async () => {
  ca = await makeCa();
  foreign = await makeCa('other-ca');
  creds.set(A, await makeNodeCert(ca, A));
  creds.set(B, await makeNodeCert(ca, B, 'cn'));
  creds.set(C, await makeNodeCert(ca, C));
});

after(async () => {
  await Promise.all(open.map((t) => t.close()));
});

async function start(self: NodeId, extra: Partial<TlsTransportOptions> = {}): Promise<TlsTransport> {
  const c = creds.get(self) as NodeCreds;
  const t = await TlsTransport.start({
    self,
    clusterId: 'test-cluster',
    key: c.key,
    cert: c.cert,
    ca: ca.cert,
    listen: { host: '127.0.0.1', port: 0 },
    random: new SeededRandom(self),
    reconnectBaseMs: 20,
    reconnectMaxMs: 200,
    ...extra,
  });
  open.push(t);
  return t;
}

async function waitFor(what: string, done: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const addr = (t: TlsTransport): string => `127.0.0.1:${t.port}`;

test('mutual TLS: messages flow both ways on both lanes, ping measures a round trip', async () => {
  const a = await start(A);
  const b = await start(B); // its certificate names it by CN only
  const atB: string[] = [];
  const atA: string[] = [];
  b.onMessage((peer, lane, type, p) => {
    atB.push(`${peer}:${lane}:${type}:${Buffer.from(p).toString()}`);
    if (type === 1) b.send(peer, 'control', 2, new TextEncoder().encode('pong'));
  });
  a.onMessage((peer, lane, type, p) => atA.push(`${peer}:${lane}:${type}:${Buffer.from(p).toString()}`));
  a.setAddress(B, addr(b));
  assert.equal(a.send(B, 'control', 1, new TextEncoder().encode('ping')), undefined);
  assert.equal(a.send(B, 'bulk', 3, new TextEncoder().encode('data')), undefined);
  await waitFor('replies', () => atA.length === 1 && atB.length === 2);
  assert.deepEqual(atB, [`${A}:control:1:ping`, `${A}:bulk:3:data`]);
  assert.deepEqual(atA, [`${B}:control:2:pong`]);
  assert.equal(b.linkState(A), 'up', 'B answers over the connection A dialled');
  const rtt = await a.ping(B, 64);
  assert.ok(rtt > 0 && rtt < 1_000_000, `rtt ${rtt} µs`);
  assert.ok((a.linkStats(B)?.bytesOut ?? 0) > 0);
  assert.equal(a.send(C, 'control', 1, new Uint8Array(1))?.kind, 'unreachable');
});

test('refused: a foreign CA, the wrong node, a revoked node, a garbage TCP client; the node keeps serving', async () => {
  const logs: string[] = [];
  const logger: NetLogger = (_level, message) => logs.push(message);
  let revoked = false;
  const a = await start(A, { logger, isRevoked: (peer) => revoked && peer === C });
  const got: NodeId[] = [];
  a.onMessage((peer) => got.push(peer));

  // A node whose certificate comes from another CA.
  const alien = await makeNodeCert(foreign, C);
  const errors: NetError[] = [];
  const x = await start(C, { key: alien.key, cert: alien.cert, ca: foreign.cert, addresses: [[A, addr(a)]] });
  x.onLink((_p, _s, e) => e && errors.push(e));
  x.send(A, 'control', 1, new Uint8Array(1));
  await waitFor('the foreign certificate refused', () => logs.some((l) => /TLS handshake failed/.test(l)));
  assert.equal(x.linkState(A), 'down');
  await x.close();

  // Dialling node B's address while meaning node C: the certificate names B, refused.
  const b = await start(B);
  const c = await start(C);
  c.setAddress(A, addr(b)); // wrong address for A
  const cLog: string[] = [];
  c.onLink((p, s) => cLog.push(`${p}:${s}`));
  c.send(A, 'control', 1, new Uint8Array(1));
  await waitFor('wrong-node refusal', () => (c.linkStats(A)?.errors.auth ?? 0) > 0);
  assert.equal(c.linkState(A), 'down');
  assert.deepEqual(cLog, []);
  c.disconnect(A);

  // A plain TCP client sending junk.
  const junk = net.connect(a.port, '127.0.0.1');
  junk.on('error', () => {});
  junk.write('GET / HTTP/1.1\r\n\r\nthis is not TLS at all');
  await waitFor(
    'the garbage client refused',
    () => logs.filter((l) => /TLS handshake failed/.test(l)).length >= 2,
  );
  junk.destroy();

  // Still serving: B reaches A.
  b.setAddress(A, addr(a));
  b.send(A, 'control', 1, new Uint8Array(1));
  await waitFor('B reaches A', () => got.includes(B));

  // C is revoked: A refuses it at the handshake.
  revoked = true;
  c.setAddress(A, addr(a));
  c.connect(A);
  await waitFor('revoked node refused', () => logs.some((l) => /revoked/.test(l)));
  assert.equal(a.linkState(C), 'down');
  assert.equal(a.linkState(B), 'up');
  await Promise.all([b.close(), c.close()]);
});

test('a peer restarted on a new port is reconnected by its identity', async () => {
  const a = await start(A);
  let b = await start(B);
  const events: string[] = [];
  a.onLink((p, s) => events.push(`${p}:${s}`));
  let got = 0;
  b.onMessage(() => got++);
  a.setAddress(B, addr(b));
  a.send(B, 'control', 1, new Uint8Array(1));
  await waitFor('first message', () => got === 1);
  const oldPort = b.port;
  await b.close();
  await waitFor('link down', () => a.linkState(B) === 'down');
  b = await start(B);
  assert.notEqual(b.port, oldPort);
  let got2 = 0;
  b.onMessage(() => got2++);
  a.setAddress(B, addr(b)); // the address book learns the new address
  await waitFor('link up again', () => a.linkState(B) === 'up');
  a.send(B, 'control', 1, new Uint8Array(1));
  await waitFor('message after restart', () => got2 === 1);
  assert.deepEqual(events, [`${B}:up`, `${B}:down`, `${B}:up`]);
  assert.ok((a.linkStats(B)?.reconnects ?? 0) >= 1);
  await b.close();
});

test('a peer that stops reading: our memory stays within the limits and the sender gets overload', async () => {
  const bulkBytes = 4 * 1024 * 1024;
  const highWater = 128 * 1024;
  const a = await start(A, { limits: { bulkBytes }, socketHighWater: highWater });
  const b = await start(B);
  let received = 0;
  b.onMessage((_p, _l, _t, payload) => {
    received += payload.length;
  });
  a.setAddress(B, addr(b));
  a.send(B, 'control', 1, new Uint8Array(1));
  await waitFor('link up', () => b.linkState(A) === 'up' && received === 1);
  b.pauseReading(A, true);
  const chunk = new Uint8Array(256 * 1024);
  let sent = 0;
  let overload: NetError | undefined;
  const deadline = Date.now() + 10_000;
  while (!overload && Date.now() < deadline) {
    const err = a.send(B, 'bulk', 2, chunk);
    if (err) overload = err;
    else sent += chunk.length;
    if (sent % (4 * chunk.length) === 0) await new Promise((r) => setImmediate(r));
    const d = a.queueDepth(B);
    assert.ok(d.bulk <= bulkBytes, `queued ${d.bulk} > ${bulkBytes}`);
    assert.ok(d.socket <= highWater + 256 * 1024, `socket holds ${d.socket}`);
  }
  assert.equal(overload?.kind, 'overload');
  assert.ok(a.stats().queuedHighWater <= bulkBytes + 64 * 1024, `high water ${a.stats().queuedHighWater}`);
  // Waiting for room works once B reads again.
  const writable = a.whenWritable(B, 'bulk');
  b.pauseReading(A, false);
  await writable;
  await waitFor('everything delivered', () => received === 1 + sent, 20_000);
});

test('the control lane is served during a 64 MiB bulk transfer', async () => {
  const a = await start(A);
  const b = await start(B);
  const big = new Uint8Array(64 * 1024 * 1024);
  big[big.length - 1] = 7;
  let bulkDone = false;
  /** Bulk bytes B received between sending each control message and its arrival. */
  const bytesBehind: number[] = [];
  let bytesAtSend = 0;
  const bytesIn = (): number => b.linkStats(A)?.bytesIn ?? 0;
  b.onMessage((_p, lane, _t, payload) => {
    if (lane === 'bulk') {
      assert.equal(payload.length, big.length);
      assert.equal(payload[payload.length - 1], 7);
      bulkDone = true;
    } else bytesBehind.push(bytesIn() - bytesAtSend);
  });
  a.setAddress(B, addr(b));
  a.connect(B);
  await waitFor('link up', () => a.linkState(B) === 'up');
  assert.equal(a.send(B, 'bulk', 1, big), undefined);
  for (let i = 0; i < 10 && !bulkDone; i++) {
    await waitFor('some bulk bytes', () => bytesIn() > bytesAtSend + 1024 * 1024 || bulkDone, 10_000);
    if (bulkDone) break;
    bytesAtSend = bytesIn();
    const n = bytesBehind.length;
    a.send(B, 'control', 2, new Uint8Array(16));
    await waitFor('control message', () => bytesBehind.length > n, 10_000);
  }
  await waitFor('bulk transfer', () => bulkDone, 60_000);
  assert.ok(bytesBehind.length >= 3, `control messages overtook the transfer (${bytesBehind.length})`);
  // Behind a control message: at most what the sockets already held (our high water plus the
  // kernel's loopback buffers), never the rest of the 64 MiB.
  const worst = Math.max(...bytesBehind);
  assert.ok(worst < 12 * 1024 * 1024, `a control message waited behind ${worst} bulk bytes`);
});

test('keepalive: a peer that goes silent is declared dead (timeout) and the link goes down', async () => {
  const a = await start(A, { keepaliveMs: 30, keepaliveMisses: 2 });
  // B pings rarely, so once it stops reading, nothing comes from it at all.
  const b = await start(B, { keepaliveMs: 60_000 });
  const errors: NetError[] = [];
  a.onLink((_p, state, e) => {
    if (state === 'down' && e) errors.push(e);
  });
  a.setAddress(B, addr(b));
  a.connect(B);
  await waitFor('link up', () => a.linkState(B) === 'up' && b.linkState(A) === 'up');
  // Idle links stay up: pings are answered.
  await new Promise((r) => setTimeout(r, 150));
  assert.equal(a.linkState(B), 'up');
  assert.ok((a.linkStats(B)?.rtt.count ?? 0) >= 1, 'keepalive pongs measured the RTT');
  a.disconnect(B); // no more reconnects, so the next down is final
  await waitFor('link down', () => a.linkState(B) === 'down');
  // Now make B silent: it stops reading A's pings on a fresh link.
  a.connect(B);
  await waitFor('link up again', () => a.linkState(B) === 'up' && b.linkState(A) === 'up');
  b.pauseReading(A, true);
  await waitFor('timeout', () => errors.some((e) => e.kind === 'timeout'), 3000);
});

test('keepalive: a busy link still measures its round trip (nodes and metrics show a fresh RTT)', async () => {
  const a = await start(A, { keepaliveMs: 30 });
  const b = await start(B, { keepaliveMs: 30 });
  b.setAddress(A, addr(a));
  b.connect(A);
  await waitFor('link up', () => a.linkState(B) === 'up' && b.linkState(A) === 'up');
  // B talks to A all the time, so A hears from B in every keepalive interval.
  const chatter = setInterval(() => b.send(A, 'control', 7, new Uint8Array(8)), 5);
  try {
    await waitFor('an RTT sample at A', () => (a.linkStats(B)?.rtt.count ?? 0) >= 2, 3000);
    assert.ok((a.linkStats(B)?.rttUs ?? 0) > 0, 'the link reports its RTT');
  } finally {
    clearInterval(chatter);
  }
});
