// The cluster demo's first act: a cluster of three daemons on loopback, made the way a user makes
// one — `cluster init` on the first home, a node started on it, one `cluster token` per joiner, the
// others started with `--join` and `--token` — then waits (bounded) until every node has live links
// to the other two and all agree on one Raft leader with three voters, and shows `pakaya nodes`.
import { join } from 'node:path';
import type { NodeRow } from '../node/cluster-net.js';
import type { ClusterStatus } from '../node/cluster-registry.js';
import { initCluster, mintJoinToken } from './cluster.js';
import { DEMO_FORM_MS, DEMO_NODES, DEMO_TOKEN_TTL_MS } from './demo-limits.js';
import type { DemoCluster, DemoNode } from './demo-nodes.js';
import { formatNodes } from './nodes.js';

/** `pakaya nodes --home <node>`: the nodes `node` knows, its own first. */
export async function showNodes(cluster: DemoCluster, node: DemoNode): Promise<void> {
  await cluster.inline(['nodes', '--home', node.home], async () => {
    const { nodes } = await cluster.admin(node).call<{ nodes: NodeRow[] }>('GET', '/v1/nodes');
    return formatNodes(nodes);
  });
}

/** True when `node` sees every other node alive with a live link. */
async function linked(cluster: DemoCluster, node: DemoNode, others: readonly DemoNode[]): Promise<boolean> {
  const { nodes } = await cluster.admin(node).call<{ nodes: NodeRow[] }>('GET', '/v1/nodes');
  return others.every((o) => nodes.some((r) => r.id === o.id && r.link === 'up' && r.state === 'alive'));
}

/** The leader every node names, when they all name the same one and have every node as a voter. */
export async function agreedLeader(
  cluster: DemoCluster,
  nodes: readonly DemoNode[],
): Promise<string | undefined> {
  const statuses = await Promise.all(
    nodes.map((n) => cluster.admin(n).call<ClusterStatus>('GET', '/v1/cluster')),
  );
  const leader = statuses[0]?.leader ?? null;
  if (leader === null) return undefined;
  const agreed = statuses.every(
    (s) => s.leader === leader && nodes.every((n) => s.voters.includes(n.id)) && s.failed === null,
  );
  return agreed ? leader : undefined;
}

/** Starts DEMO_NODES daemons and waits for them to form one cluster; returns them, the CA node first. */
export async function formCluster(cluster: DemoCluster): Promise<DemoNode[]> {
  const caHome = join(cluster.root, 'n1');
  await cluster.inline(['cluster', 'init', '--home', caHome], async () => `${await initCluster(caHome)}\n`);
  const first = await cluster.startNode('n1');
  const seed = `127.0.0.1:${first.port}`;
  const labels = Array.from({ length: DEMO_NODES - 1 }, (_, i) => `n${i + 2}`);
  const tokens: string[] = [];
  for (const [i] of labels.entries()) {
    const name = `TOKEN${i + 1}`;
    const token = await cluster.inline(
      ['cluster', 'token', '--home', caHome],
      () => mintJoinToken(caHome, DEMO_TOKEN_TTL_MS),
      { echo: `$ ${name}=$(pakaya cluster token --home n1 --ttl ${DEMO_TOKEN_TTL_MS / 60_000}m)\n` },
    );
    cluster.alias(token, name);
    tokens.push(token);
  }
  const joined = await Promise.all(
    labels.map((label, i) => cluster.startNode(label, ['--join', seed, '--token', tokens[i] as string])),
  );
  const nodes = [first, ...joined];
  cluster.out(`  ... waiting for the links, SWIM and the Raft registry to settle\n`);
  const started = Date.now();
  const leader = await cluster.waitFor(
    'the nodes to link up and agree on a leader with every node a voter',
    async () => {
      for (const n of nodes)
        if (
          !(await linked(
            cluster,
            n,
            nodes.filter((o) => o !== n),
          ))
        )
          return undefined;
      return agreedLeader(cluster, nodes);
    },
    DEMO_FORM_MS,
  );
  cluster.out(
    `  cluster formed in ${((Date.now() - started) / 1000).toFixed(1)} s: ${nodes
      .map((n) => `${n.label} = ${n.id}${n === first ? ' (CA)' : ''}${n.id === leader ? ' (leader)' : ''}`)
      .join(', ')}\n`,
  );
  await showNodes(cluster, first);
  return nodes;
}
