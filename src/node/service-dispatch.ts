// The node links' cluster-service side: which application-type range belongs to which service, the
// right (registry ACL) a peer must hold for its messages to reach that service, and the delivery.
// A message from a peer without the right is dropped here and counted — the service never sees it
// (issue 15 §6: ACLs hold at every node-to-node request, not only at the admin API).
import { type AppTypeRange, inRange } from '../cluster/links.js';
import type { Right } from '../cluster/registry/index.js';
import type { NodeId } from '../net/node-id.js';
import type { MessageHandler } from '../net/transport.js';

/** Most services one node registers (one per APP_TYPES range). */
export const SERVICE_RANGES_MAX = 16;

interface ServiceEntry {
  readonly range: AppTypeRange;
  /** The right a sending node must hold; undefined when the service checks each request itself. */
  readonly right: Right | undefined;
  readonly handlers: MessageHandler[];
  refused: number;
}

export class ServiceDispatch {
  private readonly services: ServiceEntry[] = [];

  constructor(
    /** Whether node `peer` holds `right` in the local replica of the registry's ACLs. */
    private readonly allowed: (peer: NodeId, right: Right) => boolean,
    /** Called on the first refusal of each (peer, right) pair, for a log line. */
    private readonly onFirstRefusal: (peer: NodeId, right: Right) => void = () => {},
  ) {}

  private readonly refusedPairs = new Set<string>();

  /** Takes `range` for a service whose senders must hold `right`; returns where its handlers go. */
  register(range: AppTypeRange, right: Right | undefined): { add(handler: MessageHandler): void } {
    if (range.lo > range.hi) throw new Error(`service range ${range.lo}..${range.hi} is empty`);
    if (this.services.some((s) => s.range.lo <= range.hi && range.lo <= s.range.hi))
      throw new Error(`appLinks: types ${range.lo}..${range.hi} overlap a range already taken`);
    if (this.services.length >= SERVICE_RANGES_MAX)
      throw new Error(`appLinks: more than ${SERVICE_RANGES_MAX} service ranges`);
    const entry: ServiceEntry = { range, right, handlers: [], refused: 0 };
    this.services.push(entry);
    return { add: (h) => entry.handlers.push(h) };
  }

  /**
   * Delivers a message to the service owning `type`. Returns false when no service owns it (the
   * caller handles the type itself), true when it was delivered or refused.
   */
  deliver(peer: NodeId, lane: 'control' | 'bulk', type: number, payload: Uint8Array): boolean {
    for (const s of this.services) {
      if (!inRange(s.range, type)) continue;
      if (s.right !== undefined && !this.allowed(peer, s.right)) {
        s.refused++;
        const pair = `${peer}/${s.right}`;
        if (!this.refusedPairs.has(pair) && this.refusedPairs.size < SERVICE_RANGES_MAX * 64) {
          this.refusedPairs.add(pair);
          this.onFirstRefusal(peer, s.right);
        }
        return true;
      }
      for (const h of s.handlers) h(peer, lane, type, payload);
      return true;
    }
    return false;
  }

  /** Messages refused so far, by the range's first type (for metrics and tests). */
  refusals(): Map<number, number> {
    return new Map(this.services.map((s) => [s.range.lo, s.refused]));
  }
}
