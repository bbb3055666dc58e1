// The admin API's cluster routes (docs/admin-api.md "Cluster"): the Raft and registry status, ACL
// grants and revokes (registry writes through the leader), the registry's member records, and
// `net block` (a debugging aid that drops all traffic with chosen peers, to make partitions).
// Requests on the local admin socket come from the home's owner, who holds every right; the mTLS
// admin listener checks the ACLs first (admin-access.ts).
import { ConsensusError } from '../cluster/consensus/index.js';
import { PRINCIPAL_PATTERN, RIGHTS, type Right } from '../cluster/registry/index.js';
import { formatNodeId, type NodeId, parseNodeId } from '../net/node-id.js';
import type { AdminContext, AdminResponse, Route } from './admin-routes.js';
import { failure } from './admin-routes.js';
import { checkObject } from './admin-validate.js';
import { BLOCK_PEERS_MAX, REVOKE_REASON_MAX } from './limits.js';

const NOT_NETWORKED = (): AdminResponse =>
  failure(409, 'not_networked', 'this node was started without --listen: it has no cluster registry');

function status(ctx: AdminContext): AdminResponse {
  if (!ctx.cluster) return NOT_NETWORKED();
  return { status: 200, body: ctx.cluster.registry.status() };
}

function memberList(ctx: AdminContext): AdminResponse {
  if (!ctx.cluster) return NOT_NETWORKED();
  const rows = ctx.cluster.registry.memberRecords().map((m) => ({ ...m, id: formatNodeId(m.id) }));
  return { status: 200, body: { members: rows } };
}

/** A consensus failure as an admin error (a minority, no leader, a timeout). */
function consensusFailure(err: unknown): AdminResponse {
  if (err instanceof ConsensusError)
    return failure(503, `raft_${err.code.replace(/-/g, '_')}`, `registry write failed: ${err.message}`);
  throw err;
}

async function acl(ctx: AdminContext, _params: string[], text: string): Promise<AdminResponse> {
  const body = checkObject(text, {
    principal: { type: 'string', required: true },
    right: { type: 'string', required: true },
    grant: { type: 'boolean', required: true },
  });
  if (!body.ok) return failure(400, 'bad_request', body.message);
  const principal = body.value.principal as string;
  const right = body.value.right as string;
  if (!PRINCIPAL_PATTERN.test(principal) || principal.length > 128)
    return failure(
      400,
      'bad_request',
      `principal must be node:<8 hex>, client:<name> or *, got '${principal.slice(0, 40)}'`,
    );
  if (!(RIGHTS as readonly string[]).includes(right))
    return failure(
      400,
      'bad_request',
      `right must be one of ${RIGHTS.join(', ')}, got '${right.slice(0, 40)}'`,
    );
  if (!ctx.cluster) return NOT_NETWORKED();
  try {
    const entry = await ctx.cluster.registry.setRight(principal, right as Right, body.value.grant as boolean);
    ctx.log.info({ principal, right, grant: body.value.grant }, 'ACL changed');
    return { status: 200, body: entry };
  } catch (err) {
    return consensusFailure(err);
  }
}

/** Revokes a certificate (an admin client credential) by fingerprint, in the registry. */
async function revokeCert(ctx: AdminContext, _params: string[], text: string): Promise<AdminResponse> {
  const body = checkObject(text, {
    fingerprint: { type: 'string', required: true },
    reason: { type: 'string', required: false },
  });
  if (!body.ok) return failure(400, 'bad_request', body.message);
  const print = body.value.fingerprint as string;
  const reason = ((body.value.reason as string | undefined) ?? 'revoked').slice(0, REVOKE_REASON_MAX);
  if (!/^[0-9a-f]{64}$/.test(print))
    return failure(400, 'bad_request', 'fingerprint must be 64 lower-case hex digits (SHA-256 of the DER)');
  if (!ctx.cluster) return NOT_NETWORKED();
  try {
    const entry = await ctx.cluster.registry.revokeCertificate(print, reason);
    ctx.log.warn({ fingerprint: print }, 'certificate revoked in the registry');
    return { status: 200, body: entry };
  } catch (err) {
    return consensusFailure(err);
  }
}

function block(ctx: AdminContext, _params: string[], text: string): AdminResponse {
  const body = checkObject(text, {
    nodes: { type: 'string', required: true },
    on: { type: 'boolean', required: true },
  });
  if (!body.ok) return failure(400, 'bad_request', body.message);
  const names = (body.value.nodes as string).split(',').filter((x) => x !== '');
  if (names.length > BLOCK_PEERS_MAX) return failure(400, 'bad_request', `at most ${BLOCK_PEERS_MAX} nodes`);
  const ids: NodeId[] = [];
  for (const n of names) {
    const id = /^[0-9a-f]{8}$/.test(n) ? parseNodeId(n) : undefined;
    if (id === undefined)
      return failure(400, 'bad_request', `node must be 8 hex digits, got '${n.slice(0, 40)}'`);
    ids.push(id);
  }
  if (!ctx.cluster) return NOT_NETWORKED();
  return { status: 200, body: { blocked: ctx.cluster.block(ids, body.value.on as boolean) } };
}

export const CLUSTER_ROUTES: readonly Route[] = [
  { method: 'GET', pattern: /^\/v1\/cluster$/, name: 'cluster-status', handler: status },
  { method: 'GET', pattern: /^\/v1\/cluster\/members$/, name: 'cluster-members', handler: memberList },
  { method: 'POST', pattern: /^\/v1\/cluster\/acl$/, name: 'cluster-acl', handler: acl },
  { method: 'POST', pattern: /^\/v1\/cluster\/revoke$/, name: 'cluster-revoke', handler: revokeCert },
  { method: 'POST', pattern: /^\/v1\/net\/block$/, name: 'net-block', handler: block },
];
