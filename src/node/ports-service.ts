// The daemon's adapter for remote ports (src/cluster/ports): the router over the node's links
// (APP_TYPES.ports) and the Raft registry, on the host clock, waking the driver when a message or
// an answer arrives; and the cluster's global names behind the name server's hook.
import { randomInt } from 'node:crypto';
import { APP_TYPES } from '../cluster/links.js';
import { ClusterNames } from '../cluster/ports/names.js';
import { PortsRouter } from '../cluster/ports/router.js';
import type { Kernel } from '../kernel/kernel.js';
import { SeededRandom } from '../net/random.js';
import { systemClock } from '../net/system-clock.js';
import type { ClusterNet } from './cluster-net.js';
import { globalNamesSlot } from './global-names-slot.js';
import type { Logger } from './logger.js';

/** What the service takes of ClusterServiceContext (cluster-services.ts lists this factory). */
export interface PortsServiceContext {
  readonly kernel: Kernel | undefined;
  readonly net: ClusterNet;
  readonly log: Logger;
  changed(): void;
}

export interface PortsService {
  readonly name: string;
  readonly router: PortsRouter | undefined;
  stop(): void;
}

export async function startPortsService(ctx: PortsServiceContext): Promise<PortsService> {
  const kernel = ctx.kernel;
  if (kernel === undefined) return { name: 'ports', router: undefined, stop: () => {} };
  const registry = ctx.net.registry.client;
  const log = (message: string) => ctx.log.warn({ service: 'ports' }, message);
  const router = new PortsRouter({
    links: ctx.net.appLinks(APP_TYPES.ports, 'join'),
    registry,
    clock: systemClock,
    random: new SeededRandom(randomInt(0, 2 ** 31)),
    kernel,
    changed: () => ctx.changed(),
    log,
  });
  const names = new ClusterNames(router, registry, log);
  const slot = globalNamesSlot(kernel);
  try {
    await router.watchRegistry();
    await names.start();
  } catch (err) {
    router.close();
    names.close();
    throw err;
  }
  slot.target = names;
  return {
    name: 'ports',
    router,
    stop: () => {
      slot.target = undefined;
      names.close();
      router.close();
    },
  };
}
