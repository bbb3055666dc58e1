// The plug-in point of the whole-node simulator: a cluster service (process control, remote ports,
// migration, the checkpoint store) is a factory that takes what its pure core in src/cluster/ takes
// — the node's kernel, its links for one application-type range, the registry, a clock, a seeded
// random, the node's storage and a log — and returns something that stops. The daemon's adapters
// in src/node/ build the same cores from ClusterNet; here they run over SimNetwork, deterministically.
import type { AppTypeRange, PeerLinks } from '../../cluster/links.js';
import type { RegistryClient } from '../../cluster/registry/client.js';
import type { RegistryStateMachine } from '../../cluster/registry/state-machine.js';
import type { Storage } from '../../cluster/storage.js';
import type { Kernel } from '../../kernel/kernel.js';
import type { Clock } from '../../net/clock.js';
import type { NodeId } from '../../net/node-id.js';
import type { Random } from '../../net/random.js';
import type { GlobalNamesSlot } from '../../servers/global-names.js';

/** The daemon's logger shape (pino's), so a core can take either. */
export interface ServiceLog {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export interface SimServiceContext {
  readonly self: NodeId;
  /** The node's kernel (this incarnation's: a restart builds a new one and new services). */
  readonly kernel: Kernel;
  /** The name server's hook to cluster-wide names: a remote-ports service sets its target. */
  readonly globalNames: GlobalNamesSlot;
  /** The node's reliable links, seeing only `range` (use your service's APP_TYPES entry). */
  links(range: AppTypeRange): PeerLinks;
  /** The linearizable registry client (the daemon's ClusterNet.registry.client). */
  readonly registry: RegistryClient;
  /** The local replica's state machine, for local (possibly stale) reads. */
  readonly stateMachine: RegistryStateMachine;
  /** True while this node leads the registry. */
  isLeader(): boolean;
  /** The node's clock (ms; drift and pause apply; dead after a crash). */
  readonly clock: Clock;
  readonly random: Random;
  /** The node's durable storage (survives a crash up to its last sync). Keep to your own prefix. */
  readonly storage: Storage;
  readonly log: ServiceLog;
  /** The kernel may have work again: call after anything that may make a thread runnable. */
  changed(): void;
}

export interface SimService {
  stop(): void | Promise<void>;
}

export type SimServiceFactory = (ctx: SimServiceContext) => SimService;
