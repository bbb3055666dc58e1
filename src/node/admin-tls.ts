// The mTLS admin listener (`node start --admin-listen HOST:PORT`, docs/security.md "Admin clients"):
// the admin API over HTTPS for clients elsewhere. A client shows a certificate of the cluster CA
// (`pakaya cluster credential NAME` issues one; a node certificate works too); its principal is
// `client:<name>` (or `node:<8hex>`) from that certificate. Every request is checked against the
// registry's ACLs on this node's replica for the right its route needs (admin-access.ts): no or a
// foreign certificate gets 401, a revoked certificate or a principal without the right 403.
import { createServer, type Server } from 'node:https';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import {
  fingerprint as certFingerprint,
  clusterIdFromCertificate,
  IdentityError,
  principalFromCertificate,
} from '../cluster/identity/index.js';
import { DEFAULT_RIGHT, rightFor } from './admin-access.js';
import type { AdminContext, AdminResponse } from './admin-routes.js';
import { failure } from './admin-routes.js';
import { type AdminGuard, AdminServerError, configure, requestListener } from './admin-server.js';
import { ADMIN_IDLE_TIMEOUT_MS, ADMIN_REQUEST_TIMEOUT_MS } from './limits.js';

export interface AdminTlsOptions {
  host: string;
  port: number;
  /** This node's key and certificate (PEM): what the listener shows clients. */
  keyPem: string;
  certPem: string;
  /** The cluster CA certificate (PEM): the only issuer whose client certificates are accepted. */
  caPem: string;
  clusterId: string;
}

/** Who a connection is: its principal and its certificate's fingerprint. */
interface Client {
  principal: string;
  fingerprint: string;
}

const unauthenticated = (why: string): AdminResponse =>
  failure(
    401,
    'unauthenticated',
    `${why}; the admin listener needs a client certificate of this cluster's CA (pakaya cluster credential NAME)`,
  );

/** Reads the principal from a connection's verified client certificate, or the 401 saying why not. */
function identify(socket: TLSSocket, clusterId: string): Client | AdminResponse {
  const cert = socket.getPeerCertificate();
  if (!cert || cert.raw === undefined) return unauthenticated('no client certificate');
  if (!socket.authorized)
    return unauthenticated(
      `the client certificate is not from this cluster's CA (${String(socket.authorizationError ?? 'unverified')})`,
    );
  try {
    const principal = principalFromCertificate(cert.raw);
    if (clusterIdFromCertificate(cert.raw) !== clusterId)
      return unauthenticated('the client certificate names another cluster');
    return { principal, fingerprint: certFingerprint(cert.raw) };
  } catch (err) {
    if (err instanceof IdentityError) return unauthenticated(`bad client certificate: ${err.message}`);
    throw err;
  }
}

/** The access check of the mTLS listener: authentication per connection, the ACL per request. */
export function tlsGuard(ctx: AdminContext, clusterId: string): AdminGuard {
  const clients = new WeakMap<Socket, Client | AdminResponse>();
  return (req, body) => {
    const socket = req.socket as TLSSocket;
    let who = clients.get(socket);
    if (who === undefined) {
      who = identify(socket, clusterId);
      clients.set(socket, who);
      if ('status' in who) ctx.log.warn({ remote: socket.remoteAddress }, 'admin listener: refused a client');
    }
    if ('status' in who) return who;
    if (body === undefined) return undefined;
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const right = rightFor(req.method ?? 'GET', path, body) ?? DEFAULT_RIGHT;
    const cluster = ctx.cluster;
    if (!cluster) return failure(503, 'not_ready', 'the node has no cluster registry yet');
    if (cluster.isRevoked(who.principal, who.fingerprint)) {
      ctx.log.warn({ principal: who.principal, path }, 'admin listener: refused a revoked credential');
      return failure(403, 'revoked', `the credential of ${who.principal} is revoked`);
    }
    if (!cluster.registry.allowedLocal(who.principal, right)) {
      ctx.log.warn({ principal: who.principal, path, right }, 'admin listener: refused, no right');
      return failure(403, 'forbidden', `${who.principal} does not hold the ${right} right`);
    }
    return undefined;
  };
}

export class AdminTlsServer {
  private constructor(
    private readonly server: Server,
    /** host:port bound (the OS-chosen port when 0 was asked). */
    readonly address: string,
  ) {}

  static async listen(ctx: AdminContext, o: AdminTlsOptions): Promise<AdminTlsServer> {
    const server = createServer(
      {
        key: o.keyPem,
        cert: o.certPem,
        ca: [o.caPem],
        requestCert: true,
        // Verified here, not in the handshake: a refused client gets a JSON 401 saying why.
        rejectUnauthorized: false,
        minVersion: 'TLSv1.3',
        connectionsCheckingInterval: Math.min(1000, ADMIN_REQUEST_TIMEOUT_MS),
      },
      requestListener(ctx, tlsGuard(ctx, o.clusterId)),
    );
    configure(server, ADMIN_REQUEST_TIMEOUT_MS, ADMIN_IDLE_TIMEOUT_MS);
    server.on('tlsClientError', (err) => ctx.log.debug({ err: err.message }, 'admin listener: TLS error'));
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err) =>
        reject(new AdminServerError(`--admin-listen: cannot listen on ${o.host}:${o.port}: ${err.message}`)),
      );
      server.listen(o.port, o.host, () => resolve());
    });
    const bound = server.address();
    const port = typeof bound === 'object' && bound !== null ? bound.port : o.port;
    const host = o.host.includes(':') ? `[${o.host}]` : o.host;
    return new AdminTlsServer(server, `${host}:${port}`);
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }
}
