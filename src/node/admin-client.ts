// A client for a node's admin API (what `pakaya ps`, `kill`, `checkpoint`, `restore`, ... use): over
// the unix socket in the node's home, or over mTLS to a node's --admin-listen address with an admin
// client credential (--admin HOST:PORT --credential FILE). Errors are typed: NodeNotRunningError when
// nothing serves the socket or the address, AdminError for an error answer from the node.
import { type IncomingMessage, request } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Credential } from './credential.js';
import { homePaths } from './home.js';
import { ADMIN_CLIENT_TIMEOUT_MS } from './limits.js';
import type { ProcessInfo } from './node-kernel.js';

export class NodeNotRunningError extends Error {
  override readonly name = 'NodeNotRunningError';
}

export class AdminError extends Error {
  override readonly name = 'AdminError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface NodeStatus {
  id: number;
  npidPrefix: string;
  name: string;
  created: string;
  oneshot: boolean;
  home: string;
  hostPid: number;
  uptimeSeconds: number;
  instructions: number;
  processes: { total: number; live: number; byState: Record<string, number> };
}

export interface Answer {
  status: number;
  contentType: string;
  text: string;
}

/** A node's mTLS admin listener and the credential to show it. */
export interface AdminTarget {
  host: string;
  port: number;
  credential: Credential;
}

export class AdminClient {
  readonly socketPath: string;

  constructor(
    readonly home: string,
    private readonly timeoutMs = ADMIN_CLIENT_TIMEOUT_MS,
    /** Another node (8 hex digits): call() is forwarded to it over the local node's mTLS link (--node). */
    readonly remote?: string | undefined,
    /** Talk to this mTLS admin listener instead of the home's socket (--admin, --credential). */
    readonly target?: AdminTarget | undefined,
  ) {
    this.socketPath = homePaths(home).socket;
  }

  /** Where requests go, for messages. */
  get where(): string {
    return this.target ? `https://${this.target.host}:${this.target.port}` : this.home;
  }

  /** One raw request; rejects with NodeNotRunningError when nothing listens on the socket. */
  send(method: string, path: string, body?: string, headers: Record<string, string> = {}): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const t = this.target;
      const common = {
        method,
        path,
        headers: body === undefined ? headers : { 'Content-Type': 'application/json', ...headers },
        timeout: this.timeoutMs,
      };
      const answer = (res: IncomingMessage): void => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            contentType: String(res.headers['content-type'] ?? ''),
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      };
      const req = t
        ? httpsRequest(
            {
              ...common,
              host: t.host,
              port: t.port,
              key: t.credential.keyPem,
              cert: t.credential.certPem,
              ca: [t.credential.caPem],
              minVersion: 'TLSv1.3',
              // The node's certificate names a node id, not a host name: the chain to the cluster CA
              // is what identifies it (as on node links).
              checkServerIdentity: () => undefined,
            },
            answer,
          )
        : request({ ...common, socketPath: this.socketPath }, answer);
      req.on('timeout', () =>
        req.destroy(new Error(`the node at ${this.where} did not answer in ${this.timeoutMs} ms`)),
      );
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (t && err.code === 'ECONNREFUSED')
          reject(
            new NodeNotRunningError(
              `nothing listens on ${this.where} (is the node started with --admin-listen?)`,
            ),
          );
        else if (t && /CERT|SELF_SIGNED|UNABLE_TO_VERIFY/.test(err.code ?? ''))
          reject(
            new AdminError(
              0,
              'tls',
              `${this.where} shows no certificate of the credential's cluster CA (${err.message}): is the credential for this cluster?`,
            ),
          );
        else if (t) reject(new AdminError(0, 'tls', `${this.where}: ${err.message}`));
        else if (err.code === 'ENOENT' || err.code === 'ECONNREFUSED' || err.code === 'ENOTDIR') {
          const why =
            err.code === 'ECONNREFUSED' ? 'admin.sock is left over, nothing listens on it' : 'no admin.sock';
          reject(
            new NodeNotRunningError(
              `no node is running at ${this.home} (${why}); start one with 'pakaya node start'`,
            ),
          );
        } else reject(err);
      });
      req.end(body);
    });
  }

  /** A JSON request; resolves to the answer's body, rejects with AdminError for an error status. */
  async call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const text = body === undefined ? undefined : JSON.stringify(body);
    const answer =
      this.remote === undefined
        ? await this.send(method, path, text)
        : await this.send(
            'POST',
            '/v1/forward',
            JSON.stringify({
              node: this.remote,
              method,
              path,
              ...(text === undefined ? {} : { body: text }),
            }),
          );
    let parsed: unknown;
    try {
      parsed = JSON.parse(answer.text);
    } catch {
      throw new AdminError(
        answer.status,
        'bad_answer',
        `the node sent a non-JSON answer (HTTP ${answer.status})`,
      );
    }
    if (answer.status >= 400) {
      const error = (parsed as { error?: { code?: string; message?: string } }).error;
      throw new AdminError(
        answer.status,
        error?.code ?? 'unknown',
        error?.message ?? `HTTP ${answer.status}`,
      );
    }
    return parsed as T;
  }

  node(): Promise<NodeStatus> {
    return this.call('GET', '/v1/node');
  }

  async processes(): Promise<ProcessInfo[]> {
    return (await this.call<{ processes: ProcessInfo[] }>('GET', '/v1/processes')).processes;
  }

  kill(pid: number, signal: number): Promise<{ pid: number; signal: number }> {
    return this.call('POST', `/v1/processes/${pid}/kill`, { signal });
  }

  checkpoint(
    pid: number,
    path: string,
    stop: boolean,
    group = false,
  ): Promise<{
    pid: number;
    npid: string;
    path: string;
    bytes: number;
    stopped: boolean;
    members?: { pid: number; npid: string | undefined }[];
  }> {
    return this.call(
      'POST',
      `/v1/processes/${pid}/checkpoint`,
      group ? { path, stop, group } : { path, stop },
    );
  }

  restore(path: string): Promise<{
    pid: number;
    npid: string | undefined;
    members?: { pid: number; npid: string | undefined }[];
  }> {
    return this.call('POST', '/v1/restore', { path });
  }
}
