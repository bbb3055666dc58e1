// The route table of the remote-port router: one route per remote port reference (the port's
// holder NPID and port object id), numbered for the kernel (Port.remote), with where the holder
// runs as far as this node knows (resolved from the registry's npids/ entry, else the NPID's birth
// node) and whether the route has failed (its senders then get the errno).
import { assert } from '../../kernel/assert.js';
import type { Npid } from '../../kernel/npid.js';
import type { NodeId } from '../../net/node-id.js';
import { ROUTES_MAX } from './limits.js';

const EPIPE = 32;

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

  /**
   * The route to port `port` held by `holder` (made on first use; a failed one is replaced). With
   * ROUTES_MAX routes known, failed ones are forgotten first; if none has failed, the new route is
   * born failed (EPIPE) and not kept: its capability is a dead port.
   */
  routeFor(holder: Npid, port: number): Route {
    const key = `${holder}/${port}`;
    const known = this.byRef.get(key);
    if (known !== undefined && known.failed === 0) return known;
    if (known !== undefined) {
      this.byId.delete(known.id);
      this.byRef.delete(key);
    }
    if (this.byId.size >= ROUTES_MAX) this.forgetFailed();
    const full = this.byId.size >= ROUTES_MAX;
    const route: Route = {
      id: this.nextId++,
      holder,
      port,
      node: undefined,
      resolving: false,
      resolves: 0,
      resolvesSince: 0,
      failed: full ? EPIPE : 0,
    };
    if (full) return route;
    this.byId.set(route.id, route);
    this.byRef.set(key, route);
    assert(this.byId.size === this.byRef.size, 'routes by id and by reference agree');
    return route;
  }

  private forgetFailed(): void {
    for (const [id, r] of this.byId) {
      if (r.failed === 0) continue;
      this.byId.delete(id);
      if (this.byRef.get(`${r.holder}/${r.port}`) === r) this.byRef.delete(`${r.holder}/${r.port}`);
    }
  }

  /** The live route to port `port` held by `holder`, if there is one (nothing is made). */
  find(holder: Npid, port: number): Route | undefined {
    const r = this.byRef.get(`${holder}/${port}`);
    return r !== undefined && r.failed === 0 ? r : undefined;
  }

  values(): IterableIterator<Route> {
    return this.byId.values();
  }
}
