// Sealed UDP datagrams on loopback: delivery with the sender's node id; forged, tampered,
// wrong-key, replayed and malformed datagrams dropped and counted; the replay window.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as dgram from 'node:dgram';
import { after, test } from 'node:test';
import { asNodeId, type NodeId } from '../../src/net/node-id.js';
import { ReplayWindow } from '../../src/net/replay-window.js';
import { UdpTransport } from '../../src/net/udp-transport.js';

const id = (n: number): NodeId => asNodeId(n) as NodeId;
const key = randomBytes(32);
const open: UdpTransport[] = [];
after(async () => {
  await Promise.all(open.map((t) => t.close()));
});

async function start(self: NodeId, k: Uint8Array = key): Promise<UdpTransport> {
  const t = await UdpTransport.start({
    self,
    keys: new Map([[1, k]]),
    sendKeyId: 1,
    listen: { host: '127.0.0.1', port: 0 },
  });
  open.push(t);
  return t;
}

async function waitFor(what: string, done: () => boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

test('replay window accepts each sequence number once and refuses ones too old', () => {
  const w = new ReplayWindow(64);
  assert.ok(w.accept(10));
  assert.ok(!w.accept(10));
  assert.ok(w.accept(5));
  assert.ok(w.accept(100));
  assert.ok(!w.accept(5), 'older than the window');
  assert.ok(w.accept(60));
  assert.ok(!w.accept(60));
  assert.ok(w.accept(1000));
  assert.ok(!w.accept(100));
});

test('sealed datagrams arrive; forged, wrong-key, tampered, replayed and junk ones are dropped', async () => {
  const a = await start(id(1));
  const b = await start(id(2));
  const got: string[] = [];
  b.onDatagram((from, p) => got.push(`${from}:${Buffer.from(p).toString()}`));
  a.setAddress(id(2), `127.0.0.1:${b.port}`);
  assert.equal(a.sendDatagram(id(2), Buffer.from('hello')), undefined);
  await waitFor('delivery', () => got.length === 1);
  assert.deepEqual(got, ['1:hello']);

  const raw = dgram.createSocket('udp4');
  const sendRaw = (m: Uint8Array): Promise<void> =>
    new Promise((r) => raw.send(m, b.port, '127.0.0.1', () => r()));
  // Replay of a genuine datagram.
  const sealed = a.seal(Buffer.from('once'));
  await sendRaw(sealed);
  await sendRaw(sealed);
  // Tampered: one ciphertext bit flipped; a forged sender id (AAD) too.
  const tampered = Buffer.from(a.seal(Buffer.from('evil')));
  tampered[30] = (tampered[30] as number) ^ 1;
  await sendRaw(tampered);
  const spoofed = Buffer.from(a.seal(Buffer.from('spoof')));
  spoofed[7] = 9;
  await sendRaw(spoofed);
  // Sealed under another key.
  const stranger = await start(id(3), randomBytes(32));
  await sendRaw(stranger.seal(Buffer.from('wrong key')));
  // Junk.
  await sendRaw(Buffer.from('junk'));
  await sendRaw(randomBytes(100));
  await waitFor('drops counted', () => b.stats.replayed + b.stats.forged + b.stats.malformed >= 6);
  raw.close();
  assert.deepEqual(got, ['1:hello', '1:once']);
  assert.equal(b.stats.received, 2);
  assert.equal(b.stats.replayed, 1);
  assert.equal(b.stats.forged, 3);
  assert.equal(b.stats.malformed, 2);
  // The node learns a sender's address from its latest genuine datagram and can answer.
  a.sendDatagram(id(2), Buffer.from('again'));
  await waitFor('third datagram', () => got.length === 3);
  const back: string[] = [];
  a.onDatagram((from) => back.push(String(from)));
  assert.equal(b.sendDatagram(id(1), Buffer.from('reply')), undefined);
  await waitFor('reply', () => back.length === 1);
  assert.equal(b.sendDatagram(id(7), Buffer.from('x'))?.kind, 'unreachable');
  assert.equal(b.sendDatagram(id(1), new Uint8Array(5000))?.kind, 'overload');
});
