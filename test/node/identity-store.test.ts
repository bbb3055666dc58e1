// The identity files in a home: what cluster init and a join store, file modes (keys 0600), refusal
// of keys readable by others, a CA certificate that does not match cluster.json, token updates that
// never lose one another, and join answers that change tokens.json only on success.
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  acceptJoinResponse,
  type ClusterMaterial,
  createCluster,
  createNodeIdentity,
  mintToken,
  prepareJoin,
} from '../../src/cluster/identity/index.js';
import type { NodeId } from '../../src/net/node-id.js';
import {
  answerJoinRequest,
  identityPaths,
  loadCaState,
  loadIdentity,
  readRevoked,
  readTokens,
  saveClusterInit,
  saveJoinedIdentity,
  updateRevoked,
  updateTokens,
} from '../../src/node/identity-store.js';

const fresh = (): string => mkdtempSync(join(tmpdir(), 'pakaya-identity-'));
const CA_NODE = 0x0a0b0c0d as NodeId;
let material: Promise<ClusterMaterial> | undefined;

/** A home with `cluster init` done (the cluster itself made once per file). */
async function initialised(): Promise<{ dir: string; ca: ClusterMaterial }> {
  material ??= createCluster({ now: Date.now() });
  const ca = await material;
  const dir = fresh();
  saveClusterInit(dir, ca, CA_NODE, await createNodeIdentity(ca, CA_NODE, { now: Date.now() }));
  return { dir, ca };
}

const mode = (path: string): number => statSync(path).mode & 0o777;

test('cluster init files: keys 0600, certificates 0644, and they load back', async () => {
  const { dir, ca } = await initialised();
  const paths = identityPaths(dir);
  for (const key of [paths.caKey, paths.nodeKey, paths.clusterKey, paths.tokens, paths.revoked]) {
    assert.equal(mode(key), 0o600, key);
  }
  for (const pub of [paths.caCert, paths.nodeCert, paths.cluster]) assert.equal(mode(pub), 0o644, pub);
  const identity = loadIdentity(dir);
  assert.equal(identity.info.clusterId, ca.clusterId);
  assert.equal(identity.info.nodeId, '0a0b0c0d');
  assert.equal(identity.nodeId, CA_NODE);
  assert.equal(identity.info.ca, true);
  assert.equal(identity.caKeyPem, ca.caKeyPem);
  assert.deepEqual(identity.clusterKey, ca.clusterKey);
  assert.equal(readFileSync(paths.clusterKey).length, 32);
  assert.deepEqual(readTokens(dir).tokens, []);
  assert.deepEqual(readRevoked(dir).nodes, []);
});

test('a private key readable by group or others is refused with the chmod that fixes it', async () => {
  const { dir } = await initialised();
  const paths = identityPaths(dir);
  chmodSync(paths.nodeKey, 0o644);
  assert.throws(() => loadIdentity(dir), new RegExp(`mode 0644\\); run chmod 600 ${paths.nodeKey}`));
  chmodSync(paths.nodeKey, 0o600);
  chmodSync(paths.caKey, 0o640);
  assert.throws(() => loadIdentity(dir), /ca\.key is accessible by group or others/);
  chmodSync(paths.caKey, 0o600);
  assert.equal(loadIdentity(dir).info.ca, true);
});

test('a CA certificate that does not match cluster.json, or a malformed cluster.json, is refused', async () => {
  const { dir } = await initialised();
  const other = await createCluster({ now: Date.now() });
  writeFileSync(identityPaths(dir).caCert, other.caCertPem);
  assert.throws(() => loadIdentity(dir), /does not match the CA fingerprint/);
  writeFileSync(identityPaths(dir).cluster, '{"version":1}');
  assert.throws(() => loadIdentity(dir), /cluster\.json is malformed/);
  assert.throws(() => loadIdentity(fresh()), /has no cluster identity; run pakaya cluster init/);
});

test('concurrent token updates are serialised by identity.lock: none is lost', async () => {
  const { dir, ca } = await initialised();
  const mint = () =>
    updateTokens(dir, async (book) => {
      await new Promise((resolve) => setImmediate(resolve)); // let the others try the lock meanwhile
      const minted = mintToken(book, { caFingerprint: ca.caFingerprint, now: Date.now(), ttlMs: 60_000 });
      return { book: minted.book, result: minted.token };
    });
  const tokens = await Promise.all(Array.from({ length: 12 }, mint));
  assert.equal(new Set(tokens).size, 12);
  assert.equal(readTokens(dir).tokens.length, 12);
  await Promise.all(
    [0x11, 0x22, 0x33].map((n) =>
      updateRevoked(dir, (list) => ({ ...list, nodes: [...list.nodes, n.toString(16).padStart(8, '0')] })),
    ),
  );
  assert.equal(readRevoked(dir).nodes.length, 3);
});

test('answerJoinRequest writes tokens.json only on success; the joined home loads as a non-CA member', async () => {
  const { dir, ca } = await initialised();
  const token = await updateTokens(dir, (book) => {
    const minted = mintToken(book, { caFingerprint: ca.caFingerprint, now: Date.now(), ttlMs: 60_000 });
    return { book: minted.book, result: minted.token };
  });
  const before = readFileSync(identityPaths(dir).tokens, 'utf8');
  const joiner = 0x00c0ffee as NodeId;
  const refused = await answerJoinRequest(dir, { token: `${token.slice(0, -1)}x`, csrPem: 'x' }, Date.now());
  assert.ok(!refused.ok);
  assert.equal(readFileSync(identityPaths(dir).tokens, 'utf8'), before, 'refusal changes nothing');

  const prepared = await prepareJoin(token, joiner);
  const outcome = await answerJoinRequest(dir, prepared.request, Date.now());
  assert.ok(outcome.ok, outcome.ok ? '' : outcome.error.message);
  assert.equal(readTokens(dir).tokens[0]?.used, true);
  const again = await answerJoinRequest(dir, prepared.request, Date.now());
  assert.ok(!again.ok);
  assert.equal(again.error.reason, 'reused-token');

  const home2 = fresh();
  saveJoinedIdentity(home2, await acceptJoinResponse(prepared, outcome.response, Date.now()));
  const joined = loadIdentity(home2);
  assert.equal(joined.info.ca, false);
  assert.equal(joined.nodeId, joiner);
  assert.equal(joined.caKeyPem, undefined);
  assert.equal(mode(identityPaths(home2).nodeKey), 0o600);
  assert.equal(mode(identityPaths(home2).clusterKey), 0o600);
  assert.throws(() => loadCaState(home2), /not the cluster CA node/);
});
