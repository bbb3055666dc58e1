// The admin API's process-control routes (docs/admin-api.md "Processes across the cluster"): spawn
// (the ELF in the body, base64), the cluster-wide process table, and an NPID's record, kill, logs
// and wait from any node. Each validates its input and answers ProcsErrors with their status.
import { httpStatus, ProcsError } from '../cluster/procs/errors.js';
import { PROGRAM_MAX_BYTES, SPAWN_ARGS_MAX, WAIT_MAX_MS } from '../cluster/procs/limits.js';
import { type NpidRecord, RESTART_POLICIES, type RestartPolicy } from '../cluster/registry/schema.js';
import { formatNodeId, type NodeId, parseNodeId } from '../net/node-id.js';
import { type AdminContext, type AdminResponse, failure, type Route } from './admin-routes.js';
import { checkObject } from './admin-validate.js';
import { procsOf } from './procs-service.js';

/** Largest spawn request body: a PROGRAM_MAX_BYTES ELF in base64 plus the other fields. */
export const SPAWN_BODY_MAX = Math.ceil(PROGRAM_MAX_BYTES / 3) * 4 + 256 * 1024;
/** Longest automatic checkpoint period accepted, in ms (a day). */
export const CHECKPOINT_EVERY_MAX_MS = 86_400_000;

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const NPID = /^([0-9a-f]{8}:[0-9]{1,10})$/;

function unavailable(ctx: AdminContext): AdminResponse | undefined {
  if (!ctx.cluster)
    return failure(409, 'not_networked', 'this node was started without --listen: it has no cluster');
  if (!procsOf(ctx.cluster))
    return failure(501, 'not_implemented', 'this node runs no process-control service (a test kernel)');
  return undefined;
}

function errorResponse(err: unknown): AdminResponse {
  if (err instanceof ProcsError) return failure(httpStatus(err.code), err.code, err.message);
  throw err;
}

function bad(message: string): AdminResponse {
  return failure(400, 'bad_request', message);
}

/** The record as JSON: node ids as 8 hex digits. */
export function recordJson(r: NpidRecord): Record<string, unknown> {
  return {
    ...r,
    node: formatNodeId(r.node),
    ...(r.target === undefined ? {} : { target: formatNodeId(r.target) }),
  };
}

interface SpawnBody {
  elf: Uint8Array;
  name?: string;
  args: string[];
  node?: NodeId;
  restart?: RestartPolicy;
  checkpointEveryMs?: number;
}

function checkSpawn(text: string): SpawnBody | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return `request body is not valid JSON: ${(err as Error).message}`;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return 'request body must be a JSON object';
  const b = value as Record<string, unknown>;
  const fields = ['program', 'name', 'args', 'node', 'restart', 'checkpointEveryMs'];
  for (const k of Object.keys(b))
    if (!fields.includes(k)) return `unknown field '${k.slice(0, 40)}' (expected ${fields.join(', ')})`;
  if (typeof b.program !== 'string' || b.program === '') return "field 'program' must be the ELF in base64";
  if (!BASE64.test(b.program) || b.program.length % 4 !== 0) return "field 'program' is not valid base64";
  const elf = new Uint8Array(Buffer.from(b.program, 'base64'));
  if (elf.length > PROGRAM_MAX_BYTES) return `the program is larger than ${PROGRAM_MAX_BYTES} bytes`;
  const out: SpawnBody = { elf, args: [] };
  if (b.name !== undefined) {
    if (typeof b.name !== 'string' || b.name.length === 0 || b.name.length > 64)
      return "field 'name' must be a string of 1 to 64 characters";
    out.name = b.name;
  }
  if (b.args !== undefined) {
    if (!Array.isArray(b.args) || b.args.some((a) => typeof a !== 'string'))
      return "field 'args' must be an array of strings";
    if (b.args.length > SPAWN_ARGS_MAX) return `at most ${SPAWN_ARGS_MAX} arguments`;
    out.args = b.args as string[];
  }
  if (b.node !== undefined) {
    const id = typeof b.node === 'string' && /^[0-9a-f]{8}$/.test(b.node) ? parseNodeId(b.node) : undefined;
    if (id === undefined) return "field 'node' must be a node id (8 hex digits)";
    out.node = id;
  }
  if (b.restart !== undefined) {
    if (typeof b.restart !== 'string' || !(RESTART_POLICIES as readonly string[]).includes(b.restart))
      return `field 'restart' must be one of ${RESTART_POLICIES.join(', ')}`;
    out.restart = b.restart as RestartPolicy;
  }
  if (b.checkpointEveryMs !== undefined) {
    const ms = b.checkpointEveryMs;
    if (!Number.isSafeInteger(ms) || (ms as number) < 0 || (ms as number) > CHECKPOINT_EVERY_MAX_MS)
      return `field 'checkpointEveryMs' must be an integer from 0 to ${CHECKPOINT_EVERY_MAX_MS}`;
    out.checkpointEveryMs = ms as number;
  }
  return out;
}

async function spawn(
  ctx: AdminContext,
  _p: string[],
  text: string,
  signal: AbortSignal,
): Promise<AdminResponse> {
  const body = checkSpawn(text);
  if (typeof body === 'string') return bad(body);
  const none = unavailable(ctx);
  if (none) return none;
  if (signal.aborted) return failure(499, 'client_gone', 'the client gave up; nothing was spawned');
  try {
    const s = await procsOf(ctx.cluster)!.service.spawn(body);
    return { status: 201, body: { npid: s.npid, pid: s.pid, node: formatNodeId(s.node) } };
  } catch (err) {
    return errorResponse(err);
  }
}

async function table(ctx: AdminContext): Promise<AdminResponse> {
  const none = unavailable(ctx);
  if (none) return none;
  const t = await procsOf(ctx.cluster)!.service.listAll();
  return { status: 200, body: { processes: t.rows, missing: t.missing } };
}

function npidParam(params: string[]): string | undefined {
  const text = params[0] ?? '';
  return NPID.test(text) ? text : undefined;
}

const BAD_NPID = (): AdminResponse => bad('an NPID is 8 hex digits, a colon and a number (e.g. 0a1b2c3d:7)');

async function record(ctx: AdminContext, params: string[]): Promise<AdminResponse> {
  const npid = npidParam(params);
  if (npid === undefined) return BAD_NPID();
  const none = unavailable(ctx);
  if (none) return none;
  try {
    return { status: 200, body: recordJson(await procsOf(ctx.cluster)!.service.lookup(npid)) };
  } catch (err) {
    return errorResponse(err);
  }
}

async function kill(ctx: AdminContext, params: string[], text: string): Promise<AdminResponse> {
  const npid = npidParam(params);
  if (npid === undefined) return BAD_NPID();
  const body = checkObject(text, { signal: { type: 'integer', required: true } });
  if (!body.ok) return bad(body.message);
  const sig = body.value.signal as number;
  if (sig < 1 || sig > 64) return bad(`signal must be 1 to 64, got ${sig}`);
  const none = unavailable(ctx);
  if (none) return none;
  try {
    const node = await procsOf(ctx.cluster)!.service.kill(npid, sig);
    ctx.log.info({ npid, signal: sig, node: formatNodeId(node) }, 'signal sent by NPID');
    return { status: 200, body: { npid, signal: sig, node: formatNodeId(node) } };
  } catch (err) {
    return errorResponse(err);
  }
}

async function logs(ctx: AdminContext, params: string[], text: string): Promise<AdminResponse> {
  const npid = npidParam(params);
  if (npid === undefined) return BAD_NPID();
  const body = checkObject(text, {
    out: { type: 'integer', required: false },
    err: { type: 'integer', required: false },
  });
  if (!body.ok) return bad(body.message);
  const out = (body.value.out as number | undefined) ?? 0;
  const err = (body.value.err as number | undefined) ?? 0;
  if (out < 0 || err < 0) return bad("fields 'out' and 'err' are byte offsets (>= 0)");
  const none = unavailable(ctx);
  if (none) return none;
  try {
    const c = await procsOf(ctx.cluster)!.service.logs(npid, out, err);
    return {
      status: 200,
      body: {
        npid,
        node: c.node,
        outStart: c.outStart,
        out: Buffer.from(c.out).toString('base64'),
        errStart: c.errStart,
        err: Buffer.from(c.err).toString('base64'),
        ended: c.ended,
      },
    };
  } catch (e) {
    return errorResponse(e);
  }
}

async function wait(
  ctx: AdminContext,
  params: string[],
  text: string,
  signal: AbortSignal,
): Promise<AdminResponse> {
  const npid = npidParam(params);
  if (npid === undefined) return BAD_NPID();
  const body = checkObject(text, { timeoutMs: { type: 'integer', required: false } });
  if (!body.ok) return bad(body.message);
  const ms = (body.value.timeoutMs as number | undefined) ?? WAIT_MAX_MS;
  if (ms < 0 || ms > WAIT_MAX_MS) return bad(`field 'timeoutMs' must be 0 to ${WAIT_MAX_MS}`);
  const none = unavailable(ctx);
  if (none) return none;
  try {
    const r = await procsOf(ctx.cluster)!.service.wait(npid, ms);
    if (signal.aborted) return failure(499, 'client_gone', 'the client gave up');
    return { status: 200, body: recordJson(r) };
  } catch (e) {
    return errorResponse(e);
  }
}

export const PROCS_ROUTES: readonly Route[] = [
  { method: 'POST', pattern: /^\/v1\/spawn$/, name: 'spawn', handler: spawn, bodyMax: SPAWN_BODY_MAX },
  { method: 'GET', pattern: /^\/v1\/cluster\/processes$/, name: 'cluster-processes', handler: table },
  { method: 'GET', pattern: /^\/v1\/npids\/([^/]*)$/, name: 'npid', handler: record },
  { method: 'POST', pattern: /^\/v1\/npids\/([^/]*)\/kill$/, name: 'npid-kill', handler: kill },
  { method: 'POST', pattern: /^\/v1\/npids\/([^/]*)\/logs$/, name: 'npid-logs', handler: logs },
  { method: 'POST', pattern: /^\/v1\/npids\/([^/]*)\/wait$/, name: 'npid-wait', handler: wait },
];
