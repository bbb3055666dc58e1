// NPIDs, the cluster-wide process ids (DESIGN.md §6): the id of the node where the process was
// born and a local id from that node's never-reused counter, printed "<8 hex digits>:<decimal>".
// A process keeps its NPID for life (restore and migration keep it). One formatter (`npid`) and one
// parser (`parseNpid`); the node part is printed as src/net/node-id.ts prints a NodeId (the kernel
// does not import net/, so the 8-hex format is repeated here and a test keeps the two equal).

export type Npid = string & { readonly __brand: 'Npid' };

/** Local ids are below 2^31 (they fit a signed 32-bit register). */
export const NPID_LOCAL_MAX = 2 ** 31 - 1;

/** True for a valid node part (1 .. 2^32-1) and local part (1 .. 2^31-1). */
function validParts(node: number, local: number): boolean {
  return (
    Number.isInteger(node) &&
    node >= 1 &&
    node <= 0xffffffff &&
    Number.isInteger(local) &&
    local >= 1 &&
    local <= NPID_LOCAL_MAX
  );
}

/** The NPID of local id `local` born on node `node` (both must be valid: a bug otherwise). */
export function npid(node: number, local: number): Npid {
  if (!validParts(node, local)) throw new RangeError(`invalid NPID parts: node ${node}, local ${local}`);
  return `${(node >>> 0).toString(16).padStart(8, '0')}:${local}` as Npid;
}

/** Parses the printed form back into an NPID; undefined when malformed or out of range. */
export function parseNpid(text: string): Npid | undefined {
  const match = /^([0-9a-f]{8}):([1-9]\d{0,9})$/.exec(text);
  if (match === null) return undefined;
  const node = Number.parseInt(match[1]!, 16);
  const local = Number(match[2]);
  return validParts(node, local) ? (text as Npid) : undefined;
}

/** The node part: the node where the process was born. */
export function npidNode(id: Npid): number {
  return Number.parseInt(id.slice(0, 8), 16);
}

/** The local part: the id the birth node's counter gave it. */
export function npidLocal(id: Npid): number {
  return Number(id.slice(9));
}
