// The route table of the remote-port router: one route per remote port reference (the port's
// holder NPID and port object id), numbered for the kernel (Port.remote), with where the holder
// runs as far as this node knows (resolved from the registry's npids/ entry, else the NPID's birth
// node) and whether the route has failed (its senders then get the errno).
import { assert } from '../../kernel/assert.js';
import type { Npid } from '../../kernel/npid.js';
import type { NodeId } from '../../net/node-id.js';
import { ROUTES_MAX } from './limits.js';

export interface Route {
  readonly id: number;
  readonly holder: Npid;
  readonly port: number;
  /** Where the holder runs (undefined: not known yet, or being looked up again). */
  node: NodeId | undefined;
  /** A registry look-up is under way. */
  resolving: boolean;
  /** Look-ups since `resolvesSince` (bounded by RESOLVES_MAX per DELIVERY_TIMEOUT_MS). */
  resolves: number;
  resolvesSince: number;
  /** 0, or the errno its senders get (the route failed). */
  failed: number;
}

export class RouteTable {
  private readonly byId = new Map<number, Route>();
  private readonly byRef = new Map<string, Route>();
  private nextId = 1;

  get size(): number {
    return this.byId.size;
  }

  get(id: number): Route | undefined {
    return this.byId.get(id);
  }

  /** The route to port `port` held by `holder` (made on first use; a failed one is replaced). */
  routeFor(holder: Npid, port: number): Route {
    const key = `${holder}/${port}`;
    const known = this.byRef.get(key);
    if (known !== undefined && known.failed === 0) return known;
    if (known !== undefined) this.byId.delete(known.id);
    assert(this.byId.size < ROUTES_MAX, `more than ${ROUTES_MAX} remote port routes`);
    const route: Route = {
      id: this.nextId++,
      holder,
      port,
      node: undefined,
      resolving: false,
      resolves: 0,
      resolvesSince: 0,
      failed: 0,
    };
    this.byId.set(route.id, route);
    this.byRef.set(key, route);
    return route;
  }

  values(): IterableIterator<Route> {
    return this.byId.values();
  }
}
