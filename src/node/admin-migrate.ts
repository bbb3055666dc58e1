// POST /v1/processes/<npid>/migrate {node, mode?}: live migration from any node. The node asked
// finds the process's owner in npids/; when that is another node the request is forwarded to it
// (the answer is then the summary alone). With ?stream=1 the answer is NDJSON: {"progress": ...}
// lines while the migration runs, then one {"summary": ...} or {"error": ...} line.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { MigrationError, type MigrationProgress, type MigrationSummary } from '../cluster/migration/types.js';
import type { Mode } from '../cluster/migration/wire.js';
import { npidRecord, npids } from '../cluster/registry/schema.js';
import { parseNpid } from '../kernel/npid.js';
import { formatNodeId, type NodeId, parseNodeId } from '../net/node-id.js';
import type { AdminContext, AdminResponse, Route } from './admin-routes.js';
import { failure } from './admin-routes.js';
import { type Checked, checkObject } from './admin-validate.js';
import { ADMIN_BODY_MAX } from './limits.js';
import { migrationServiceOf } from './migration-service.js';

export interface MigrateBody {
  node: NodeId;
  mode: Mode;
}

/** `{node, mode?}`: the target node (8 hex digits) and precopy (default) or postcopy. */
export function checkMigrateBody(text: string): Checked<MigrateBody> {
  const body = checkObject(text, {
    node: { type: 'string', required: true },
    mode: { type: 'string', required: false },
  });
  if (!body.ok) return body;
  const text8 = body.value.node as string;
  const node = /^[0-9a-f]{8}$/.test(text8) ? parseNodeId(text8) : undefined;
  if (node === undefined)
    return { ok: false, message: `node must be 8 hex digits, got '${text8.slice(0, 40)}'` };
  const mode = (body.value.mode as string | undefined) ?? 'precopy';
  if (mode !== 'precopy' && mode !== 'postcopy')
    return { ok: false, message: `mode must be 'precopy' or 'postcopy', got '${mode.slice(0, 40)}'` };
  return { ok: true, value: { node, mode } };
}

const STATUS: Record<MigrationError['code'], number> = {
  no_such_process: 404,
  not_owner: 409,
  busy: 409,
  bad_target: 400,
  refused: 409,
  link_down: 503,
  timeout: 504,
  registry: 503,
  kernel: 409,
  lost: 500,
};

export function summaryJson(s: MigrationSummary): Record<string, unknown> {
  return {
    npid: s.npid,
    from: formatNodeId(s.from),
    to: formatNodeId(s.to),
    mode: s.mode,
    members: s.members,
    total_ms: +s.totalMs.toFixed(2),
    freeze_ms: +s.freezeMs.toFixed(2),
    bytes: s.bytes,
    rounds: s.rounds,
    pages: s.pages,
    faults: s.faults,
    fence: s.fence,
  };
}

function progressJson(p: MigrationProgress): Record<string, unknown> {
  return {
    phase: p.phase,
    round: p.round,
    bytes_sent: p.bytesSent,
    pages_left: p.pagesLeft,
    dirty_rate: p.dirtyRate,
    estimate_ms: p.estimateMs,
  };
}

/** Runs (or forwards) one migration; progress goes to `onProgress` when it runs here. */
async function run(
  ctx: AdminContext,
  npidText: string,
  text: string,
  onProgress: (p: MigrationProgress) => void,
): Promise<AdminResponse> {
  const npid = parseNpid(npidText);
  if (npid === undefined) return failure(400, 'bad_request', `'${npidText.slice(0, 40)}' is not an NPID`);
  const body = checkMigrateBody(text);
  if (!body.ok) return failure(400, 'bad_request', body.message);
  const net = ctx.cluster;
  if (net === undefined) return failure(409, 'not_networked', 'this node was started without --listen');
  const service = migrationServiceOf(net);
  if (service === undefined) return failure(503, 'unavailable', 'the migration service is not running');
  let owner: NodeId | undefined;
  try {
    const kv = (await net.registry.client.get(npids.key(npid))).kv;
    owner = kv === undefined ? undefined : npidRecord(kv).node;
  } catch (err) {
    return failure(503, 'registry', `cannot read npids/${npid}: ${(err as Error).message}`);
  }
  if (owner !== undefined && owner !== net.self) {
    try {
      const r = await net.forward(owner, 'POST', `/v1/processes/${encodeURIComponent(npid)}/migrate`, text);
      return { status: r.status, body: r.body };
    } catch (err) {
      const e = err as Error & { status?: number; code?: string };
      return failure(e.status ?? 502, e.code ?? 'forward', `node ${formatNodeId(owner)}: ${e.message}`);
    }
  }
  try {
    const summary = await service.migrate(npid, body.value.node, body.value.mode, onProgress);
    ctx.log.info(summaryJson(summary), 'migrated');
    return { status: 200, body: summaryJson(summary) };
  } catch (err) {
    if (err instanceof MigrationError) return failure(STATUS[err.code], err.code, err.message);
    throw err;
  }
}

/** The plain route (forwarded requests): the summary or an error. */
export function migrateProcess(
  ctx: AdminContext,
  [npidText]: string[],
  text: string,
): Promise<AdminResponse> {
  return run(ctx, npidText ?? '', text, () => {});
}

/** The streaming form (?stream=1): NDJSON progress, then the summary or the error. */
export function streamMigrate(
  ctx: AdminContext,
  req: IncomingMessage,
  res: ServerResponse,
  npidText: string,
): void {
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (c: Buffer) => {
    size += c.length;
    if (size <= ADMIN_BODY_MAX) chunks.push(c);
  });
  req.on('end', () => {
    if (size > ADMIN_BODY_MAX) {
      res.statusCode = 413;
      res.end(
        `${JSON.stringify({ error: { code: 'too_large', message: `body over ${ADMIN_BODY_MAX} bytes` } })}\n`,
      );
      return;
    }
    res.statusCode = 200;
    res.setHeader('Content-Type', 'application/x-ndjson');
    res.flushHeaders();
    const line = (v: unknown): void => {
      if (!res.destroyed) res.write(`${JSON.stringify(v)}\n`);
    };
    let decoded = npidText;
    try {
      decoded = decodeURIComponent(npidText);
    } catch {
      // left as it came: run() refuses it
    }
    run(ctx, decoded, Buffer.concat(chunks).toString('utf8'), (p) => line({ progress: progressJson(p) }))
      .then(
        (r) => line(r.status === 200 ? { summary: r.body } : { status: r.status, ...(r.body as object) }),
        (err: unknown) => line({ status: 500, error: { code: 'internal', message: (err as Error).message } }),
      )
      .finally(() => res.end());
  });
}

export const MIGRATE_ROUTES: readonly Route[] = [
  {
    method: 'POST',
    pattern: /^\/v1\/processes\/([^/]*)\/migrate$/,
    name: 'migrate',
    handler: migrateProcess,
  },
];
