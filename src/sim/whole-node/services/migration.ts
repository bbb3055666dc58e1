// The simulator's wiring of live migration, as the daemon wires it (src/node/migration-service.ts)
// but over a simulated node: the MigrationService over the node's links (APP_TYPES.migration), the
// registry, the node's clock and kernel, sharing the owner guard of the node's StoreNodes (procs'
// guard) and, when remote ports run, carrying their per-process state (capturePortState /
// restorePortState) inside the transfer.
import { APP_TYPES } from '../../../cluster/links.js';
import { MigrationService } from '../../../cluster/migration/service.js';
import { PortsRouter } from '../../../cluster/ports/router.js';
import type { NodeId } from '../../../net/node-id.js';
import type { SimService, SimServiceContext, SimServiceFactory } from '../service.js';
import type { StoreNodes } from './store.js';

export class MigrationNodes {
  private readonly nodes = new Map<NodeId, { service: MigrationService; stopped: boolean }>();

  /** Plug in after `stores` (whose owner guard this shares); the kernel's ports router is read when used. */
  constructor(private readonly stores: StoreNodes) {}

  readonly factory: SimServiceFactory = (ctx) => this.start(ctx);

  /** The migration service of node `id`, if it is up. */
  of(id: NodeId | number): MigrationService | undefined {
    const n = this.nodes.get(id as NodeId);
    return n && !n.stopped ? n.service : undefined;
  }

  private start(ctx: SimServiceContext): SimService {
    const store = this.stores.of(ctx.self);
    if (!store) throw new Error(`node ${ctx.self}: the migration service needs the store services first`);
    const kernel = ctx.kernel;
    const service = new MigrationService({
      links: ctx.links(APP_TYPES.migration),
      registry: ctx.registry,
      clock: ctx.clock,
      kernel: ctx.kernel,
      guard: store.guard,
      changed: ctx.changed,
      // Whatever router the kernel has when a migration runs (as the daemon's adapter reads it).
      get ports() {
        return kernel.router instanceof PortsRouter ? kernel.router : undefined;
      },
      log: (event, fields) => ctx.log.info(fields, `migration ${event}`),
    });
    const node = { service, stopped: false };
    this.nodes.set(ctx.self, node);
    return {
      stop: () => {
        node.stopped = true;
        service.stop();
      },
    };
  }
}
