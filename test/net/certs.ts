// Throwaway certificates for the TLS tests, minted in the test with @peculiar/x509 on node:crypto's
// WebCrypto: a CA, and node certificates naming a node by SAN URI (or only by CN).
// @peculiar/x509 (via tsyringe) needs a Reflect metadata polyfill loaded first.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { formatNodeId, type NodeId } from '../../src/net/node-id.js';
import { nodeUri } from '../../src/net/peer-identity.js';

x509.cryptoProvider.set(webcrypto);

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

export interface TestCa {
  cert: string;
  keys: webcrypto.CryptoKeyPair;
  x509: x509.X509Certificate;
}

export interface NodeCreds {
  key: string;
  cert: string;
}

async function pemKey(key: webcrypto.CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', key);
  const b64 = Buffer.from(der)
    .toString('base64')
    .replace(/(.{64})/g, '$1\n');
  return `-----BEGIN PRIVATE KEY-----\n${b64}\n-----END PRIVATE KEY-----\n`;
}

const day = 24 * 3600 * 1000;

export async function makeCa(name = 'pakaya-test-ca'): Promise<TestCa> {
  const keys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: `CN=${name}`,
    notBefore: new Date(Date.now() - day),
    notAfter: new Date(Date.now() + day),
    keys,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    ],
  });
  return { cert: cert.toString('pem'), keys, x509: cert };
}

let serial = 2;

/** A certificate for `id` signed by `ca`; `how` picks SAN URI (default) or CN only. */
export async function makeNodeCert(ca: TestCa, id: NodeId, how: 'uri' | 'cn' = 'uri'): Promise<NodeCreds> {
  const keys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const extensions: x509.Extension[] = [
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
  ];
  if (how === 'uri')
    extensions.push(new x509.SubjectAlternativeNameExtension([{ type: 'url', value: nodeUri(id) }]));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: (serial++).toString(16).padStart(2, '0'),
    subject: `CN=node-${formatNodeId(id)}`,
    issuer: ca.x509.subject,
    notBefore: new Date(Date.now() - day),
    notAfter: new Date(Date.now() + day),
    signingKey: ca.keys.privateKey,
    publicKey: keys.publicKey,
    signingAlgorithm: ALG,
    extensions,
  });
  return { key: await pemKey(keys.privateKey), cert: cert.toString('pem') };
}
