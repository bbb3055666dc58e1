// PeerLinks: the slice of a node's reliable links one cluster service sees (remote ports,
// migration, the checkpoint store, process control). Each service owns a range of application
// types (APP_TYPES below); the node routes a message to the service whose range holds its type, and
// drops traffic with blocked peers before either side sees it. The daemon implements it over its
// TLS links (ClusterNet.appLinks); the simulator over SimNetwork; tests over either.
import type { NetError } from '../net/errors.js';
import type { NodeId } from '../net/node-id.js';
import type { Lane, LinkHandler, MessageHandler } from '../net/transport.js';

export interface PeerLinks {
  readonly self: NodeId;
  /** As LinkTransport.send: undefined when queued, else why not (overload: see whenWritable). */
  send(peer: NodeId, lane: Lane, type: number, payload: Uint8Array): NetError | undefined;
  whenWritable(peer: NodeId, lane: Lane): Promise<void>;
  linkState(peer: NodeId): 'up' | 'down';
  /** Messages whose type is in this service's range. */
  onMessage(handler: MessageHandler): void;
  onLink(handler: LinkHandler): void;
}

/** An application-type range [lo, hi] on node links (docs/protocol.md, "Daemon messages"). */
export interface AppTypeRange {
  readonly lo: number;
  readonly hi: number;
}

/**
 * The application types of the cluster services. 1–31 belong to the daemon and consensus
 * (src/node/wire.ts, src/cluster/consensus/limits.ts).
 */
export const APP_TYPES = {
  /** Process control: spawn, ps --all, logs, wait, kill from any node (src/cluster/procs). */
  procs: { lo: 32, hi: 47 },
  /** Remote ports: messages, acks, credit, dead-port and monitor notices (src/cluster/ports). */
  ports: { lo: 48, hi: 63 },
  /** Live migration: pages, rounds, freeze, commit, post-copy page requests (src/cluster/migration). */
  migration: { lo: 64, hi: 79 },
  /** The checkpoint store: replication of manifests and pages, fetches (src/cluster/store). */
  store: { lo: 80, hi: 95 },
} as const satisfies Record<string, AppTypeRange>;

export function inRange(range: AppTypeRange, type: number): boolean {
  return type >= range.lo && type <= range.hi;
}

/**
 * PeerLinks over a whole link transport (the simulator's SimNetwork endpoint, tests): each service
 * registers its own handler and sees only its range.
 */
export function transportLinks(
  t: {
    readonly self: NodeId;
    send(peer: NodeId, lane: Lane, type: number, payload: Uint8Array): NetError | undefined;
    whenWritable(peer: NodeId, lane: Lane): Promise<void>;
    linkState(peer: NodeId): 'up' | 'down';
    onMessage(handler: MessageHandler): void;
    onLink(handler: LinkHandler): void;
  },
  range: AppTypeRange,
): PeerLinks {
  return {
    self: t.self,
    send: (peer, lane, type, payload) => {
      if (!inRange(range, type)) throw new Error(`links: type ${type} is outside ${range.lo}..${range.hi}`);
      return t.send(peer, lane, type, payload);
    },
    whenWritable: (peer, lane) => t.whenWritable(peer, lane),
    linkState: (peer) => t.linkState(peer),
    onMessage: (h) =>
      t.onMessage((peer, lane, type, payload) => {
        if (inRange(range, type)) h(peer, lane, type, payload);
      }),
    onLink: (h) => t.onLink(h),
  };
}
