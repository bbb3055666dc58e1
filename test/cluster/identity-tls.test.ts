// Certificates the identity code issues work for what they are for: a real node:tls 1.3 handshake
// with mutual authentication on loopback (port 0) between two nodes succeeds and each side reads the
// other's node id from its certificate; a certificate from another cluster's CA is rejected, on
// either side.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import * as tls from 'node:tls';
import {
  createNodeIdentity,
  type KeyAndCertificate,
  nodeIdFromCertificate,
} from '../../src/cluster/identity/index.js';
import { foreignCluster, node, testCluster } from './identity-fixture.js';

const DEADLINE_MS = 5000;

/** Rejects after DEADLINE_MS: a handshake that neither succeeds nor fails is a test failure. */
function withDeadline<T>(what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no outcome within ${DEADLINE_MS} ms`)), DEADLINE_MS);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

async function listen(identity: KeyAndCertificate, caCertPem: string): Promise<tls.Server> {
  const server = tls.createServer({
    key: identity.keyPem,
    cert: identity.certPem,
    ca: [caCertPem],
    requestCert: true,
    rejectUnauthorized: true,
    minVersion: 'TLSv1.3',
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

function connect(server: tls.Server, identity: KeyAndCertificate, caCertPem: string): tls.TLSSocket {
  return tls.connect({
    host: '127.0.0.1',
    port: (server.address() as AddressInfo).port,
    key: identity.keyPem,
    cert: identity.certPem,
    ca: [caCertPem],
    minVersion: 'TLSv1.3',
    // A node is its certificate's node id, not a host name; the transport checks the id.
    checkServerIdentity: () => undefined,
  });
}

async function close(server: tls.Server): Promise<void> {
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

test('two nodes of one cluster complete a TLS 1.3 mutual-auth handshake and see each other’s ids', async () => {
  const ca = await testCluster();
  const a = await createNodeIdentity(ca, node(0xaaaa0001), { now: Date.now() });
  const b = await createNodeIdentity(ca, node(0xbbbb0002), { now: Date.now() });
  const server = await listen(a, ca.caCertPem);
  try {
    const accepted = once(server, 'secureConnection') as Promise<[tls.TLSSocket]>;
    const client = connect(server, b, ca.caCertPem);
    await withDeadline('client handshake', once(client, 'secureConnect'));
    const [serverSide] = await withDeadline('server handshake', accepted);
    assert.equal(client.getProtocol(), 'TLSv1.3');
    assert.equal(client.authorized, true);
    assert.equal(serverSide.authorized, true);
    assert.equal(nodeIdFromCertificate(client.getPeerCertificate().raw), 0xaaaa0001);
    assert.equal(nodeIdFromCertificate(serverSide.getPeerCertificate().raw), 0xbbbb0002);
    serverSide.end('hi');
    const [data] = (await withDeadline('data', once(client, 'data'))) as [Buffer];
    assert.equal(data.toString(), 'hi');
    client.destroy();
    serverSide.destroy();
  } finally {
    await close(server);
  }
});

test('a client certificate from a foreign CA is rejected by the server', async () => {
  const ca = await testCluster();
  const foreign = await foreignCluster();
  const a = await createNodeIdentity(ca, node(0xaaaa0001), { now: Date.now() });
  const intruder = await createNodeIdentity(foreign, node(0xcccc0003), { now: Date.now() });
  const server = await listen(a, ca.caCertPem);
  let accepted = false;
  server.on('secureConnection', () => {
    accepted = true;
  });
  try {
    const refused = once(server, 'tlsClientError') as Promise<[Error]>;
    // The intruder trusts our CA (so it would accept our server) but shows a foreign certificate.
    // In TLS 1.3 the client finishes first; the server then refuses and the link closes.
    const client = connect(server, intruder, ca.caCertPem);
    client.on('error', () => {});
    const closed = once(client, 'close');
    await withDeadline('server refusal', refused);
    await withDeadline('client link closed', closed);
    assert.equal(accepted, false);
  } finally {
    await close(server);
  }
});

test('a server certificate from a foreign CA is rejected by the client', async () => {
  const ca = await testCluster();
  const foreign = await foreignCluster();
  const impostor = await createNodeIdentity(foreign, node(0xdddd0004), { now: Date.now() });
  const b = await createNodeIdentity(ca, node(0xbbbb0002), { now: Date.now() });
  const server = await listen(impostor, foreign.caCertPem);
  server.on('tlsClientError', () => {});
  try {
    const client = connect(server, b, ca.caCertPem);
    const [err] = (await withDeadline(
      'client refusal',
      once(client, 'error').catch((e) => [e]),
    )) as [Error];
    assert.match(String((err as NodeJS.ErrnoException).code), /UNABLE_TO_VERIFY|SELF_SIGNED|CERT/);
    client.destroy();
  } finally {
    await close(server);
  }
});
