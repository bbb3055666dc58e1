// Node-to-node links over TCP + TLS 1.3 with mutual certificate authentication (node:tls). The
// peer's identity is the node id its certificate names (peer-identity.ts), checked against the node
// we meant to dial; then a Hello/HelloAck handshake negotiates the envelope version. Per peer: one
// connection, lanes and fragmentation (link.ts), keepalive pings, reconnect with jittered
// exponential backoff, bounded queues with back-pressure (we hand the socket at most
// socketHighWater bytes and wait for 'drain'), orderly drain on close.
import { X509Certificate } from 'node:crypto';
import * as tls from 'node:tls';
import { BufferPool, ByteBudget } from './buffers.js';
import type { Clock, Timer } from './clock.js';
import { assert, errorCode, kindOfCode, NetError } from './errors.js';
import {
  encodeFrame,
  FrameReader,
  FrameType,
  HEADER_BYTES,
  LANE_BULK,
  LANE_CONTROL,
  type Lane,
  MAX_VERSION,
  MIN_VERSION,
} from './frame.js';
import { FrameWriter } from './frame-writer.js';
import * as L from './limits.js';
import { DEFAULT_LANE_LIMITS, type LaneLimits, LinkReceiver, LinkSender } from './link.js';
import { type NetLogger, silentLogger } from './logger.js';
import {
  CreditSchema,
  decodeMessage,
  encodeMessage,
  GoawaySchema,
  HelloAckSchema,
  HelloSchema,
  PingSchema,
  PongSchema,
} from './messages.js';
import { LinkStats, netCounters } from './metrics.js';
import { formatNodeId, type NodeId } from './node-id.js';
import { nodeIdOfCertificate } from './peer-identity.js';
import { jitter, type Random } from './random.js';
import { systemClock } from './system-clock.js';
import type { LinkHandler, LinkState, LinkTransport, MessageHandler } from './transport.js';

export interface TlsTransportOptions {
  self: NodeId;
  clusterId: string;
  /** PEM: this node's private key, its certificate (naming `self`), the cluster CA certificate. */
  key: string;
  cert: string;
  ca: string;
  /** Where to listen (port 0: the OS picks; read `port` after start). Omit to only dial. */
  listen?: { host: string; port: number };
  /** Address book: node id -> "host:port". Updatable with setAddress(). */
  addresses?: Iterable<[NodeId, string]>;
  random: Random;
  clock?: Clock;
  logger?: NetLogger;
  /** Revocation hook: true refuses the peer (checked at every handshake). */
  isRevoked?: (peer: NodeId, fingerprint256: string) => boolean;
  limits?: Partial<LaneLimits>;
  nodeQueueBytes?: number;
  socketHighWater?: number;
  keepaliveMs?: number;
  keepaliveMisses?: number;
  handshakeTimeoutMs?: number;
  reconnectBaseMs?: number;
  reconnectMaxMs?: number;
  /** Bulk flow-control window (bytes sent and not yet credited). */
  bulkWindow?: number;
  /**
   * Join hook: with it, the listener also completes a TLS handshake with a client that shows NO
   * certificate and hands that socket over (the hook owns it: one join exchange, then close). A
   * client showing a certificate the CA did not sign is still refused. Without it, every inbound
   * connection must present a cluster certificate.
   */
  onUnauthenticated?: (socket: tls.TLSSocket) => void;
  /** Trace hook: called for every frame sent or received on an open link (net trace). */
  onFrame?: FrameTrace;
}

/** One frame as the trace hook sees it. */
export interface FrameTraceEvent {
  peer: NodeId;
  direction: 'in' | 'out';
  type: number;
  lane: number;
  /** Application type (APP frames), else 0. */
  appType: number;
  /** Payload bytes (the frame is HEADER_BYTES more). */
  size: number;
}
export type FrameTrace = (event: FrameTraceEvent) => void;

interface PendingPing {
  resolve: (rttUs: number) => void;
  reject: (e: NetError) => void;
  timer: Timer;
}

/** Per-peer state that outlives connections: queues, stats, reconnect. */
class PeerLink {
  readonly sender: LinkSender;
  readonly receiver: LinkReceiver;
  readonly stats = new LinkStats();
  conn: Conn | undefined;
  dialing: Conn | undefined;
  state: LinkState = 'down';
  wanted = false;
  everUp = false;
  attempt = 0;
  retry: Timer | undefined;
  keepalive: Timer | undefined;
  missed = 0;
  rxSinceCheck = false;
  flushQueued = false;
  /** Bulk bytes sent and not yet credited by the peer; bulk bytes received and not yet credited. */
  bulkInFlight = 0;
  bulkUncredited = 0;
  readonly pings = new Map<number, PendingPing>();
  constructor(
    readonly peer: NodeId,
    limits: LaneLimits,
    budget: ByteBudget,
    events: {
      message(lane: Lane, type: number, payload: Uint8Array): void;
      net(type: FrameType, p: Uint8Array): void;
    },
  ) {
    this.sender = new LinkSender(limits, budget);
    this.receiver = new LinkReceiver(limits, events);
  }
}

type ConnState = 'tls' | 'hello' | 'open' | 'closed';

/** One TLS connection (dialled or accepted); attached to a PeerLink once the handshake is done. */
class Conn {
  state: ConnState = 'tls';
  peer: NodeId | undefined;
  link: PeerLink | undefined;
  reader: FrameReader;
  timer: Timer | undefined;
  goaway = false;
  constructor(
    readonly socket: tls.TLSSocket,
    readonly dir: 'in' | 'out',
    handler: { frame(t: FrameType, l: number, a: number, p: Uint8Array): void },
  ) {
    this.reader = new FrameReader(handler, L.MAX_FRAME_PAYLOAD, { reuseFragmentBuffer: true });
  }
}

export class TlsTransport implements LinkTransport {
  readonly self: NodeId;
  private readonly o: Required<
    Omit<
      TlsTransportOptions,
      'listen' | 'addresses' | 'isRevoked' | 'limits' | 'onUnauthenticated' | 'onFrame'
    >
  > & {
    isRevoked: TlsTransportOptions['isRevoked'];
    onUnauthenticated: TlsTransportOptions['onUnauthenticated'];
  };
  /** The frame trace hook (settable while running: `net trace` attaches and detaches it). */
  onFrame: FrameTrace | undefined;
  private readonly limits: LaneLimits;
  private readonly clock: Clock;
  private readonly log: NetLogger;
  private readonly links = new Map<NodeId, PeerLink>();
  private readonly addressBook = new Map<NodeId, string>();
  private readonly budget: ByteBudget;
  private readonly pool = new BufferPool(L.WRITE_BATCH_BYTES);
  private readonly writer: FrameWriter;
  private server: tls.Server | undefined;
  private readonly conns = new Set<Conn>();
  private pendingInbound = 0;
  private readonly pendingKeys = new Set<string>();
  private messageHandlers: MessageHandler[] = [];
  private linkHandlers: LinkHandler[] = [];
  private closing = false;
  private nextNonce = 1;
  private boundPort = 0;

  private constructor(options: TlsTransportOptions) {
    this.self = options.self;
    this.clock = options.clock ?? systemClock;
    this.log = options.logger ?? silentLogger;
    this.limits = { ...DEFAULT_LANE_LIMITS, ...options.limits };
    this.o = {
      self: options.self,
      clusterId: options.clusterId,
      key: options.key,
      cert: options.cert,
      ca: options.ca,
      random: options.random,
      clock: this.clock,
      logger: this.log,
      isRevoked: options.isRevoked,
      onUnauthenticated: options.onUnauthenticated,
      nodeQueueBytes: options.nodeQueueBytes ?? L.NODE_QUEUE_BYTES,
      socketHighWater: options.socketHighWater ?? L.SOCKET_HIGH_WATER,
      keepaliveMs: options.keepaliveMs ?? L.KEEPALIVE_INTERVAL_MS,
      keepaliveMisses: options.keepaliveMisses ?? L.KEEPALIVE_MISSES,
      handshakeTimeoutMs: options.handshakeTimeoutMs ?? L.HANDSHAKE_TIMEOUT_MS,
      reconnectBaseMs: options.reconnectBaseMs ?? L.RECONNECT_BASE_MS,
      reconnectMaxMs: options.reconnectMaxMs ?? L.RECONNECT_MAX_MS,
      bulkWindow: options.bulkWindow ?? L.BULK_WINDOW_BYTES,
    };
    this.onFrame = options.onFrame;
    this.budget = new ByteBudget(this.o.nodeQueueBytes);
    this.writer = new FrameWriter(this.pool);
    const own = nodeIdOfCertificate(new X509Certificate(options.cert));
    if (own !== options.self) {
      throw new NetError(
        'auth',
        `our certificate names node ${own === undefined ? 'none' : formatNodeId(own)}, not ${formatNodeId(options.self)}`,
      );
    }
    // Fail at construction on a bad key/cert/CA (not at the first connection).
    tls.createSecureContext({ key: options.key, cert: options.cert, ca: options.ca, minVersion: 'TLSv1.3' });
    for (const [id, addr] of options.addresses ?? []) this.addressBook.set(id, addr);
  }

  /** Creates the transport and, with `listen`, binds it (resolves once listening). */
  static async start(options: TlsTransportOptions): Promise<TlsTransport> {
    const t = new TlsTransport(options);
    if (options.listen) await t.listen(options.listen.host, options.listen.port);
    return t;
  }

  /** The bound port (0 if not listening). */
  get port(): number {
    return this.boundPort;
  }

  private listen(host: string, port: number): Promise<void> {
    const server = tls.createServer({
      key: this.o.key,
      cert: this.o.cert,
      ca: this.o.ca,
      requestCert: true,
      // With the join hook, certificate checks move to accepted() so a certificate-less client
      // can reach the hook; a client with a foreign certificate is refused there.
      rejectUnauthorized: this.o.onUnauthenticated === undefined,
      minVersion: 'TLSv1.3',
      handshakeTimeout: this.o.handshakeTimeoutMs,
    });
    this.server = server;
    server.on('connection', (raw) => {
      if (this.closing || this.pendingInbound >= L.MAX_PENDING_INBOUND) {
        raw.destroy();
        return;
      }
      this.pendingInbound++;
      const key = `${raw.remoteAddress}:${raw.remotePort}`;
      this.pendingKeys.add(key);
      raw.once('close', () => this.settleInbound(key));
    });
    server.on('tlsClientError', (err, socket) => {
      const kind = /cert|CERT|alert/.test(`${err.message} ${(err as NodeJS.ErrnoException).code ?? ''}`)
        ? 'auth'
        : 'protocol';
      const e = new NetError(
        kind,
        `inbound TLS handshake failed from ${socket.remoteAddress}:${socket.remotePort}: ${err.message}`,
      );
      this.log('warn', e.message, { kind, remote: `${socket.remoteAddress}:${socket.remotePort}` });
      socket.destroy();
    });
    server.on('secureConnection', (socket) => this.accepted(socket));
    server.on('error', (err) => this.log('error', `listener error: ${err.message}`));
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        const a = server.address();
        this.boundPort = typeof a === 'object' && a ? a.port : 0;
        this.log('info', `listening on ${host}:${this.boundPort}`, { node: formatNodeId(this.self) });
        resolve();
      });
    });
  }

  // ---- the LinkTransport API ----

  setAddress(peer: NodeId, address: string): void {
    const old = this.addressBook.get(peer);
    this.addressBook.set(peer, address);
    const link = this.links.get(peer);
    if (link && old !== address && link.state === 'down' && link.wanted) {
      link.attempt = 0;
      link.retry?.cancel();
      link.retry = undefined;
      this.dial(link);
    }
  }

  address(peer: NodeId): string | undefined {
    return this.addressBook.get(peer);
  }

  send(peer: NodeId, lane: Lane, type: number, payload: Uint8Array): NetError | undefined {
    if (this.closing) return new NetError('reset', 'transport is closing');
    let link = this.links.get(peer);
    if (!link || link.state === 'down') {
      if (peer === this.self) return new NetError('unreachable', 'cannot link to self');
      if (!this.addressBook.has(peer) && !link?.conn) {
        return new NetError('unreachable', `no address known for node ${formatNodeId(peer)}`);
      }
      link = this.link(peer);
      link.wanted = true;
      if (!link.dialing && !link.retry) this.dial(link);
    }
    const err = link.sender.enqueue(lane, type, payload);
    if (err) {
      link.stats.errors[err.kind]++;
      return err;
    }
    if (link.conn) this.scheduleFlush(link);
    return undefined;
  }

  whenWritable(peer: NodeId, lane: Lane): Promise<void> {
    return this.link(peer).sender.whenWritable(lane);
  }

  connect(peer: NodeId): void {
    if (this.closing || peer === this.self) return;
    const link = this.link(peer);
    link.wanted = true;
    if (link.state === 'down' && !link.dialing && !link.retry) this.dial(link);
  }

  disconnect(peer: NodeId): void {
    const link = this.links.get(peer);
    if (!link) return;
    link.wanted = false;
    link.retry?.cancel();
    link.retry = undefined;
    link.sender.clear();
    if (link.dialing) this.drop(link.dialing, new NetError('reset', 'disconnected'));
    if (link.conn) this.goaway(link.conn, 0, 'disconnect');
  }

  linkState(peer: NodeId): LinkState {
    return this.links.get(peer)?.state ?? 'down';
  }
  linkStats(peer: NodeId): LinkStats | undefined {
    return this.links.get(peer)?.stats;
  }
  /** The link's phase for display: up, connecting (a dial or handshake in progress), down, or none (no link). */
  linkPhase(peer: NodeId): 'up' | 'connecting' | 'down' | 'none' {
    const link = this.links.get(peer);
    if (!link) return 'none';
    if (link.state === 'up') return 'up';
    return link.dialing ? 'connecting' : 'down';
  }
  peers(): NodeId[] {
    return [...this.links.keys()];
  }
  onMessage(handler: MessageHandler): void {
    this.messageHandlers.push(handler);
  }
  onLink(handler: LinkHandler): void {
    this.linkHandlers.push(handler);
  }

  /** Queued bytes on every link together, with high water and limit; buffer pool counters. */
  stats(): {
    queuedBytes: number;
    queuedHighWater: number;
    queueLimit: number;
    poolAllocated: number;
    poolReused: number;
  } {
    return {
      queuedBytes: this.budget.inUse,
      queuedHighWater: this.budget.highWater,
      queueLimit: this.budget.limit,
      poolAllocated: this.pool.allocated,
      poolReused: this.pool.reused,
    };
  }

  /** Queued bytes per lane, and bytes handed to the socket but not yet written, for `peer`. */
  queueDepth(peer: NodeId): { control: number; bulk: number; socket: number } {
    const link = this.links.get(peer);
    return {
      control: link?.sender.queuedBytes('control') ?? 0,
      bulk: link?.sender.queuedBytes('bulk') ?? 0,
      socket: link?.conn?.socket.writableLength ?? 0,
    };
  }

  /** Round trip to `peer` over its link with a `size`-byte ping; resolves with microseconds. */
  ping(peer: NodeId, size = 0, timeoutMs = 5000): Promise<number> {
    const link = this.links.get(peer);
    if (link?.state !== 'up')
      return Promise.reject(new NetError('unreachable', `no link to ${formatNodeId(peer)}`));
    if (size > L.MAX_PING_PAYLOAD)
      return Promise.reject(new NetError('overload', `ping payload over ${L.MAX_PING_PAYLOAD} bytes`));
    const nonce = this.nextNonce++;
    return new Promise((resolve, reject) => {
      const timer = this.clock.setTimer(timeoutMs, () => {
        link.pings.delete(nonce);
        reject(new NetError('timeout', `no pong from ${formatNodeId(peer)} in ${timeoutMs} ms`));
      });
      link.pings.set(nonce, { resolve, reject, timer });
      const err = link.sender.enqueueNet(
        FrameType.PING,
        encodeMessage(PingSchema, {
          nonce: BigInt(nonce),
          sentAtUs: this.clock.now() * 1000,
          payload: new Uint8Array(size),
        }),
      );
      if (err) {
        timer.cancel();
        link.pings.delete(nonce);
        reject(err);
      } else this.scheduleFlush(link);
    });
  }

  /** Stops reading from `peer` (debugging and tests: makes us a peer that stops reading). */
  pauseReading(peer: NodeId, paused: boolean): void {
    const s = this.links.get(peer)?.conn?.socket;
    if (!s) return;
    if (paused) s.pause();
    else s.resume();
  }

  /** Orderly shutdown: no new sends; drain queues (bounded), Goaway, end every connection. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.server?.close();
    const deadline = this.clock.now() + L.CLOSE_DRAIN_MS;
    const drained = (): boolean => {
      for (const link of this.links.values()) {
        if (
          link.conn &&
          link.conn.state === 'open' &&
          (link.sender.pending || link.conn.socket.writableLength > 0)
        )
          return false;
      }
      return true;
    };
    while (!drained() && this.clock.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    for (const link of this.links.values()) {
      link.retry?.cancel();
      link.keepalive?.cancel();
      for (const p of link.pings.values()) {
        p.timer.cancel();
        p.reject(new NetError('reset', 'transport closed'));
      }
      link.pings.clear();
    }
    const closed: Promise<void>[] = [];
    for (const c of this.conns) {
      closed.push(new Promise((r) => (c.socket.destroyed ? r() : c.socket.once('close', () => r()))));
      if (c.state === 'open') this.goaway(c, 0, 'shutdown');
      else this.drop(c, new NetError('reset', 'transport closed'));
    }
    const timeout = new Promise<void>((r) => setTimeout(r, L.CLOSE_DRAIN_MS).unref());
    await Promise.race([Promise.all(closed), timeout]);
    for (const c of this.conns) c.socket.destroy();
    for (const link of this.links.values()) link.sender.clear();
    if (this.server) await new Promise<void>((r) => this.server?.close(() => r()) ?? r());
  }

  // ---- connections ----

  private link(peer: NodeId): PeerLink {
    let link = this.links.get(peer);
    if (!link) {
      const created: PeerLink = new PeerLink(peer, this.limits, this.budget, {
        message: (lane, type, payload) => {
          for (const h of this.messageHandlers) h(peer, lane, type, payload);
        },
        net: (type, payload) => this.netFrame(created, type, payload),
      });
      this.links.set(peer, created);
      link = created;
    }
    return link;
  }

  private dial(link: PeerLink): void {
    if (this.closing || link.dialing || link.conn) return;
    const address = this.addressBook.get(link.peer);
    if (!address) {
      this.log('warn', `no address for node ${formatNodeId(link.peer)}; not dialling`);
      return;
    }
    const m = /^(.*):(\d+)$/.exec(address);
    if (!m) {
      this.log('error', `bad address ${address} for node ${formatNodeId(link.peer)}`);
      return;
    }
    const host = (m[1] as string).replace(/^\[(.*)\]$/, '$1');
    const socket = tls.connect({
      host,
      port: Number(m[2]),
      key: this.o.key,
      cert: this.o.cert,
      ca: this.o.ca,
      minVersion: 'TLSv1.3',
      rejectUnauthorized: true,
      // Identity is the node id in the certificate, checked below, not a host name.
      checkServerIdentity: () => undefined,
    });
    const conn = this.track(socket, 'out');
    conn.peer = link.peer;
    link.dialing = conn;
    conn.timer = this.clock.setTimer(this.o.handshakeTimeoutMs, () =>
      this.drop(
        conn,
        new NetError('timeout', `handshake with ${formatNodeId(link.peer)} at ${address} timed out`),
      ),
    );
    socket.once('secureConnect', () => {
      const err = this.checkPeerCertificate(conn, link.peer);
      if (err) {
        this.log('warn', `refused ${address}: ${err.message}`);
        this.drop(conn, err);
        return;
      }
      conn.state = 'hello';
      socket.write(
        encodeFrame(
          FrameType.HELLO,
          LANE_CONTROL,
          0,
          encodeMessage(HelloSchema, {
            minVersion: MIN_VERSION,
            maxVersion: MAX_VERSION,
            nodeId: this.self,
            clusterId: this.o.clusterId,
            targetNodeId: link.peer,
          }),
        ),
      );
    });
  }

  /** An inbound connection left the TLS handshake (done or closed). */
  private settleInbound(key: string): void {
    if (this.pendingKeys.delete(key)) this.pendingInbound--;
  }

  private accepted(socket: tls.TLSSocket): void {
    this.settleInbound(`${socket.remoteAddress}:${socket.remotePort}`);
    if (!socket.authorized) {
      const remote = `${socket.remoteAddress}:${socket.remotePort}`;
      const shown = socket.getPeerX509Certificate();
      if (shown === undefined && this.o.onUnauthenticated && !this.closing) {
        this.o.onUnauthenticated(socket);
        return;
      }
      const why = shown
        ? `certificate not issued by the cluster CA (${socket.authorizationError})`
        : 'no client certificate';
      netCounters.errors.auth++;
      this.log('warn', `refused inbound connection from ${remote}: ${why}`, { kind: 'auth', remote });
      socket.destroy();
      return;
    }
    const conn = this.track(socket, 'in');
    const err = this.checkPeerCertificate(conn, undefined);
    if (err) {
      this.log(
        'warn',
        `refused inbound connection from ${socket.remoteAddress}:${socket.remotePort}: ${err.message}`,
      );
      this.drop(conn, err);
      return;
    }
    conn.state = 'hello';
    conn.timer = this.clock.setTimer(this.o.handshakeTimeoutMs, () =>
      this.drop(conn, new NetError('timeout', `no Hello from ${socket.remoteAddress}:${socket.remotePort}`)),
    );
  }

  private track(socket: tls.TLSSocket, dir: 'in' | 'out'): Conn {
    const conn: Conn = new Conn(socket, dir, {
      frame: (t, l, a, p) => this.frame(conn, t, l, a, p),
    });
    this.conns.add(conn);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      const link = conn.link;
      if (link) {
        link.stats.bytesIn += chunk.length;
        link.rxSinceCheck = true;
      }
      const err = conn.reader.push(chunk);
      if (err) {
        this.log('warn', `closing connection: ${err.message}`, {
          peer: conn.peer && formatNodeId(conn.peer),
        });
        this.drop(conn, err);
      }
    });
    socket.on('drain', () => {
      if (conn.link && conn.link.conn === conn) this.flush(conn.link);
    });
    socket.on('error', (e: NodeJS.ErrnoException) => {
      const kind =
        e.code === 'ECONNREFUSED' ? 'refused' : /cert|CERT/.test(`${e.code} ${e.message}`) ? 'auth' : 'reset';
      this.drop(
        conn,
        new NetError(kind, `${conn.peer ? formatNodeId(conn.peer) : socket.remoteAddress}: ${e.message}`),
      );
    });
    socket.on('close', () => this.drop(conn, new NetError('reset', 'connection closed')));
    return conn;
  }

  /** Refuses a peer certificate that names no node, another node than `expected`, or a revoked one. */
  private checkPeerCertificate(conn: Conn, expected: NodeId | undefined): NetError | undefined {
    const cert = conn.socket.getPeerX509Certificate();
    if (!cert) return new NetError('auth', 'peer sent no certificate');
    const id = nodeIdOfCertificate(cert);
    if (id === undefined) return new NetError('auth', `peer certificate names no node (${cert.subject})`);
    if (expected !== undefined && id !== expected) {
      return new NetError(
        'auth',
        `dialled node ${formatNodeId(expected)} but its certificate names ${formatNodeId(id)}`,
      );
    }
    if (this.o.isRevoked?.(id, cert.fingerprint256))
      return new NetError('auth', `node ${formatNodeId(id)} is revoked`);
    conn.peer = id;
    return undefined;
  }

  /** A frame on a connection: handshake frames before 'open', link frames after. */
  private frame(conn: Conn, type: FrameType, lane: number, app: number, payload: Uint8Array): void {
    if (conn.state === 'open' && conn.link) {
      const link = conn.link;
      link.stats.framesIn++;
      this.onFrame?.({
        peer: link.peer,
        direction: 'in',
        type,
        lane,
        appType: app,
        size: payload.length,
      });
      link.receiver.frame(type, lane, app, payload);
      if (lane === LANE_BULK) {
        link.bulkUncredited += HEADER_BYTES + payload.length;
        if (link.bulkUncredited >= Math.min(L.BULK_CREDIT_BYTES, this.o.bulkWindow / 4)) {
          link.sender.enqueueNet(
            FrameType.CREDIT,
            encodeMessage(CreditSchema, { bytes: link.bulkUncredited }),
          );
          link.bulkUncredited = 0;
          this.scheduleFlush(link);
        }
      }
      return;
    }
    if (conn.state !== 'hello')
      throw new NetError('protocol', `frame type ${type} before the TLS handshake finished`);
    if (conn.dir === 'in') {
      if (type !== FrameType.HELLO) throw new NetError('protocol', `expected Hello, got frame type ${type}`);
      this.hello(conn, payload);
    } else {
      if (type !== FrameType.HELLO_ACK)
        throw new NetError('protocol', `expected HelloAck, got frame type ${type}`);
      this.helloAck(conn, payload);
    }
  }

  private hello(conn: Conn, payload: Uint8Array): void {
    const h = decodeMessage(HelloSchema, payload);
    if (h instanceof NetError) throw h;
    const peer = conn.peer as NodeId;
    let refusal: NetError | undefined;
    const version = Math.min(h.maxVersion, MAX_VERSION);
    if (h.nodeId !== peer)
      refusal = new NetError(
        'auth',
        `Hello says node ${formatNodeId(h.nodeId)} but the certificate says ${formatNodeId(peer)}`,
      );
    else if (h.clusterId !== this.o.clusterId)
      refusal = new NetError('auth', `peer is in cluster ${h.clusterId}, not ${this.o.clusterId}`);
    else if (h.targetNodeId !== 0 && h.targetNodeId !== this.self)
      refusal = new NetError('auth', `peer meant to reach ${formatNodeId(h.targetNodeId)}`);
    else if (version < Math.max(h.minVersion, MIN_VERSION))
      refusal = new NetError(
        'protocol',
        `no common version (peer ${h.minVersion}..${h.maxVersion}, us ${MIN_VERSION}..${MAX_VERSION})`,
      );
    else if (this.closing) refusal = new NetError('refused', 'node is shutting down');
    const link = this.link(peer);
    if (!refusal) {
      // Two nodes dialling each other at once: the connection dialled by the lower node id wins.
      const ourDialWins = this.self < peer;
      if (link.conn?.state === 'open' && link.conn.dir === 'out' && ourDialWins)
        refusal = new NetError('refused', 'duplicate connection');
      else if (link.dialing && ourDialWins) refusal = new NetError('refused', 'duplicate connection');
    }
    const ack = encodeMessage(HelloAckSchema, {
      version,
      nodeId: this.self,
      clusterId: this.o.clusterId,
      error: refusal ? refusal.message : '',
    });
    conn.socket.write(encodeFrame(FrameType.HELLO_ACK, LANE_CONTROL, 0, ack));
    if (refusal) {
      if (refusal.message !== 'refused: duplicate connection')
        this.log('warn', `refused node ${formatNodeId(peer)}: ${refusal.message}`);
      conn.state = 'closed';
      conn.socket.end();
      return;
    }
    if (link.dialing) this.drop(link.dialing, new NetError('reset', "superseded by the peer's connection"));
    this.attach(conn, link);
  }

  private helloAck(conn: Conn, payload: Uint8Array): void {
    const a = decodeMessage(HelloAckSchema, payload);
    if (a instanceof NetError) throw a;
    const peer = conn.peer as NodeId;
    if (a.error !== '') {
      const dup = a.error.endsWith('duplicate connection');
      const e = new NetError(
        dup ? 'refused' : a.error.startsWith('auth') ? 'auth' : 'refused',
        `node ${formatNodeId(peer)} refused us: ${a.error}`,
      );
      if (!dup) this.log('warn', e.message);
      this.drop(conn, e);
      return;
    }
    if (a.nodeId !== peer)
      throw new NetError(
        'auth',
        `HelloAck from ${formatNodeId(a.nodeId)}, certificate says ${formatNodeId(peer)}`,
      );
    if (a.clusterId !== this.o.clusterId) throw new NetError('auth', `peer is in cluster ${a.clusterId}`);
    if (a.version < MIN_VERSION || a.version > MAX_VERSION)
      throw new NetError('protocol', `peer chose version ${a.version}`);
    const link = this.link(peer);
    if (link.dialing === conn) link.dialing = undefined;
    this.attach(conn, link);
  }

  private attach(conn: Conn, link: PeerLink): void {
    conn.timer?.cancel();
    conn.timer = undefined;
    conn.state = 'open';
    conn.link = link;
    const old = link.conn;
    if (old && old !== conn) {
      link.conn = undefined;
      this.drop(old, new NetError('reset', 'replaced by a new connection'));
    }
    link.conn = conn;
    link.bulkInFlight = 0;
    link.bulkUncredited = 0;
    if (link.everUp) link.stats.reconnects++;
    link.everUp = true;
    link.state = 'up';
    link.attempt = 0;
    link.missed = 0;
    link.retry?.cancel();
    link.retry = undefined;
    this.log(
      'info',
      `link up to ${formatNodeId(link.peer)} (${conn.dir}, ${conn.socket.remoteAddress}:${conn.socket.remotePort})`,
    );
    this.startKeepalive(link);
    for (const h of this.linkHandlers) h(link.peer, 'up');
    this.scheduleFlush(link);
  }

  /** Closes a connection at once; if it carried its link, the link goes down (and reconnects). */
  private drop(conn: Conn, error: NetError): void {
    if (!this.conns.has(conn)) return;
    this.conns.delete(conn);
    conn.timer?.cancel();
    const wasOpen = conn.state === 'open';
    conn.state = 'closed';
    if (!conn.socket.destroyed) conn.socket.destroy();
    const peer = conn.peer;
    if (peer === undefined) return;
    const link = this.links.get(peer);
    if (!link) return;
    if (link.dialing === conn) {
      link.dialing = undefined;
      if (!(error.kind === 'refused' && error.message.endsWith('duplicate connection'))) {
        link.stats.errors[error.kind]++;
        this.log('debug', `dial ${formatNodeId(peer)} failed: ${error.message}`);
      }
      this.scheduleReconnect(link);
      return;
    }
    if (link.conn !== conn) return;
    link.conn = undefined;
    link.state = 'down';
    link.keepalive?.cancel();
    link.keepalive = undefined;
    link.receiver.reset();
    link.sender.restartPartial();
    for (const p of link.pings.values()) {
      p.timer.cancel();
      p.reject(new NetError('reset', 'link went down'));
    }
    link.pings.clear();
    if (wasOpen) {
      if (!conn.goaway) link.stats.errors[error.kind]++;
      this.log(conn.goaway ? 'info' : 'warn', `link down to ${formatNodeId(peer)}: ${error.message}`);
      for (const h of this.linkHandlers) h(peer, 'down', error);
    }
    this.scheduleReconnect(link);
  }

  private scheduleReconnect(link: PeerLink): void {
    if (this.closing || !link.wanted || link.retry || link.conn || link.dialing) return;
    const base = Math.min(this.o.reconnectMaxMs, this.o.reconnectBaseMs * 2 ** Math.min(link.attempt, 20));
    link.attempt++;
    link.retry = this.clock.setTimer(jitter(this.o.random, base, L.RECONNECT_JITTER), () => {
      link.retry = undefined;
      if (link.conn || this.closing || !link.wanted) return;
      this.dial(link);
    });
  }

  private goaway(conn: Conn, code: number, reason: string): void {
    if (conn.state !== 'open' || conn.goaway) return;
    conn.goaway = true;
    const link = conn.link;
    if (link) {
      link.sender.enqueueNet(FrameType.GOAWAY, encodeMessage(GoawaySchema, { code, reason }));
      this.flush(link);
    }
    conn.socket.end();
  }

  // ---- net frames and keepalive ----

  private netFrame(link: PeerLink, type: FrameType, payload: Uint8Array): void {
    if (type === FrameType.PING) {
      const p = decodeMessage(PingSchema, payload);
      if (p instanceof NetError) throw p;
      if (p.payload.length > L.MAX_PING_PAYLOAD) throw new NetError('protocol', 'oversized ping');
      link.sender.enqueueNet(
        FrameType.PONG,
        encodeMessage(PongSchema, {
          nonce: p.nonce,
          sentAtUs: p.sentAtUs,
          repliedAtUs: this.clock.now() * 1000,
          payload: p.payload,
        }),
      );
      this.scheduleFlush(link);
    } else if (type === FrameType.PONG) {
      const p = decodeMessage(PongSchema, payload);
      if (p instanceof NetError) throw p;
      link.missed = 0;
      const rttUs = this.clock.now() * 1000 - p.sentAtUs;
      if (rttUs >= 0) {
        link.stats.rttUs = rttUs;
        link.stats.rtt.observe(rttUs);
      }
      const pending = link.pings.get(Number(p.nonce));
      if (pending) {
        link.pings.delete(Number(p.nonce));
        pending.timer.cancel();
        pending.resolve(rttUs);
      }
    } else if (type === FrameType.CREDIT) {
      const c = decodeMessage(CreditSchema, payload);
      if (c instanceof NetError) throw c;
      if (c.bytes > link.bulkInFlight)
        throw new NetError(
          'protocol',
          `credit of ${c.bytes} bytes exceeds the ${link.bulkInFlight} in flight`,
        );
      link.bulkInFlight -= c.bytes;
      this.flush(link);
    } else if (type === FrameType.GOAWAY) {
      const g = decodeMessage(GoawaySchema, payload);
      if (g instanceof NetError) throw g;
      const kind = kindOfCode(g.code);
      this.log(
        'info',
        `node ${formatNodeId(link.peer)} is going away: ${g.reason}${kind ? ` (${kind})` : ''}`,
      );
      if (link.conn) link.conn.goaway = true;
    } else {
      throw new NetError('protocol', `unexpected frame type ${type} on an open link`);
    }
  }

  private startKeepalive(link: PeerLink): void {
    link.keepalive?.cancel();
    const tick = (): void => {
      link.keepalive = undefined;
      const conn = link.conn;
      if (conn?.state !== 'open') return;
      if (link.rxSinceCheck) {
        // Traffic arrived this interval: the peer is alive.
        link.rxSinceCheck = false;
        link.missed = 0;
      } else if (++link.missed > this.o.keepaliveMisses) {
        this.drop(
          conn,
          new NetError(
            'timeout',
            `no traffic from ${formatNodeId(link.peer)} for ${link.missed} keepalive intervals`,
          ),
        );
        return;
      }
      // One ping per interval either way: on an idle link it proves the peer alive, on a busy one it
      // keeps the link's RTT (nodes, metrics) fresh. One small control frame per second per link.
      link.sender.enqueueNet(
        FrameType.PING,
        encodeMessage(PingSchema, {
          nonce: 0n,
          sentAtUs: this.clock.now() * 1000,
          payload: new Uint8Array(0),
        }),
      );
      this.scheduleFlush(link);
      link.keepalive = this.clock.setTimer(this.o.keepaliveMs, tick);
    };
    link.keepalive = this.clock.setTimer(this.o.keepaliveMs, tick);
  }

  // ---- writing ----

  private scheduleFlush(link: PeerLink): void {
    if (link.flushQueued) return;
    link.flushQueued = true;
    queueMicrotask(() => {
      link.flushQueued = false;
      this.flush(link);
    });
  }

  /** Moves frames from the lanes to the socket while it holds less than socketHighWater bytes. */
  private flush(link: PeerLink): void {
    const conn = link.conn;
    if (conn?.state !== 'open' || conn.socket.destroyed) return;
    const socket = conn.socket;
    while (link.sender.pending) {
      const room = this.o.socketHighWater - socket.writableLength;
      if (room <= 0) return; // 'drain' calls us again
      const credit = this.o.bulkWindow - link.bulkInFlight;
      if (credit <= 0 && !link.sender.controlPending) return; // a Credit frame calls us again
      link.sender.pull(this.writer, room, credit);
      link.bulkInFlight += link.sender.lastBulkBytes;
      const frames = this.writer.frames;
      const { chunks, buffers } = this.writer.take();
      if (chunks.length === 0) return;
      if (this.onFrame) this.traceOut(link.peer, chunks);
      socket.cork();
      let bytes = 0;
      for (let i = 0; i < chunks.length; i++) {
        const chunk = chunks[i] as Uint8Array;
        bytes += chunk.length;
        if (i === chunks.length - 1 && buffers.length > 0) {
          socket.write(chunk, () => {
            for (const b of buffers) this.pool.release(b);
          });
        } else socket.write(chunk);
      }
      socket.uncork();
      link.stats.bytesOut += bytes;
      link.stats.framesOut += frames;
    }
  }

  /** Reports the frames of one outgoing batch (whole frames) to the trace hook. */
  private traceOut(peer: NodeId, chunks: readonly Uint8Array[]): void {
    const reader = new FrameReader({
      frame: (type, lane, appType, payload) =>
        this.onFrame?.({ peer, direction: 'out', type, lane, appType, size: payload.length }),
    });
    for (const c of chunks) if (reader.push(c)) return;
  }
}

assert(errorCode('timeout') === 1, 'error codes start at 1');
