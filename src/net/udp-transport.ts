// Datagrams over UDP (node:dgram), sealed with AES-256-GCM under the 32-byte cluster key
// (node:crypto): a header (magic, version, key id, sender node id, sequence number, random nonce) is
// authenticated as AAD; the payload is encrypted. Forged, malformed and replayed datagrams (a
// sliding window per sender) are dropped and counted, never thrown.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import * as dgram from 'node:dgram';
import { NetError } from './errors.js';
import * as L from './limits.js';
import { type NetLogger, silentLogger } from './logger.js';
import { netCounters } from './metrics.js';
import { formatNodeId, type NodeId } from './node-id.js';
import { ReplayWindow } from './replay-window.js';
import type { DatagramHandler, DatagramTarget, DatagramTransport } from './transport.js';

export const DATAGRAM_MAGIC0 = 0x50; // 'P'
export const DATAGRAM_MAGIC1 = 0x44; // 'D'
export const DATAGRAM_VERSION = 1;
/** magic(2) version(1) keyId(1) sender(4) seq(8) nonce(12) */
export const DATAGRAM_HEADER = 28;
export const DATAGRAM_TAG = 16;

export interface UdpTransportOptions {
  self: NodeId;
  /** Cluster keys by key id (0..255), each 32 bytes; `sendKeyId` picks the one we seal with. */
  keys: Map<number, Uint8Array>;
  sendKeyId: number;
  listen: { host: string; port: number };
  addresses?: Iterable<[NodeId, string]>;
  logger?: NetLogger;
  /** First sequence number; default: microseconds of wall time, so a restarted node is not a replay. */
  sequenceStart?: number;
}

/** Counters of what was received and dropped. */
export interface DatagramStats {
  received: number;
  sent: number;
  forged: number;
  replayed: number;
  malformed: number;
  oversize: number;
}

export class UdpTransport implements DatagramTransport {
  readonly self: NodeId;
  private readonly socket: dgram.Socket;
  private readonly keys: Map<number, Uint8Array>;
  private readonly sendKeyId: number;
  private readonly addressBook = new Map<NodeId, string>();
  private readonly learned = new Map<NodeId, string>();
  private readonly windows = new Map<NodeId, ReplayWindow>();
  private handlers: DatagramHandler[] = [];
  private seq: number;
  private readonly log: NetLogger;
  private closed = false;
  readonly stats: DatagramStats = { received: 0, sent: 0, forged: 0, replayed: 0, malformed: 0, oversize: 0 };

  private constructor(options: UdpTransportOptions, socket: dgram.Socket) {
    this.self = options.self;
    this.socket = socket;
    this.log = options.logger ?? silentLogger;
    for (const [id, k] of options.keys) {
      if (k.length !== 32 || id < 0 || id > 255)
        throw new NetError('auth', `cluster key ${id} must be 32 bytes with an id 0..255`);
    }
    if (!options.keys.has(options.sendKeyId))
      throw new NetError('auth', `no cluster key with id ${options.sendKeyId}`);
    this.keys = options.keys;
    this.sendKeyId = options.sendKeyId;
    this.seq = options.sequenceStart ?? Date.now() * 1000;
    for (const [id, a] of options.addresses ?? []) this.addressBook.set(id, a);
    socket.on('message', (msg, rinfo) =>
      this.receive(msg, `${rinfo.family === 'IPv6' ? `[${rinfo.address}]` : rinfo.address}:${rinfo.port}`),
    );
    socket.on('error', (e) => this.log('error', `udp socket error: ${e.message}`));
  }

  static start(options: UdpTransportOptions): Promise<UdpTransport> {
    const socket = dgram.createSocket(options.listen.host.includes(':') ? 'udp6' : 'udp4');
    return new Promise((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(options.listen.port, options.listen.host, () => {
        socket.off('error', reject);
        resolve(new UdpTransport(options, socket));
      });
    });
  }

  get port(): number {
    return this.socket.address().port;
  }

  setAddress(peer: NodeId, address: string): void {
    this.addressBook.set(peer, address);
  }

  /** Where datagrams from `peer` come from (its configured address, else the last source seen). */
  sourceOf(peer: NodeId): string | undefined {
    return this.addressBook.get(peer) ?? this.learned.get(peer);
  }

  onDatagram(handler: DatagramHandler): void {
    this.handlers.push(handler);
  }

  sendDatagram(to: DatagramTarget, payload: Uint8Array): NetError | undefined {
    if (this.closed) return new NetError('reset', 'transport is closed');
    if (payload.length > L.MAX_DATAGRAM_BYTES) {
      return new NetError('overload', `datagram of ${payload.length} bytes exceeds ${L.MAX_DATAGRAM_BYTES}`);
    }
    const address = typeof to === 'string' ? to : (this.addressBook.get(to) ?? this.learned.get(to));
    if (!address) return new NetError('unreachable', `no address for node ${formatNodeId(to as NodeId)}`);
    const m = /^\[?(.*?)\]?:(\d+)$/.exec(address);
    if (!m) return new NetError('unreachable', `bad address ${address}`);
    const sealed = this.seal(payload);
    this.socket.send(sealed, Number(m[2]), m[1] as string, (err) => {
      if (err) this.log('debug', `udp send to ${address} failed: ${err.message}`);
    });
    this.stats.sent++;
    return undefined;
  }

  /** Seals `payload` into a datagram (exposed for tests). */
  seal(payload: Uint8Array, keyId = this.sendKeyId): Buffer {
    const key = this.keys.get(keyId) as Uint8Array;
    const out = Buffer.allocUnsafe(DATAGRAM_HEADER + payload.length + DATAGRAM_TAG);
    out[0] = DATAGRAM_MAGIC0;
    out[1] = DATAGRAM_MAGIC1;
    out[2] = DATAGRAM_VERSION;
    out[3] = keyId;
    out.writeUInt32BE(this.self, 4);
    out.writeBigUInt64BE(BigInt(this.seq++), 8);
    randomBytes(12).copy(out, 16);
    const cipher = createCipheriv('aes-256-gcm', key, out.subarray(16, 28));
    cipher.setAAD(out.subarray(0, DATAGRAM_HEADER));
    const n1 = cipher.update(payload).copy(out, DATAGRAM_HEADER);
    const n2 = cipher.final().copy(out, DATAGRAM_HEADER + n1);
    cipher.getAuthTag().copy(out, DATAGRAM_HEADER + n1 + n2);
    return out;
  }

  /** Checks and opens one datagram; drops (and counts) anything not genuine and new. */
  receive(msg: Buffer, from: string): void {
    if (this.closed) return;
    if (msg.length > DATAGRAM_HEADER + L.MAX_DATAGRAM_BYTES + DATAGRAM_TAG)
      return this.drop('oversize', from);
    if (
      msg.length < DATAGRAM_HEADER + DATAGRAM_TAG ||
      msg[0] !== DATAGRAM_MAGIC0 ||
      msg[1] !== DATAGRAM_MAGIC1 ||
      msg[2] !== DATAGRAM_VERSION
    ) {
      return this.drop('malformed', from);
    }
    const key = this.keys.get(msg[3] as number);
    if (!key) return this.drop('forged', from);
    const sender = msg.readUInt32BE(4) as NodeId;
    const seq = Number(msg.readBigUInt64BE(8));
    let plain: Buffer;
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, msg.subarray(16, 28));
      decipher.setAAD(msg.subarray(0, DATAGRAM_HEADER));
      decipher.setAuthTag(msg.subarray(msg.length - DATAGRAM_TAG));
      plain = Buffer.concat([
        decipher.update(msg.subarray(DATAGRAM_HEADER, msg.length - DATAGRAM_TAG)),
        decipher.final(),
      ]);
    } catch {
      return this.drop('forged', from);
    }
    let window = this.windows.get(sender);
    if (!window) {
      if (this.windows.size >= L.MAX_DATAGRAM_SENDERS) {
        const oldest = this.windows.keys().next().value;
        if (oldest !== undefined) this.windows.delete(oldest);
      }
      window = new ReplayWindow();
      this.windows.set(sender, window);
    }
    if (!window.accept(seq)) return this.drop('replayed', from);
    this.stats.received++;
    if (
      !this.addressBook.has(sender) &&
      (this.learned.has(sender) || this.learned.size < L.MAX_DATAGRAM_SENDERS)
    ) {
      this.learned.set(sender, from);
    }
    for (const h of this.handlers) h(sender, plain);
  }

  private drop(reason: 'forged' | 'replayed' | 'malformed' | 'oversize', from: string): void {
    this.stats[reason]++;
    netCounters.datagramsDropped[reason]++;
    this.log('debug', `dropped a ${reason} datagram from ${from}`);
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    return new Promise((r) => this.socket.close(() => r()));
  }
}
