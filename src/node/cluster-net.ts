// The daemon on the network (docs/architecture.md, "The node on the network"): one TLS listener
// (TlsTransport, mTLS node links; certificate-less connections go to the join exchange on the CA
// node), a sealed UDP socket on the same port number (UdpTransport, SWIM datagrams), and SWIM
// Membership driven on a timer. Member addresses feed the TLS address book, so every node links to
// every other. Also here: forwarded admin requests (--node), ping, the frame trace, revocation.
import { randomInt } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type * as tls from 'node:tls';
import { APP_TYPE_PROPOSE, APP_TYPE_PROPOSE_RESULT, APP_TYPE_RAFT } from '../cluster/consensus/limits.js';
import type { ReplicaTransport } from '../cluster/consensus/replica.js';
import { isRevoked as listRevokes, revoke } from '../cluster/identity/index.js';
import { type AppTypeRange, inRange, type PeerLinks } from '../cluster/links.js';
import {
  decodeDatagram,
  decodeMembership,
  encodeDatagram,
  encodeMembership,
  Membership,
  type MembershipMessage,
  type MembershipOutput,
  MembershipWireError,
} from '../cluster/membership/index.js';
import type { Right } from '../cluster/registry/index.js';
import type { NetError } from '../net/errors.js';
import { formatNodeId, type NodeId, parseNodeId } from '../net/node-id.js';
import { SeededRandom } from '../net/random.js';
import { type FrameTraceEvent, TlsTransport } from '../net/tls-transport.js';
import type { MessageHandler } from '../net/transport.js';
import { UdpTransport } from '../net/udp-transport.js';
import { ClusterRegistry } from './cluster-registry.js';
import {
  AdminForwardReplySchema,
  AdminForwardSchema,
  JoinRequestSchema,
  JoinResponseSchema,
  RevocationNoticeSchema,
} from './gen/pakaya/node/v1/node_pb.js';
import { readRevoked, type StoredIdentity, updateRevoked } from './identity-store.js';
import { type JoinAnswer, type JoinServer, NOT_CA } from './join-exchange.js';
import { LanDiscovery } from './lan-discovery.js';
import {
  FORWARD_BODY_MAX,
  FORWARD_PENDING_MAX,
  FORWARD_TIMEOUT_MS,
  HEALTH_INTERVAL_MS,
  JOIN_CONCURRENT_MAX,
  JOIN_TIMEOUT_MS,
  REVOCATION_POLL_MS,
} from './limits.js';
import type { Logger } from './logger.js';
import { ServiceDispatch } from './service-dispatch.js';
import { AppType, decode, encode, WireError } from './wire.js';

export interface ClusterNetOptions {
  /** The home directory (absolute). */
  home: string;
  identity: StoredIdentity;
  listen: { host: string; port: number };
  /** Seed addresses (host:port) from --join. */
  seeds: readonly string[];
  log: Logger;
  /** Runs an admin request against this node's own routes (for requests forwarded from members). */
  dispatch: (method: string, path: string, body: string) => Promise<{ status: number; body: unknown }>;
  /**
   * The right an admin request needs (the route → right table of admin-access.ts, shared with the
   * mTLS admin listener); undefined when no route matches.
   */
  rightFor: (method: string, path: string, body: string) => Right | undefined;
  /** Opt-in LAN multicast beacons (--discover multicast); the port is for tests. */
  discover?: { port?: number } | undefined;
  /** Current outbound queue depth / guest load for the published health. */
  load?: () => { queueDepth: number; guestLoad: number };
}

/** One row of `pakaya nodes`. */
export interface NodeRow {
  id: string;
  address: string;
  self: boolean;
  link: 'up' | 'connecting' | 'down' | 'none';
  rtt_us: number;
  bytes_in: number;
  bytes_out: number;
  state: string;
  /** True on the row of the Raft leader this node knows. */
  leader: boolean;
}

/**
 * A tick timer this late (ms) means the process was not scheduled: membership.stalled() gets the
 * time back for the probed and suspected members. Below it is ordinary timer jitter.
 */
const STALL_MIN_MS = 10;

/** Admin requests that may be forwarded to another node (--node). */
const FORWARDABLE =
  /^\/v1\/(node|processes(\/[^/]*\/(kill|checkpoint|migrate))?|restore|store\/(checkpoint|restore))$/;

export class ForwardError extends Error {
  override readonly name = 'ForwardError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

interface PendingForward {
  resolve: (r: { status: number; body: unknown }) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

export class ClusterNet {
  readonly self: NodeId;
  /** This node's address (host:bound port). */
  readonly address: string;
  private readonly membership: Membership;
  private readonly revoked = new Set<string>();
  /** Revoked certificate fingerprints from revoked.json (admin client credentials). */
  private readonly revokedFingerprints = new Set<string>();
  private readonly pending = new Map<bigint, PendingForward>();
  private readonly traces = new Set<(e: FrameTraceEvent & { time: number }) => void>();
  private nextForward = 1n;
  private tickTimer: NodeJS.Timeout | undefined;
  private pumpQueued: NodeJS.Immediate | undefined;
  /** When the tick timer should fire (performance.now()); Infinity once pumped. */
  private tickDue = Number.POSITIVE_INFINITY;
  private readonly intervals: NodeJS.Timeout[] = [];
  private readonly lag = monitorEventLoopDelay({ resolution: 20 });
  private stopped = false;
  /** Peers this node drops all traffic to and from (`pakaya net block`, a debugging aid). */
  private readonly blocked = new Set<NodeId>();
  private readonly consensusHandlers: MessageHandler[] = [];
  /** Cluster services' message handlers, by application-type range, behind their ACL right (appLinks). */
  private readonly services = new ServiceDispatch(
    (peer, right) => this.registry.allowedLocal(`node:${formatNodeId(peer)}`, right),
    (peer, right) =>
      this.o.log.warn(
        { peer: formatNodeId(peer), right },
        'service messages refused: the node lacks the right',
      ),
  );
  /** The replicated registry (set right after start). */
  registry!: ClusterRegistry;
  private readonly caNode: NodeId | undefined;
  private lan: LanDiscovery | undefined;
  private joinServer: JoinServer | undefined;
  private readonly pendingJoins = new Map<
    bigint,
    { resolve: (a: JoinAnswer) => void; timer: NodeJS.Timeout }
  >();

  private constructor(
    private readonly o: ClusterNetOptions,
    private readonly tls: TlsTransport,
    private readonly udp: UdpTransport,
    host: string,
  ) {
    this.self = o.identity.nodeId;
    this.address = `${host.includes(':') ? `[${host}]` : host}:${tls.port}`;
    this.caNode = o.identity.info.ca ? this.self : parseCaNode(o.identity.info);
    this.membership = new Membership({
      id: this.self,
      addresses: [this.address],
      random: new SeededRandom(randomInt(0, 2 ** 31)),
      now: performance.now(),
      clusterId: o.identity.info.clusterId,
    });
    const list = readRevoked(o.home);
    for (const n of list.nodes) this.revoked.add(n);
    for (const f of list.fingerprints) this.revokedFingerprints.add(f);
  }

  /** Binds TLS and UDP on listen's host and one port number, then joins through the seeds. */
  static async start(o: ClusterNetOptions, joinServer: JoinServer | undefined): Promise<ClusterNet> {
    const id = o.identity;
    let net: ClusterNet | undefined;
    const revoked = new Set(readRevoked(o.home).nodes);
    const tlsT = await TlsTransport.start({
      self: id.nodeId,
      clusterId: id.info.clusterId,
      key: id.nodeKeyPem,
      cert: id.nodeCertPem,
      ca: id.caCertPem,
      listen: o.listen,
      random: new SeededRandom(randomInt(0, 2 ** 31)),
      logger: (level, message, fields) => o.log[level](fields ?? {}, `net: ${message}`),
      isRevoked: (peer) => (net ? net.revoked : revoked).has(formatNodeId(peer)),
      onUnauthenticated: (socket: tls.TLSSocket) => {
        if (joinServer) joinServer.serve(socket);
        else {
          o.log.warn(
            { remote: `${socket.remoteAddress}:${socket.remotePort}` },
            'refused a connection without a client certificate (this node does not answer joins)',
          );
          socket.destroy();
        }
      },
    });
    let udp: UdpTransport;
    try {
      udp = await UdpTransport.start({
        self: id.nodeId,
        keys: new Map([[0, id.clusterKey]]),
        sendKeyId: 0,
        listen: { host: o.listen.host, port: tlsT.port },
        logger: (level, message, fields) => o.log[level](fields ?? {}, `net: ${message}`),
      });
    } catch (err) {
      await tlsT.close();
      throw err;
    }
    net = new ClusterNet(o, tlsT, udp, o.listen.host);
    net.joinServer = joinServer;
    if (joinServer && !id.info.ca) {
      const self = net;
      joinServer.forward = (token, csrPem) => self.forwardJoin(token, csrPem);
    }
    net.wire();
    const self = net;
    net.registry = new ClusterRegistry({
      home: o.home,
      self: id.nodeId,
      bootstrap: id.info.ca,
      nodeCertPem: id.nodeCertPem,
      address: net.address,
      transport: net.consensusTransport(),
      swim: () => self.membership.list(),
      log: o.log,
    });
    // A restarted node knows the members' last addresses from its registry (the WAL): seed SWIM with
    // them, so it finds the cluster again without --join.
    const known = net.registry
      .memberRecords()
      .filter((m) => m.id !== id.nodeId)
      .flatMap((m) => m.addresses.slice(0, 1));
    if (known.length > 0) {
      net.membership.join(known, performance.now());
      net.pump();
    }
    if (o.discover) {
      try {
        self.lan = await LanDiscovery.start(
          udp,
          () => encodeDatagram({ beacon: self.membership.beacon() }),
          o.log,
          o.discover.port,
        );
      } catch (err) {
        await self.stop();
        throw err;
      }
    }
    return net;
  }

  private wire(): void {
    const log = this.o.log;
    this.tls.onLink((peer, state, error) => {
      const fields = { peer: formatNodeId(peer), error: error?.message, kind: error?.kind };
      if (state === 'up') {
        log.info(fields, 'link up');
        if (this.o.identity.info.ca && this.revoked.size > 0) this.sendRevocations(peer);
      } else log.info(fields, 'link down');
    });
    this.tls.onMessage((peer, lane, type, payload) => this.message(peer, lane, type, payload));
    this.udp.onDatagram((from, payload) => {
      if (this.blocked.has(from)) return;
      const d = decodeDatagram(payload);
      if (d instanceof MembershipWireError) {
        log.debug({ from: formatNodeId(from), err: d.message }, 'dropped a malformed membership datagram');
        return;
      }
      const now = performance.now();
      if ('beacon' in d) this.membership.handleBeacon(d.beacon, now);
      else {
        const addr = this.udp.sourceOf(from) ?? this.replyAddress(from, d.membership);
        this.membership.receive(addr, d.membership, now, 'datagram');
      }
      this.schedulePump();
    });
    this.lag.enable();
    this.intervals.push(
      setInterval(() => this.publishHealth(), HEALTH_INTERVAL_MS),
      setInterval(() => this.pollRevocations(), REVOCATION_POLL_MS),
    );
    for (const t of this.intervals) t.unref();
    this.membership.join([...this.o.seeds], performance.now());
    this.pump();
  }

  /** Where to answer a reliable-channel message from `peer`. */
  private replyAddress(peer: NodeId, m: MembershipMessage): string {
    const known = this.membership.member(peer)?.addresses[0];
    if (known) return known;
    if (m.type === 'push-pull') {
      const own = m.members.find((s) => s.node === peer)?.addresses[0];
      if (own) return own;
    }
    return `node:${formatNodeId(peer)}`;
  }

  /** The replica's view of the links: blocked peers neither send nor receive. */
  private consensusTransport(): ReplicaTransport {
    return {
      self: this.self,
      send: (peer, lane, type, payload) =>
        this.blocked.has(peer) ? undefined : this.tls.send(peer, lane, type, payload),
      onMessage: (h) => {
        this.consensusHandlers.push(h);
      },
      onLink: (h) => this.tls.onLink(h),
    };
  }

  /**
   * The links as one cluster service sees them: messages with a type in `range` (APP_TYPES in
   * src/cluster/links.ts) and nothing to or from a blocked peer. One call per range. With `right`,
   * only messages from nodes holding it in the registry's ACLs reach the service.
   */
  appLinks(range: AppTypeRange, right?: Right): PeerLinks {
    const entry = this.services.register(range, right);
    return {
      self: this.self,
      send: (peer, lane, type, payload) => {
        if (!inRange(range, type))
          throw new Error(`appLinks: type ${type} is outside ${range.lo}..${range.hi}`);
        return this.blocked.has(peer) ? undefined : this.tls.send(peer, lane, type, payload);
      },
      whenWritable: (peer, lane) => this.tls.whenWritable(peer, lane),
      linkState: (peer) => (this.blocked.has(peer) ? 'down' : this.tls.linkState(peer)),
      onMessage: (h) => entry.add(h),
      onLink: (h) => this.tls.onLink(h),
    };
  }

  /** Drops (on) or restores (off) all traffic with `peers`; returns the blocked set. */
  block(peers: readonly NodeId[], on: boolean): string[] {
    for (const p of peers) {
      if (p === this.self) continue;
      if (on) this.blocked.add(p);
      else this.blocked.delete(p);
    }
    this.o.log.warn({ blocked: [...this.blocked].map(formatNodeId) }, 'net block changed');
    return [...this.blocked].sort((a, b) => a - b).map(formatNodeId);
  }

  private message(peer: NodeId, lane: 'control' | 'bulk', type: number, payload: Uint8Array): void {
    if (this.blocked.has(peer)) return;
    if (this.services.deliver(peer, lane, type, payload)) return;
    switch (type) {
      case APP_TYPE_RAFT:
      case APP_TYPE_PROPOSE:
      case APP_TYPE_PROPOSE_RESULT:
        for (const h of this.consensusHandlers) h(peer, 'control', type, payload);
        return;
      case AppType.MEMBERSHIP: {
        const m = decodeMembership(payload);
        if (m instanceof MembershipWireError) {
          this.o.log.warn({ peer: formatNodeId(peer), err: m.message }, 'malformed membership message');
          return;
        }
        this.membership.receive(this.replyAddress(peer, m), m, performance.now(), 'reliable');
        this.schedulePump();
        return;
      }
      case AppType.ADMIN_FORWARD:
        void this.serveForward(peer, payload);
        return;
      case AppType.ADMIN_FORWARD_REPLY: {
        const r = decode(AdminForwardReplySchema, payload);
        if (r instanceof WireError) return;
        const p = this.pending.get(r.id);
        if (!p) return;
        this.pending.delete(r.id);
        clearTimeout(p.timer);
        let body: unknown;
        try {
          body = JSON.parse(Buffer.from(r.body).toString('utf8'));
        } catch {
          body = { error: { code: 'bad_reply', message: 'the remote node sent a malformed reply' } };
        }
        p.resolve({ status: r.status, body });
        return;
      }
      case AppType.REVOCATION:
        void this.receiveRevocations(peer, payload);
        return;
      case AppType.JOIN_REQUEST:
        void this.serveForwardedJoin(peer, payload);
        return;
      case AppType.JOIN_RESPONSE: {
        const r = decode(JoinResponseSchema, payload);
        if (r instanceof WireError || peer !== this.caNode) return;
        const p = this.pendingJoins.get(r.id);
        if (!p) return;
        this.pendingJoins.delete(r.id);
        clearTimeout(p.timer);
        p.resolve(r);
        return;
      }
      default:
        this.o.log.warn({ peer: formatNodeId(peer), type }, 'unknown message type on a node link');
    }
  }

  // ---- membership ----

  /** Drains membership output to the transports, and re-arms the tick timer. */
  private pump(): void {
    if (this.stopped) return;
    const now = performance.now();
    // The tick timer came late: this process was not scheduled (busy guests), and that time must not
    // count against the members it probes or suspects.
    if (now - this.tickDue >= STALL_MIN_MS) this.membership.stalled(now - this.tickDue, now);
    this.tickDue = Number.POSITIVE_INFINITY;
    this.membership.tick(now);
    for (const out of this.membership.drain()) this.output(out);
    clearTimeout(this.tickTimer);
    const wait = Math.min(1000, Math.max(1, this.membership.nextDeadline() - performance.now()));
    this.tickDue = performance.now() + wait;
    this.tickTimer = setTimeout(() => this.schedulePump(), wait);
    this.tickTimer.unref();
  }

  /**
   * Pumps once the input already waiting has been read (setImmediate runs after the event loop's
   * poll phase). A starved process (guests saturating the CPU) wakes with its tick timer overdue and
   * acks or refutations waiting in the socket: ticking first would fail a probe or end a suspicion
   * that the next datagram answers. Coalesced: one pump for a burst of messages.
   */
  private schedulePump(): void {
    if (this.pumpQueued !== undefined || this.stopped) return;
    this.pumpQueued = setImmediate(() => {
      this.pumpQueued = undefined;
      this.pump();
    });
  }

  private output(out: MembershipOutput): void {
    if (out.type === 'event') {
      const e = out.event;
      if (e.type === 'member') {
        const member = this.membership.member(e.node);
        this.o.log.info(
          { member: formatNodeId(e.node), state: e.state, previous: e.previous, reason: e.reason },
          `member ${e.state}`,
        );
        if ((e.state === 'alive' || e.state === 'suspect') && member && e.node !== this.self) {
          const addr = member.addresses[0];
          if (addr && !this.revoked.has(formatNodeId(e.node))) {
            this.tls.setAddress(e.node, addr);
            this.tls.connect(e.node);
          }
        }
      } else if (e.type === 'rejected') {
        this.o.log.warn({ from: e.from, problem: e.problem }, 'rejected a membership message');
      }
      return;
    }
    const target = this.nodeAt(out.to);
    if (target !== undefined && this.blocked.has(target)) return;
    if (out.channel === 'reliable' && target !== undefined && this.tls.linkState(target) === 'up') {
      this.tls.send(target, 'control', AppType.MEMBERSHIP, encodeMembership(out.message));
      return;
    }
    if (out.to.startsWith('node:')) {
      if (target !== undefined)
        this.tls.send(target, 'control', AppType.MEMBERSHIP, encodeMembership(out.message));
      return;
    }
    const err = this.udp.sendDatagram(out.to, encodeDatagram({ membership: out.message }));
    if (err && target !== undefined)
      this.tls.send(target, 'control', AppType.MEMBERSHIP, encodeMembership(out.message));
  }

  /** The node at address `to` ("node:<hex>" or a member's address), if known. */
  private nodeAt(to: string): NodeId | undefined {
    if (to.startsWith('node:')) return parseNodeId(to.slice(5));
    for (const m of this.membership.list()) if (m.addresses.includes(to)) return m.node;
    return undefined;
  }

  private publishHealth(): void {
    const lagMs = this.lag.percentile(99) / 1e6;
    this.lag.reset();
    let depth = 0;
    for (const p of this.tls.peers()) {
      const q = this.tls.queueDepth(p);
      depth = Math.max(depth, q.control + q.bulk);
    }
    const load = this.o.load?.() ?? { queueDepth: 0, guestLoad: 0 };
    this.membership.setHealth({
      eventLoopLagMs: Math.round(lagMs * 100) / 100,
      queueDepth: Math.max(depth, load.queueDepth),
      guestLoad: load.guestLoad,
    });
    this.pump();
  }

  // ---- revocation ----

  private applyRevoked(nodes: readonly string[]): void {
    for (const n of nodes) {
      if (this.revoked.has(n)) continue;
      this.revoked.add(n);
      const id = parseNodeId(n);
      if (id !== undefined && id !== this.self) {
        this.o.log.warn({ peer: n }, 'node revoked: closing its link and refusing it');
        this.tls.disconnect(id);
      }
    }
  }

  /**
   * Whether an admin credential is revoked: its node (node:<8hex>) in revoked.json, its certificate
   * fingerprint in revoked.json or in the registry's revocations.
   */
  isRevoked(principal: string, fingerprint: string): boolean {
    if (principal.startsWith('node:') && this.revoked.has(principal.slice(5))) return true;
    return this.revokedFingerprints.has(fingerprint) || this.registry.isRevokedFingerprint(fingerprint);
  }

  private pollRevocations(): void {
    let nodes: string[];
    try {
      const list = readRevoked(this.o.home);
      nodes = list.nodes;
      for (const f of list.fingerprints) this.revokedFingerprints.add(f);
    } catch (err) {
      this.o.log.warn({ err: (err as Error).message }, 'cannot read revoked.json');
      return;
    }
    const fresh = nodes.filter((n) => !this.revoked.has(n));
    if (fresh.length === 0) return;
    this.applyRevoked(fresh);
    if (this.o.identity.info.ca) for (const p of this.tls.peers()) this.sendRevocations(p);
  }

  private sendRevocations(peer: NodeId): void {
    if (this.tls.linkState(peer) !== 'up') return;
    this.tls.send(
      peer,
      'control',
      AppType.REVOCATION,
      encode(RevocationNoticeSchema, { nodes: [...this.revoked] }),
    );
  }

  private async receiveRevocations(peer: NodeId, payload: Uint8Array): Promise<void> {
    if (peer !== this.caNode) {
      this.o.log.warn({ peer: formatNodeId(peer) }, 'ignored a revocation notice not from the CA node');
      return;
    }
    const notice = decode(RevocationNoticeSchema, payload);
    if (notice instanceof WireError) return;
    const nodes = notice.nodes.filter((n) => parseNodeId(n) !== undefined).slice(0, 10_000);
    const fresh = nodes.filter((n) => !this.revoked.has(n));
    if (fresh.length === 0) return;
    try {
      await updateRevoked(this.o.home, (list) => {
        let l = list;
        for (const n of fresh) {
          const id = parseNodeId(n) as NodeId;
          if (!listRevokes(l, { nodeId: id })) l = revoke(l, { nodeId: id });
        }
        return l;
      });
    } catch (err) {
      this.o.log.warn({ err: (err as Error).message }, 'cannot store revocations from the CA node');
    }
    this.applyRevoked(fresh);
  }

  // ---- joins through a member that is not the CA node ----

  /** Sends a joiner's request to the CA node over the mTLS link; resolves with its answer (never rejects). */
  forwardJoin(token: string, csrPem: string): Promise<JoinAnswer> {
    const ca = this.caNode;
    if (ca === undefined || this.tls.linkState(ca) !== 'up' || this.pendingJoins.size >= JOIN_CONCURRENT_MAX)
      return Promise.resolve(NOT_CA);
    const id = this.nextForward++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pendingJoins.delete(id);
        resolve({
          ok: false,
          errorCode: 'not-ca',
          errorMessage: 'the CA node did not answer the forwarded join in time',
        });
      }, JOIN_TIMEOUT_MS);
      this.pendingJoins.set(id, { resolve, timer });
      const err = this.tls.send(
        ca,
        'control',
        AppType.JOIN_REQUEST,
        encode(JoinRequestSchema, { id, token, csrPem }),
      );
      if (err) {
        clearTimeout(timer);
        this.pendingJoins.delete(id);
        resolve(NOT_CA);
      }
    });
  }

  /** On the CA node: a join request a member forwarded over its mTLS link. */
  private async serveForwardedJoin(peer: NodeId, payload: Uint8Array): Promise<void> {
    const req = decode(JoinRequestSchema, payload);
    if (req instanceof WireError) return;
    let answer: JoinAnswer;
    if (!this.o.identity.info.ca || !this.joinServer || this.revoked.has(formatNodeId(peer))) answer = NOT_CA;
    else if (!this.registry.allowedLocal(`node:${formatNodeId(peer)}`, 'join')) {
      this.o.log.warn(
        { peer: formatNodeId(peer) },
        'refused a forwarded join: the node lacks the join right',
      );
      answer = {
        ok: false,
        errorCode: 'forbidden',
        errorMessage: `node ${formatNodeId(peer)} may not forward joins`,
      };
    } else {
      try {
        answer = await this.joinServer.answer(req.token, req.csrPem, `via ${formatNodeId(peer)}`);
      } catch (err) {
        this.o.log.warn({ peer: formatNodeId(peer), err: (err as Error).message }, 'forwarded join failed');
        answer = { ok: false, errorCode: 'bad-request', errorMessage: 'the CA node could not answer' };
      }
    }
    this.tls.send(
      peer,
      'control',
      AppType.JOIN_RESPONSE,
      encode(JoinResponseSchema, { ...answer, id: req.id }),
    );
  }

  // ---- forwarded admin requests ----

  /** Sends an admin request to `peer` over its mTLS link and waits for the reply. */
  forward(
    peer: NodeId,
    method: string,
    path: string,
    body: string,
  ): Promise<{ status: number; body: unknown }> {
    if (peer === this.self) return this.o.dispatch(method, path, body);
    if (!FORWARDABLE.test(path))
      return Promise.reject(
        new ForwardError(400, 'bad_request', `${path} cannot be forwarded to another node`),
      );
    if (Buffer.byteLength(body) > FORWARD_BODY_MAX)
      return Promise.reject(
        new ForwardError(413, 'too_large', `forwarded body over ${FORWARD_BODY_MAX} bytes`),
      );
    if (this.pending.size >= FORWARD_PENDING_MAX)
      return Promise.reject(new ForwardError(503, 'overload', 'too many forwarded requests in flight'));
    if (this.tls.linkState(peer) !== 'up')
      return Promise.reject(
        new ForwardError(404, 'unknown_node', `no live link to node ${formatNodeId(peer)}`),
      );
    const id = this.nextForward++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(
          new ForwardError(
            504,
            'timeout',
            `node ${formatNodeId(peer)} did not answer in ${FORWARD_TIMEOUT_MS} ms`,
          ),
        );
      }, FORWARD_TIMEOUT_MS);
      this.pending.set(id, { resolve, reject, timer });
      const err = this.tls.send(
        peer,
        'control',
        AppType.ADMIN_FORWARD,
        encode(AdminForwardSchema, { id, method, path, body: Buffer.from(body) }),
      );
      if (err) {
        clearTimeout(timer);
        this.pending.delete(id);
        reject(new ForwardError(503, err.kind, err.message));
      }
    });
  }

  private async serveForward(peer: NodeId, payload: Uint8Array): Promise<void> {
    const req = decode(AdminForwardSchema, payload);
    if (req instanceof WireError) return;
    const reply = (status: number, body: unknown): void => {
      let bytes = Buffer.from(JSON.stringify(body));
      if (bytes.length > FORWARD_BODY_MAX) {
        status = 502;
        bytes = Buffer.from(
          JSON.stringify({ error: { code: 'too_large', message: 'reply over the forward limit' } }),
        );
      }
      this.tls.send(
        peer,
        'control',
        AppType.ADMIN_FORWARD_REPLY,
        encode(AdminForwardReplySchema, { id: req.id, status, body: bytes }),
      );
    };
    const name = formatNodeId(peer);
    // The link is mTLS with a certificate of our CA naming `peer`; refuse revoked members too.
    if (this.revoked.has(name)) {
      this.o.log.warn(
        { peer: name, path: req.path },
        'refused a forwarded admin request from a revoked node',
      );
      reply(403, { error: { code: 'forbidden', message: `node ${name} is revoked` } });
      return;
    }
    if (
      !FORWARDABLE.test(req.path) ||
      (req.method !== 'GET' && req.method !== 'POST') ||
      req.body.length > FORWARD_BODY_MAX
    ) {
      reply(400, {
        error: { code: 'bad_request', message: `${req.method} ${req.path.slice(0, 80)} cannot be forwarded` },
      });
      return;
    }
    const right =
      this.o.rightFor(req.method, req.path, Buffer.from(req.body).toString('utf8')) ?? 'acl-admin';
    if (!this.registry.allowedLocal(`node:${name}`, right)) {
      this.o.log.warn(
        { peer: name, path: req.path, right },
        'refused a forwarded admin request: not a registered member with the right',
      );
      reply(403, {
        error: {
          code: 'forbidden',
          message: `node ${name} is not a registered member holding the ${right} right`,
        },
      });
      return;
    }
    this.o.log.info({ peer: name, method: req.method, path: req.path }, 'forwarded admin request');
    try {
      const r = await this.o.dispatch(req.method, req.path, Buffer.from(req.body).toString('utf8'));
      reply(r.status, r.body);
    } catch (err) {
      reply(500, { error: { code: 'internal', message: (err as Error).message } });
    }
  }

  // ---- queries ----

  nodes(): NodeRow[] {
    const rows: NodeRow[] = [
      {
        id: formatNodeId(this.self),
        address: this.address,
        self: true,
        link: 'none',
        rtt_us: 0,
        bytes_in: 0,
        bytes_out: 0,
        state: this.membership.stateOf(this.self) ?? 'alive',
        leader: this.registry.leader === this.self,
      },
    ];
    const ids = new Set<NodeId>();
    for (const m of this.membership.list()) if (m.node !== this.self) ids.add(m.node);
    for (const p of this.tls.peers()) ids.add(p);
    for (const id of [...ids].sort((a, b) => a - b)) {
      const stats = this.tls.linkStats(id);
      const member = this.membership.member(id);
      rows.push({
        id: formatNodeId(id),
        address: member?.addresses[0] ?? this.tls.address(id) ?? '',
        self: false,
        link: this.tls.linkPhase(id),
        rtt_us: Math.round(stats?.rttUs ?? 0),
        bytes_in: stats?.bytesIn ?? 0,
        bytes_out: stats?.bytesOut ?? 0,
        state: this.revoked.has(formatNodeId(id)) ? 'revoked' : (member?.state ?? 'unknown'),
        leader: this.registry.leader === id,
      });
    }
    return rows;
  }

  /** `count` round trips of `size` bytes to `peer`, in microseconds, one after another. */
  async ping(peer: NodeId, count: number, size: number): Promise<number[]> {
    const out: number[] = [];
    for (let i = 0; i < count; i++) out.push(await this.tls.ping(peer, size));
    return out;
  }

  /** Subscribes to every frame on every link; returns the unsubscribe function. */
  trace(listener: (e: FrameTraceEvent & { time: number }) => void): () => void {
    this.traces.add(listener);
    // The transport reports frames only while someone listens: the hook re-reads every batch it
    // writes, a cost the hot path does not pay otherwise.
    this.tls.onFrame = (e) => {
      const event = { ...e, time: Date.now() };
      for (const t of this.traces) t(event);
    };
    return () => {
      const had = this.traces.delete(listener);
      if (this.traces.size === 0) this.tls.onFrame = undefined;
      return had;
    };
  }

  get traceCount(): number {
    return this.traces.size;
  }

  /** For metrics: the peers with a link object, their counters and queues, node-wide buffers. */
  linkPeers(): NodeId[] {
    return this.tls.peers();
  }
  linkStats(peer: NodeId) {
    return this.tls.linkStats(peer);
  }
  queueDepth(peer: NodeId) {
    return this.tls.queueDepth(peer);
  }
  bufferStats() {
    return this.tls.stats();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.registry.stop();
    clearTimeout(this.tickTimer);
    clearImmediate(this.pumpQueued);
    for (const t of this.intervals) clearInterval(t);
    this.lag.disable();
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(new ForwardError(503, 'reset', 'the node is stopping'));
    }
    this.pending.clear();
    for (const p of this.pendingJoins.values()) {
      clearTimeout(p.timer);
      p.resolve(NOT_CA);
    }
    this.pendingJoins.clear();
    try {
      this.membership.leave(performance.now());
      for (const out of this.membership.drain()) if (out.type === 'send') this.output(out);
    } catch {
      // leaving is best effort
    }
    await this.lan?.stop();
    await Promise.all([this.tls.close(), this.udp.close()]);
  }
}

function parseCaNode(info: { caNodeId?: string | undefined }): NodeId | undefined {
  return typeof info.caNodeId === 'string' ? parseNodeId(info.caNodeId) : undefined;
}

export type { NetError };
