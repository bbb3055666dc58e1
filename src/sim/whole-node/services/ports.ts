// The simulator's wiring of remote ports, as the daemon wires them (src/node/ports-service.ts) but
// over a simulated node: the PortsRouter over the node's links (APP_TYPES.ports), the registry and
// the node's clock and seeded random, waking the node's driver when a message or answer arrives;
// and the cluster's global names (ClusterNames) behind the name server's hook.
import { APP_TYPES } from '../../../cluster/links.js';
import { ClusterNames } from '../../../cluster/ports/names.js';
import { PortsRouter } from '../../../cluster/ports/router.js';
import type { NodeId } from '../../../net/node-id.js';
import type { SimService, SimServiceContext, SimServiceFactory } from '../service.js';

/** One node's remote-ports services (this incarnation's). */
export interface PortsNode {
  readonly self: NodeId;
  readonly router: PortsRouter;
  readonly names: ClusterNames;
  /** True once the router watches the registry and the global names are served. */
  started: boolean;
  stopped: boolean;
}

/** How long a node waits before trying to start again when the registry did not answer (ms). */
const START_RETRY_MS = 300;

export class PortsNodes {
  private readonly nodes = new Map<NodeId, PortsNode>();

  readonly factory: SimServiceFactory = (ctx) => this.start(ctx);

  /** The running services of node `id`, if it is up. */
  of(id: NodeId | number): PortsNode | undefined {
    const n = this.nodes.get(id as NodeId);
    return n && !n.stopped ? n : undefined;
  }

  private start(ctx: SimServiceContext): SimService {
    const log = (message: string) => ctx.log.warn({ service: 'ports' }, message);
    const router = new PortsRouter({
      links: ctx.links(APP_TYPES.ports),
      registry: ctx.registry,
      clock: ctx.clock,
      random: ctx.random,
      kernel: ctx.kernel,
      changed: () => ctx.changed(),
      log,
    });
    const names = new ClusterNames(router, ctx.registry, log);
    const node: PortsNode = { self: ctx.self, router, names, started: false, stopped: false };
    this.nodes.set(ctx.self, node);
    // The registry may be electing: each watch starts once it answers (a failed start retries).
    const begin = (what: () => Promise<void>): Promise<void> =>
      what().catch(
        () =>
          new Promise<void>((resolve) =>
            ctx.clock.setTimer(START_RETRY_MS, () => {
              if (!node.stopped) void begin(what).then(resolve);
            }),
          ),
      );
    void Promise.all([begin(() => router.watchRegistry()), begin(() => names.start())]).then(() => {
      if (node.stopped) return;
      ctx.globalNames.target = names;
      node.started = true;
    });
    return {
      stop: () => {
        node.stopped = true;
        ctx.globalNames.target = undefined;
        names.close();
        router.close();
      },
    };
  }
}
