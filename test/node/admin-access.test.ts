// The admin API's access table (admin-access.ts) and the principal an admin listener reads from a
// certificate (principalFromCertificate): each route needs the right the docs say, a forward needs
// its inner request's right, an unknown route needs acl-admin; a client certificate names
// client:<name>, a node certificate node:<8hex>, a CA certificate nobody.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  createClientIdentity,
  createNodeIdentity,
  IdentityError,
  principalFromCertificate,
} from '../../src/cluster/identity/index.js';
import { DEFAULT_RIGHT, ROUTE_RIGHTS, rightFor } from '../../src/node/admin-access.js';
import { ALL_ROUTES } from '../../src/node/admin-router.js';
import { NOW, node, testCluster } from '../cluster/identity-fixture.js';

test('every route needs the right the access table names; unknown routes need acl-admin', () => {
  const cases: [string, string, string | undefined][] = [
    ['GET', '/v1/node', 'metrics'],
    ['GET', '/v1/processes', 'metrics'],
    ['GET', '/metrics', 'metrics'],
    ['GET', '/v1/nodes', 'metrics'],
    ['GET', '/v1/cluster', 'metrics'],
    ['GET', '/v1/net/trace', 'metrics'],
    ['POST', '/v1/processes/7/kill', 'kill'],
    ['POST', '/v1/processes/7/checkpoint', 'migrate'],
    ['POST', '/v1/restore', 'spawn'],
    ['POST', '/v1/cluster/acl', 'acl-admin'],
    ['POST', '/v1/cluster/revoke', 'acl-admin'],
    ['POST', '/v1/net/block', 'acl-admin'],
    ['GET', '/v1/nothing', undefined],
    ['POST', '/v1/node', undefined],
  ];
  for (const [method, path, right] of cases) assert.equal(rightFor(method, path), right, `${method} ${path}`);
  assert.equal(DEFAULT_RIGHT, 'acl-admin');
  // The table names only real routes (a typo would leave a route at the default).
  const names = new Set(ALL_ROUTES.map((r) => r.name));
  for (const name of ['node', 'processes', 'kill', 'checkpoint', 'restore', 'cluster-acl', 'net-block'])
    assert.ok(names.has(name) && ROUTE_RIGHTS[name] !== undefined, name);
});

test('a forward needs the right of the request it carries; a forward of a forward needs none to match', () => {
  const fwd = (method: string, path: string) =>
    rightFor('POST', '/v1/forward', JSON.stringify({ node: '0000000a', method, path }));
  assert.equal(fwd('GET', '/v1/processes'), 'metrics');
  assert.equal(fwd('POST', '/v1/processes/3/kill'), 'kill');
  assert.equal(fwd('POST', '/v1/restore'), 'spawn');
  assert.equal(fwd('POST', '/v1/forward'), undefined);
  assert.equal(rightFor('POST', '/v1/forward', '{not json'), undefined);
});

test('principals from certificates: client:<name>, node:<8hex>; a CA certificate is refused', async () => {
  const ca = await testCluster();
  const client = await createClientIdentity(ca, 'ops.team-1', { now: NOW });
  assert.equal(principalFromCertificate(client.certPem), 'client:ops.team-1');
  const member = await createNodeIdentity(ca, node(0xab), { now: NOW });
  assert.equal(principalFromCertificate(member.certPem), 'node:000000ab');
  assert.throws(
    () => principalFromCertificate(ca.caCertPem),
    (err) => err instanceof IdentityError,
  );
  assert.throws(
    () => principalFromCertificate('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n'),
    (err) => err instanceof IdentityError && err.reason === 'bad-certificate',
  );
});
