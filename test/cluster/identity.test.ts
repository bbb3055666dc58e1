// Cluster identity: the CA, node certificates from public keys and CSRs, node ids read back from
// certificates, fingerprints, client certificates that can never pass as nodes, and revocation.
import assert from 'node:assert/strict';
import { createHash, createPrivateKey, X509Certificate } from 'node:crypto';
import { test } from 'node:test';
import {
  clusterIdFromCertificate,
  createClientIdentity,
  createNodeCertificateRequest,
  createNodeIdentity,
  emptyRevocationList,
  fingerprint,
  IdentityError,
  isClusterId,
  isRevoked,
  issueNodeCertificate,
  nodeIdFromCertificate,
  readCertificateRequest,
  revoke,
  validateRevocationList,
  verifyNodeCertificate,
} from '../../src/cluster/identity/index.js';
import { generateKeyPair } from '../../src/cluster/identity/x509.js';
import { foreignCluster, NOW, node, testCluster } from './identity-fixture.js';

const refusal = (reason: string) => (err: unknown) => err instanceof IdentityError && err.reason === reason;

test('createCluster makes a CA certificate for a printable cluster id, and a 32-byte cluster key', async () => {
  const ca = await testCluster();
  assert.ok(isClusterId(ca.clusterId), ca.clusterId);
  assert.equal(ca.clusterKey.length, 32);
  const cert = new X509Certificate(ca.caCertPem);
  assert.equal(cert.ca, true);
  assert.match(cert.subject, new RegExp(`O=pakaya-${ca.clusterId}`));
  assert.ok(cert.verify(cert.publicKey), 'self-signed');
  assert.match(ca.caKeyPem, /^-----BEGIN PRIVATE KEY-----/);
  assert.equal(clusterIdFromCertificate(ca.caCertPem), ca.clusterId);
  const other = await foreignCluster();
  assert.notEqual(other.clusterId, ca.clusterId);
});

test('fingerprint is the SHA-256 of the DER, the same from PEM and DER', async () => {
  const ca = await testCluster();
  const der = new X509Certificate(ca.caCertPem).raw;
  const expected = createHash('sha256').update(der).digest('hex');
  assert.equal(fingerprint(ca.caCertPem), expected);
  assert.equal(fingerprint(der), expected);
  assert.equal(ca.caFingerprint, expected);
});

test('a node certificate names the node in CN and SAN URI, is signed by the CA, and yields its id', async () => {
  const ca = await testCluster();
  const { certPem, keyPem } = await createNodeIdentity(ca, node(0x0000abcd), { now: NOW });
  const cert = new X509Certificate(certPem);
  assert.match(cert.subject, /CN=node-0000abcd/);
  assert.match(cert.subjectAltName ?? '', /URI:pakaya:\/\/node\/0000abcd/);
  assert.match(cert.subjectAltName ?? '', new RegExp(`URI:pakaya://cluster/${ca.clusterId}`));
  assert.ok(cert.checkIssued(new X509Certificate(ca.caCertPem)));
  assert.ok(cert.checkPrivateKey(createPrivateKey(keyPem)));
  assert.equal(nodeIdFromCertificate(certPem), 0x0000abcd);
  assert.equal(nodeIdFromCertificate(cert.raw), 0x0000abcd);
  const info = await verifyNodeCertificate(certPem, ca.caCertPem, NOW);
  assert.deepEqual(info, { nodeId: 0x0000abcd, clusterId: ca.clusterId, fingerprint: fingerprint(certPem) });
});

test('verifyNodeCertificate refuses a foreign CA, a certificate outside its validity, and garbage', async () => {
  const ca = await testCluster();
  const foreign = await foreignCluster();
  const { certPem } = await createNodeIdentity(foreign, node(7), { now: NOW });
  await assert.rejects(verifyNodeCertificate(certPem, ca.caCertPem, NOW), refusal('bad-certificate'));
  const short = await createNodeIdentity(ca, node(8), { now: NOW, validityMs: 60_000 });
  await assert.rejects(verifyNodeCertificate(short.certPem, ca.caCertPem, NOW + 120_000), /not valid now/);
  await assert.rejects(verifyNodeCertificate('hello', ca.caCertPem, NOW), refusal('bad-certificate'));
  assert.throws(
    () => nodeIdFromCertificate(new Uint8Array([0x30, 0x03, 1, 2, 3])),
    refusal('bad-certificate'),
  );
  assert.throws(() => nodeIdFromCertificate('x'.repeat(100_000)), /too large/);
});

test('a certificate request is verified and must name the node the certificate is for', async () => {
  const ca = await testCluster();
  const keys = await generateKeyPair();
  const csrPem = await createNodeCertificateRequest(node(0x12345678), keys);
  const info = await readCertificateRequest(csrPem);
  assert.equal(info.commonName, 'node-12345678');
  const certPem = await issueNodeCertificate(ca, csrPem, node(0x12345678), { now: NOW });
  assert.equal(nodeIdFromCertificate(certPem), 0x12345678);
  await assert.rejects(
    issueNodeCertificate(ca, csrPem, node(0x12345679), { now: NOW }),
    /names 'node-12345678'/,
  );
  // A tampered request (one byte of the signature changed) does not verify.
  const der = Buffer.from(csrPem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
  der[der.length - 3] = (der[der.length - 3] ?? 0) ^ 0x01;
  const tampered = `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`;
  await assert.rejects(readCertificateRequest(tampered), refusal('bad-request'));
  await assert.rejects(readCertificateRequest('not a csr'), refusal('bad-request'));
});

test('a client certificate can never pass as a node, nor can the CA certificate', async () => {
  const ca = await testCluster();
  const client = await createClientIdentity(ca, 'admin-1', { now: NOW });
  const cert = new X509Certificate(client.certPem);
  assert.match(cert.subjectAltName ?? '', /URI:pakaya:\/\/client\/admin-1/);
  assert.doesNotMatch(cert.subjectAltName ?? '', /pakaya:\/\/node\//);
  assert.throws(() => nodeIdFromCertificate(client.certPem), refusal('not-a-node'));
  await assert.rejects(verifyNodeCertificate(client.certPem, ca.caCertPem, NOW), refusal('not-a-node'));
  assert.throws(() => nodeIdFromCertificate(ca.caCertPem), refusal('not-a-node'));
  await assert.rejects(createClientIdentity(ca, 'Bad Name', { now: NOW }), refusal('bad-request'));
});

test('revocation by node id and by fingerprint; a list read from disk is checked', () => {
  let list = emptyRevocationList();
  assert.equal(isRevoked(list, { nodeId: node(5) }), false);
  list = revoke(list, { nodeId: node(5) });
  list = revoke(list, { nodeId: node(5) });
  list = revoke(list, { fingerprint: 'ab'.repeat(32) });
  assert.deepEqual(list.nodes, ['00000005']);
  assert.equal(isRevoked(list, { nodeId: node(5) }), true);
  assert.equal(isRevoked(list, { nodeId: node(6) }), false);
  assert.equal(isRevoked(list, { nodeId: node(6), fingerprint: 'ab'.repeat(32) }), true);
  assert.deepEqual(validateRevocationList(JSON.parse(JSON.stringify(list))), list);
  assert.throws(() => validateRevocationList({ version: 1, nodes: ['zz'], fingerprints: [] }), /bad node id/);
  assert.throws(() => validateRevocationList([]), refusal('bad-request'));
});
