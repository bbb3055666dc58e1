// The daemon's process-control service (issue 13 §1): builds the pure core of src/cluster/procs
// over the node's links (APP_TYPES.procs), its Raft registry, the host clock, the program cache in
// <home>/programs and the real kernel; keeps npids/ in step with the kernel (exits at once, stops,
// continues and checkpoints that leave a process stopped by a short poll of the processes it owns); and stops the local copy of any process
// the owner guard says this node lost; adopts processes that arrive by migration, restore or
// recovery (procs-arrivals.ts); answers guests' spawn_on (procs-spawn-on.ts). The admin routes
// reach it through procsOf(ctx.cluster).
import { join } from 'node:path';
import { APP_TYPES } from '../cluster/links.js';
import { OwnerGuard } from '../cluster/procs/owner-guard.js';
import { ProgramCache } from '../cluster/procs/program-cache.js';
import { ProcsService } from '../cluster/procs/service.js';
import { StateSync, type StateUpdate } from '../cluster/procs/state-sync.js';
import type { Kernel } from '../kernel/kernel.js';
import { formatNodeId, type NodeId } from '../net/node-id.js';
import { systemClock } from '../net/system-clock.js';
import type { ClusterNet } from './cluster-net.js';
import { FileStorage } from './file-storage.js';
import type { Logger } from './logger.js';
import { adoptArrivals } from './procs-arrivals.js';
import { KernelProcs } from './procs-local.js';
import { remoteSpawner } from './procs-spawn-on.js';

/** What the service needs of ClusterServiceContext (cluster-services.ts lists this factory). */
export interface ProcsContext {
  readonly home: string;
  readonly kernel: Kernel | undefined;
  readonly net: ClusterNet;
  readonly log: Logger;
  changed(): void;
}

/** How often the owned processes' stopped/running state is compared with what was reported, in ms. */
export const PROCS_STATE_POLL_MS = 200;

export interface NodeProcs {
  readonly service: ProcsService;
  readonly guard: OwnerGuard;
  readonly sync: StateSync;
  readonly local: KernelProcs;
  /**
   * A checkpoint captured `npid` and left it stopped: the registry says `checkpointed` (not
   * `stopped`) until it runs again.
   */
  markCheckpointed(npid: string): void;
}

const byNet = new WeakMap<ClusterNet, NodeProcs>();

/** The process-control service of a running node, if it has one (a real kernel and --listen). */
export function procsOf(net: ClusterNet | undefined): NodeProcs | undefined {
  return net === undefined ? undefined : byNet.get(net);
}

export async function startProcsService(ctx: ProcsContext): Promise<{ readonly name: string; stop(): void }> {
  const kernel = ctx.kernel;
  if (kernel === undefined) return { name: 'procs', stop: () => {} };
  const registry = ctx.net.registry.client;
  const guard = new OwnerGuard(ctx.net.self, registry, ctx.log);
  await guard.start();
  const sync = new StateSync(registry, guard, systemClock, ctx.log);
  const local = new KernelProcs(kernel, ctx.changed);
  const service = new ProcsService({
    links: ctx.net.appLinks(APP_TYPES.procs),
    registry,
    clock: systemClock,
    local,
    programs: new ProgramCache(new FileStorage(join(ctx.home, 'programs'))),
    guard,
    log: ctx.log,
    members: () =>
      ctx.net.registry
        .memberRecords()
        .filter((m) => m.state === 'alive' || m.state === 'suspect')
        .map((m) => m.id as NodeId),
    allowed: (peer, right) => ctx.net.registry.allowedLocal(`node:${formatNodeId(peer)}`, right),
  });
  const reported = new Map<string, StateUpdate['state']>();
  /** Held processes a checkpoint left stopped (cleared when they run again or end). */
  const checkpointed = new Set<string>();
  local.onExit((p) => {
    reported.delete(p.npid);
    checkpointed.delete(p.npid);
    if (guard.held(p.npid) !== undefined) sync.report(p.npid, { state: 'exited', status: p.exitCode ?? 0 });
  });
  guard.onAnyLost((npid) => {
    reported.delete(npid);
    checkpointed.delete(npid);
    local.discard(npid);
  });
  const arrivals = {
    self: ctx.net.self,
    kernel,
    registry: ctx.net.registry.stateMachine,
    guard,
    local,
    log: ctx.log,
  };
  const poll = setInterval(() => {
    adoptArrivals(arrivals);
    for (const npid of guard.heldAll().keys()) {
      const p = local.find(npid);
      if (p === undefined) continue;
      if (!p.stopped) checkpointed.delete(npid);
      const state = !p.stopped ? 'running' : checkpointed.has(npid) ? 'checkpointed' : 'stopped';
      if ((reported.get(npid) ?? 'running') === state) continue;
      reported.set(npid, state);
      sync.report(npid, { state });
    }
  }, PROCS_STATE_POLL_MS);
  poll.unref();
  // spawn_on from guest programs: the same spawn, answered to the waiting thread by ticket.
  kernel.setRemoteSpawner(remoteSpawner(kernel, service, ctx.log, ctx.changed));
  const procs: NodeProcs = {
    service,
    guard,
    sync,
    local,
    markCheckpointed: (npid) => {
      const p = local.find(npid);
      if (guard.held(npid) !== undefined && p?.stopped === true) checkpointed.add(npid);
    },
  };
  byNet.set(ctx.net, procs);
  return {
    name: 'procs',
    stop: () => {
      clearInterval(poll);
      kernel.setRemoteSpawner(undefined);
      byNet.delete(ctx.net);
      service.stop();
      sync.stop();
      guard.stop();
    },
  };
}
