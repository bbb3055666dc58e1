// `pakaya cluster status|acl` and `pakaya net block|unblock`: the Raft and registry status of the
// node at --home (GET /v1/cluster), ACL grants and revokes (POST /v1/cluster/acl), and the
// partition debugging aid (POST /v1/net/block), and revoking a certificate in the registry (POST
// /v1/cluster/revoke). The logic is in src/node/admin-cluster-routes.ts.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { fingerprint } from '../cluster/identity/index.js';
import type { ClusterStatus } from '../node/cluster-registry.js';
import { type AdminOptions, adminClient } from './admin.js';
import { UsageError, writeAll } from './io.js';

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

export async function clusterStatusCommand(options: AdminOptions & { json: boolean }): Promise<number> {
  const s = await adminClient(options).call<ClusterStatus>('GET', '/v1/cluster');
  await writeAll(process.stdout, options.json ? `${JSON.stringify(s, null, 2)}\n` : formatStatus(s));
  return 0;
}

export async function clusterAclCommand(
  grant: boolean,
  principal: string,
  right: string,
  options: AdminOptions,
): Promise<number> {
  const entry = await adminClient(options).call<{
    principal: string;
    rights: string[];
  }>('POST', '/v1/cluster/acl', { principal, right, grant });
  await writeAll(process.stdout, `${entry.principal}: ${entry.rights.join(' ') || '(no rights)'}\n`);
  return 0;
}

export async function netBlockCommand(nodes: string[], on: boolean, options: AdminOptions): Promise<number> {
  const r = await adminClient(options).call<{ blocked: string[] }>('POST', '/v1/net/block', {
    nodes: nodes.join(','),
    on,
  });
  await writeAll(process.stdout, `blocked: ${r.blocked.join(' ') || '(none)'}\n`);
  return 0;
}

/**
 * `pakaya cluster revoke --cert FILE`: revokes a certificate (an admin client credential) by its
 * fingerprint in the registry, so every node's admin listener refuses it from then on.
 */
export async function clusterRevokeCertCommand(file: string, options: AdminOptions): Promise<number> {
  let print: string;
  try {
    const text = readFileSync(file, 'utf8');
    print = fingerprint(text);
  } catch (err) {
    throw new UsageError(`--cert ${file}: ${(err as Error).message}`);
  }
  await adminClient(options).call('POST', '/v1/cluster/revoke', {
    fingerprint: print,
    reason: `revoked by pakaya cluster revoke --cert ${basename(file)}`,
  });
  await writeAll(process.stdout, `revoked certificate ${print}\n`);
  return 0;
}
