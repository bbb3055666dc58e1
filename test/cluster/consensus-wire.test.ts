// The consensus wire codec: every Raft message type round-trips; random and mutated bytes give a
// WireError value or a well-formed message, never an exception; ids, counters and counts are
// checked; forwarding messages round-trip.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WireError } from '../../src/cluster/consensus/errors.js';
import {
  decodeProposeRequest,
  decodeProposeResult,
  decodeRaftMessage,
  encodeProposeRequest,
  encodeProposeResult,
  encodeRaftMessage,
} from '../../src/cluster/consensus/wire.js';
import type { Message } from '../../src/cluster/raft/types.js';
import type { NodeId } from '../../src/net/node-id.js';
import { randomBelow, SeededRandom } from '../../src/net/random.js';

const n = (x: number) => x as NodeId;
const env = { from: n(1), to: n(2), term: 7 };
const b = (s: string) => new TextEncoder().encode(s);

const SAMPLES: Message[] = [
  {
    ...env,
    type: 'append',
    index: 10,
    logTerm: 6,
    commit: 9,
    entries: [
      { kind: 'normal', term: 7, index: 11, data: b('hello') },
      { kind: 'normal', term: 7, index: 12, data: new Uint8Array(0) },
      { kind: 'conf', term: 7, index: 13, change: { type: 'add-learner', node: n(4) } },
      { kind: 'conf', term: 7, index: 14, change: { type: 'add-voter', node: n(4) } },
      { kind: 'conf', term: 7, index: 15, change: { type: 'remove', node: n(3) } },
    ],
  },
  { ...env, type: 'append', index: 0, logTerm: 0, commit: 0, entries: [] },
  { ...env, type: 'append-response', index: 15, reject: true, rejectHint: 12, logTerm: 5 },
  { ...env, type: 'vote', pre: true, index: 15, logTerm: 7, transfer: false },
  { ...env, type: 'vote', pre: false, index: 15, logTerm: 7, transfer: true },
  { ...env, type: 'vote-response', pre: true, reject: false },
  { ...env, type: 'heartbeat', commit: 15, context: b('ctx') },
  { ...env, type: 'heartbeat-response', context: new Uint8Array(0) },
  {
    ...env,
    type: 'snapshot',
    snapshot: {
      index: 100,
      term: 6,
      conf: { voters: [n(1), n(2), n(3)], learners: [n(9)] },
      data: b('state'),
    },
  },
  { ...env, type: 'timeout-now' },
  { ...env, type: 'transfer-leader', target: n(3) },
  { ...env, type: 'read-index', context: b('r1') },
  { ...env, type: 'read-index-response', index: 42, context: b('r1') },
  { from: n(0xffffffff), to: n(1), term: 2 ** 53 - 1, type: 'timeout-now' },
];

test('every Raft message type round-trips through the protobuf codec', () => {
  for (const m of SAMPLES) {
    const back = decodeRaftMessage(encodeRaftMessage(m));
    assert.ok(!(back instanceof WireError), `${m.type}: ${back instanceof WireError ? back.message : ''}`);
    assert.deepEqual(back, m, m.type);
  }
});

test('bad fields are typed errors: zero ids, missing body, unknown conf type, oversized values', () => {
  const zeroFrom = encodeRaftMessage({ ...SAMPLES[9], from: 0 } as unknown as Message);
  assert.match((decodeRaftMessage(zeroFrom) as WireError).message, /from 0 is not a node id/);
  // A message with only an envelope (field 1: from = 1) and no body.
  assert.match(
    (decodeRaftMessage(Uint8Array.of(0x08, 0x01, 0x10, 0x02)) as WireError).message,
    /no message body/,
  );
  // term = 2^53 (varint of 2^53 in field 3) is refused, not rounded.
  const big = Uint8Array.of(
    0x08,
    0x01,
    0x10,
    0x02,
    0x18,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x10,
    0x8a,
    0x01,
    0x00,
  );
  const r = decodeRaftMessage(big);
  assert.ok(r instanceof WireError);
  assert.match(r.message, /above 2\^53/);
  // A conf change with type 0 (unspecified).
  const bad = encodeRaftMessage({
    ...env,
    type: 'append',
    index: 0,
    logTerm: 0,
    commit: 0,
    entries: [{ kind: 'conf', term: 1, index: 1, change: { type: 'add-voter', node: n(2) } }],
  });
  // Patch the conf type byte (ADD_VOTER = 2) to 7: find "08 02 10 02" (type 2, node 2).
  const i = Buffer.from(bad).indexOf(Buffer.from([0x08, 0x02, 0x10, 0x02]));
  assert.ok(i > 0);
  bad[i + 1] = 7;
  assert.match((decodeRaftMessage(bad) as WireError).message, /unknown conf change type 7/);
  assert.match(
    (decodeRaftMessage(Uint8Array.of(0xff, 0xff, 0xff)) as WireError).message,
    /malformed raft message/,
  );
});

test('fuzz: random and mutated bytes give only WireError values or well-formed messages', () => {
  const random = new SeededRandom(99);
  const encoded = SAMPLES.map(encodeRaftMessage);
  let errors = 0;
  for (let i = 0; i < 20_000; i++) {
    let bytes: Uint8Array;
    if (i % 2 === 0) {
      bytes = new Uint8Array(randomBelow(random, 64));
      for (let j = 0; j < bytes.length; j++) bytes[j] = randomBelow(random, 256);
    } else {
      const src = encoded[randomBelow(random, encoded.length)] as Uint8Array;
      bytes = src.slice(0, Math.max(1, src.length - randomBelow(random, 4)));
      for (let k = randomBelow(random, 4); k >= 0; k--)
        bytes[randomBelow(random, bytes.length)] = randomBelow(random, 256);
    }
    const m = decodeRaftMessage(bytes);
    const p = decodeProposeRequest(bytes);
    const q = decodeProposeResult(bytes);
    for (const r of [m, p, q]) assert.ok(r instanceof WireError || typeof r === 'object');
    if (m instanceof WireError) errors++;
    else {
      assert.ok(m.from >= 1 && m.to >= 1, 'decoded ids are node ids');
      assert.ok(Number.isSafeInteger(m.term) && m.term >= 0);
    }
  }
  assert.ok(errors > 5_000, `most random inputs are refused (${errors})`);
});

test('proposal forwarding messages round-trip', () => {
  assert.deepEqual(decodeProposeRequest(encodeProposeRequest(5, b('cmd'))), { id: 5, command: b('cmd') });
  assert.deepEqual(decodeProposeResult(encodeProposeResult(5, { ok: true, result: b('r') }, 2)), {
    id: 5,
    leader: 2,
    outcome: { ok: true, result: b('r') },
  });
  assert.deepEqual(
    decodeProposeResult(encodeProposeResult(6, { ok: false, code: 'not-leader', message: 'ask 3' }, 3)),
    { id: 6, leader: 3, outcome: { ok: false, code: 'not-leader', message: 'ask 3' } },
  );
});
