// `pakaya nodes`: the nodes the node at --home knows and its links to them (GET /v1/nodes), as a
// table or (--json) as a JSON array with one row per node, this node's own included.
import type { NodeRow } from '../node/cluster-net.js';
import { type AdminOptions, adminClient } from './admin.js';
import { writeAll } from './io.js';

const COLUMNS: [string, (r: NodeRow) => string][] = [
  ['NODE', (r) => (r.self ? `${r.id}*` : r.id)],
  ['ADDRESS', (r) => r.address || '-'],
  ['STATE', (r) => r.state],
  ['LEADER', (r) => (r.leader ? 'yes' : '')],
  ['LINK', (r) => r.link],
  ['RTT_US', (r) => (r.rtt_us ? String(r.rtt_us) : '-')],
  ['BYTES_IN', (r) => String(r.bytes_in)],
  ['BYTES_OUT', (r) => String(r.bytes_out)],
];

export function formatNodes(rows: readonly NodeRow[]): string {
  const cells = [COLUMNS.map(([t]) => t), ...rows.map((r) => COLUMNS.map(([, f]) => f(r)))];
  const widths = COLUMNS.map((_, i) => Math.max(...cells.map((row) => (row[i] ?? '').length)));
  return `${cells.map((row) => row.map((c, i) => (i === row.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ')).join('\n')}\n`;
}

export async function nodesCommand(options: AdminOptions & { json: boolean }): Promise<number> {
  const { nodes } = await adminClient(options).call<{ nodes: NodeRow[] }>('GET', '/v1/nodes');
  await writeAll(process.stdout, options.json ? `${JSON.stringify(nodes, null, 2)}\n` : formatNodes(nodes));
  return 0;
}
