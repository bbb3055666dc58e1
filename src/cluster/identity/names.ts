// How identities are spelled inside certificates: the subject common names (node-<8hex>,
// client-<name>), the SAN URIs (pakaya://node/<8hex>, pakaya://client/<name>,
// pakaya://cluster/<id>) and the cluster id. One place that writes them and one that reads them.
import { randomBytes } from 'node:crypto';
import { formatNodeId, type NodeId, parseNodeId } from '../../net/node-id.js';
import { CLIENT_NAME_MAX, CLUSTER_ID_LENGTH } from './limits.js';

export const NODE_URI_PREFIX = 'pakaya://node/';
export const CLIENT_URI_PREFIX = 'pakaya://client/';
export const CLUSTER_URI_PREFIX = 'pakaya://cluster/';

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';
const CLUSTER_ID_RE = new RegExp(`^[a-z2-7]{${CLUSTER_ID_LENGTH}}$`);
const CLIENT_NAME_RE = new RegExp(`^[a-z0-9][a-z0-9._-]{0,${CLIENT_NAME_MAX - 1}}$`);

/** A new random cluster id: 16 lower-case base32 characters (80 bits from node:crypto). */
export function newClusterId(): string {
  const bytes = randomBytes((CLUSTER_ID_LENGTH * 5) / 8);
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out;
}

export function isClusterId(text: string): boolean {
  return CLUSTER_ID_RE.test(text);
}

/** A client name: lower-case letters, digits, '.', '_', '-', starting with a letter or digit. */
export function isClientName(text: string): boolean {
  return CLIENT_NAME_RE.test(text);
}

export const nodeCommonName = (id: NodeId): string => `node-${formatNodeId(id)}`;
export const nodeUri = (id: NodeId): string => `${NODE_URI_PREFIX}${formatNodeId(id)}`;
export const clientCommonName = (name: string): string => `client-${name}`;
export const clientUri = (name: string): string => `${CLIENT_URI_PREFIX}${name}`;
export const clusterUri = (clusterId: string): string => `${CLUSTER_URI_PREFIX}${clusterId}`;
export const clusterOrganisation = (clusterId: string): string => `pakaya-${clusterId}`;

/** The node id in a `node-<8hex>` common name, or undefined. */
export function nodeIdFromCommonName(cn: string): NodeId | undefined {
  return cn.startsWith('node-') ? parseNodeId(cn.slice(5)) : undefined;
}

/** The node id in a `pakaya://node/<8hex>` URI, or undefined. */
export function nodeIdFromUri(uri: string): NodeId | undefined {
  return uri.startsWith(NODE_URI_PREFIX) ? parseNodeId(uri.slice(NODE_URI_PREFIX.length)) : undefined;
}
