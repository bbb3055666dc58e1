// The admin API's checkpoint-store routes (docs/admin-api.md "Checkpoint store"): checkpoint an NPID
// into the cluster's store from any node (forwarded to the node that runs it), restore an NPID from
// the store onto this node, and the store's figures. Only on a networked node with a real kernel.

import { ConsensusError } from '../cluster/consensus/index.js';
import { RegistryError } from '../cluster/registry/errors.js';
import { RESTART_POLICIES, type RestartPolicy } from '../cluster/registry/schema.js';
import { StoreError } from '../cluster/store/errors.js';
import { KernelError } from '../kernel/kernel.js';
import { parseNpid } from '../kernel/npid.js';
import type { AdminContext, AdminResponse, Route } from './admin-routes.js';
import { failure } from './admin-routes.js';
import { checkObject } from './admin-validate.js';
import { ForwardError } from './cluster-net.js';
import { storeOf } from './store-node.js';

/** Longest checkpoint period accepted (ms): one day. */
const EVERY_MS_MAX = 86_400_000;

function noStore(): AdminResponse {
  return failure(409, 'not_networked', 'this node has no checkpoint store (start it with --listen)');
}

function storeFailure(err: unknown): AdminResponse {
  if (err instanceof StoreError) {
    const status =
      err.code === 'missing' ? 404 : err.code === 'corrupt' ? 422 : err.code === 'too-large' ? 413 : 503;
    return failure(status, `store_${err.code.replace(/-/g, '_')}`, err.message);
  }
  if (err instanceof ConsensusError)
    return failure(503, `raft_${err.code.replace(/-/g, '_')}`, `registry: ${err.message}`);
  if (err instanceof RegistryError) return failure(503, 'registry', err.message);
  if (err instanceof KernelError || (err instanceof Error && err.name === 'ImageError'))
    return failure(409, 'conflict', err.message);
  if (err instanceof ForwardError) return failure(err.status, err.code, err.message);
  throw err;
}

async function checkpoint(
  ctx: AdminContext,
  _p: string[],
  text: string,
  signal: AbortSignal,
): Promise<AdminResponse> {
  const body = checkObject(text, {
    npid: { type: 'string', required: true },
    restart: { type: 'string', required: false },
    everyMs: { type: 'integer', required: false },
  });
  if (!body.ok) return failure(400, 'bad_request', body.message);
  const npid = String(body.value.npid);
  if (parseNpid(npid) === undefined)
    return failure(400, 'bad_request', `${JSON.stringify(npid.slice(0, 40))} is not an NPID`);
  const restart = body.value.restart as string | undefined;
  if (restart !== undefined && !RESTART_POLICIES.includes(restart as RestartPolicy))
    return failure(400, 'bad_request', `restart must be one of ${RESTART_POLICIES.join(', ')}`);
  const everyMs = body.value.everyMs as number | undefined;
  if (everyMs !== undefined && (everyMs < 0 || everyMs > EVERY_MS_MAX))
    return failure(400, 'bad_request', `everyMs must be 0..${EVERY_MS_MAX}`);
  const store = storeOf(ctx.cluster);
  if (store === undefined || ctx.cluster === undefined) return noStore();
  try {
    if (store.pidOf(npid) === undefined) {
      // Not here: the node the registry names runs it.
      const owner = await store.ownerOf(npid);
      if (owner === undefined || owner === ctx.cluster.self)
        return failure(404, 'no_such_process', `no live process ${npid} in the cluster`);
      if (signal.aborted) return failure(499, 'client_gone', 'the client gave up; nothing was done');
      const r = await ctx.cluster.forward(owner, 'POST', '/v1/store/checkpoint', text);
      return { status: r.status, body: r.body };
    }
    const answer = await store.checkpointLocal(npid, {
      ...(restart !== undefined ? { restart: restart as RestartPolicy } : {}),
      ...(everyMs !== undefined ? { everyMs } : {}),
    });
    ctx.log.info({ ...answer }, 'checkpoint into the store');
    return { status: 200, body: answer };
  } catch (err) {
    return storeFailure(err);
  }
}

async function restore(
  ctx: AdminContext,
  _p: string[],
  text: string,
  signal: AbortSignal,
): Promise<AdminResponse> {
  const body = checkObject(text, { npid: { type: 'string', required: true } });
  if (!body.ok) return failure(400, 'bad_request', body.message);
  const npid = String(body.value.npid);
  if (parseNpid(npid) === undefined)
    return failure(400, 'bad_request', `${JSON.stringify(npid.slice(0, 40))} is not an NPID`);
  const store = storeOf(ctx.cluster);
  if (store === undefined) return noStore();
  if (signal.aborted) return failure(499, 'client_gone', 'the client gave up; nothing was restored');
  try {
    const answer = await store.restoreHere(npid);
    ctx.log.info({ ...answer }, 'restore from the store');
    return { status: 201, body: answer };
  } catch (err) {
    return storeFailure(err);
  }
}

async function location(ctx: AdminContext, params: string[]): Promise<AdminResponse> {
  const npid = (params[0] ?? '').replace(/%3a/gi, ':');
  if (parseNpid(npid) === undefined)
    return failure(400, 'bad_request', `${JSON.stringify(npid.slice(0, 40))} is not an NPID`);
  const store = storeOf(ctx.cluster);
  if (store === undefined) return noStore();
  try {
    const where = await store.location(npid);
    if (where === undefined) return failure(404, 'store_missing', `no replicated checkpoint of ${npid}`);
    return { status: 200, body: { npid, ...where } };
  } catch (err) {
    return storeFailure(err);
  }
}

function stats(ctx: AdminContext): AdminResponse {
  const store = storeOf(ctx.cluster);
  if (store === undefined) return noStore();
  return {
    status: 200,
    body: {
      ...store.store.stats(),
      keep: store.store.keep,
      replicas: store.replication.replicas,
      ...store.replication.counters,
    },
  };
}

export const STORE_ROUTES: readonly Route[] = [
  { method: 'GET', pattern: /^\/v1\/store$/, name: 'store', handler: stats },
  {
    method: 'GET',
    pattern: /^\/v1\/store\/checkpoints\/([^/]*)$/,
    name: 'store-location',
    handler: location,
  },
  { method: 'POST', pattern: /^\/v1\/store\/checkpoint$/, name: 'store-checkpoint', handler: checkpoint },
  { method: 'POST', pattern: /^\/v1\/store\/restore$/, name: 'store-restore', handler: restore },
];
