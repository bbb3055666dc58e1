// Spawning as procs does, from a scenario: StoreNodes.spawn (created stopped, npids/ written with a
// fence, the token adopted, then let run), awaited in virtual time (the cluster runs meanwhile).
import type { RestartPolicy } from '../../../cluster/registry/schema.js';
import type { NodeId } from '../../../net/node-id.js';
import type { SimCluster } from '../cluster.js';
import type { StoreNodes } from '../services/store.js';

export interface Recorded {
  readonly npid: string;
  readonly pid: number;
  readonly node: NodeId;
  /** SimCluster.copyId of the process spawned. */
  readonly copy: number;
}

/** Spawns `argv` on `node`; undefined (and the cluster failed with `liveness`) if it cannot. */
export async function spawnRecorded(
  c: SimCluster,
  stores: StoreNodes,
  node: NodeId,
  argv: readonly string[],
  policy: { restart: RestartPolicy; checkpointEveryMs?: number } = { restart: 'no' },
  maxMs = 5_000,
): Promise<Recorded | undefined> {
  let done: { npid: string; pid: number } | undefined;
  let err: Error | undefined;
  stores.spawn(node, c.programs.get(argv[0] as string), argv, policy).then(
    (r) => {
      done = r;
    },
    (e: Error) => {
      err = e;
    },
  );
  await c.runUntil(() => done !== undefined || err !== undefined, maxMs);
  if (!done) {
    c.fail('liveness', `spawn of ${argv.join(' ')} on node ${node}: ${err?.message ?? 'no answer'}`);
    return undefined;
  }
  const p = c.node(node).kernel.findProcess(done.pid);
  const copy = p ? c.copyId(p) : c.exits.get(done.npid)?.[0]?.copy;
  if (copy === undefined) {
    c.fail('liveness', `spawn of ${argv.join(' ')} on node ${node}: process ${done.pid} is gone`);
    return undefined;
  }
  c.trace(`spawned ${done.npid} ${argv.join(' ')} on ${node}`);
  return { npid: done.npid, pid: done.pid, node, copy };
}
