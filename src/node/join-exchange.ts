// The join exchange on real sockets (docs/security.md, docs/protocol.md "Join exchange"). The
// joiner dials a seed over TLS without a client certificate and sends one JoinRequest frame; the
// CA node's listener hands such a certificate-less connection here (TlsTransport's
// onUnauthenticated hook), answers with answerJoinRequest and one JoinResponse frame, then closes.
// The joiner trusts nothing the connection says until acceptJoinResponse has checked the CA
// against the token's fingerprint, and it checks the seed's own certificate was issued by that CA.
import { X509Certificate } from 'node:crypto';
import * as tls from 'node:tls';
import {
  acceptJoinResponse,
  IdentityError,
  type IdentityRefusal,
  type JoinedIdentity,
  type PreparedJoin,
} from '../cluster/identity/index.js';
import { encodeFrame, FrameReader, FrameType, LANE_CONTROL } from '../net/frame.js';
import { asNodeId, formatNodeId, type NodeId } from '../net/node-id.js';
import { nodeIdOfCertificate } from '../net/peer-identity.js';
import { JoinRequestSchema, JoinResponseSchema } from './gen/pakaya/node/v1/node_pb.js';
import { answerJoinRequest, loadCaState } from './identity-store.js';
import { JOIN_CONCURRENT_MAX, JOIN_FRAME_MAX, JOIN_TIMEOUT_MS } from './limits.js';
import type { Logger } from './logger.js';
import { AppType, decode, encode } from './wire.js';

/** The join could not even be asked (no answer, not a Pakaya node, connection failed). */
export class JoinExchangeError extends Error {
  override readonly name = 'JoinExchangeError';
}

/** Reads exactly one APP frame of `appType` from `socket` within JOIN_TIMEOUT_MS. */
function readOneFrame(socket: tls.TLSSocket, appType: number, what: string): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    let done = false;
    const finish = (err: Error | undefined, payload?: Uint8Array): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('close', onClose);
      socket.off('error', onError);
      if (err) reject(err);
      else resolve(payload as Uint8Array);
    };
    const reader = new FrameReader(
      {
        frame: (type, _lane, app, payload) => {
          if (type !== FrameType.APP || app !== appType)
            finish(new JoinExchangeError(`expected a ${what}, got frame type ${type}/${app}`));
          else finish(undefined, payload.slice());
        },
      },
      JOIN_FRAME_MAX,
    );
    const onData = (chunk: Buffer): void => {
      const err = reader.push(chunk);
      if (err) finish(new JoinExchangeError(`bad ${what}: ${err.message}`));
    };
    const onClose = (): void => finish(new JoinExchangeError(`connection closed before the ${what}`));
    const onError = (e: Error): void => finish(new JoinExchangeError(`${what}: ${e.message}`));
    const timer = setTimeout(
      () => finish(new JoinExchangeError(`no ${what} within ${JOIN_TIMEOUT_MS} ms`)),
      JOIN_TIMEOUT_MS,
    );
    socket.on('data', onData);
    socket.once('close', onClose);
    socket.on('error', onError);
  });
}

/** The CA side: serves join exchanges on certificate-less connections, one request each. */
/** A JoinResponse's fields. */
export type JoinAnswer = NonNullable<Parameters<typeof encode<typeof JoinResponseSchema>>[1]>;

export const NOT_CA: JoinAnswer = {
  ok: false,
  errorCode: 'not-ca',
  errorMessage:
    'this seed is not the cluster CA node and has no link to it; use the CA node as the --join seed',
};

export class JoinServer {
  private active = 0;
  /** On a member that is not the CA node: sends a join request to the CA node over the mTLS link. */
  forward: ((token: string, csrPem: string) => Promise<JoinAnswer>) | undefined;
  constructor(
    private readonly home: string,
    private readonly log: Logger,
    private readonly self?: NodeId,
  ) {}

  /** Takes over `socket` (a TLS connection without a client certificate). Never throws. */
  serve(socket: tls.TLSSocket): void {
    const remote = `${socket.remoteAddress}:${socket.remotePort}`;
    socket.on('error', () => {});
    if (this.active >= JOIN_CONCURRENT_MAX) {
      this.log.warn({ remote }, 'join refused: too many join exchanges at once');
      socket.destroy();
      return;
    }
    this.active++;
    this.exchange(socket, remote)
      .catch((err: unknown) => {
        this.log.warn({ remote, err: (err as Error).message }, 'join exchange failed');
      })
      .finally(() => {
        this.active--;
        socket.end();
        setTimeout(() => socket.destroy(), 1000).unref();
      });
  }

  private async exchange(socket: tls.TLSSocket, remote: string): Promise<void> {
    const payload = await readOneFrame(socket, AppType.JOIN_REQUEST, 'join request');
    const request = decode(JoinRequestSchema, payload);
    if (request instanceof Error) throw request;
    const reply = (init: JoinAnswer): void => {
      socket.write(
        encodeFrame(FrameType.APP, LANE_CONTROL, AppType.JOIN_RESPONSE, encode(JoinResponseSchema, init)),
      );
    };
    let isCa = true;
    try {
      loadCaState(this.home);
    } catch {
      isCa = false;
    }
    if (!isCa) {
      const forward = this.forward;
      if (!forward) {
        this.log.warn({ remote }, 'join refused: this node is not the CA node and cannot reach it');
        reply(NOT_CA);
        return;
      }
      const answer = await forward(request.token, request.csrPem);
      this.log.info(
        { remote, ok: answer.ok, reason: answer.errorCode },
        'join request forwarded to the CA node',
      );
      reply(answer);
      return;
    }
    reply(await this.answer(request.token, request.csrPem, remote));
  }

  /** Answers a join request on the CA node (from a certificate-less connection or forwarded by a member). */
  async answer(token: string, csrPem: string, from: string): Promise<JoinAnswer> {
    const outcome = await answerJoinRequest(this.home, { token, csrPem }, Date.now());
    if (!outcome.ok) {
      this.log.warn({ remote: from, reason: outcome.error.reason }, `join refused: ${outcome.error.message}`);
      return { ok: false, errorCode: outcome.error.reason, errorMessage: outcome.error.message };
    }
    const r = outcome.response;
    this.log.info({ remote: from, joined: formatNodeId(outcome.nodeId) }, 'node joined the cluster');
    return {
      ok: true,
      clusterId: r.clusterId,
      nodeCertPem: r.nodeCertPem,
      caCertPem: r.caCertPem,
      clusterKey: r.clusterKey,
      caNodeId: this.self ?? 0,
    };
  }
}

const REFUSALS: ReadonlySet<string> = new Set<IdentityRefusal>([
  'no-token',
  'malformed-token',
  'unknown-token',
  'wrong-secret',
  'expired-token',
  'reused-token',
  'ca-mismatch',
  'bad-request',
  'bad-certificate',
  'not-a-node',
  'revoked',
  'limit',
]);

function splitAddress(address: string): { host: string; port: number } {
  const m = /^(.*):(\d{1,5})$/.exec(address);
  if (!m) throw new JoinExchangeError(`bad seed address '${address}' (expected HOST:PORT)`);
  return { host: (m[1] as string).replace(/^\[(.*)\]$/, '$1'), port: Number(m[2]) };
}

/**
 * The joiner side: asks the seed at `address` for a certificate and returns the checked identity
 * (not yet stored). Throws IdentityError on a refusal or a CA that is not the token's, and
 * JoinExchangeError when the exchange itself fails.
 */
export async function requestJoin(
  address: string,
  prepared: PreparedJoin,
): Promise<{ joined: JoinedIdentity; caNodeId: NodeId | undefined }> {
  const { host, port } = splitAddress(address);
  const socket = tls.connect({
    host,
    port,
    minVersion: 'TLSv1.3',
    // We do not know the CA yet: the token's fingerprint decides after the answer (below).
    rejectUnauthorized: false,
    checkServerIdentity: () => undefined,
  });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new JoinExchangeError(`no TLS handshake with ${address} within ${JOIN_TIMEOUT_MS} ms`)),
        JOIN_TIMEOUT_MS,
      );
      socket.once('secureConnect', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.once('error', (e) => {
        clearTimeout(timer);
        reject(new JoinExchangeError(`cannot reach the seed ${address}: ${e.message}`));
      });
    });
    socket.on('error', () => {});
    const serverCert = socket.getPeerX509Certificate();
    const answer = readOneFrame(socket, AppType.JOIN_RESPONSE, 'join response');
    socket.write(
      encodeFrame(
        FrameType.APP,
        LANE_CONTROL,
        AppType.JOIN_REQUEST,
        encode(JoinRequestSchema, { token: prepared.request.token, csrPem: prepared.request.csrPem }),
      ),
    );
    const response = decode(JoinResponseSchema, await answer);
    if (response instanceof Error) throw new JoinExchangeError(response.message);
    if (!response.ok) {
      const reason = REFUSALS.has(response.errorCode)
        ? (response.errorCode as IdentityRefusal)
        : 'bad-request';
      throw new IdentityError(reason, `the seed refused the join: ${response.errorMessage.slice(0, 300)}`);
    }
    const joined = await acceptJoinResponse(
      prepared,
      {
        clusterId: response.clusterId,
        nodeCertPem: response.nodeCertPem,
        caCertPem: response.caCertPem,
        clusterKey: response.clusterKey,
      },
      Date.now(),
    );
    const ca = new X509Certificate(joined.caCertPem);
    if (!serverCert?.checkIssued(ca) || !serverCert.verify(ca.publicKey)) {
      throw new IdentityError('ca-mismatch', `the seed ${address} shows a certificate its CA did not issue`);
    }
    const caNodeId = response.caNodeId !== 0 ? asNodeId(response.caNodeId) : nodeIdOfCertificate(serverCert);
    return { joined, caNodeId };
  } finally {
    socket.destroy();
  }
}
