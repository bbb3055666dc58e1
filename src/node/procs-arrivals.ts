// Processes that arrive on this node by another path than spawn — a migration's target, a restore
// from the checkpoint store, recovery after a node died — join process control here: once the
// registry names this node their owner (state running or stopped, read from the local registry
// replica), the owner guard holds them with the record's fencing token and their output is kept, so
// state sync, exit reports, `logs` and `wait` work for them as for spawned ones. Paths that already
// adopt (migration) are unaffected: adopting again with the same token is a no-op.
import type { OwnerGuard } from '../cluster/procs/owner-guard.js';
import { npidRecord, npids } from '../cluster/registry/schema.js';
import type { RegistryStateMachine } from '../cluster/registry/state-machine.js';
import type { Kernel } from '../kernel/kernel.js';
import type { NodeId } from '../net/node-id.js';
import type { Logger } from './logger.js';
import type { KernelProcs } from './procs-local.js';

export interface Arrivals {
  readonly self: NodeId;
  readonly kernel: Kernel;
  readonly registry: RegistryStateMachine;
  readonly guard: OwnerGuard;
  readonly local: KernelProcs;
  readonly log: Logger;
}

/** One pass over the live local processes; returns the NPIDs adopted in it. */
export function adoptArrivals(a: Arrivals): string[] {
  const adopted: string[] = [];
  for (const p of a.kernel.allProcesses()) {
    if (!p.alive) continue;
    if (a.guard.held(p.npid) !== undefined) {
      if (!a.local.keeps(p.npid)) a.local.keep(p.npid);
      continue;
    }
    const kv = a.registry.get(npids.key(p.npid));
    if (kv === undefined) continue; // a node-local process (pakaya run, a child): not the cluster's
    const r = npidRecord(kv);
    if (r.node !== a.self || (r.state !== 'running' && r.state !== 'stopped')) continue;
    try {
      a.guard.adopt(p.npid, r.fence);
    } catch (err) {
      a.log.warn({ npid: p.npid, err: (err as Error).message }, 'procs: arrival not adopted');
      continue;
    }
    a.local.keep(p.npid);
    adopted.push(p.npid);
    a.log.info({ npid: p.npid, term: r.fence.term, index: r.fence.index }, 'procs: adopted an arrival');
  }
  return adopted;
}
