// The simulator's safety invariants, checked as events happen (every step): at most one leader per
// term; every node applies committed entries in index order with no gap; an entry applied at an
// index is the same on every node, forever (a committed entry is never lost or changed). Liveness
// and convergence are checked by the simulator's final heal phase.
import type { Entry, Snapshot } from '../cluster/raft/types.js';
import type { NodeId } from '../net/node-id.js';

export interface Violation {
  readonly invariant: string;
  readonly detail: string;
  readonly at: number;
}

const digest = (e: Entry): string =>
  e.kind === 'conf'
    ? `${e.term}:conf:${e.change.type}:${e.change.node}`
    : `${e.term}:${Buffer.from(e.data).toString('base64')}`;

export class InvariantChecker {
  violation: Violation | undefined;
  private readonly leaders = new Map<number, NodeId>();
  private readonly committed = new Map<number, string>();
  private readonly lastApplied = new Map<NodeId, number>();
  /** Highest index any node applied (a committed entry). */
  maxApplied = 0;
  leaderElections = 0;

  constructor(private readonly now: () => number) {}

  private fail(invariant: string, detail: string): void {
    if (!this.violation) this.violation = { invariant, detail, at: this.now() };
  }

  /** A node became leader in `term`. */
  leader(node: NodeId, term: number): void {
    const other = this.leaders.get(term);
    if (other !== undefined && other !== node) {
      this.fail('one-leader-per-term', `nodes ${other} and ${node} both led term ${term}`);
      return;
    }
    if (other === undefined) this.leaderElections++;
    this.leaders.set(term, node);
  }

  /** A node (re)started, or loaded a snapshot: its next applied index follows `index`. */
  restored(node: NodeId, snapshot: Snapshot | undefined): void {
    this.lastApplied.set(node, snapshot?.index ?? 0);
  }

  applied(node: NodeId, e: Entry): void {
    const last = this.lastApplied.get(node) ?? 0;
    if (e.index !== last + 1)
      this.fail('same-order', `node ${node} applied index ${e.index} after ${last} (gap or repeat)`);
    this.lastApplied.set(node, e.index);
    const d = digest(e);
    const seen = this.committed.get(e.index);
    if (seen === undefined) this.committed.set(e.index, d);
    else if (seen !== d)
      this.fail('committed-never-changes', `node ${node} applied a different entry at index ${e.index}`);
    if (e.index > this.maxApplied) this.maxApplied = e.index;
  }
}
