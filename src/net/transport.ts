// The Transport: a node's network endpoint, the one interface the cluster layer drives (SWIM,
// Raft, remote IPC). Reliable, ordered, message-oriented links to peers named by NodeId (never by
// address), each with a control lane served ahead of a bulk lane; and unreliable datagrams. The
// simulated transport implements all of it; the TLS transport implements the links and the sealed
// UDP transport the datagrams, and joinTransports() makes one Transport of the two.
import type { NetError } from './errors.js';
import type { Lane } from './frame.js';
import type { LinkStats } from './metrics.js';
import type { NodeId } from './node-id.js';

export type { Lane };
export type LinkState = 'up' | 'down';

/** A datagram destination: a node, or an address ("host:port") for seeds and beacons. */
export type DatagramTarget = NodeId | string;

export type MessageHandler = (peer: NodeId, lane: Lane, type: number, payload: Uint8Array) => void;
export type LinkHandler = (peer: NodeId, state: LinkState, error?: NetError) => void;
export type DatagramHandler = (from: NodeId, payload: Uint8Array) => void;

/** Reliable links. */
export interface LinkTransport {
  /** This node. */
  readonly self: NodeId;
  /**
   * Queues `payload` (application type 0..65535) for `peer` on `lane`, opening the link if needed.
   * Returns undefined when queued, or a NetError value: `overload` when the lane queue is full (wait
   * with whenWritable), `unreachable` when the peer has no known address, `reset` after close().
   * The payload is not copied: do not modify it afterwards. Messages on one link arrive in order,
   * each exactly once, while the link stays up; when it goes down (onLink 'down') messages already
   * written may be lost and the caller resends what its protocol needs.
   */
  send(peer: NodeId, lane: Lane, type: number, payload: Uint8Array): NetError | undefined;
  /** Resolves when `peer`'s `lane` queue has room (back-pressure after an overload). */
  whenWritable(peer: NodeId, lane: Lane): Promise<void>;
  /** Opens (and keeps re-opening) the link to `peer`. send() does this implicitly. */
  connect(peer: NodeId): void;
  /** Closes the link to `peer` and stops reconnecting; queued messages are dropped. */
  disconnect(peer: NodeId): void;
  linkState(peer: NodeId): LinkState;
  /** Counters of the link to `peer` (undefined if there never was one). */
  linkStats(peer: NodeId): LinkStats | undefined;
  /** Peers with a link object (up or down). */
  peers(): NodeId[];
  onMessage(handler: MessageHandler): void;
  onLink(handler: LinkHandler): void;
  /** Orderly shutdown: stop accepting sends, drain queues (bounded time), send Goaway, close. */
  close(): Promise<void>;
}

/** Unreliable datagrams (gossip, beacons): may be lost, duplicated or reordered. */
export interface DatagramTransport {
  readonly self: NodeId;
  /** Sends one datagram; an error value if it cannot even be attempted (too big, no address). */
  sendDatagram(to: DatagramTarget, payload: Uint8Array): NetError | undefined;
  onDatagram(handler: DatagramHandler): void;
  close(): Promise<void>;
}

export interface Transport extends LinkTransport, DatagramTransport {
  close(): Promise<void>;
}

/** One Transport from a link transport and a datagram transport of the same node. */
export function joinTransports(links: LinkTransport, datagrams: DatagramTransport): Transport {
  if (links.self !== datagrams.self)
    throw new Error('joinTransports: the two transports name different nodes');
  return {
    self: links.self,
    send: (p, l, t, b) => links.send(p, l, t, b),
    whenWritable: (p, l) => links.whenWritable(p, l),
    connect: (p) => links.connect(p),
    disconnect: (p) => links.disconnect(p),
    linkState: (p) => links.linkState(p),
    linkStats: (p) => links.linkStats(p),
    peers: () => links.peers(),
    onMessage: (h) => links.onMessage(h),
    onLink: (h) => links.onLink(h),
    sendDatagram: (to, b) => datagrams.sendDatagram(to, b),
    onDatagram: (h) => datagrams.onDatagram(h),
    close: async () => {
      await Promise.all([links.close(), datagrams.close()]);
    },
  };
}
