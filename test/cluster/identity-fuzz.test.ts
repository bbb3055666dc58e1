// Bad input from outside never escapes as anything but an IdentityError: seeded mutations (bit
// flips, truncations, random bytes) of a valid join token, node certificate and certificate request.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { test } from 'node:test';
import {
  createNodeCertificateRequest,
  createNodeIdentity,
  emptyTokenBook,
  IdentityError,
  mintToken,
  nodeIdFromCertificate,
  parseToken,
  readCertificateRequest,
} from '../../src/cluster/identity/index.js';
import { generateKeyPair } from '../../src/cluster/identity/x509.js';
import { randomBelow, SeededRandom } from '../../src/net/random.js';
import { NOW, node, testCluster } from './identity-fixture.js';

/** A mutation of `bytes`: flip a few bits, truncate, or replace with random bytes. */
function mutate(random: SeededRandom, bytes: Uint8Array): Uint8Array {
  const kind = randomBelow(random, 3);
  if (kind === 0) {
    const out = bytes.slice();
    for (let flips = 1 + randomBelow(random, 4); flips > 0; flips--) {
      const at = randomBelow(random, out.length);
      out[at] = (out[at] ?? 0) ^ (1 << randomBelow(random, 8));
    }
    return out;
  }
  if (kind === 1) return bytes.slice(0, randomBelow(random, bytes.length));
  return Uint8Array.from({ length: randomBelow(random, 64) }, () => randomBelow(random, 256));
}

function assertTyped(what: string, err: unknown): void {
  assert.ok(err instanceof IdentityError, `${what}: ${err instanceof Error ? err.stack : String(err)}`);
}

/** Runs `fn`; true if it returns, false if it throws an IdentityError, a test failure otherwise. */
function onlyTypedErrors(what: () => string, fn: () => unknown): boolean {
  try {
    fn();
    return true;
  } catch (err) {
    assertTyped(what(), err);
    return false;
  }
}

/** onlyTypedErrors for an async `fn`. */
async function onlyTypedRejections(what: () => string, fn: () => Promise<unknown>): Promise<boolean> {
  try {
    await fn();
    return true;
  } catch (err) {
    assertTyped(what(), err);
    return false;
  }
}

test('mutated join tokens are refused with typed errors only', async () => {
  const ca = await testCluster();
  const { token } = mintToken(emptyTokenBook(), { caFingerprint: ca.caFingerprint, now: NOW, ttlMs: 60_000 });
  const random = new SeededRandom(11);
  const bytes = new TextEncoder().encode(token);
  for (let i = 0; i < 10_000; i++) {
    const text = Buffer.from(mutate(random, bytes)).toString('latin1');
    onlyTypedErrors(
      () => `token ${JSON.stringify(text)}`,
      () => parseToken(text),
    );
  }
});

test('mutated node certificates are read or refused with typed errors only', async () => {
  const ca = await testCluster();
  const { certPem } = await createNodeIdentity(ca, node(0x1234), { now: NOW });
  const der = new Uint8Array(new X509Certificate(certPem).raw);
  const random = new SeededRandom(22);
  let accepted = 0;
  for (let i = 0; i < 400; i++) {
    const input = mutate(random, der);
    const what = () => `certificate ${Buffer.from(input).toString('hex')}`;
    if (onlyTypedErrors(what, () => nodeIdFromCertificate(input))) accepted++;
  }
  // Most mutations break the certificate; a flip in the signature or serial still reads (the
  // signature is checked by verifyNodeCertificate, not here).
  assert.ok(accepted < 400);
});

test('mutated certificate requests are refused with typed errors only', async () => {
  const csrPem = await createNodeCertificateRequest(node(0x99), await generateKeyPair());
  const der = new Uint8Array(Buffer.from(csrPem.replace(/-----[^-]+-----|\s/g, ''), 'base64'));
  const random = new SeededRandom(33);
  for (let i = 0; i < 300; i++) {
    const mutated = mutate(random, der);
    const pem = `-----BEGIN CERTIFICATE REQUEST-----\n${Buffer.from(mutated).toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`;
    const what = () => `request ${Buffer.from(mutated).toString('hex')}`;
    const ok = await onlyTypedRejections(what, () => readCertificateRequest(pem));
    if (ok) assert.deepEqual(mutated, der, 'only the unchanged request verifies');
  }
});
