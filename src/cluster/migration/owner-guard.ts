// The owner guard, minimal form (issue 13 contract 1): per local process, the fencing token of
// this node's ownership. Branch procs owns the full guard (src/cluster/procs, with a watch on
// npids/ that drops a copy another node now owns); migration needs only these calls, under the
// same names, so the full guard replaces this one.
import type { FencingToken } from '../registry/types.js';

export interface OwnerGuard {
  /** The token this node holds for `npid`, or undefined when it holds none. */
  held(npid: string): FencingToken | undefined;
  /** This node now owns `npid` with `token` (a spawn, a migration commit, a recovery). */
  hold(npid: string, token: FencingToken): void;
  /** This node no longer owns `npid` (it moved away or ended). */
  release(npid: string): void;
  /** Calls `cb` once when this node loses `npid` (release, or a newer owner); returns an unsubscribe. */
  onLost(npid: string, cb: () => void): () => void;
}

export class LocalOwnerGuard implements OwnerGuard {
  private readonly tokens = new Map<string, FencingToken>();
  private readonly lost = new Map<string, Set<() => void>>();

  held(npid: string): FencingToken | undefined {
    return this.tokens.get(npid);
  }

  hold(npid: string, token: FencingToken): void {
    this.tokens.set(npid, token);
  }

  release(npid: string): void {
    this.tokens.delete(npid);
    const cbs = this.lost.get(npid);
    this.lost.delete(npid);
    for (const cb of cbs ?? []) cb();
  }

  onLost(npid: string, cb: () => void): () => void {
    let set = this.lost.get(npid);
    if (set === undefined) {
      set = new Set();
      this.lost.set(npid, set);
    }
    set.add(cb);
    return () => set.delete(cb);
  }
}
