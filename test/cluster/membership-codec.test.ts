// The membership wire codec: every message type and a beacon survive encode/decode unchanged (so
// Membership sees what was sent), and bytes that are not a message decode to a MembershipWireError, never a
// throw. Garbage that happens to parse is rejected by validateMessage, not accepted.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  decodeDatagram,
  decodeMembership,
  encodeDatagram,
  encodeMembership,
  type MembershipMessage,
  MembershipWireError,
  validateMessage,
} from '../../src/cluster/membership/index.js';
import type { NodeId } from '../../src/net/node-id.js';
import { SeededRandom } from '../../src/net/random.js';

const n = (x: number): NodeId => x as NodeId;
const health = { eventLoopLagMs: 1.5, queueDepth: 3, guestLoad: 0.25, localHealth: 1 };
const alive = {
  kind: 'alive' as const,
  node: n(0xdeadbeef),
  incarnation: 7,
  addresses: ['127.0.0.1:7100'],
  labels: { zone: 'a' },
  health,
};
const updates = [
  alive,
  { kind: 'suspect' as const, node: n(2), incarnation: 3, from: n(1) },
  { kind: 'dead' as const, node: n(3), incarnation: 4, from: n(1) },
  { kind: 'left' as const, node: n(4), incarnation: 5 },
];
const messages: MembershipMessage[] = [
  { type: 'ping', seq: 1, from: n(1), target: n(2), updates },
  { type: 'ack', seq: 2, from: n(2), updates: [] },
  { type: 'nack', seq: 3, from: n(3) },
  { type: 'ping-req', seq: 4, from: n(1), target: n(2), targetAddress: '10.0.0.2:7100', updates },
  { type: 'gossip', from: n(1), updates },
  {
    type: 'push-pull',
    from: n(1),
    reply: true,
    join: false,
    members: [
      { node: n(1), state: 'suspect', incarnation: 9, addresses: ['[::1]:7100'], labels: {}, health },
    ],
  },
];

test('every membership message survives the control-lane and datagram encodings', () => {
  for (const m of messages) {
    assert.deepEqual(decodeMembership(encodeMembership(m)), m, m.type);
    assert.deepEqual(decodeDatagram(encodeDatagram({ membership: m })), { membership: m }, m.type);
    assert.equal(validateMessage(m), undefined);
  }
  const beacon = { clusterId: 'abcdefghijklmnop', node: n(9), addresses: ['127.0.0.1:1'] };
  assert.deepEqual(decodeDatagram(encodeDatagram({ beacon })), { beacon });
});

test('random bytes decode to a MembershipWireError or to a message validateMessage rejects', () => {
  const random = new SeededRandom(11);
  let errors = 0;
  for (let i = 0; i < 5000; i++) {
    const bytes = new Uint8Array(random.uint32() % 64);
    for (let j = 0; j < bytes.length; j++) bytes[j] = random.uint32() & 0xff;
    const m = decodeMembership(bytes);
    if (m instanceof MembershipWireError) errors++;
    else
      assert.notEqual(
        validateMessage(m),
        undefined,
        `accepted garbage ${Buffer.from(bytes).toString('hex')}`,
      );
    const d = decodeDatagram(bytes);
    if (!(d instanceof MembershipWireError) && 'membership' in d)
      assert.notEqual(validateMessage(d.membership), undefined);
  }
  assert.ok(errors > 0);
});
