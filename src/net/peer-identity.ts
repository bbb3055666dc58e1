// A peer's node id comes from its certificate, never its address: the SAN URI
// `pakaya://node/<8hex>` (preferred), else the subject CN `node-<8hex>`.
import type { X509Certificate } from 'node:crypto';
import { formatNodeId, type NodeId, parseNodeId } from './node-id.js';

export const NODE_URI_PREFIX = 'pakaya://node/';

/** The SAN URI naming node `id` (what the cluster CA puts in a node certificate). */
export function nodeUri(id: NodeId): string {
  return `${NODE_URI_PREFIX}${formatNodeId(id)}`;
}

/** The node id a certificate names, or undefined if it names none (or two different ones). */
export function nodeIdOfCertificate(cert: X509Certificate): NodeId | undefined {
  const san = cert.subjectAltName ?? '';
  let fromSan: NodeId | undefined;
  for (const m of san.matchAll(/URI:pakaya:\/\/node\/([0-9a-fA-F]+)/g)) {
    const id = parseNodeId(m[1] ?? '');
    if (id === undefined || (fromSan !== undefined && fromSan !== id)) return undefined;
    fromSan = id;
  }
  if (fromSan !== undefined) return fromSan;
  const cn = /(?:^|\n)CN=node-([0-9a-fA-F]{8})(?:\n|$)/.exec(cert.subject);
  return cn ? parseNodeId(cn[1] ?? '') : undefined;
}
