// The owner guard and state sync over a LocalRegistry (no I/O): a record that names another node,
// carries a newer token, or is deleted makes the guard drop the process and tell its listeners;
// a lagging (older) event changes nothing; adopting an older token is refused. State sync writes
// only for held processes, coalesces bursts into few writes, never changes owner or token, leaves
// a migrating record alone except for exit, and releases a process once its exit is written.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OwnerGuard, OwnerGuardError } from '../../src/cluster/procs/owner-guard.js';
import { StateSync } from '../../src/cluster/procs/state-sync.js';
import { LocalRegistry, npidRecord, npids } from '../../src/cluster/registry/index.js';
import type { NodeId } from '../../src/net/node-id.js';
import { VirtualClock } from '../../src/net/virtual-clock.js';

const A = 0x0a as NodeId;
const B = 0x0b as NodeId;
const tick = () => new Promise((r) => setImmediate(r));

async function owned(reg: LocalRegistry, npid: string, node: NodeId) {
  const r = await reg.compareAndSet(
    npids.key(npid),
    { modRevision: 0 },
    npids.encode({ node, state: 'running', name: 'p' }),
    { fence: true },
  );
  assert.ok(r.succeeded && r.kv);
  return r.kv;
}

test('owner guard: moved, newer token and deleted records drop the process; older events do not', async () => {
  const reg = new LocalRegistry(3);
  const guard = new OwnerGuard(A, reg);
  await guard.start();
  const lost: string[] = [];
  guard.onAnyLost((npid, reason, by) => lost.push(`${npid} ${reason} ${by ?? '-'}`));

  const kv1 = await owned(reg, '0000000a:1', A);
  guard.adopt('0000000a:1', kv1.fence);
  assert.deepEqual(guard.held('0000000a:1'), kv1.fence);
  // A non-fenced state write by the owner keeps the token: still held.
  await reg.put(npids.key('0000000a:1'), npids.encode({ node: A, state: 'stopped' }));
  await tick();
  assert.ok(guard.held('0000000a:1'));
  // Ownership moves to B (a migration commit): lost, with the listener for this one process too.
  let own = 0;
  guard.onLost('0000000a:1', () => own++);
  await reg.put(npids.key('0000000a:1'), npids.encode({ node: B, state: 'running' }), { fence: true });
  await tick();
  assert.equal(guard.held('0000000a:1'), undefined);
  assert.equal(own, 1);

  // A newer token naming this node (another writer's ownership change) also drops the copy.
  const kv2 = await owned(reg, '0000000a:2', A);
  guard.adopt('0000000a:2', kv2.fence);
  await reg.put(npids.key('0000000a:2'), npids.encode({ node: A, state: 'running' }), { fence: true });
  await tick();
  assert.equal(guard.held('0000000a:2'), undefined);

  // Deleted: nobody owns it.
  const kv3 = await owned(reg, '0000000a:3', A);
  guard.adopt('0000000a:3', kv3.fence);
  await reg.delete(npids.key('0000000a:3'));
  await tick();
  assert.equal(guard.held('0000000a:3'), undefined);
  assert.deepEqual(lost, ['0000000a:1 moved 11', '0000000a:2 newer-token 10', '0000000a:3 deleted -']);

  // An event older than the held token (a lagging watch) is ignored; an older adopt is refused.
  const kv4 = await owned(reg, '0000000a:4', B);
  await reg.put(npids.key('0000000a:4'), npids.encode({ node: A, state: 'running' }), { fence: true });
  const now = npidRecord((await reg.get(npids.key('0000000a:4'))).kv!);
  guard.adopt('0000000a:4', now.fence);
  assert.equal(guard.check('0000000a:4', B, kv4.fence), true);
  assert.ok(guard.held('0000000a:4'));
  assert.throws(() => guard.adopt('0000000a:4', kv4.fence), OwnerGuardError);
  guard.release('0000000a:4');
  assert.equal(guard.held('0000000a:4'), undefined);
  assert.equal(lost.length, 3);
  guard.stop();
});

test('state sync: coalesced, guarded writes; migrating left alone; exit releases', async () => {
  const reg = new LocalRegistry(2);
  const clock = new VirtualClock();
  const guard = new OwnerGuard(A, reg);
  await guard.start();
  const sync = new StateSync(reg, guard, clock);
  const kv = await owned(reg, '0000000a:1', A);
  guard.adopt('0000000a:1', kv.fence);

  // A burst of stop/continue/stop is one write of the last state.
  sync.report('0000000a:1', { state: 'stopped' });
  sync.report('0000000a:1', { state: 'running' });
  sync.report('0000000a:1', { state: 'stopped' });
  const settle = async () => {
    for (let i = 0; i < 50; i++) {
      clock.advance(300);
      await tick();
    }
    await sync.idle();
  };
  await settle();
  assert.equal(sync.writes, 1);
  let rec = npidRecord((await reg.get(npids.key('0000000a:1'))).kv!);
  assert.equal(rec.state, 'stopped');
  assert.deepEqual(rec.fence, kv.fence, 'a state write never changes the token');
  assert.equal(rec.node, A);

  // While migration owns the record, stop/continue are not written; exit is, and releases.
  await reg.put(npids.key('0000000a:1'), npids.encode({ node: A, state: 'migrating', target: B }));
  sync.report('0000000a:1', { state: 'running' });
  await settle();
  rec = npidRecord((await reg.get(npids.key('0000000a:1'))).kv!);
  assert.equal(rec.state, 'migrating');
  sync.report('0000000a:1', { state: 'exited', status: 143 });
  await settle();
  rec = npidRecord((await reg.get(npids.key('0000000a:1'))).kv!);
  assert.equal(rec.state, 'exited');
  assert.equal(rec.status, 143);
  assert.equal(rec.target, B);
  assert.equal(guard.held('0000000a:1'), undefined);

  // A process this node does not hold is never written.
  await owned(reg, '0000000b:1', B);
  const before = sync.writes;
  sync.report('0000000b:1', { state: 'exited', status: 1 });
  await settle();
  assert.equal(sync.writes, before);
  assert.equal(npidRecord((await reg.get(npids.key('0000000b:1'))).kv!).state, 'running');
  sync.stop();
  guard.stop();
});
