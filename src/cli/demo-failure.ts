// The cluster demo's node-failure act: one node (neither the CA node nor the Raft leader, so the
// registry keeps its majority without an election) is killed with SIGKILL; the demo waits, bounded,
// until every surviving node's SWIM has declared it dead, and shows `pakaya nodes` from a survivor.
import type { NodeRow } from '../node/cluster-net.js';
import { showNodes } from './demo-formation.js';
import { DEMO_WAIT_MS } from './demo-limits.js';
import type { DemoCluster, DemoNode } from './demo-nodes.js';

/** The node to kill: not the first (the CA node) and not `leader`; the last such one. */
export function victimOf(nodes: readonly DemoNode[], leader: string | undefined): DemoNode | undefined {
  return [...nodes.slice(1)].reverse().find((n) => n.alive && n.id !== leader);
}

/** Kills `victim` with SIGKILL and waits until every other live node says it is dead; returns seconds taken. */
export async function killNode(cluster: DemoCluster, victim: DemoNode): Promise<number> {
  const survivors = cluster.nodes.filter((n) => n !== victim && n.alive);
  const started = Date.now();
  await cluster.kill9(victim);
  await cluster.waitFor(
    `the other nodes to declare node ${victim.label} (${victim.id}) dead`,
    async () => {
      for (const n of survivors) {
        const { nodes } = await cluster.admin(n).call<{ nodes: NodeRow[] }>('GET', '/v1/nodes');
        if (!nodes.some((r) => r.id === victim.id && r.state === 'dead')) return undefined;
      }
      return true;
    },
    DEMO_WAIT_MS,
  );
  const seconds = (Date.now() - started) / 1000;
  cluster.out(
    `  node ${victim.label} (${victim.id}) declared dead by every survivor ${seconds.toFixed(1)} s after kill -9\n`,
  );
  const survivor = survivors[0];
  if (survivor !== undefined) await showNodes(cluster, survivor);
  return seconds;
}
