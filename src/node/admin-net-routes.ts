// The admin API's network routes (docs/admin-api.md, "Network"): the node list, ping over a node
// link, and requests forwarded to another node over its mTLS link (--node). The streaming trace
// route is admin-trace.ts.
import { parseNodeId } from '../net/node-id.js';
import type { AdminContext, AdminResponse, Route } from './admin-routes.js';
import { failure } from './admin-routes.js';
import { checkForwardBody, checkPingBody } from './admin-validate.js';
import { ForwardError } from './cluster-net.js';
import { formatNodeId } from './node-kernel.js';

function listNodes(ctx: AdminContext): AdminResponse {
  if (ctx.cluster) return { status: 200, body: { nodes: ctx.cluster.nodes() } };
  const self = {
    id: formatNodeId(ctx.identity.id),
    address: '',
    self: true,
    link: 'none',
    rtt_us: 0,
    bytes_in: 0,
    bytes_out: 0,
    state: 'alive',
    leader: false,
  };
  return { status: 200, body: { nodes: [self] } };
}

/** Sorted samples -> the figure at quantile q (nearest rank). */
function quantile(sorted: readonly number[], q: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i] ?? 0;
}

async function ping(ctx: AdminContext, _params: string[], text: string): Promise<AdminResponse> {
  const body = checkPingBody(text);
  if (!body.ok) return failure(400, 'bad_request', body.message);
  if (!ctx.cluster) return failure(409, 'not_networked', 'this node was started without --listen');
  const peer = parseNodeId(body.value.node);
  if (peer === undefined || !ctx.cluster.nodes().some((r) => r.id === body.value.node && !r.self))
    return failure(404, 'unknown_node', `node ${body.value.node} is not a known member`);
  let samples: number[];
  try {
    samples = await ctx.cluster.ping(peer, body.value.count, body.value.size);
  } catch (err) {
    return failure(503, 'unreachable', `ping ${body.value.node}: ${(err as Error).message}`);
  }
  const sorted = [...samples].sort((a, b) => a - b);
  const r = (n: number): number => Math.round(n * 10) / 10;
  return {
    status: 200,
    body: {
      node: body.value.node,
      count: sorted.length,
      size: body.value.size,
      min_us: r(sorted[0] ?? 0),
      median_us: r(quantile(sorted, 0.5)),
      p99_us: r(quantile(sorted, 0.99)),
      max_us: r(sorted[sorted.length - 1] ?? 0),
    },
  };
}

async function forward(ctx: AdminContext, _params: string[], text: string): Promise<AdminResponse> {
  const body = checkForwardBody(text);
  if (!body.ok) return failure(400, 'bad_request', body.message);
  if (!ctx.cluster) return failure(409, 'not_networked', 'this node was started without --listen');
  const peer = parseNodeId(body.value.node) as NonNullable<ReturnType<typeof parseNodeId>>;
  try {
    const r = await ctx.cluster.forward(peer, body.value.method, body.value.path, body.value.body);
    return { status: r.status, body: r.body };
  } catch (err) {
    if (err instanceof ForwardError) return failure(err.status, err.code, err.message);
    throw err;
  }
}

export const NET_ROUTES: readonly Route[] = [
  { method: 'GET', pattern: /^\/v1\/nodes$/, name: 'nodes', handler: listNodes },
  { method: 'POST', pattern: /^\/v1\/net\/ping$/, name: 'net-ping', handler: ping },
  { method: 'POST', pattern: /^\/v1\/forward$/, name: 'forward', handler: forward },
];
