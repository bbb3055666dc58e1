// The typed registry: entries round-trip through their JSON values, invalid ones are refused with
// 'invalid-entry', NPID records carry the key's fencing token, and ACL checks.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { aclTable, allowed, checkAccess } from '../../src/cluster/registry/acl.js';
import { RegistryError } from '../../src/cluster/registry/errors.js';
import { LocalRegistry } from '../../src/cluster/registry/local.js';
import {
  acls,
  checkpoints,
  fenceBefore,
  type Member,
  members,
  names,
  npidRecord,
  npids,
  policies,
  reservations,
  revocations,
} from '../../src/cluster/registry/schema.js';
import { asNodeId, type NodeId } from '../../src/net/node-id.js';

const FP = 'ab'.repeat(32);
const node = (n: number) => asNodeId(n) as NodeId;
const member: Member = {
  id: node(0x1a),
  fingerprint: FP,
  addresses: ['10.0.0.1:7100', '[::1]:7100'],
  labels: { zone: 'a', 'pakaya.io/role': 'voter' },
  state: 'alive',
  since: 1234.5,
};

function refused(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof RegistryError, String(e));
    assert.equal(e.code, 'invalid-entry');
    return e.message;
  }
  assert.fail('expected invalid-entry');
}

test('every entry kind round-trips through its key and value', () => {
  assert.equal(members.key(member.id), 'members/0000001a');
  assert.equal(members.id('members/0000001a'), 0x1a);
  assert.deepEqual(members.decode(members.encode(member)), member);
  const suspect = { ...member, state: 'suspect' as const, reason: 'no ack from 3 probes' };
  assert.deepEqual(members.decode(members.encode(suspect)), suspect);
  const rev = { fingerprint: FP, reason: 'key leaked', since: 5 };
  assert.deepEqual(revocations.decode(revocations.encode(rev)), rev);
  assert.deepEqual(npids.decode(npids.encode({ node: node(2), state: 'migrating' })), {
    node: 2,
    state: 'migrating',
  });
  assert.equal(names.key('svc/db/primary'), 'names/svc/db/primary');
  assert.deepEqual(names.decode(names.encode({ npid: '0000001a:7', port: 3 })), {
    npid: '0000001a:7',
    port: 3,
  });
  const cp = { npid: '0000001a:7', manifest: FP, nodes: [node(1), node(2)], taken: 99 };
  assert.deepEqual(checkpoints.decode(checkpoints.encode(cp)), cp);
  const res = { node: node(3), owner: 'client:alice', cpuMillis: 500, memoryMiB: 64 };
  assert.deepEqual(reservations.decode(reservations.encode(res)), res);
  const acl = { principal: 'node:0000001a', rights: ['join' as const, 'metrics' as const] };
  assert.deepEqual(acls.decode(acls.encode(acl)), acl);
  const pol = { kind: 'restart', params: { mode: 'on-failure', max: '3' } };
  assert.deepEqual(policies.decode(policies.encode(pol)), pol);
});

test('invalid entries and keys are refused with invalid-entry', () => {
  refused(() => members.encode({ ...member, id: 0 as NodeId }));
  refused(() => members.encode({ ...member, fingerprint: 'xyz' }));
  refused(() => members.encode({ ...member, addresses: Array.from({ length: 17 }, () => 'a:1') }));
  refused(() => members.encode({ ...member, addresses: ['has space:1'] }));
  refused(() => members.encode({ ...member, labels: { BAD: 'x' } }));
  refused(() => members.encode({ ...member, state: 'gone' as Member['state'] }));
  refused(() => members.encode({ ...member, since: Number.NaN }));
  refused(() => members.id('members/zz'));
  refused(() => npids.encode({ node: node(1), state: 'zombie' as 'running' }));
  refused(() => npids.key('00000000:1'));
  refused(() => npids.id('npids/00000000:1'));
  refused(() => npids.id('npids/0000001a:0'));
  refused(() => names.id('names/notsvc/x'));
  refused(() => names.encode({ npid: 'nope', port: 1 }));
  refused(() => acls.encode({ principal: 'root', rights: ['join'] }));
  refused(() => acls.encode({ principal: '*', rights: ['join', 'join'] }));
  refused(() => acls.encode({ principal: '*', rights: ['sudo' as 'join'] }));
  const enc = new TextEncoder();
  refused(() => members.decode(enc.encode('not json')));
  refused(() => members.decode(new Uint8Array([0xff, 0xfe])));
  refused(() => members.decode(enc.encode(JSON.stringify({ ...member, v: 2 }))));
  refused(() => members.decode(enc.encode('[1,2]')));
});

test('an NPID record carries the fencing token of its last ownership change', async () => {
  const reg = new LocalRegistry(4);
  const key = npids.key('0000001a:7');
  await reg.put(key, npids.encode({ node: node(0x1a), state: 'running' }), { fence: true });
  const born = npidRecord((await reg.get(key)).kv!);
  assert.deepEqual(born, { npid: '0000001a:7', node: 0x1a, state: 'running', fence: { term: 4, index: 1 } });
  // A state change keeps the token; the move to another node (a fenced cas) advances it.
  const cur = (await reg.get(key)).kv!;
  await reg.compareAndSet(
    key,
    { modRevision: cur.modRevision },
    npids.encode({ node: node(0x1a), state: 'migrating' }),
  );
  const migrating = npidRecord((await reg.get(key)).kv!);
  assert.deepEqual(migrating.fence, born.fence);
  const moved = await reg.compareAndSet(
    key,
    { modRevision: (await reg.get(key)).kv!.modRevision },
    npids.encode({ node: node(0x2b), state: 'running' }),
    { fence: true },
  );
  assert.equal(moved.succeeded, true);
  const after = npidRecord(moved.kv!);
  assert.equal(after.node, 0x2b);
  assert.ok(fenceBefore(born.fence, after.fence));
  assert.ok(!fenceBefore(after.fence, born.fence));
});

test('allowed() checks a principal and the * entry; checkAccess reads the registry', async () => {
  const reg = new LocalRegistry();
  await reg.put(
    acls.key('client:alice'),
    acls.encode({ principal: 'client:alice', rights: ['spawn', 'kill'] }),
  );
  await reg.put(acls.key('*'), acls.encode({ principal: '*', rights: ['metrics'] }));
  await reg.put(acls.key('node:00000001'), new TextEncoder().encode('{"garbage":true}'));
  const table = aclTable((await reg.list(acls.prefix)).kvs);
  assert.equal(allowed(table, 'client:alice', 'spawn'), true);
  assert.equal(allowed(table, 'client:alice', 'migrate'), false);
  assert.equal(allowed(table, 'client:bob', 'metrics'), true, 'through *');
  assert.equal(allowed(table, 'client:bob', 'kill'), false);
  assert.equal(allowed(table, 'node:00000001', 'join'), false, 'a malformed entry grants nothing');
  assert.equal(await checkAccess(reg, 'client:alice', 'kill'), true);
  assert.equal(await checkAccess(reg, 'client:mallory', 'acl-admin'), false);
});
