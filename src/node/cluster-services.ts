// The cluster services a networked daemon runs over its links and the registry (issue 13): process
// control, remote ports, migration, the checkpoint store. Each is a pure core in src/cluster/<name>/
// (PeerLinks, RegistryClient, Clock, the kernel) plus a thin adapter here in src/node/. They start
// in CLUSTER_SERVICES order once ClusterNet is up, and stop in reverse before it closes.
import type { Kernel } from '../kernel/kernel.js';
import type { ClusterNet } from './cluster-net.js';
import type { Logger } from './logger.js';
import { startMigrationService } from './migration-service.js';
import type { NodeKernel } from './node-kernel.js';
import { startPortsService } from './ports-service.js';
import { startProcsService } from './procs-service.js';
import { storeServiceFactory } from './store-node.js';

export interface ClusterServiceContext {
  /** The home directory (absolute). */
  readonly home: string;
  /** The node's real kernel; undefined when a test double drives the node. */
  readonly kernel: Kernel | undefined;
  readonly nodeKernel: NodeKernel;
  readonly net: ClusterNet;
  readonly log: Logger;
  /** Wakes the driver: the kernel may have work again. */
  changed(): void;
}

export interface ClusterService {
  readonly name: string;
  stop(): Promise<void> | void;
}

export type ClusterServiceFactory = (ctx: ClusterServiceContext) => ClusterService | Promise<ClusterService>;

/** The services a networked node starts, in order. */
export const CLUSTER_SERVICES: readonly ClusterServiceFactory[] = [
  startProcsService,
  startPortsService,
  storeServiceFactory,
  startMigrationService,
];

/** Starts every service; on a failure stops the ones started and rethrows. */
export async function startClusterServices(ctx: ClusterServiceContext): Promise<ClusterService[]> {
  const started: ClusterService[] = [];
  try {
    for (const make of CLUSTER_SERVICES) started.push(await make(ctx));
  } catch (err) {
    await stopClusterServices(started, ctx.log);
    throw err;
  }
  return started;
}

/** Stops services in reverse order; a failure is logged, never thrown. */
export async function stopClusterServices(services: readonly ClusterService[], log: Logger): Promise<void> {
  for (const s of [...services].reverse()) {
    try {
      await s.stop();
    } catch (err) {
      log.warn({ service: s.name, err: (err as Error).message }, 'a cluster service failed to stop');
    }
  }
}
