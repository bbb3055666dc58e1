// A node's identity in the cluster: a nonzero unsigned 32-bit integer, printed as 8 lower-case hex
// digits (the node part of an NPID). One parser and one formatter.

export type NodeId = number & { readonly __brand: 'NodeId' };

/** The node id `n` if it is a valid one (integer, 1 .. 2^32-1), else undefined. */
export function asNodeId(n: number): NodeId | undefined {
  return Number.isInteger(n) && n >= 1 && n <= 0xffffffff ? (n as NodeId) : undefined;
}

export function formatNodeId(id: NodeId | number): string {
  return (id >>> 0).toString(16).padStart(8, '0');
}

/** Parses 8 hex digits (as formatNodeId prints) into a node id, or undefined. */
export function parseNodeId(text: string): NodeId | undefined {
  if (!/^[0-9a-fA-F]{8}$/.test(text)) return undefined;
  return asNodeId(Number.parseInt(text, 16));
}
