// Placement of a new process (spawn without --node): among the nodes that answered with their load
// figures, those with room for the program come first; then the least loaded (runnable processes),
// then the most free memory, then the lowest node id. Pure and deterministic.
import type { NodeId } from '../../net/node-id.js';

export interface Candidate {
  readonly node: NodeId;
  /** Free guest memory, bytes. */
  readonly freeBytes: number;
  /** Runnable processes. */
  readonly load: number;
}

/** The best node for a program needing `needBytes`, or undefined when there is no candidate. */
export function place(candidates: readonly Candidate[], needBytes: number): NodeId | undefined {
  let best: Candidate | undefined;
  for (const c of candidates) if (best === undefined || better(c, best, needBytes)) best = c;
  return best?.node;
}

function better(a: Candidate, b: Candidate, need: number): boolean {
  const fitA = a.freeBytes >= need;
  const fitB = b.freeBytes >= need;
  if (fitA !== fitB) return fitA;
  if (a.load !== b.load) return a.load < b.load;
  if (a.freeBytes !== b.freeBytes) return a.freeBytes > b.freeBytes;
  return a.node >>> 0 < b.node >>> 0;
}
