// Bad input from peers never crashes a Raft node: seeded random messages (well-typed but with
// random fields, malformed entries, bogus acknowledgements, oversized contexts) are stepped into the
// nodes of a live cluster; every message must be handled or dropped and counted, without an
// exception, and the Ready loop keeps working.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Entry, Message } from '../../src/cluster/raft/types.js';
import type { NodeId } from '../../src/net/node-id.js';
import { type Random, randomBelow, SeededRandom } from '../../src/net/random.js';
import { bytes, RaftCluster } from './raft-harness.js';

const TYPES: Message['type'][] = [
  'append',
  'append-response',
  'vote',
  'vote-response',
  'heartbeat',
  'heartbeat-response',
  'snapshot',
  'timeout-now',
  'transfer-leader',
  'read-index',
  'read-index-response',
];

function randomNumber(r: Random): number {
  switch (randomBelow(r, 6)) {
    case 0:
      return 0;
    case 1:
      return randomBelow(r, 4);
    case 2:
      return randomBelow(r, 40);
    case 3:
      return -1;
    case 4:
      return 2 ** 60;
    default:
      return randomBelow(r, 10) + 0.5;
  }
}

function randomEntries(r: Random, index: number, term: number): Entry[] {
  const out: Entry[] = [];
  const n = randomBelow(r, 4);
  for (let i = 0; i < n; i++) {
    const skew = randomBelow(r, 8) === 0 ? randomNumber(r) : 0;
    out.push({
      kind: 'normal',
      term: Math.max(0, term - randomBelow(r, 2)) + skew,
      index: index + 1 + i,
      data: bytes('f'),
    });
  }
  return out;
}

function randomMessage(r: Random, to: number): Message {
  const type = TYPES[randomBelow(r, TYPES.length)] as Message['type'];
  const from = (randomBelow(r, 5) === 0 ? randomNumber(r) : 1 + randomBelow(r, 3)) as NodeId;
  const term = randomBelow(r, 3) === 0 ? randomNumber(r) : 1 + randomBelow(r, 6);
  const index = randomBelow(r, 3) === 0 ? randomNumber(r) : randomBelow(r, 12);
  const context = randomBelow(r, 10) === 0 ? new Uint8Array(1000) : bytes(`c${randomBelow(r, 3)}`);
  const base = { from, to: to as NodeId, term };
  switch (type) {
    case 'append':
      return {
        ...base,
        type,
        index,
        logTerm: randomBelow(r, term + 1),
        commit: randomNumber(r) + index,
        entries: randomEntries(r, index, term),
      };
    case 'append-response':
      return {
        ...base,
        type,
        index,
        reject: randomBelow(r, 2) === 0,
        rejectHint: randomNumber(r),
        logTerm: randomNumber(r),
      };
    case 'vote':
      return {
        ...base,
        type,
        pre: randomBelow(r, 2) === 0,
        index,
        logTerm: randomBelow(r, term + 1),
        transfer: randomBelow(r, 4) === 0,
      };
    case 'vote-response':
      return { ...base, type, pre: randomBelow(r, 2) === 0, reject: randomBelow(r, 2) === 0 };
    case 'heartbeat':
      return { ...base, type, commit: randomNumber(r) + index, context };
    case 'heartbeat-response':
    case 'read-index':
      return { ...base, type, context };
    case 'read-index-response':
      return { ...base, type, index, context };
    case 'snapshot':
      return {
        ...base,
        type,
        snapshot: {
          index,
          term: randomBelow(r, term + 1),
          conf: { voters: [1, 2, 3] as NodeId[], learners: [] },
          data: bytes('[]'),
        },
      };
    case 'timeout-now':
      return { ...base, type };
    case 'transfer-leader':
      return { ...base, type, target: (1 + randomBelow(r, 4)) as NodeId };
  }
}

test('random and malformed peer messages never throw; bad ones are counted', () => {
  let rejected = 0;
  for (let seed = 1; seed <= 20; seed++) {
    const r = new SeededRandom(seed);
    const cluster = new RaftCluster(seed);
    cluster.level = 'none';
    const voters = [1, 2, 3] as NodeId[];
    const options = {
      preVote: seed % 2 === 0,
      checkQuorum: seed % 3 === 0,
      readOnly: 'safe' as const,
      electionTicks: 10,
      heartbeatTicks: 1,
    };
    for (const v of voters) cluster.add(v, { kind: 'bootstrap', voters }, options);
    cluster.stabilize();
    cluster.member(1).node.campaign();
    cluster.stabilize();
    cluster.member(1).node.propose(bytes('x'));
    cluster.stabilize();
    for (let i = 0; i < 500; i++) {
      const to = 1 + randomBelow(r, 3);
      const m = cluster.member(to);
      assert.doesNotThrow(() => m.node.step(randomMessage(r, to)), `seed ${seed} message ${i}`);
      assert.doesNotThrow(() => {
        while (m.node.hasReady()) cluster.processReady(to);
      });
      cluster.queue = []; // the others are not the target here
    }
    for (const v of voters) rejected += cluster.member(v).node.status().rejectedMessages;
  }
  if (process.env.RAFT_STATS) console.log(`rejected ${rejected}`);
  assert.ok(rejected > 100, `malformed messages were rejected (${rejected})`);
});
