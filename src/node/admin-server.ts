// The admin API server: HTTP/JSON (node:http) on the unix socket admin.sock in the node's home, mode
// 0600 inside a 0700 home, so only the node's user can reach it. (The cluster adds authentication
// and remote routes later.) Bodies are size-limited, every request gets a JSON answer, and no
// request can crash the node: a failing handler is a logged 500.
import { chmodSync, lstatSync, unlinkSync } from 'node:fs';
import {
  createServer,
  type IncomingMessage,
  type RequestListener,
  type Server,
  type ServerResponse,
} from 'node:http';
import { streamMigrate } from './admin-migrate.js';
import { route } from './admin-router.js';
import type { AdminContext, AdminResponse } from './admin-routes.js';
import { failure } from './admin-routes.js';
import { streamTrace } from './admin-trace.js';
import {
  ADMIN_BODY_MAX,
  ADMIN_CONNECTIONS_MAX,
  ADMIN_IDLE_TIMEOUT_MS,
  ADMIN_REQUEST_TIMEOUT_MS,
  SOCKET_PATH_MAX,
} from './limits.js';

export class AdminServerError extends Error {
  override readonly name = 'AdminServerError';
}

export interface AdminServerOptions {
  /** Time a client has to send a whole request (default ADMIN_REQUEST_TIMEOUT_MS). */
  requestTimeoutMs?: number;
  /** Time a connection may stay silent, before or between requests (default ADMIN_IDLE_TIMEOUT_MS). */
  idleTimeoutMs?: number;
}

type Body = { ok: true; text: string } | { ok: false; response: AdminResponse };

/** Reads a request body of at most `max` bytes (ADMIN_BODY_MAX unless the route says otherwise). */
function readBody(req: IncomingMessage, max = ADMIN_BODY_MAX): Promise<Body> {
  const tooLarge: Body = {
    ok: false,
    response: failure(413, 'too_large', `request body is larger than ${max} bytes`),
  };
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > max) return Promise.resolve(tooLarge);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        req.removeAllListeners('data');
        req.pause();
        resolve(tooLarge);
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve({ ok: true, text: Buffer.concat(chunks).toString('utf8') }));
    req.on('error', reject);
  });
}

/**
 * Runs one request against the routes without HTTP (requests forwarded from another node); `signal`
 * aborts when the asker is gone (the forwarding link went down), never by default.
 */
export async function dispatch(
  ctx: AdminContext,
  method: string,
  path: string,
  body: string,
  signal: AbortSignal = new AbortController().signal,
): Promise<AdminResponse> {
  const found = route(method, path);
  if ('response' in found) return found.response;
  return found.route.handler(ctx, found.params, body, signal);
}

/**
 * Decides whether a request may run (the mTLS listener's access check): undefined lets it run, a
 * response refuses it. Called with `body` undefined before a body is read (authentication only, so
 * an unauthenticated client never gets its body read), then with the body (a forward's right depends
 * on the request it carries).
 */
export type AdminGuard = (req: IncomingMessage, body: string | undefined) => AdminResponse | undefined;

async function respond(
  ctx: AdminContext,
  req: IncomingMessage,
  signal: AbortSignal,
  guard: AdminGuard | undefined,
): Promise<{ response: AdminResponse; name: string }> {
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  const found = route(req.method ?? 'GET', path);
  if ('response' in found) {
    const refused = guard?.(req, '');
    return refused ? { response: refused, name: found.name } : found;
  }
  const { name } = found.route;
  const early = guard?.(req, undefined);
  if (early) return { response: early, name };
  let text = '';
  if (req.method === 'POST') {
    const type = req.headers['content-type'];
    if (type !== undefined && !/^application\/json\s*(;|$)/i.test(type)) {
      return {
        response: failure(415, 'unsupported_media_type', 'Content-Type must be application/json'),
        name,
      };
    }
    const body = await readBody(req, found.route.bodyMax);
    if (!body.ok) return { response: body.response, name };
    text = body.text;
  }
  const refused = guard?.(req, text);
  if (refused) return { response: refused, name };
  return { response: await found.route.handler(ctx, found.params, text, signal), name };
}

function send(res: ServerResponse, response: AdminResponse): void {
  if (res.headersSent || res.destroyed) return;
  const text =
    response.contentType !== undefined
      ? String(response.body)
      : `${JSON.stringify(response.body, null, 2)}\n`;
  res.statusCode = response.status;
  res.setHeader('Content-Type', response.contentType ?? 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  if (response.status === 413) res.setHeader('Connection', 'close');
  res.end(text);
}

/**
 * The request listener both servers use: the trace stream, or one request answered by its route,
 * with `guard` (the mTLS listener's access check) deciding first whether it may run.
 */
export function requestListener(ctx: AdminContext, guard: AdminGuard | undefined): RequestListener {
  return (req, res) => {
    res.on('error', () => {});
    if (req.method === 'GET' && (req.url ?? '').split('?')[0] === '/v1/net/trace') {
      const refused = guard?.(req, '');
      if (refused) {
        send(res, refused);
        return;
      }
      // A trace stream may be quiet for long: the idle deadline does not apply to it.
      req.socket.setTimeout(0);
      streamTrace(ctx, req, res);
      return;
    }
    const [path, query] = (req.url ?? '').split('?');
    const migrate = /^\/v1\/processes\/([^/]*)\/migrate$/.exec(path ?? '');
    if (req.method === 'POST' && migrate !== null && query === 'stream=1') {
      const refused = guard?.(req, '');
      if (refused) {
        send(res, refused);
        return;
      }
      // Progress lines may pause (a freeze, a slow round): the idle deadline does not apply.
      req.socket.setTimeout(0);
      streamMigrate(ctx, req, res, migrate[1] ?? '');
      return;
    }
    // The client gave up (closed the connection, or its deadline passed) before the answer.
    const gone = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) gone.abort();
    });
    const started = performance.now();
    respond(ctx, req, gone.signal, guard)
      .catch((err: unknown) => {
        ctx.log.error({ err, method: req.method, url: req.url }, 'admin request failed');
        return {
          response: failure(500, 'internal', `internal error: ${(err as Error).message}`),
          name: 'error',
        };
      })
      .then(({ response, name }) => {
        send(res, response);
        ctx.metrics.request(name, response.status);
        ctx.log.info(
          {
            method: req.method,
            url: req.url,
            status: response.status,
            ms: +(performance.now() - started).toFixed(2),
          },
          'admin request',
        );
      });
  };
}

/**
 * Limits and deadlines of an admin server: connections are checked against the deadlines often, not
 * every 30 s (Node's default), so idle or stalled clients cannot hold the connection slots for long.
 */
export function configure(server: Server, requestTimeout: number, idleTimeout: number): void {
  server.maxConnections = ADMIN_CONNECTIONS_MAX;
  server.requestTimeout = requestTimeout;
  server.headersTimeout = requestTimeout;
  server.keepAliveTimeout = idleTimeout;
  // Any connection silent for this long is closed, whether or not it ever sent a request: the
  // deadline holds for idle connections too, so they cannot lock the API out.
  server.setTimeout(idleTimeout);
}

export class AdminServer {
  private constructor(
    private readonly server: Server,
    readonly socketPath: string,
  ) {}

  /**
   * Serves the admin API on `socketPath`. A leftover socket file from a dead node is replaced (the
   * caller holds the home lock); any other file there is an error.
   */
  static async listen(
    socketPath: string,
    ctx: AdminContext,
    options: AdminServerOptions = {},
  ): Promise<AdminServer> {
    const requestTimeout = options.requestTimeoutMs ?? ADMIN_REQUEST_TIMEOUT_MS;
    const idleTimeout = options.idleTimeoutMs ?? ADMIN_IDLE_TIMEOUT_MS;
    if (Buffer.byteLength(socketPath) > SOCKET_PATH_MAX) {
      throw new AdminServerError(
        `admin socket path ${socketPath} is ${Buffer.byteLength(socketPath)} bytes; the limit is ${SOCKET_PATH_MAX}: use a shorter --home`,
      );
    }
    removeStaleSocket(socketPath);
    const server = createServer(
      { connectionsCheckingInterval: Math.min(1000, requestTimeout) },
      requestListener(ctx, undefined),
    );
    configure(server, requestTimeout, idleTimeout);
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err) =>
        reject(new AdminServerError(`cannot listen on ${socketPath}: ${err.message}`)),
      );
      server.listen(socketPath, () => resolve());
    });
    chmodSync(socketPath, 0o600);
    return new AdminServer(server, socketPath);
  }

  /** Stops serving: closes every connection and removes the socket file. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
    try {
      unlinkSync(this.socketPath);
    } catch {
      // already removed by the server
    }
  }
}

function removeStaleSocket(path: string): void {
  let isSocket: boolean;
  try {
    isSocket = lstatSync(path).isSocket();
  } catch {
    return;
  }
  if (!isSocket) throw new AdminServerError(`${path} exists and is not a socket; remove it`);
  unlinkSync(path);
}
