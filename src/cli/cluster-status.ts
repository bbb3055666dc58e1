// `pakaya cluster status|acl` and `pakaya net block|unblock`: the Raft and registry status of the
// node at --home (GET /v1/cluster), ACL grants and revokes (POST /v1/cluster/acl), and the
// partition debugging aid (POST /v1/net/block). The logic is in src/node/admin-cluster-routes.ts.
import { AdminClient } from '../node/admin-client.js';
import type { ClusterStatus } from '../node/cluster-registry.js';
import { resolveHome } from '../node/home.js';
import { writeAll } from './io.js';

export function formatStatus(s: ClusterStatus): string {
  const rows: [string, string][] = [
    ['node', s.node],
    ['role', s.role],
    ['term', String(s.term)],
    ['leader', s.leader ?? '-'],
    ['commit index', String(s.commit_index)],
    ['applied index', String(s.applied_index)],
    ['voters', s.voters.join(' ') || '-'],
    ['learners', s.learners.join(' ') || '-'],
  ];
  if (s.failed) rows.push(['failed', s.failed]);
  return rows.map(([k, v]) => `${k.padEnd(14)}${v}\n`).join('');
}

export async function clusterStatusCommand(options: { home?: string; json: boolean }): Promise<number> {
  const s = await new AdminClient(resolveHome(options.home)).call<ClusterStatus>('GET', '/v1/cluster');
  await writeAll(process.stdout, options.json ? `${JSON.stringify(s, null, 2)}\n` : formatStatus(s));
  return 0;
}

export async function clusterAclCommand(
  grant: boolean,
  principal: string,
  right: string,
  options: { home?: string },
): Promise<number> {
  const entry = await new AdminClient(resolveHome(options.home)).call<{
    principal: string;
    rights: string[];
  }>('POST', '/v1/cluster/acl', { principal, right, grant });
  await writeAll(process.stdout, `${entry.principal}: ${entry.rights.join(' ') || '(no rights)'}\n`);
  return 0;
}

export async function netBlockCommand(
  nodes: string[],
  on: boolean,
  options: { home?: string },
): Promise<number> {
  const r = await new AdminClient(resolveHome(options.home)).call<{ blocked: string[] }>(
    'POST',
    '/v1/net/block',
    { nodes: nodes.join(','), on },
  );
  await writeAll(process.stdout, `blocked: ${r.blocked.join(' ') || '(none)'}\n`);
  return 0;
}
