// The cluster identity files in a node's home (docs/security.md):
//   cluster.json  cluster id, this node's id, the CA fingerprint, whether this node is the CA (0644)
//   ca.crt        the cluster CA certificate (0644)           ca.key  the CA private key, CA node only (0600)
//   node.crt      this node's certificate (0644)              node.key  its private key (0600)
//   cluster.key   the 32-byte cluster datagram key (0600)
//   tokens.json   join token records, CA node only (0600)     revoked.json  the revocation list (0600)
//   identity.lock taken around every read-modify-write of tokens.json and revoked.json
// Every file is written atomically; cluster.json is written last, so a home either has a whole
// identity or none. Keys readable by group or others are refused with the chmod that fixes them.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  type CaState,
  CLUSTER_KEY_BYTES,
  type ClusterMaterial,
  emptyRevocationList,
  emptyTokenBook,
  fingerprint,
  handleJoinRequest,
  IdentityError,
  isClusterId,
  type JoinedIdentity,
  type JoinOutcome,
  type JoinRequest,
  type KeyAndCertificate,
  type RevocationList,
  type TokenBook,
  validateRevocationList,
  validateTokenBook,
} from '../cluster/identity/index.js';
import { formatNodeId, type NodeId, parseNodeId } from '../net/node-id.js';
import { writeFileAtomicSync } from './atomic-file.js';
import { IDENTITY_FILE_MAX, IDENTITY_LOCK_RETRY_MS, IDENTITY_LOCK_WAIT_MS } from './limits.js';
import { acquireLock, type HeldLock, LockError } from './lock.js';

export const identityPaths = (dir: string) => ({
  cluster: join(dir, 'cluster.json'),
  caCert: join(dir, 'ca.crt'),
  caKey: join(dir, 'ca.key'),
  nodeCert: join(dir, 'node.crt'),
  nodeKey: join(dir, 'node.key'),
  clusterKey: join(dir, 'cluster.key'),
  tokens: join(dir, 'tokens.json'),
  revoked: join(dir, 'revoked.json'),
  lock: join(dir, 'identity.lock'),
});

export class IdentityStoreError extends Error {
  override readonly name = 'IdentityStoreError';
}

/** What cluster.json records. */
export interface ClusterInfo {
  version: 1;
  clusterId: string;
  /** This node's id, 8 hex digits (the id in node.json). */
  nodeId: string;
  caFingerprint: string;
  /** True on the node that holds ca.key (made the cluster with `cluster init`). */
  ca: boolean;
  /** On a joined node: the CA node's id (8 hex), the only member whose revocation notices count. */
  caNodeId?: string;
}

/** A home's whole identity, loaded and checked. */
export interface StoredIdentity {
  info: ClusterInfo;
  nodeId: NodeId;
  caCertPem: string;
  nodeCertPem: string;
  nodeKeyPem: string;
  clusterKey: Uint8Array;
  /** Only on the CA node. */
  caKeyPem: string | undefined;
}

const PRIVATE = 0o600;
const PUBLIC = 0o644;

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

/** Reads a file of at most IDENTITY_FILE_MAX bytes; `secret` files must not be group/other accessible. */
function readBounded(path: string, secret: boolean): Buffer {
  let size: number;
  let mode: number;
  try {
    ({ size, mode } = statSync(path));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new IdentityStoreError(`cannot read ${path}: ${code === 'ENOENT' ? 'no such file' : code}`);
  }
  if (secret && (mode & 0o077) !== 0) {
    throw new IdentityStoreError(
      `${path} is accessible by group or others (mode ${(mode & 0o777).toString(8).padStart(4, '0')}); run chmod 600 ${path}`,
    );
  }
  if (size > IDENTITY_FILE_MAX) throw new IdentityStoreError(`${path} is too large (${size} bytes)`);
  return readFileSync(path);
}

function readJson(path: string, secret: boolean): unknown {
  try {
    return JSON.parse(readBounded(path, secret).toString('utf8'));
  } catch (err) {
    if (err instanceof SyntaxError) throw new IdentityStoreError(`${path} is not valid JSON`);
    throw err;
  }
}

function writeJson(path: string, value: unknown, mode: number): void {
  writeFileAtomicSync(path, `${JSON.stringify(value, null, 2)}\n`, { mode });
}

/** True when the home has a cluster identity (cluster.json). */
export function hasClusterIdentity(dir: string): boolean {
  return exists(identityPaths(dir).cluster);
}

/** Reads and checks cluster.json; throws IdentityStoreError when the home has no cluster identity. */
export function readClusterInfo(dir: string): ClusterInfo {
  const path = identityPaths(dir).cluster;
  if (!exists(path)) {
    throw new IdentityStoreError(
      `${dir} has no cluster identity; run pakaya cluster init (or join a cluster)`,
    );
  }
  const raw = readJson(path, false) as Partial<Record<keyof ClusterInfo, unknown>> | null;
  const ok =
    raw !== null &&
    typeof raw === 'object' &&
    raw.version === 1 &&
    typeof raw.clusterId === 'string' &&
    isClusterId(raw.clusterId) &&
    typeof raw.nodeId === 'string' &&
    parseNodeId(raw.nodeId) !== undefined &&
    typeof raw.caFingerprint === 'string' &&
    /^[0-9a-f]{64}$/.test(raw.caFingerprint) &&
    typeof raw.ca === 'boolean';
  if (!ok) throw new IdentityStoreError(`${path} is malformed`);
  return raw as ClusterInfo;
}

/** Loads the whole identity of a home, checking key permissions and the CA fingerprint. */
export function loadIdentity(dir: string): StoredIdentity {
  const info = readClusterInfo(dir);
  const paths = identityPaths(dir);
  const caCertPem = readBounded(paths.caCert, false).toString('utf8');
  let caPrint: string;
  try {
    caPrint = fingerprint(caCertPem);
  } catch (err) {
    throw new IdentityStoreError(`${paths.caCert}: ${(err as Error).message}`);
  }
  if (caPrint !== info.caFingerprint) {
    throw new IdentityStoreError(`${paths.caCert} does not match the CA fingerprint in ${paths.cluster}`);
  }
  const clusterKey = new Uint8Array(readBounded(paths.clusterKey, true));
  if (clusterKey.length !== CLUSTER_KEY_BYTES) {
    throw new IdentityStoreError(`${paths.clusterKey} must hold ${CLUSTER_KEY_BYTES} bytes`);
  }
  return {
    info,
    nodeId: parseNodeId(info.nodeId) as NodeId,
    caCertPem,
    nodeCertPem: readBounded(paths.nodeCert, false).toString('utf8'),
    nodeKeyPem: readBounded(paths.nodeKey, true).toString('utf8'),
    clusterKey,
    caKeyPem: info.ca ? readBounded(paths.caKey, true).toString('utf8') : undefined,
  };
}

/** Stores what `cluster init` made: the CA, this node's key and certificate, empty token and revocation lists. */
export function saveClusterInit(
  dir: string,
  material: ClusterMaterial,
  nodeId: NodeId,
  nodeIdentity: KeyAndCertificate,
): void {
  const paths = identityPaths(dir);
  writeFileAtomicSync(paths.caKey, material.caKeyPem, { mode: PRIVATE });
  writeFileAtomicSync(paths.caCert, material.caCertPem, { mode: PUBLIC });
  writeFileAtomicSync(paths.nodeKey, nodeIdentity.keyPem, { mode: PRIVATE });
  writeFileAtomicSync(paths.nodeCert, nodeIdentity.certPem, { mode: PUBLIC });
  writeFileAtomicSync(paths.clusterKey, material.clusterKey, { mode: PRIVATE });
  writeJson(paths.tokens, emptyTokenBook(), PRIVATE);
  writeJson(paths.revoked, emptyRevocationList(), PRIVATE);
  const info: ClusterInfo = {
    version: 1,
    clusterId: material.clusterId,
    nodeId: formatNodeId(nodeId),
    caFingerprint: material.caFingerprint,
    ca: true,
  };
  writeJson(paths.cluster, info, PUBLIC);
}

/** Stores what a successful join brought (acceptJoinResponse has checked it). */
export function saveJoinedIdentity(dir: string, joined: JoinedIdentity, caNodeId?: NodeId): void {
  const paths = identityPaths(dir);
  writeFileAtomicSync(paths.caCert, joined.caCertPem, { mode: PUBLIC });
  writeFileAtomicSync(paths.nodeKey, joined.nodeKeyPem, { mode: PRIVATE });
  writeFileAtomicSync(paths.nodeCert, joined.nodeCertPem, { mode: PUBLIC });
  writeFileAtomicSync(paths.clusterKey, joined.clusterKey, { mode: PRIVATE });
  if (!exists(paths.revoked)) writeJson(paths.revoked, emptyRevocationList(), PRIVATE);
  const info: ClusterInfo = {
    version: 1,
    clusterId: joined.clusterId,
    nodeId: formatNodeId(joined.nodeId),
    caFingerprint: joined.caFingerprint,
    ca: false,
    ...(caNodeId === undefined ? {} : { caNodeId: formatNodeId(caNodeId) }),
  };
  writeJson(paths.cluster, info, PUBLIC);
}

function wrapIdentityError<T>(path: string, read: () => T): T {
  try {
    return read();
  } catch (err) {
    if (err instanceof IdentityError) throw new IdentityStoreError(`${path}: ${err.message}`);
    throw err;
  }
}

/** The CA's token book (tokens.json). */
export function readTokens(dir: string): TokenBook {
  const path = identityPaths(dir).tokens;
  if (!exists(path)) return emptyTokenBook();
  return wrapIdentityError(path, () => validateTokenBook(readJson(path, true)));
}

/** The revocation list (revoked.json); empty when the file is missing. */
export function readRevoked(dir: string): RevocationList {
  const path = identityPaths(dir).revoked;
  if (!exists(path)) return emptyRevocationList();
  return wrapIdentityError(path, () => validateRevocationList(readJson(path, true)));
}

/** Takes identity.lock, waiting up to IDENTITY_LOCK_WAIT_MS for another process to release it. */
async function takeIdentityLock(dir: string): Promise<HeldLock> {
  const path = identityPaths(dir).lock;
  const deadline = performance.now() + IDENTITY_LOCK_WAIT_MS;
  for (;;) {
    try {
      return acquireLock(path, `the identity files of ${dir}`);
    } catch (err) {
      if (!(err instanceof LockError) || performance.now() >= deadline) throw err;
    }
    await new Promise((resolve) => setTimeout(resolve, IDENTITY_LOCK_RETRY_MS));
  }
}

/** What a token update returns: the new book (undefined: leave the file alone) and a result. */
export interface TokenChange<T> {
  book: TokenBook | undefined;
  result: T;
}

/**
 * Read-modify-write of tokens.json under identity.lock: `change` gets the current book and returns
 * the new one (or undefined for no change) plus a result; a new book is written atomically. The CLI (minting) and the daemon
 * (consuming) both update through here, so neither loses the other's change.
 */
export async function updateTokens<T>(
  dir: string,
  change: (book: TokenBook) => TokenChange<T> | Promise<TokenChange<T>>,
): Promise<T> {
  const lock = await takeIdentityLock(dir);
  try {
    const { book, result } = await change(readTokens(dir));
    if (book !== undefined) writeJson(identityPaths(dir).tokens, book, PRIVATE);
    return result;
  } finally {
    lock.release();
  }
}

/** Read-modify-write of revoked.json under identity.lock. */
export async function updateRevoked(
  dir: string,
  change: (list: RevocationList) => RevocationList,
): Promise<RevocationList> {
  const lock = await takeIdentityLock(dir);
  try {
    const list = change(readRevoked(dir));
    writeJson(identityPaths(dir).revoked, list, PRIVATE);
    return list;
  } finally {
    lock.release();
  }
}

/** The CA node's state for answering joins. Throws IdentityStoreError on a node that is not the CA. */
export function loadCaState(dir: string): CaState {
  const identity = loadIdentity(dir);
  if (identity.caKeyPem === undefined) {
    throw new IdentityStoreError(
      `${dir} is not the cluster CA node (no ca.key); run this on the node that ran cluster init`,
    );
  }
  return {
    clusterId: identity.info.clusterId,
    caCertPem: identity.caCertPem,
    caKeyPem: identity.caKeyPem,
    caFingerprint: identity.info.caFingerprint,
    clusterKey: identity.clusterKey,
    tokens: readTokens(dir),
    revoked: readRevoked(dir),
    selfNodeId: identity.nodeId,
  };
}

/**
 * Answers a join request on the CA node at `now` (wall-clock ms): under identity.lock it reads the
 * current token book and revocation list, and writes the book back (token marked used) only when
 * the join succeeds. A refusal changes no file. The daemon sends the response after this returns.
 */
export async function answerJoinRequest(
  dir: string,
  request: JoinRequest,
  now: number,
): Promise<JoinOutcome> {
  const ca = loadCaState(dir);
  return updateTokens(dir, async (book) => {
    const outcome = await handleJoinRequest(request, { ...ca, tokens: book, revoked: readRevoked(dir) }, now);
    return { book: outcome.ok ? outcome.tokens : undefined, result: outcome };
  });
}
