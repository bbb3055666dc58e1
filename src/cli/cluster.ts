// `pakaya cluster init|token|revoke`: make a cluster (CA + this node's certificate) in a home, print
// single-use join tokens, and revoke nodes. The identity logic is in src/cluster/identity; the files
// are src/node/identity-store.ts; this file only wires them to the command line.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InvalidArgumentError } from 'commander';
import {
  createClientIdentity,
  createCluster,
  createNodeIdentity,
  isRevoked,
  mintToken,
  revoke,
} from '../cluster/identity/index.js';
import { formatNodeId, type NodeId, parseNodeId } from '../net/node-id.js';
import { openHome, resolveHome } from '../node/home.js';
import {
  hasClusterIdentity,
  IdentityStoreError,
  loadCaState,
  readClusterInfo,
  saveClusterInit,
  updateRevoked,
  updateTokens,
} from '../node/identity-store.js';
import { LockError } from '../node/lock.js';
import { UsageError, writeAll } from './io.js';

/** `NODE`: a node id as NPIDs print it (8 hex digits). */
export function parseNodeArgument(value: string): NodeId {
  const id = parseNodeId(value);
  if (id === undefined) throw new InvalidArgumentError(`expected a node id (8 hex digits), got '${value}'`);
  return id;
}

/** Makes the cluster in the home (creating the home if needed). Refuses while a node runs on it. */
export async function clusterInitCommand(options: { home?: string }): Promise<number> {
  const clusterId = await initCluster(resolveHome(options.home));
  await writeAll(process.stdout, `${clusterId}\n`);
  return 0;
}

/** `cluster init` on the home `dir` (absolute): returns the new cluster's id. */
export async function initCluster(dir: string): Promise<string> {
  let home: ReturnType<typeof openHome>;
  try {
    home = openHome(dir);
  } catch (err) {
    if (err instanceof LockError)
      throw new LockError(`${err.message}; stop that node before pakaya cluster init`);
    throw err;
  }
  try {
    if (hasClusterIdentity(dir)) {
      const info = readClusterInfo(dir);
      throw new IdentityStoreError(
        `${dir} is already initialised (cluster ${info.clusterId}); use another --home`,
      );
    }
    const now = Date.now();
    const material = await createCluster({ now });
    const nodeId = home.identity.id as NodeId;
    const nodeIdentity = await createNodeIdentity(material, nodeId, { now });
    saveClusterInit(dir, material, nodeId, nodeIdentity);
    return material.clusterId;
  } finally {
    home.close();
  }
}

/** Prints one new single-use join token and records its hash in tokens.json (CA node only). */
export async function clusterTokenCommand(options: { home?: string; ttl: number }): Promise<number> {
  const token = await mintJoinToken(resolveHome(options.home), options.ttl);
  await writeAll(process.stdout, `${token}\n`);
  return 0;
}

/** `cluster token` on the CA home `dir` (absolute): a new single-use join token valid for `ttlMs`. */
export async function mintJoinToken(dir: string, ttlMs: number): Promise<string> {
  const ca = loadCaState(dir);
  return updateTokens(dir, (book) => {
    const minted = mintToken(book, { caFingerprint: ca.caFingerprint, now: Date.now(), ttlMs });
    return { book: minted.book, result: minted.token };
  });
}

/** Adds a node to revoked.json; the node's daemon closes its links and refuses it from then on. */
export async function clusterRevokeCommand(nodeId: NodeId, options: { home?: string }): Promise<number> {
  const dir = resolveHome(options.home);
  const info = readClusterInfo(dir);
  const name = formatNodeId(nodeId);
  if (info.nodeId === name)
    throw new UsageError(`node ${name} is this node (${dir}); revoke it from another member`);
  let already = false;
  await updateRevoked(dir, (list) => {
    already = isRevoked(list, { nodeId });
    return already ? list : revoke(list, { nodeId });
  });
  await writeAll(process.stdout, already ? `node ${name} was already revoked\n` : `revoked node ${name}\n`);
  return 0;
}

/**
 * Issues an admin client certificate and key for `client:<name>`, signed by the CA (CA node only),
 * into --out (default: the current directory) as client-<name>.crt / .key, plus ca.crt. The
 * principal has no rights until granted (`pakaya cluster acl grant client:<name> RIGHT`).
 */
export async function clusterCredentialCommand(
  name: string,
  options: { home?: string; out?: string },
): Promise<number> {
  const dir = resolveHome(options.home);
  const ca = loadCaState(dir);
  const out = resolve(options.out ?? '.');
  const files = [`client-${name}.crt`, `client-${name}.key`].map((f) => join(out, f));
  for (const f of files) if (existsSync(f)) throw new UsageError(`${f} exists; choose another --out`);
  const made = await createClientIdentity(ca, name, { now: Date.now() });
  mkdirSync(out, { recursive: true });
  writeFileSync(files[1] as string, made.keyPem, { mode: 0o600, flag: 'wx' });
  writeFileSync(files[0] as string, made.certPem, { mode: 0o644, flag: 'wx' });
  writeFileSync(join(out, 'ca.crt'), ca.caCertPem, { mode: 0o644 });
  await writeAll(
    process.stdout,
    `client:${name}: ${files[0]} ${files[1]} (no rights until pakaya cluster acl grant client:${name} RIGHT)\n`,
  );
  return 0;
}
