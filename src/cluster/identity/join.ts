// Joining a cluster, both sides, as pure functions the daemon calls around its transport:
//   joiner: prepareJoin(token) → key + CSR; send {token, csrPem}; acceptJoinResponse(...) checks
//           the CA against the token's fingerprint and the certificate against its key before
//           anything is stored.
//   CA:     handleJoinRequest({token, csrPem}, caState, now) → the node certificate, the CA
//           certificate and the cluster key, plus the token book with the token marked used; or a
//           typed refusal and no change of state.
import { createPublicKey } from 'node:crypto';
import { formatNodeId, type NodeId } from '../../net/node-id.js';
import {
  type CaSigner,
  createNodeCertificateRequest,
  fingerprint,
  issueNodeCertificate,
  readCertificateRequest,
  verifyNodeCertificate,
} from './certificates.js';
import { IdentityError, refuseUnless } from './errors.js';
import { CLUSTER_KEY_BYTES } from './limits.js';
import { nodeIdFromCommonName } from './names.js';
import { isRevoked, type RevocationList } from './revocation.js';
import { checkToken, consumeToken, type JoinToken, parseToken, type TokenBook } from './tokens.js';
import { generateKeyPair, privateKeyPem, publicKeyDerOf } from './x509.js';

/** What a joiner sends the CA node. */
export interface JoinRequest {
  token: string;
  csrPem: string;
}

/** What the CA node sends back on success. */
export interface JoinResponse {
  clusterId: string;
  nodeCertPem: string;
  caCertPem: string;
  /** The cluster datagram key, CLUSTER_KEY_BYTES bytes. */
  clusterKey: Uint8Array;
}

/** What the CA node holds to answer joins (loaded by the daemon from its home). */
export interface CaState extends CaSigner {
  caFingerprint: string;
  clusterKey: Uint8Array;
  tokens: TokenBook;
  revoked: RevocationList;
  /** The CA node's own id: a joiner may not claim it. */
  selfNodeId: NodeId;
}

export type JoinOutcome =
  | { ok: true; nodeId: NodeId; response: JoinResponse; tokens: TokenBook }
  | { ok: false; error: IdentityError };

/**
 * Answers a join request at `now` (wall-clock ms). On success returns the response and the token
 * book with the token marked used (the caller persists it before sending the response); on refusal
 * the error says why and nothing changes. The caller must handle one join at a time per token book
 * (the book passed in is the current one), or two requests could spend one token.
 */
export async function handleJoinRequest(
  request: JoinRequest,
  ca: CaState,
  now: number,
): Promise<JoinOutcome> {
  try {
    const record = checkToken(ca.tokens, request.token, ca.caFingerprint, now);
    const csr = await readCertificateRequest(request.csrPem);
    const nodeId = nodeIdFromCommonName(csr.commonName);
    refuseUnless(
      nodeId !== undefined,
      'bad-request',
      `the certificate request names '${csr.commonName}', not a node`,
    );
    refuseUnless(!isRevoked(ca.revoked, { nodeId }), 'revoked', `node ${formatNodeId(nodeId)} is revoked`);
    refuseUnless(
      nodeId !== ca.selfNodeId,
      'bad-request',
      `node id ${formatNodeId(nodeId)} is the CA node's own; the joiner needs another home`,
    );
    const nodeCertPem = await issueNodeCertificate(ca, csr.publicKeySpki, nodeId, { now });
    const tokens = consumeToken(ca.tokens, record.id, formatNodeId(nodeId), now);
    return {
      ok: true,
      nodeId,
      tokens,
      response: { clusterId: ca.clusterId, nodeCertPem, caCertPem: ca.caCertPem, clusterKey: ca.clusterKey },
    };
  } catch (err) {
    if (err instanceof IdentityError) return { ok: false, error: err };
    throw err;
  }
}

/** A joiner's half-made identity: the token it holds, its new key and the request to send. */
export interface PreparedJoin {
  token: JoinToken;
  nodeId: NodeId;
  keyPem: string;
  csrPem: string;
  /** What to send to the CA node. */
  request: JoinRequest;
}

/** Parses the token (refusing a missing or malformed one) and makes a key and CSR for `nodeId`. */
export async function prepareJoin(tokenText: string | undefined, nodeId: NodeId): Promise<PreparedJoin> {
  const token = parseToken(tokenText);
  const keys = await generateKeyPair();
  const csrPem = await createNodeCertificateRequest(nodeId, keys);
  return {
    token,
    nodeId,
    keyPem: await privateKeyPem(keys.privateKey),
    csrPem,
    request: { token: (tokenText ?? '').trim(), csrPem },
  };
}

/** Refuses with 'ca-mismatch' unless `caCert` is the CA the token names (e.g. the one a TLS peer showed). */
export function checkCaFingerprint(token: JoinToken, caCert: string | Uint8Array): void {
  refuseUnless(
    fingerprint(caCert) === token.caFingerprint,
    'ca-mismatch',
    'the CA certificate does not match the fingerprint in the join token',
  );
}

/** Everything a joined node stores in its home. */
export interface JoinedIdentity {
  clusterId: string;
  nodeId: NodeId;
  caCertPem: string;
  caFingerprint: string;
  nodeCertPem: string;
  nodeKeyPem: string;
  clusterKey: Uint8Array;
}

/**
 * Checks the CA's answer before anything is stored: the CA certificate matches the token's
 * fingerprint, the node certificate is signed by it, valid at `now`, names this node and certifies
 * this node's key; the cluster key has the right size.
 */
export async function acceptJoinResponse(
  prepared: PreparedJoin,
  response: JoinResponse,
  now: number,
): Promise<JoinedIdentity> {
  checkCaFingerprint(prepared.token, response.caCertPem);
  const info = await verifyNodeCertificate(response.nodeCertPem, response.caCertPem, now);
  refuseUnless(
    info.nodeId === prepared.nodeId,
    'bad-certificate',
    `the CA issued a certificate for node ${formatNodeId(info.nodeId)}, not ${formatNodeId(prepared.nodeId)}`,
  );
  const certKey = createPublicKey(response.nodeCertPem).export({ format: 'der', type: 'spki' });
  refuseUnless(
    certKey.equals(publicKeyDerOf(prepared.keyPem)),
    'bad-certificate',
    'the certificate is not for this node key',
  );
  refuseUnless(
    info.clusterId !== undefined && info.clusterId === response.clusterId,
    'bad-certificate',
    'the certificate names another cluster',
  );
  refuseUnless(
    response.clusterKey instanceof Uint8Array && response.clusterKey.length === CLUSTER_KEY_BYTES,
    'bad-request',
    `the cluster key must be ${CLUSTER_KEY_BYTES} bytes`,
  );
  return {
    clusterId: info.clusterId,
    nodeId: prepared.nodeId,
    caCertPem: response.caCertPem,
    caFingerprint: prepared.token.caFingerprint,
    nodeCertPem: response.nodeCertPem,
    nodeKeyPem: prepared.keyPem,
    clusterKey: new Uint8Array(response.clusterKey),
  };
}
