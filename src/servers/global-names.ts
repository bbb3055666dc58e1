// The hook through which the name server reaches cluster-wide names (issue 13 §2). The servers
// layer may not import the cluster: the node fills this interface in (src/cluster/ports/names.ts)
// and hands it to startServers. A name under "svc/" registered on any node is published in the
// registry (names/svc/...); a lookup that the local table cannot answer asks here, and gets a send
// right to the port wherever it lives (a remote reference if it is on another node).
import type { Capability } from '../kernel/ipc/cspace.js';

/** The prefix of names that are published cluster-wide. */
export const GLOBAL_PREFIX = 'svc/';

export interface GlobalNames {
  /**
   * Publishes `name` for the send right `cap` (a copy stays in the name server's table). 0, or
   * -errno when the right cannot be named across nodes. The registry write completes later.
   */
  publish(name: string, cap: Capability): number;
  /** Withdraws a name this node published. */
  unpublish(name: string): void;
  /** A send right (in no space yet) for a published name, or undefined when none is known. */
  lookup(name: string): Capability | undefined;
}

/**
 * A GlobalNames the node hands to startServers before its cluster side runs: it forwards to
 * `target` once the cluster sets it; until then names stay local (publish does nothing, lookup
 * finds nothing).
 */
export class GlobalNamesSlot implements GlobalNames {
  target: GlobalNames | undefined = undefined;

  publish(name: string, cap: Capability): number {
    return this.target?.publish(name, cap) ?? 0;
  }
  unpublish(name: string): void {
    this.target?.unpublish(name);
  }
  lookup(name: string): Capability | undefined {
    return this.target?.lookup(name);
  }
}
