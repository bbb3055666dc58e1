// The revocation list: node ids and certificate fingerprints the cluster no longer accepts. A
// revoked node's links close and it cannot reconnect (the daemon checks isRevoked on every
// handshake). Pure data in, new data out; revoked.json in a home holds it.
import { formatNodeId, type NodeId, parseNodeId } from '../../net/node-id.js';
import { IdentityError, refuseUnless } from './errors.js';
import { REVOKED_MAX } from './limits.js';

export interface RevocationList {
  version: 1;
  /** Revoked node ids, 8 hex digits, sorted. */
  nodes: string[];
  /** Revoked certificate fingerprints (SHA-256 of DER, lower-case hex), sorted. */
  fingerprints: string[];
}

export const emptyRevocationList = (): RevocationList => ({ version: 1, nodes: [], fingerprints: [] });

const FINGERPRINT_RE = /^[0-9a-f]{64}$/;

/** The list with a node id and/or a certificate fingerprint added (no duplicates). */
export function revoke(
  list: RevocationList,
  entry: { nodeId?: NodeId; fingerprint?: string },
): RevocationList {
  const nodes = new Set(list.nodes);
  const fingerprints = new Set(list.fingerprints);
  if (entry.nodeId !== undefined) nodes.add(formatNodeId(entry.nodeId));
  if (entry.fingerprint !== undefined) {
    if (!FINGERPRINT_RE.test(entry.fingerprint))
      throw new RangeError(`bad fingerprint '${entry.fingerprint}'`);
    fingerprints.add(entry.fingerprint);
  }
  refuseUnless(
    nodes.size + fingerprints.size <= REVOKED_MAX,
    'limit',
    `revocation list full (${REVOKED_MAX})`,
  );
  return { version: 1, nodes: [...nodes].sort(), fingerprints: [...fingerprints].sort() };
}

/** True when the node id or the certificate fingerprint given is revoked. */
export function isRevoked(list: RevocationList, subject: { nodeId?: NodeId; fingerprint?: string }): boolean {
  return (
    (subject.nodeId !== undefined && list.nodes.includes(formatNodeId(subject.nodeId))) ||
    (subject.fingerprint !== undefined && list.fingerprints.includes(subject.fingerprint))
  );
}

/** Checks a revocation list read from disk; throws IdentityError naming the problem. */
export function validateRevocationList(raw: unknown): RevocationList {
  const value = raw as { version?: unknown; nodes?: unknown; fingerprints?: unknown } | null;
  const ok =
    value !== null &&
    typeof value === 'object' &&
    value.version === 1 &&
    Array.isArray(value.nodes) &&
    Array.isArray(value.fingerprints);
  if (!ok)
    throw new IdentityError(
      'bad-request',
      'revocation list: expected {"version":1,"nodes":[],"fingerprints":[]}',
    );
  const nodes = value.nodes as unknown[];
  const fingerprints = value.fingerprints as unknown[];
  refuseUnless(
    nodes.length + fingerprints.length <= REVOKED_MAX,
    'limit',
    `revocation list: more than ${REVOKED_MAX} entries`,
  );
  for (const node of nodes) {
    refuseUnless(
      typeof node === 'string' && parseNodeId(node) !== undefined,
      'bad-request',
      `revocation list: bad node id ${JSON.stringify(node)}`,
    );
  }
  for (const print of fingerprints) {
    refuseUnless(
      typeof print === 'string' && FINGERPRINT_RE.test(print),
      'bad-request',
      `revocation list: bad fingerprint ${JSON.stringify(print)}`,
    );
  }
  return {
    version: 1,
    nodes: (nodes as string[]).map((n) => n.toLowerCase()).sort(),
    fingerprints: (fingerprints as string[]).slice().sort(),
  };
}
