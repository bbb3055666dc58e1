// ServiceDispatch: a cluster service's messages reach it only from nodes holding its right; other
// types fall through to the daemon; ranges never overlap.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { APP_TYPES } from '../../src/cluster/links.js';
import type { Right } from '../../src/cluster/registry/index.js';
import type { NodeId } from '../../src/net/node-id.js';
import { ServiceDispatch } from '../../src/node/service-dispatch.js';

const A = 0x0a as NodeId;
const B = 0x0b as NodeId;

function setup() {
  const grants = new Set<string>([`${A}/migrate`, `${A}/join`, `${B}/join`]);
  const firsts: string[] = [];
  const d = new ServiceDispatch(
    (peer, right: Right) => grants.has(`${peer}/${right}`),
    (peer, right) => firsts.push(`${peer}/${right}`),
  );
  const got: string[] = [];
  d.register(APP_TYPES.migration, 'migrate').add((peer, _lane, type) =>
    got.push(`migration ${peer} ${type}`),
  );
  d.register(APP_TYPES.ports, 'join').add((peer, _lane, type) => got.push(`ports ${peer} ${type}`));
  d.register(APP_TYPES.procs, undefined).add((peer, _lane, type) => got.push(`procs ${peer} ${type}`));
  return { d, got, firsts, grants };
}

test('a node without the right never reaches the service; one with it does', () => {
  const { d, got, firsts, grants } = setup();
  const payload = new Uint8Array(1);
  assert.equal(d.deliver(A, 'control', APP_TYPES.migration.lo, payload), true);
  assert.equal(d.deliver(B, 'control', APP_TYPES.migration.lo, payload), true);
  assert.equal(d.deliver(B, 'bulk', APP_TYPES.migration.hi, payload), true);
  assert.deepEqual(got, [`migration ${A} ${APP_TYPES.migration.lo}`]);
  assert.deepEqual(firsts, [`${B}/migrate`], 'one log line per (peer, right)');
  assert.equal(d.refusals().get(APP_TYPES.migration.lo), 2);
  // A right granted later takes effect at once (the ACL is read per message).
  grants.add(`${B}/migrate`);
  d.deliver(B, 'control', APP_TYPES.migration.lo, payload);
  assert.equal(got.at(-1), `migration ${B} ${APP_TYPES.migration.lo}`);
});

test('a service without a right checks its requests itself; unknown types fall through', () => {
  const { d, got } = setup();
  assert.equal(d.deliver(B, 'control', APP_TYPES.procs.lo, new Uint8Array()), true);
  assert.equal(d.deliver(B, 'control', APP_TYPES.ports.lo, new Uint8Array()), true);
  assert.deepEqual(got, [`procs ${B} ${APP_TYPES.procs.lo}`, `ports ${B} ${APP_TYPES.ports.lo}`]);
  assert.equal(d.deliver(A, 'control', 1, new Uint8Array()), false, 'a daemon type is not a service type');
});

test('overlapping or empty ranges are refused', () => {
  const { d } = setup();
  assert.throws(() => d.register({ lo: APP_TYPES.ports.hi, hi: APP_TYPES.ports.hi + 1 }, 'join'), /overlap/);
  assert.throws(() => d.register({ lo: 200, hi: 199 }, 'join'), /empty/);
});
