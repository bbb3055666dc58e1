// The cross-node invariant of the whole-node mode: never two live copies of one NPID. A copy is
// live when its process has not ended and is not frozen for migration (Process.migrating). A node
// cut off from the cluster cannot know that its process was recovered elsewhere, so two copies on
// nodes that cannot reach each other are allowed; once they can (or if they always could), the
// stale copy must be gone within DUPLICATE_GRACE_MS. (Each kernel's own invariants and the
// registry's are checked by node.ts and ../invariants.ts.)
import type { NodeId } from '../../net/node-id.js';
import { DUPLICATE_GRACE_MS } from './limits.js';
import type { WholeNode } from './node.js';

export class DuplicateWatch {
  /** Since when each duplicated NPID has had two copies on nodes that can reach each other. */
  private readonly since = new Map<string, number>();
  /** Most copies of one NPID seen at one time (a figure for the summary). */
  maxCopies = 1;
  /** Moments a duplicate was seen at all (reachable or not). */
  duplicatesSeen = 0;
  onViolation: (detail: string) => void = () => undefined;

  constructor(
    private readonly now: () => number,
    private readonly cut: (a: NodeId, b: NodeId) => boolean,
  ) {}

  /** Checks every node's live copies (after every step). */
  check(nodes: readonly WholeNode[]): void {
    const where = new Map<string, NodeId[]>();
    for (const node of nodes) {
      for (const p of node.liveCopies()) {
        const list = where.get(p.npid);
        if (list) list.push(node.id);
        else where.set(p.npid, [node.id]);
      }
    }
    for (const npid of [...this.since.keys()]) {
      const list = where.get(npid);
      if (!list || list.length < 2) this.since.delete(npid);
    }
    for (const [npid, list] of where) {
      if (list.length < 2) continue;
      this.duplicatesSeen++;
      if (list.length > this.maxCopies) this.maxCopies = list.length;
      if (list.length !== new Set(list).size) {
        this.onViolation(`NPID ${npid} is live twice on node ${list.join(', ')}`);
        return;
      }
      let reachable = false;
      for (let i = 0; i < list.length && !reachable; i++)
        for (let j = i + 1; j < list.length; j++)
          if (!this.cut(list[i] as NodeId, list[j] as NodeId)) reachable = true;
      if (!reachable) {
        this.since.delete(npid);
        continue;
      }
      const t = this.since.get(npid) ?? this.now();
      this.since.set(npid, t);
      if (this.now() - t > DUPLICATE_GRACE_MS) {
        this.onViolation(
          `NPID ${npid} has been live on nodes ${list.join(' and ')} (which can reach each other) for over ${DUPLICATE_GRACE_MS} ms`,
        );
        return;
      }
    }
  }
}
