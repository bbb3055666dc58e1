// The consensus replica over a simulated network, virtual clock and memory disks: election, writes
// and reads through LogRegistryClient on every node (followers forward), not-leader, timeout,
// restart from the WAL, snapshots and a joiner catching up from one, the 5-voter cap, and bad
// wire messages counted and dropped.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConsensusError } from '../../src/cluster/consensus/errors.js';
import { APP_TYPE_RAFT } from '../../src/cluster/consensus/limits.js';
import { Replica } from '../../src/cluster/consensus/replica.js';
import { MemoryStorage } from '../../src/cluster/memory-storage.js';
import { LogRegistryClient } from '../../src/cluster/registry/log-client.js';
import { RegistryStateMachine } from '../../src/cluster/registry/state-machine.js';
import type { NodeId } from '../../src/net/node-id.js';
import { SeededRandom } from '../../src/net/random.js';
import { SimNetwork } from '../../src/net/sim-transport.js';
import { VirtualClock } from '../../src/net/virtual-clock.js';

const n = (x: number) => x as NodeId;
const b = (s: string) => new TextEncoder().encode(s);
const str = (u: Uint8Array | undefined) => (u === undefined ? undefined : new TextDecoder().decode(u));

interface Member {
  id: NodeId;
  storage: MemoryStorage;
  replica: Replica;
  sm: RegistryStateMachine;
  client: LogRegistryClient;
}

class Cluster {
  readonly clock = new VirtualClock();
  readonly random = new SeededRandom(7);
  readonly net = new SimNetwork({ clock: this.clock, random: this.random.fork() });
  readonly members = new Map<NodeId, Member>();
  readonly storages = new Map<NodeId, MemoryStorage>();

  constructor(
    readonly voters: NodeId[],
    readonly options: { snapshotEvery?: number; timeoutMs?: number } = {},
  ) {
    for (const id of voters) this.start(id, { kind: 'bootstrap', voters });
  }

  start(id: NodeId, start: { kind: 'bootstrap'; voters: NodeId[] } | { kind: 'join' }): Member {
    const storage = this.storages.get(id) ?? new MemoryStorage();
    this.storages.set(id, storage);
    const sm = new RegistryStateMachine();
    const replica = Replica.open({
      id,
      transport: this.net.createTransport(id),
      clock: this.clock,
      random: this.random.fork(),
      storage,
      dir: 'raft',
      stateMachine: sm,
      start,
      tickMs: 10,
      snapshotEvery: this.options.snapshotEvery ?? 1000,
      requestTimeoutMs: this.options.timeoutMs ?? 500,
    });
    const m = { id, storage, replica, sm, client: new LogRegistryClient(sm, replica) };
    this.members.set(id, m);
    return m;
  }

  crash(id: NodeId): void {
    const m = this.members.get(id);
    if (!m) return;
    m.replica.stop();
    this.net.crash(id);
    m.storage.crash();
    this.members.delete(id);
  }

  get(id: number): Member {
    const m = this.members.get(n(id));
    assert.ok(m, `node ${id} is running`);
    return m;
  }

  leader(): Member | undefined {
    return [...this.members.values()].find((m) => m.replica.isLeader);
  }

  /** A leader that every running node knows. */
  stable(): boolean {
    const l = this.leader();
    return l !== undefined && [...this.members.values()].every((m) => m.replica.leader === l.id);
  }

  follower(): Member {
    const f = [...this.members.values()].find((m) => !m.replica.isLeader && m.replica.leader !== 0);
    assert.ok(f, 'a follower that knows the leader');
    return f;
  }

  /** Steps the clock until `done`, letting promise continuations run; fails after `maxMs`. */
  async until(done: () => boolean, maxMs = 10_000, what = 'condition'): Promise<void> {
    const end = this.clock.now() + maxMs;
    while (!done()) {
      assert.ok(this.clock.now() <= end && this.clock.step(), `${what} within ${maxMs} ms of virtual time`);
      await new Promise((r) => setImmediate(r));
    }
  }

  /** Runs `op` while stepping the clock until it settles. */
  async settle<T>(op: Promise<T>, maxMs = 10_000): Promise<T> {
    let done = false;
    const p = op.finally(() => {
      done = true;
    });
    p.catch(() => undefined);
    await this.until(() => done, maxMs, 'the operation settles');
    return p;
  }
}

test('a 3-node cluster elects a leader; writes and reads work on every node (followers forward)', async () => {
  const c = new Cluster([n(1), n(2), n(3)]);
  await c.until(() => c.stable(), 5000, 'a leader');
  const f = c.follower();
  const put = await c.settle(f.client.put('k', b('v1')));
  assert.ok(put.revision >= 1);
  assert.equal(f.replica.counters.forwardedOut, 1, 'the follower forwarded its proposal');
  assert.equal(c.leader()?.replica.counters.forwardedIn, 1);
  for (const m of c.members.values()) {
    const got = await c.settle(m.client.get('k'));
    assert.equal(str(got.kv?.value), 'v1', `node ${m.id} reads the write`);
  }
  const cas = await c.settle(c.get(3).client.compareAndSet('k', { value: b('v1') }, b('v2')));
  assert.equal(cas.succeeded, true);
  const cas2 = await c.settle(c.get(1).client.compareAndSet('k', { value: b('v1') }, b('v3')));
  assert.equal(cas2.succeeded, false);
  assert.equal(str((await c.settle(c.get(2).client.get('k'))).kv?.value), 'v2');
});

test('no leader known: not-leader; a partitioned leader: timeout', async () => {
  const c = new Cluster([n(1), n(2), n(3)], { timeoutMs: 300 });
  // Before any election nobody is leader.
  await assert.rejects(c.settle(c.get(1).replica.propose(b('x'))), (e: unknown) => {
    assert.ok(e instanceof ConsensusError);
    assert.equal(e.code, 'not-leader');
    return true;
  });
  await c.until(() => c.stable(), 5000, 'a leader');
  const leader = c.leader() as Member;
  const f = c.follower();
  // Cut the leader off from both followers: the forwarded proposal is never answered.
  c.net.partition(
    [leader.id],
    [...c.members.keys()].filter((id) => id !== leader.id),
  );
  const proposal = f.replica.propose(b('y'));
  await assert.rejects(c.settle(proposal, 2000), (e: unknown) => {
    assert.ok(e instanceof ConsensusError);
    assert.ok(e.code === 'timeout' || e.code === 'unavailable', e.code);
    return true;
  });
  // A read on the isolated leader cannot be confirmed by a quorum either.
  await assert.rejects(
    c.settle(leader.replica.readBarrier(), 2000),
    (e: unknown) => e instanceof ConsensusError,
  );
  c.net.heal();
  await c.until(() => c.leader() !== undefined && c.leader()?.replica.status().term !== undefined, 5000);
});

test('restart from the WAL: every node crashes (unsynced bytes lost) and comes back with the data', async () => {
  const c = new Cluster([n(1), n(2), n(3)]);
  await c.until(() => c.stable(), 5000, 'a leader');
  for (let i = 0; i < 20; i++) await c.settle((c.leader() as Member).client.put(`k${i % 5}`, b(`v${i}`)));
  const before = (c.leader() as Member).sm.snapshot();
  for (const id of [1, 2, 3]) c.crash(n(id));
  for (const id of [1, 2, 3]) c.start(n(id), { kind: 'bootstrap', voters: [n(1), n(2), n(3)] });
  await c.until(() => c.leader() !== undefined, 5000, 'a leader after the restart');
  await c.settle((c.leader() as Member).client.put('after', b('restart')));
  const got = await c.settle(c.get(2).client.get('k4'));
  assert.equal(str(got.kv?.value), 'v19');
  assert.ok(c.get(2).sm.revision > new RegistryStateMachine().revision);
  assert.ok(before.length > 0);
});

test('snapshots compact the log; a joining learner catches up from a snapshot; at most 5 voters', async () => {
  const c = new Cluster([n(1), n(2), n(3)], { snapshotEvery: 8 });
  await c.until(() => c.stable(), 5000, 'a leader');
  for (let i = 0; i < 30; i++) await c.settle((c.leader() as Member).client.put(`k${i % 4}`, b(`v${i}`)));
  const leader = c.leader() as Member;
  assert.ok(leader.replica.counters.snapshotsTaken >= 2, 'the leader took snapshots');
  assert.ok(leader.replica.status().firstIndex > 1, 'the log was compacted');
  const roles: string[] = [];
  for (const id of [4, 5, 6, 7]) {
    c.start(n(id), { kind: 'join' });
    roles.push(await c.settle((c.leader() as Member).replica.addMember(n(id))));
  }
  assert.deepEqual(roles, ['voter', 'voter', 'learner', 'learner']);
  const st = (c.leader() as Member).replica.status();
  assert.equal(st.voters.length, 5);
  assert.deepEqual(st.learners, [n(6), n(7)]);
  await c.until(() => c.get(7).replica.appliedIndex >= (c.leader() as Member).replica.status().commit, 5000);
  assert.ok(c.get(7).replica.counters.snapshotsRestored >= 1, 'the joiner loaded a snapshot');
  assert.equal(str((await c.settle(c.get(7).client.get('k1'))).kv?.value), 'v29');
  await assert.rejects(c.settle((c.leader() as Member).replica.promote(n(7))), (e: unknown) => {
    assert.ok(e instanceof ConsensusError);
    assert.equal(e.code, 'refused');
    assert.match(e.message, /too-many-voters/);
    return true;
  });
});

test('bad wire messages are counted and dropped; the cluster keeps working', async () => {
  const c = new Cluster([n(1), n(2), n(3)]);
  await c.until(() => c.stable(), 5000, 'a leader');
  const target = c.follower();
  const rogue = c.net.createTransport(n(9));
  rogue.send(target.id, 'control', APP_TYPE_RAFT, Uint8Array.of(0xff, 0x01, 0x02));
  rogue.send(target.id, 'control', 17, Uint8Array.of(0x0a, 0x03));
  await c.until(() => target.replica.counters.wireRejected >= 2, 1000, 'the bad messages arrive');
  assert.match(target.replica.counters.lastWireError, /malformed|envelope/);
  await c.settle(target.client.put('still', b('ok')));
  assert.equal(str((await c.settle(target.client.get('still'))).kv?.value), 'ok');
});
