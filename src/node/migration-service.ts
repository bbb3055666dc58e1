// The daemon's migration service: the pure core (src/cluster/migration) over the node's links
// (ClusterNet.appLinks), its Raft registry, the system clock and the real kernel. Started with the
// other cluster services, after procs, whose owner guard it shares (a node without procs gets a
// guard of its own); the admin routes find it through migrationServiceOf(net).
import { APP_TYPES } from '../cluster/links.js';
import { MigrationService } from '../cluster/migration/service.js';
import { PortsRouter } from '../cluster/ports/router.js';
import { OwnerGuard } from '../cluster/procs/owner-guard.js';
import type { Kernel } from '../kernel/kernel.js';
import { systemClock } from '../net/system-clock.js';
import type { ClusterNet } from './cluster-net.js';
import type { Logger } from './logger.js';
import { procsOf } from './procs-service.js';

const services = new WeakMap<ClusterNet, MigrationService>();

/** The migration service of the node whose network side is `net` (undefined before it starts). */
export function migrationServiceOf(net: ClusterNet | undefined): MigrationService | undefined {
  return net === undefined ? undefined : services.get(net);
}

/** What the service takes of ClusterServiceContext (cluster-services.ts lists this factory). */
export interface MigrationContext {
  readonly kernel: Kernel | undefined;
  readonly net: ClusterNet;
  readonly log: Logger;
  changed(): void;
}

export async function startMigrationService(
  ctx: MigrationContext,
): Promise<{ readonly name: string; stop(): void }> {
  const kernel = ctx.kernel;
  if (kernel === undefined) return { name: 'migration', stop: () => {} };
  let guard = procsOf(ctx.net)?.guard;
  let own: OwnerGuard | undefined;
  if (guard === undefined) {
    own = new OwnerGuard(ctx.net.self, ctx.net.registry.client, ctx.log);
    await own.start();
    guard = own;
  }
  const service = new MigrationService({
    links: ctx.net.appLinks(APP_TYPES.migration, 'migrate'),
    registry: ctx.net.registry.client,
    clock: systemClock,
    kernel,
    guard,
    // The ports service sets the kernel's router (before or after this service starts): its port
    // state and the ways back of remote calls travel with migrated processes. Read when used.
    get ports() {
      return kernel.router instanceof PortsRouter ? kernel.router : undefined;
    },
    changed: ctx.changed,
    log: (event, fields) => ctx.log.info(fields, event),
  });
  services.set(ctx.net, service);
  return {
    name: 'migration',
    stop: () => {
      service.stop();
      own?.stop();
      services.delete(ctx.net);
    },
  };
}
