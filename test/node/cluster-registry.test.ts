// ClusterRegistry on one node (a single-voter registry over a transport with no peers, WAL on a real
// FileStorage): it elects itself, registers its own member record and default node ACL, and its
// ACL check refuses a non-member, a member marked dead, and a principal without the right; a grant
// and a revoke change the answer; reopening the home recovers the registry from the WAL.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createCluster, createNodeIdentity } from '../../src/cluster/identity/index.js';
import { members } from '../../src/cluster/registry/index.js';
import type { NodeId } from '../../src/net/node-id.js';
import { ClusterRegistry, NODE_DEFAULT_RIGHTS } from '../../src/node/cluster-registry.js';
import { silentLog } from '../../src/node/logger.js';

const SELF = 0x0a0b0c0d as NodeId;
const OTHER = 0x01020304 as NodeId;

async function until(what: string, check: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function open(home: string, certPem: string): ClusterRegistry {
  return new ClusterRegistry({
    home,
    self: SELF,
    bootstrap: true,
    nodeCertPem: certPem,
    address: '127.0.0.1:7946',
    transport: { self: SELF, send: () => undefined, onMessage: () => {}, onLink: () => {} },
    swim: () => [{ node: SELF, state: 'alive', addresses: ['127.0.0.1:7946'] }],
    log: silentLog(),
  });
}

test('a single-voter registry: registration, default ACL, refusals, grant/revoke, restart', async () => {
  const home = mkdtempSync(join(tmpdir(), 'pkreg-'));
  try {
    const ca = await createCluster({ now: Date.now() });
    const cert = (await createNodeIdentity(ca, SELF, { now: Date.now() })).certPem;
    let reg = open(home, cert);
    await until('leadership and registration', () => reg.isLeader && reg.memberRecords().length === 1);
    assert.equal(reg.leader, SELF);
    const me = reg.memberRecords()[0];
    assert.equal(me?.id, SELF);
    assert.equal(me?.state, 'alive');
    assert.match(me?.fingerprint ?? '', /^[0-9a-f]{64}$/);
    await until('the default node ACL', () => reg.aclOf('node:0a0b0c0d') !== undefined);
    assert.deepEqual(reg.aclOf('node:0a0b0c0d')?.rights, [...NODE_DEFAULT_RIGHTS]);
    assert.equal(reg.allowedLocal('node:0a0b0c0d', 'spawn'), true);
    assert.equal(reg.allowedLocal('node:0a0b0c0d', 'acl-admin'), false, 'not a default node right');

    // A non-member: an ACL alone is not enough for a node principal.
    await reg.setRight('node:01020304', 'metrics', true);
    assert.equal(reg.allowedLocal('node:01020304', 'metrics'), false);
    // A member marked dead is refused too; alive, it is allowed.
    const record = {
      id: OTHER,
      fingerprint: 'a'.repeat(64),
      addresses: ['127.0.0.1:1'],
      labels: {},
      since: 1,
    };
    await reg.client.put(members.key(OTHER), members.encode({ ...record, state: 'dead' }));
    assert.equal(reg.allowedLocal('node:01020304', 'metrics'), false);
    await reg.client.put(members.key(OTHER), members.encode({ ...record, state: 'alive' }));
    assert.equal(reg.allowedLocal('node:01020304', 'metrics'), true);
    assert.equal(reg.allowedLocal('node:01020304', 'kill'), false, 'a right never granted');

    // A client principal has nothing until granted; a revoke takes it away again.
    assert.equal(reg.allowedLocal('client:bob', 'spawn'), false);
    assert.deepEqual((await reg.setRight('client:bob', 'spawn', true)).rights, ['spawn']);
    assert.equal(reg.allowedLocal('client:bob', 'spawn'), true);
    assert.deepEqual((await reg.setRight('client:bob', 'spawn', false)).rights, []);
    assert.equal(reg.allowedLocal('client:bob', 'spawn'), false);
    const applied = reg.status().applied_index;
    reg.stop();
    assert.ok(existsSync(join(home, 'raft')), 'the WAL lives in <home>/raft');

    reg = open(home, cert);
    await until('leadership after restart', () => reg.isLeader);
    assert.ok(reg.status().applied_index >= applied);
    assert.equal(reg.allowedLocal('node:01020304', 'metrics'), true);
    assert.deepEqual(reg.aclOf('client:bob')?.rights, []);
    assert.deepEqual(reg.status().voters, ['0a0b0c0d']);
    reg.stop();
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});
