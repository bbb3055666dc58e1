// The cluster CA and the certificates it signs: creating a cluster (CA key + self-signed CA
// certificate + cluster key), certificate requests (PKCS#10) from joining nodes, node and admin
// client certificates, and reading a certificate back: its fingerprint, its node id, whether the CA
// signed it. Pure logic on node:crypto and @peculiar/x509; the caller supplies the wall-clock time.
import { createHash, randomBytes, webcrypto } from 'node:crypto';
import { formatNodeId, type NodeId } from '../../net/node-id.js';
import { asIdentityError, IdentityError, refuseUnless } from './errors.js';
import {
  CA_VALIDITY_MS,
  CERT_BACKDATE_MS,
  CLIENT_CERT_VALIDITY_MS,
  CLUSTER_KEY_BYTES,
  DER_BYTES_MAX,
  NODE_CERT_VALIDITY_MS,
  PEM_TEXT_MAX,
  SAN_ENTRIES_MAX,
} from './limits.js';
import {
  CLIENT_URI_PREFIX,
  CLUSTER_URI_PREFIX,
  clientCommonName,
  clientUri,
  clusterOrganisation,
  clusterUri,
  isClientName,
  isClusterId,
  NODE_URI_PREFIX,
  newClusterId,
  nodeCommonName,
  nodeIdFromCommonName,
  nodeIdFromUri,
  nodeUri,
} from './names.js';
import {
  type CryptoKeyPair,
  generateKeyPair,
  importPrivateKey,
  privateKeyPem,
  SIGNING_ALGORITHM,
  x509,
} from './x509.js';

/** A certificate as PEM text or DER bytes (node:tls gives peers' certificates as DER). */
export type CertificateInput = string | Uint8Array;

/** What the CA needs to sign: its certificate and private key (PEM) and the cluster it speaks for. */
export interface CaSigner {
  clusterId: string;
  caCertPem: string;
  caKeyPem: string;
}

/** Everything `cluster init` makes. */
export interface ClusterMaterial extends CaSigner {
  /** SHA-256 of the CA certificate's DER, lower-case hex: what join tokens carry. */
  caFingerprint: string;
  /** The cluster datagram key (AES-256-GCM), delivered to joiners with their certificate. */
  clusterKey: Uint8Array;
}

/** A private key and the certificate for it, both PEM. */
export interface KeyAndCertificate {
  keyPem: string;
  certPem: string;
}

/** When a certificate is issued and for how long. `now` is wall-clock milliseconds since the epoch. */
export interface Validity {
  now: number;
  validityMs?: number;
}

const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';

function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f; // a positive INTEGER
  return bytes.toString('hex');
}

function period(validity: Validity, defaultMs: number): { notBefore: Date; notAfter: Date } {
  const validityMs = validity.validityMs ?? defaultMs;
  if (!Number.isFinite(validity.now) || !(validityMs > 0)) {
    throw new RangeError(`bad certificate validity: now=${validity.now}, validityMs=${validityMs}`);
  }
  // Dates built from the caller's `now` (x509 wants Date objects); no clock is read here.
  return {
    notBefore: new Date(validity.now - CERT_BACKDATE_MS),
    notAfter: new Date(validity.now + validityMs),
  };
}

/** SHA-256 of a certificate's DER encoding, lower-case hex. */
export function fingerprint(cert: CertificateInput): string {
  const der = parseCertificate(cert).rawData;
  return createHash('sha256').update(new Uint8Array(der)).digest('hex');
}

/** Parses a certificate (PEM or DER), refusing oversized or malformed input with 'bad-certificate'. */
export function parseCertificate(cert: CertificateInput): x509.X509Certificate {
  const size = typeof cert === 'string' ? cert.length : cert.byteLength;
  const max = typeof cert === 'string' ? PEM_TEXT_MAX : DER_BYTES_MAX;
  refuseUnless(size > 0, 'bad-certificate', 'empty certificate');
  refuseUnless(size <= max, 'bad-certificate', `certificate too large (${size} > ${max})`);
  try {
    return new x509.X509Certificate(typeof cert === 'string' ? cert : new Uint8Array(cert));
  } catch (err) {
    throw new IdentityError('bad-certificate', `not an X.509 certificate: ${(err as Error).message}`);
  }
}

/** The names a certificate carries: subject common names and SAN URIs by kind. */
export interface CertificateNames {
  commonNames: string[];
  nodeUris: string[];
  clientUris: string[];
  clusterUris: string[];
}

export function certificateNames(cert: x509.X509Certificate): CertificateNames {
  const names: CertificateNames = {
    commonNames: cert.subjectName.getField('CN'),
    nodeUris: [],
    clientUris: [],
    clusterUris: [],
  };
  const san = cert.getExtension(x509.SubjectAlternativeNameExtension);
  const items = san?.names.items ?? [];
  refuseUnless(
    items.length <= SAN_ENTRIES_MAX,
    'bad-certificate',
    `more than ${SAN_ENTRIES_MAX} SAN entries`,
  );
  for (const item of items) {
    if (item.type !== 'url') continue;
    if (item.value.startsWith(NODE_URI_PREFIX)) names.nodeUris.push(item.value);
    else if (item.value.startsWith(CLIENT_URI_PREFIX)) names.clientUris.push(item.value);
    else if (item.value.startsWith(CLUSTER_URI_PREFIX)) names.clusterUris.push(item.value);
  }
  return names;
}

function extendedKeyUsages(cert: x509.X509Certificate): string[] {
  const eku = cert.getExtension(x509.ExtendedKeyUsageExtension);
  return eku ? eku.usages.map(String) : [];
}

function isCaCertificate(cert: x509.X509Certificate): boolean {
  return cert.getExtension(x509.BasicConstraintsExtension)?.ca === true;
}

/**
 * The node id a node certificate names. A node certificate has exactly one `pakaya://node/<8hex>`
 * SAN URI, the matching `node-<8hex>` common name, both serverAuth and clientAuth usages, no client
 * URI and is not a CA. Anything else is refused: 'not-a-node' for client and CA certificates and
 * certificates that name no node, 'bad-certificate' for inconsistent ones. Does not check who signed
 * it (see verifyNodeCertificate; node:tls checks the chain on a link).
 */
export function nodeIdFromCertificate(cert: CertificateInput | x509.X509Certificate): NodeId {
  const parsed = cert instanceof x509.X509Certificate ? cert : parseCertificate(cert);
  return asIdentityError('bad-certificate', 'malformed certificate', () => readNodeId(parsed));
}

function readNodeId(parsed: x509.X509Certificate): NodeId {
  const names = certificateNames(parsed);
  refuseUnless(
    names.clientUris.length === 0,
    'not-a-node',
    'this is an admin client certificate, not a node',
  );
  refuseUnless(!isCaCertificate(parsed), 'not-a-node', 'this is a CA certificate, not a node');
  refuseUnless(
    names.nodeUris.length === 1,
    'not-a-node',
    'the certificate names no node (one pakaya://node/ URI)',
  );
  const id = nodeIdFromUri(names.nodeUris[0] ?? '');
  refuseUnless(id !== undefined, 'bad-certificate', `bad node URI '${names.nodeUris[0]}'`);
  refuseUnless(
    names.commonNames.length === 1 && nodeIdFromCommonName(names.commonNames[0] ?? '') === id,
    'bad-certificate',
    `the common name does not match node ${formatNodeId(id)}`,
  );
  const usages = extendedKeyUsages(parsed);
  refuseUnless(
    usages.includes(SERVER_AUTH) && usages.includes(CLIENT_AUTH),
    'not-a-node',
    'the certificate is not for a node (needs serverAuth and clientAuth usages)',
  );
  return id;
}

/**
 * The admin principal a certificate names: `client:<name>` for an admin client certificate (exactly
 * one `pakaya://client/<name>` URI, the matching `client-<name>` common name, the clientAuth usage,
 * no node URI, not a CA), `node:<8hex>` for a node certificate (nodeIdFromCertificate). Refuses
 * anything else with 'bad-certificate'. Does not check who signed it (node:tls checks the chain).
 */
export function principalFromCertificate(cert: CertificateInput | x509.X509Certificate): string {
  const parsed = cert instanceof x509.X509Certificate ? cert : parseCertificate(cert);
  return asIdentityError('bad-certificate', 'malformed certificate', () => {
    const names = certificateNames(parsed);
    if (names.clientUris.length === 0) return `node:${formatNodeId(readNodeId(parsed))}`;
    refuseUnless(
      names.clientUris.length === 1 && names.nodeUris.length === 0 && !isCaCertificate(parsed),
      'bad-certificate',
      'an admin client certificate names exactly one client and no node',
    );
    const name = (names.clientUris[0] ?? '').slice(CLIENT_URI_PREFIX.length);
    refuseUnless(isClientName(name), 'bad-certificate', `bad client name in '${names.clientUris[0]}'`);
    refuseUnless(
      names.commonNames.length === 1 && names.commonNames[0] === clientCommonName(name),
      'bad-certificate',
      `the common name does not match client ${name}`,
    );
    refuseUnless(
      extendedKeyUsages(parsed).includes(CLIENT_AUTH),
      'bad-certificate',
      'the certificate lacks the clientAuth usage',
    );
    return `client:${name}`;
  });
}

/** The cluster id a certificate names (pakaya://cluster/<id>), or undefined. */
export function clusterIdFromCertificate(cert: CertificateInput | x509.X509Certificate): string | undefined {
  const parsed = cert instanceof x509.X509Certificate ? cert : parseCertificate(cert);
  const uris = asIdentityError('bad-certificate', 'malformed certificate', () =>
    certificateNames(parsed),
  ).clusterUris;
  if (uris.length !== 1) return undefined;
  const id = (uris[0] ?? '').slice(CLUSTER_URI_PREFIX.length);
  return isClusterId(id) ? id : undefined;
}

/**
 * Checks that `cert` was signed by the CA in `caCertPem`, names it as issuer and is valid at `now`
 * (wall-clock ms). Returns the parsed certificate; refuses with 'bad-certificate'.
 */
export async function verifyIssuedBy(
  cert: CertificateInput,
  caCertPem: string,
  now: number,
): Promise<x509.X509Certificate> {
  const parsed = parseCertificate(cert);
  const ca = parseCertificate(caCertPem);
  const issuedHere = asIdentityError(
    'bad-certificate',
    'malformed certificate',
    () => parsed.issuer === ca.subject,
  );
  refuseUnless(issuedHere, 'bad-certificate', 'the certificate was not issued by this CA');
  let signed = false;
  try {
    signed = await parsed.verify({ publicKey: ca.publicKey, signatureOnly: true });
  } catch {
    signed = false;
  }
  refuseUnless(signed, 'bad-certificate', 'the certificate is not signed by this cluster CA');
  refuseUnless(
    parsed.notBefore.getTime() <= now && now <= parsed.notAfter.getTime(),
    'bad-certificate',
    `the certificate is not valid now (valid ${parsed.notBefore.toISOString()} to ${parsed.notAfter.toISOString()})`,
  );
  return parsed;
}

/** A verified node certificate's identity. */
export interface NodeCertificateInfo {
  nodeId: NodeId;
  clusterId: string | undefined;
  fingerprint: string;
}

/** verifyIssuedBy + nodeIdFromCertificate + the cluster ids of certificate and CA agree. */
export async function verifyNodeCertificate(
  cert: CertificateInput,
  caCertPem: string,
  now: number,
): Promise<NodeCertificateInfo> {
  const parsed = await verifyIssuedBy(cert, caCertPem, now);
  const nodeId = nodeIdFromCertificate(parsed);
  const clusterId = clusterIdFromCertificate(parsed);
  refuseUnless(
    clusterId === clusterIdFromCertificate(caCertPem),
    'bad-certificate',
    'the certificate names another cluster than its CA',
  );
  return { nodeId, clusterId, fingerprint: fingerprint(cert) };
}

/** Makes a cluster: a random id, a CA key and self-signed CA certificate, and a cluster key. */
export async function createCluster(validity: Validity): Promise<ClusterMaterial> {
  const clusterId = newClusterId();
  const keys = await generateKeyPair();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: `CN=Pakaya cluster CA, O=${clusterOrganisation(clusterId)}`,
    ...period(validity, CA_VALIDITY_MS),
    signingAlgorithm: SIGNING_ALGORITHM,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      new x509.SubjectAlternativeNameExtension([{ type: 'url', value: clusterUri(clusterId) }]),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  const caCertPem = cert.toString('pem');
  return {
    clusterId,
    caCertPem,
    caKeyPem: await privateKeyPem(keys.privateKey),
    caFingerprint: fingerprint(caCertPem),
    clusterKey: new Uint8Array(randomBytes(CLUSTER_KEY_BYTES)),
  };
}

/** A certificate request read and checked: its subject common name and its public key (SPKI DER). */
export interface CertificateRequestInfo {
  commonName: string;
  publicKeySpki: Uint8Array;
}

/** Parses a PKCS#10 request and checks its self-signature; refuses with 'bad-request'. */
export async function readCertificateRequest(csrPem: string): Promise<CertificateRequestInfo> {
  refuseUnless(typeof csrPem === 'string' && csrPem.length > 0, 'bad-request', 'no certificate request');
  refuseUnless(
    csrPem.length <= PEM_TEXT_MAX,
    'bad-request',
    `certificate request too large (${csrPem.length})`,
  );
  let csr: x509.Pkcs10CertificateRequest;
  try {
    csr = new x509.Pkcs10CertificateRequest(csrPem);
  } catch (err) {
    throw new IdentityError('bad-request', `not a PKCS#10 certificate request: ${(err as Error).message}`);
  }
  const algorithm = asIdentityError(
    'bad-request',
    'malformed certificate request',
    () => csr.publicKey.algorithm as { name?: string; namedCurve?: string },
  );
  refuseUnless(
    algorithm.name === 'ECDSA' && algorithm.namedCurve === 'P-256',
    'bad-request',
    'the request key is not ECDSA P-256',
  );
  let valid = false;
  try {
    valid = await csr.verify();
  } catch {
    valid = false;
  }
  refuseUnless(valid, 'bad-request', 'the certificate request signature does not verify');
  const names = asIdentityError('bad-request', 'malformed certificate request', () =>
    csr.subjectName.getField('CN'),
  );
  refuseUnless(names.length === 1, 'bad-request', 'the certificate request must have one common name');
  const publicKeySpki = asIdentityError(
    'bad-request',
    'malformed certificate request',
    () => new Uint8Array(csr.publicKey.rawData),
  );
  return { commonName: names[0] ?? '', publicKeySpki };
}

/** A PKCS#10 request for node `nodeId`, signed by `keys`. */
export async function createNodeCertificateRequest(nodeId: NodeId, keys: CryptoKeyPair): Promise<string> {
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: `CN=${nodeCommonName(nodeId)}`,
    keys,
    signingAlgorithm: SIGNING_ALGORITHM,
  });
  return csr.toString('pem');
}

async function publicKeyFor(request: string | Uint8Array, expectedCommonName: string): Promise<Uint8Array> {
  if (typeof request !== 'string') return request;
  const info = await readCertificateRequest(request);
  refuseUnless(
    info.commonName === expectedCommonName,
    'bad-request',
    `the certificate request names '${info.commonName}', expected '${expectedCommonName}'`,
  );
  return info.publicKeySpki;
}

async function issue(
  ca: CaSigner,
  publicKeySpki: Uint8Array,
  subject: string,
  uris: string[],
  usages: string[],
  when: { notBefore: Date; notAfter: Date },
): Promise<string> {
  const caCert = parseCertificate(ca.caCertPem);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject,
    issuer: caCert.subject,
    ...when,
    signingAlgorithm: SIGNING_ALGORITHM,
    publicKey: publicKeySpki,
    signingKey: await importPrivateKey(ca.caKeyPem),
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension(usages),
      new x509.SubjectAlternativeNameExtension(uris.map((value) => ({ type: 'url' as const, value }))),
      await x509.AuthorityKeyIdentifierExtension.create(caCert.publicKey),
    ],
  });
  return cert.toString('pem');
}

/**
 * Signs a node certificate for `nodeId`: subject CN node-<8hex>, O pakaya-<cluster id>, SAN URIs
 * pakaya://node/<8hex> and pakaya://cluster/<id>, usages serverAuth + clientAuth. `request` is the
 * joiner's PKCS#10 request PEM (its signature is checked and it must name `nodeId`) or an SPKI DER
 * public key. Nothing from the request but its key and name goes into the certificate.
 */
export async function issueNodeCertificate(
  ca: CaSigner,
  request: string | Uint8Array,
  nodeId: NodeId,
  validity: Validity,
): Promise<string> {
  const spki = await publicKeyFor(request, nodeCommonName(nodeId));
  return issue(
    ca,
    spki,
    `CN=${nodeCommonName(nodeId)}, O=${clusterOrganisation(ca.clusterId)}`,
    [nodeUri(nodeId), clusterUri(ca.clusterId)],
    [SERVER_AUTH, CLIENT_AUTH],
    period(validity, NODE_CERT_VALIDITY_MS),
  );
}

/**
 * Signs an admin client certificate for `name`: CN client-<name>, SAN pakaya://client/<name>, usage
 * clientAuth only, so it can never pass as a node (nodeIdFromCertificate refuses it) nor serve a link.
 */
export async function issueClientCertificate(
  ca: CaSigner,
  request: string | Uint8Array,
  name: string,
  validity: Validity,
): Promise<string> {
  if (!isClientName(name)) throw new IdentityError('bad-request', `bad client name '${name}'`);
  const spki = await publicKeyFor(request, clientCommonName(name));
  return issue(
    ca,
    spki,
    `CN=${clientCommonName(name)}, O=${clusterOrganisation(ca.clusterId)}`,
    [clientUri(name), clusterUri(ca.clusterId)],
    [CLIENT_AUTH],
    period(validity, CLIENT_CERT_VALIDITY_MS),
  );
}

async function newKeyAndSpki(): Promise<{ keys: CryptoKeyPair; keyPem: string; spki: Uint8Array }> {
  const keys = await generateKeyPair();
  const spki = new Uint8Array(await webcrypto.subtle.exportKey('spki', keys.publicKey));
  return { keys, keyPem: await privateKeyPem(keys.privateKey), spki };
}

/** A new key and a node certificate for it, signed directly (the CA node's own, at `cluster init`). */
export async function createNodeIdentity(
  ca: CaSigner,
  nodeId: NodeId,
  validity: Validity,
): Promise<KeyAndCertificate> {
  const { keyPem, spki } = await newKeyAndSpki();
  return { keyPem, certPem: await issueNodeCertificate(ca, spki, nodeId, validity) };
}

/** A new key and an admin client certificate for it. */
export async function createClientIdentity(
  ca: CaSigner,
  name: string,
  validity: Validity,
): Promise<KeyAndCertificate> {
  const { keyPem, spki } = await newKeyAndSpki();
  return { keyPem, certPem: await issueClientCertificate(ca, spki, name, validity) };
}
