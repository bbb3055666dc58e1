// The admin API's routes (docs/admin-api.md): each handler validates its input, calls the kernel
// between run quanta, and returns a response value — errors included — for the server to send.
import { type Kernel, KernelError } from '../kernel/kernel.js';
import { checkCheckpointBody, checkKillBody, checkPid, checkRestoreBody } from './admin-validate.js';
import { sweepStaleTemps, writeFileAtomic } from './atomic-file.js';
import type { ClusterNet } from './cluster-net.js';
import type { NodeIdentity } from './home.js';
import { checkCheckpointDestination, readImageFile } from './image-file.js';
import { pidAlive } from './lock.js';
import type { Logger } from './logger.js';
import type { NodeMetrics } from './metrics.js';
import { formatNodeId, type NodeKernel, NotImplementedError, type ProcessInfo } from './node-kernel.js';
import { procsOf } from './procs-service.js';
import { SIGCONT, SIGSTOP } from './signal-names.js';

/** What every handler may use. */
export interface AdminContext {
  readonly kernel: NodeKernel;
  readonly identity: NodeIdentity;
  readonly home: string;
  /** performance.now() when the node started. */
  readonly startedAt: number;
  readonly metrics: NodeMetrics;
  readonly log: Logger;
  /** Tells the driver the kernel may have work again (a restore, a SIGCONT). */
  changed(): void;
  /** The node's real kernel (undefined when a test double drives the node). */
  readonly machine?: Kernel | undefined;
  /** The node's network side, when it was started with --listen (set once it is up). */
  cluster?: ClusterNet | undefined;
}

export interface AdminResponse {
  status: number;
  /** A JSON body, or exposition text when contentType is set. */
  body: unknown;
  contentType?: string;
}

/**
 * A route handler. `signal` is aborted when the client gives up (closes the connection or its
 * deadline passes): a handler that has awaited must check it before changing anything, so a request
 * nobody waits for any more never takes effect later (a restore would create a process twice).
 */
type Handler = (
  ctx: AdminContext,
  params: string[],
  body: string,
  signal: AbortSignal,
) => AdminResponse | Promise<AdminResponse>;

export interface Route {
  method: 'GET' | 'POST';
  /** Matched against the URL path; groups are the path parameters. */
  pattern: RegExp;
  /** The route's name in logs and metrics. */
  name: string;
  handler: Handler;
  /** Largest request body this route takes (default ADMIN_BODY_MAX). */
  bodyMax?: number;
}

/** An error response: `{error: {code, message}}`. */
export function failure(status: number, code: string, message: string): AdminResponse {
  return { status, body: { error: { code, message } } };
}

const ok = (body: unknown, status = 200): AdminResponse => ({ status, body });

/** Errors a kernel throws to refuse an operation on bad input (as opposed to a bug). */
function isKernelRefusal(err: unknown): err is Error {
  return err instanceof KernelError || (err instanceof Error && err.name === 'ImageError');
}

function findProcess(kernel: NodeKernel, pid: number): ProcessInfo | undefined {
  return kernel.listProcesses().find((p) => p.pid === pid);
}

function getNode(ctx: AdminContext): AdminResponse {
  const processes = ctx.kernel.listProcesses();
  const byState: Record<string, number> = {};
  for (const p of processes) byState[p.state] = (byState[p.state] ?? 0) + 1;
  const { id, name, created, oneshot } = ctx.identity;
  return ok({
    id,
    npidPrefix: formatNodeId(id),
    name,
    created,
    oneshot,
    home: ctx.home,
    hostPid: process.pid,
    uptimeSeconds: (performance.now() - ctx.startedAt) / 1000,
    instructions: ctx.kernel.instructions,
    processes: {
      total: processes.length,
      live: processes.filter((p) => p.state !== 'zombie').length,
      byState,
    },
  });
}

function killProcess(ctx: AdminContext, [pidText]: string[], text: string): AdminResponse {
  const pid = checkPid(pidText ?? '');
  if (!pid.ok) return failure(400, 'bad_request', pid.message);
  const body = checkKillBody(text);
  if (!body.ok) return failure(400, 'bad_request', body.message);
  const result = ctx.kernel.kill(pid.value, body.value.signal);
  if (result === 0) {
    ctx.changed();
    ctx.log.info({ pid: pid.value, signal: body.value.signal }, 'signal sent');
    return ok({ pid: pid.value, signal: body.value.signal });
  }
  return errnoFailure(result, pid.value, body.value.signal);
}

function errnoFailure(errno: number, pid: number, signal: number): AdminResponse {
  if (errno === -1) return failure(403, 'forbidden', `pid ${pid} is a system server; it cannot be signalled`);
  if (errno === -3) return failure(404, 'no_such_process', `no process with pid ${pid}`);
  if (errno === -22) return failure(400, 'bad_request', `signal ${signal} is not valid for this kernel`);
  if (errno === -38)
    return failure(501, 'not_implemented', `this kernel cannot deliver signal ${signal} yet`);
  return failure(500, 'internal', `kernel returned errno ${-errno}`);
}

async function checkpointProcess(
  ctx: AdminContext,
  [pidText]: string[],
  text: string,
  signal: AbortSignal,
): Promise<AdminResponse> {
  const pid = checkPid(pidText ?? '');
  if (!pid.ok) return failure(400, 'bad_request', pid.message);
  const body = checkCheckpointBody(text);
  if (!body.ok) return failure(400, 'bad_request', body.message);
  const { kernel } = ctx;
  const before = findProcess(kernel, pid.value);
  if (before === undefined) return failure(404, 'no_such_process', `no process with pid ${pid.value}`);
  if (before.state === 'zombie') return failure(409, 'conflict', `process ${pid.value} has exited`);
  const refusal = await checkCheckpointDestination(body.value.path, ctx.home);
  if (refusal !== undefined) return failure(refusal.status, refusal.code, refusal.message);
  // Partial files an earlier checkpoint left when its node was killed mid-write.
  await sweepStaleTemps(body.value.path, pidAlive);
  if (signal.aborted) return failure(499, 'client_gone', 'the client gave up; nothing was done');
  if (findProcess(kernel, pid.value)?.state === 'zombie')
    return failure(409, 'conflict', `process ${pid.value} has exited`);
  const { group } = body.value;
  if (group && (kernel.groupOf === undefined || kernel.checkpointGroup === undefined))
    return failure(501, 'not_implemented', 'this kernel cannot checkpoint groups');
  let members: number[];
  try {
    members = group ? kernel.groupOf!(pid.value) : [pid.value];
  } catch (err) {
    if (isKernelRefusal(err))
      return failure(409, 'conflict', `cannot checkpoint pid ${pid.value}: ${err.message}`);
    throw err;
  }
  // Stop first, so the image is the state the processes stay in; resume them if the write fails.
  // Without "stop" nothing is stopped: the processes and their parents do not notice the capture.
  const stopHere = body.value.stop
    ? members.filter((m) => findProcess(kernel, m)?.state !== 'suspended')
    : [];
  for (const m of stopHere) {
    const stopped = kernel.kill(m, SIGSTOP);
    if (stopped !== 0) return errnoFailure(stopped, m, SIGSTOP);
  }
  const resume = (): void => {
    for (const m of stopHere) kernel.kill(m, SIGCONT);
  };
  let image: Uint8Array;
  try {
    image = group ? kernel.checkpointGroup!(pid.value) : kernel.checkpoint(pid.value);
  } catch (err) {
    resume();
    if (err instanceof NotImplementedError) return failure(501, 'not_implemented', err.message);
    if (isKernelRefusal(err))
      return failure(409, 'conflict', `cannot checkpoint pid ${pid.value}: ${err.message}`);
    throw err;
  }
  try {
    await writeFileAtomic(body.value.path, image);
  } catch (err) {
    resume();
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    return failure(422, 'io_error', `cannot write image to ${body.value.path}: ${code}`);
  }
  ctx.log.info(
    { pid: pid.value, path: body.value.path, bytes: image.length, stop: body.value.stop },
    'checkpoint',
  );
  // Captured and left stopped: the registry says checkpointed for the cluster's processes.
  if (body.value.stop) {
    const procs = procsOf(ctx.cluster);
    for (const m of members) {
      const npid = findProcess(kernel, m)?.npid;
      if (npid !== undefined) procs?.markCheckpointed(npid);
    }
  }
  return ok({
    pid: pid.value,
    npid: before.npid,
    path: body.value.path,
    bytes: image.length,
    stopped: body.value.stop,
    ...(group ? { members: members.map((m) => ({ pid: m, npid: findProcess(kernel, m)?.npid })) } : {}),
  });
}

async function restoreProcess(
  ctx: AdminContext,
  _params: string[],
  text: string,
  signal: AbortSignal,
): Promise<AdminResponse> {
  const body = checkRestoreBody(text);
  if (!body.ok) return failure(400, 'bad_request', body.message);
  const image = await readImageFile(body.value.path, ctx.kernel);
  if (!(image instanceof Uint8Array)) return failure(image.status, image.code, image.message);
  // The client gave up while the file was read: do not create a process nobody asked for any more.
  if (signal.aborted) return failure(499, 'client_gone', 'the client gave up; nothing was restored');
  let pids: number[];
  try {
    pids = ctx.kernel.restoreAll !== undefined ? ctx.kernel.restoreAll(image) : [ctx.kernel.restore(image)];
  } catch (err) {
    if (err instanceof NotImplementedError) return failure(501, 'not_implemented', err.message);
    // A bad image is the file's fault (422); a full node (process or thread limit, memory) is a conflict (409).
    if (err instanceof Error && err.name === 'ImageError')
      return failure(422, 'bad_image', `cannot restore ${body.value.path}: ${err.message}`);
    if (err instanceof KernelError)
      return failure(409, 'conflict', `cannot restore ${body.value.path}: ${err.message}`);
    throw err;
  }
  ctx.changed();
  const pid = pids[0]!;
  const info = findProcess(ctx.kernel, pid);
  ctx.log.info({ pid, members: pids.length, path: body.value.path }, 'restore');
  const members = pids.map((m) => ({ pid: m, npid: findProcess(ctx.kernel, m)?.npid }));
  return ok({ pid, npid: info?.npid, ...(pids.length > 1 ? { members } : {}) }, 201);
}

async function scrape(ctx: AdminContext): Promise<AdminResponse> {
  const { text, contentType } = await ctx.metrics.scrape();
  return { status: 200, body: text, contentType };
}

export const ROUTES: readonly Route[] = [
  { method: 'GET', pattern: /^\/v1\/node$/, name: 'node', handler: getNode },
  {
    method: 'GET',
    pattern: /^\/v1\/processes$/,
    name: 'processes',
    handler: (ctx) => ok({ processes: ctx.kernel.listProcesses() }),
  },
  { method: 'POST', pattern: /^\/v1\/processes\/([^/]*)\/kill$/, name: 'kill', handler: killProcess },
  {
    method: 'POST',
    pattern: /^\/v1\/processes\/([^/]*)\/checkpoint$/,
    name: 'checkpoint',
    handler: checkpointProcess,
  },
  { method: 'POST', pattern: /^\/v1\/restore$/, name: 'restore', handler: restoreProcess },
  { method: 'GET', pattern: /^\/metrics$/, name: 'metrics', handler: scrape },
];
