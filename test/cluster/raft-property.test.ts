// Randomized Raft safety and liveness: 3..5 voters in process over a seeded faulty network (drop,
// duplicate, reorder, partition), with crashes/restarts from the persisted state and log compaction,
// for thousands of steps; half of the seeds persist through the real WAL on a simulated disk. After every step: at most one leader per term; a committed entry never
// changes or disappears; every node applies the same entries in the same order. Once faults stop,
// the cluster elects a leader and commits a new entry on every node.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import type { Ready } from '../../src/cluster/raft/types.js';
import type { NodeId } from '../../src/net/node-id.js';
import { randomBelow, SeededRandom, shuffle } from '../../src/net/random.js';
import {
  type Applied,
  bytes,
  formatMessage,
  type Member,
  RaftCluster,
  text,
  WalPersister,
} from './raft-harness.js';

const STEPS = 6000;
const SEEDS = Array.from({ length: 16 }, (_, i) => i + 1);

interface Checker {
  leaders: Map<number, number>;
  committed: Map<number, string>;
  lastApplied: Map<number, number>;
}

function key(a: Applied): string {
  return `${a.term}/${a.text}`;
}

function checkApplied(c: Checker, m: Member, rd: Ready): void {
  if (rd.snapshot) {
    const list = JSON.parse(text(rd.snapshot.data)) as Applied[];
    for (const a of list) checkOne(c, m.id, a);
    c.lastApplied.set(m.id, rd.snapshot.index);
  }
  // the harness has already appended this Ready's entries to m.applied
  const fresh = m.applied.slice(m.applied.length - rd.committedEntries.length);
  for (const a of fresh) {
    const last = c.lastApplied.get(m.id) ?? 0;
    assert.equal(a.index, last + 1, `node ${m.id} applies ${a.index} right after ${last}`);
    checkOne(c, m.id, a);
    c.lastApplied.set(m.id, a.index);
  }
}

function checkOne(c: Checker, id: number, a: Applied): void {
  const seen = c.committed.get(a.index);
  if (seen === undefined) c.committed.set(a.index, key(a));
  else assert.equal(key(a), seen, `node ${id} applied ${a.index} as ${key(a)}, committed as ${seen}`);
}

function checkLeaders(c: Checker, cluster: RaftCluster): void {
  for (const id of cluster.ids()) {
    const s = cluster.member(id).node.status();
    if (s.role !== 'leader') continue;
    const other = c.leaders.get(s.term);
    assert.ok(other === undefined || other === id, `two leaders in term ${s.term}: ${other} and ${id}`);
    c.leaders.set(s.term, id);
  }
}

function runSeed(seed: number): { commits: number; leaders: number; changes: number; trace: string } {
  const random = new SeededRandom(seed);
  const n = 3 + randomBelow(random, 3);
  const preVote = randomBelow(random, 2) === 0;
  const checkQuorum = randomBelow(random, 2) === 0;
  // half of the seeds persist through the real WAL on a disk that tears unsynced writes on a crash
  const cluster =
    seed % 2 === 0
      ? new RaftCluster(seed, (id) => new WalPersister(new SeededRandom(seed * 31 + id)))
      : new RaftCluster(seed);
  cluster.level = 'none';
  const voters = Array.from({ length: n }, (_, i) => (i + 1) as NodeId);
  const options = {
    preVote,
    checkQuorum,
    readOnly: 'safe' as const,
    electionTicks: 6,
    heartbeatTicks: 2,
    maxInflightAppends: 4,
    maxAppendEntries: 8,
  };
  for (const v of voters) cluster.add(v, { kind: 'bootstrap', voters }, options);
  // one more node joins empty; conf changes add it (learner, then voter) and remove voters
  cluster.add(n + 1, { kind: 'join' }, options);
  const removed = new Set<number>();
  const checker: Checker = { leaders: new Map(), committed: new Map(), lastApplied: new Map() };
  const trace = createHash('sha256');
  cluster.onReady = (m, rd) => {
    checkApplied(checker, m, rd);
    for (const msg of rd.messages) trace.update(`${formatMessage(msg)}\n`);
  };
  let proposals = 0;
  const pick = (k: number) => randomBelow(random, k);

  for (let step = 0; step < STEPS; step++) {
    const r = pick(1000) / 10;
    const ids = cluster.ids();
    const id = ids[pick(ids.length)] as number;
    if (r < 25) cluster.member(id).node.tick();
    else if (r < 50) cluster.processReady(id);
    else if (r < 75 && cluster.queue.length > 0) {
      // deliver a random queued message (reordering)
      const [msg] = cluster.queue.splice(pick(cluster.queue.length), 1);
      if (msg) cluster.deliverOne(msg);
    } else if (r < 80 && cluster.queue.length > 0) {
      cluster.queue.splice(pick(cluster.queue.length), 1); // drop
    } else if (r < 83 && cluster.queue.length > 0) {
      const msg = cluster.queue[pick(cluster.queue.length)];
      if (msg) cluster.queue.push(msg); // duplicate
    } else if (r < 93) {
      for (const i of ids) {
        if (cluster.member(i).node.status().role === 'leader') {
          cluster.member(i).node.propose(bytes(`p${proposals++}`));
        }
      }
    } else if (r < 94.5) {
      const leader = ids.find((i) => cluster.member(i).node.status().role === 'leader');
      if (leader !== undefined) {
        const s = cluster.member(leader).node.status();
        if (s.voters.includes(id as NodeId)) {
          if (
            s.voters.length > 3 &&
            cluster.member(leader).node.proposeConfChange({ type: 'remove', node: id as NodeId }).ok
          ) {
            removed.add(id); // a removed node never comes back (ids are not reused)
          }
        } else if (s.learners.includes(id as NodeId)) {
          cluster.member(leader).node.proposeConfChange({ type: 'add-voter', node: id as NodeId });
        } else if (!removed.has(id)) {
          cluster.member(leader).node.proposeConfChange({ type: 'add-learner', node: id as NodeId });
        }
      }
    } else if (r < 95) {
      if (pick(3) === 0) cluster.heal();
      else {
        const split = 1 + pick(ids.length - 1);
        const shuffled = shuffle(random, [...ids]);
        cluster.partition([shuffled.slice(0, split), shuffled.slice(split)]);
      }
    } else if (r < 96.5) {
      // compact at the applied index (the application persists the snapshot it makes)
      const m = cluster.member(id);
      if (!m.node.hasReady() && m.node.status().applied > 0) {
        const snap = m.node.createSnapshot(cluster.snapshotData(id));
        m.persister.saveSnapshot(snap);
      }
    } else if (r < 98) {
      const m = cluster.member(id);
      if (!m.node.hasReady()) {
        // crash: drop the node's unsent state and restart it from what it persisted
        cluster.restart(id);
        checker.lastApplied.set(id, cluster.member(id).node.status().applied);
      }
    }
    checkLeaders(checker, cluster);
  }

  // Faults stop: heal, deliver everything, keep ticking until a fresh entry commits everywhere.
  cluster.heal();
  const marker = `final-${seed}`;
  let proposed = false;
  for (let round = 0; round < 3000; round++) {
    for (const i of cluster.ids()) cluster.member(i).node.tick();
    cluster.stabilize();
    checkLeaders(checker, cluster);
    const leader = cluster.ids().find((i) => cluster.member(i).node.status().role === 'leader');
    if (leader !== undefined && !proposed) proposed = cluster.member(leader).node.propose(bytes(marker)).ok;
    const members =
      leader === undefined
        ? []
        : [...cluster.member(leader).node.status().voters, ...cluster.member(leader).node.status().learners];
    if (proposed && members.every((i) => cluster.member(i).applied.some((a) => a.text === marker))) {
      for (const i of cluster.ids()) {
        const st = cluster.member(i).node.status();
        assert.equal(st.rejectedMessages, 0, `node ${i} rejected a peer message: ${st.lastRejection}`);
      }
      const changes =
        [...checker.committed.values()].filter((k) => /(add-learner|add-voter|remove)\(/.test(k)).length - n;
      return {
        commits: checker.committed.size,
        leaders: checker.leaders.size,
        changes,
        trace: trace.digest('hex'),
      };
    }
  }
  assert.fail(`seed ${seed}: no progress after faults stopped`);
}

for (const seed of SEEDS) {
  test(`raft safety under a faulty network, seed ${seed}`, () => {
    const { commits, leaders, changes } = runSeed(seed);
    if (process.env.RAFT_STATS)
      console.log(
        `seed ${seed}: ${commits} committed, ${leaders} terms with a leader, ${changes} conf changes`,
      );
    assert.ok(commits > 5, `seed ${seed} committed ${commits} entries`);
    assert.ok(leaders >= 1, `seed ${seed} elected ${leaders} leaders`);
    assert.ok(changes >= 0);
  });
}

test('the same seed gives the same run, message for message', () => {
  const a = runSeed(2);
  const b = runSeed(2);
  assert.equal(a.trace, b.trace);
  assert.notEqual(runSeed(3).trace, a.trace);
});
