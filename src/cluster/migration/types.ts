// What the migration core (src/cluster/migration) takes and gives: the kernel hooks it uses, its
// dependencies (PeerLinks, RegistryClient, Clock), the progress it reports while a migration runs
// and the summary it ends with, and its typed error.
import type { Kernel } from '../../kernel/kernel.js';
import type { Clock } from '../../net/clock.js';
import type { NodeId } from '../../net/node-id.js';
import type { PeerLinks } from '../links.js';
import type { OwnerGuard } from '../procs/owner-guard.js';
import type { RegistryClient } from '../registry/client.js';
import type { Mode } from './wire.js';

/** The kernel calls migration makes (a real Kernel has them all). */
export type MigrationKernel = Pick<
  Kernel,
  | 'allProcesses'
  | 'groupOf'
  | 'captureGroup'
  | 'privatePages'
  | 'isSharedPage'
  | 'readPage'
  | 'markClean'
  | 'dirtyPages'
  | 'setMigrating'
  | 'restoreGroup'
  | 'pageArrived'
  | 'dropMigrated'
  | 'kill'
>;

/**
 * Remote-port state of a process (ports' PortsRouter), when present: the dedup and in-flight state
 * of the ports it holds, and the way back of remote calls it has still to answer (reply tokens).
 */
export interface PortStateHooks {
  capturePortState(npid: string): Uint8Array;
  restorePortState(npid: string, bytes: Uint8Array): void;
  /** Forgets the port state of a process that left this node (senders then hear "moved"). */
  dropPortState?(npid: string): void;
  /** Where the answer behind reply token `token` goes. */
  replyRoute?(token: number): { node: NodeId; call: number } | undefined;
  /** A reply token here for a call from `node` that a migrated process answers (0: none). */
  adoptReply?(node: NodeId, call: number): number;
  dropReply?(token: number): void;
}

/** The calls migration makes of procs' owner guard (src/cluster/procs/owner-guard.ts). */
export type MigrationGuard = Pick<OwnerGuard, 'held' | 'adopt' | 'release'>;

export interface MigrationDeps {
  links: PeerLinks;
  registry: RegistryClient;
  clock: Clock;
  kernel: MigrationKernel;
  /**
   * Which local processes this node holds the ownership token of (procs' owner guard). The source
   * gives its token up just before the target can commit (so the guard's watch does not stop the
   * copy the post-copy target still fetches pages from) and takes it back if the migration rolls back.
   */
  guard: MigrationGuard;
  /** Wakes the node's driver: the kernel may have runnable threads again. */
  changed(): void;
  ports?: PortStateHooks | undefined;
  /** Diagnostics (never required). */
  log?: ((event: string, fields: Record<string, unknown>) => void) | undefined;
}

export type Phase = 'offer' | 'round' | 'freeze' | 'postcopy' | 'done';

/** One progress report of a running migration (the source's view). */
export interface MigrationProgress {
  phase: Phase;
  /** Pre-copy round (1-based; 0 before the first). */
  round: number;
  bytesSent: number;
  /** Pages left to send in this round (pre-copy) or to fetch (post-copy). */
  pagesLeft: number;
  /** Bytes per second the process dirtied in the last round. */
  dirtyRate: number;
  /** Estimated ms until the migration ends, or -1 while unknown. */
  estimateMs: number;
}

/** How a migration ended. */
export interface MigrationSummary {
  npid: string;
  from: NodeId;
  to: NodeId;
  mode: Mode;
  members: string[];
  /** ms from the start to the source's release of its copy. */
  totalMs: number;
  /** ms the process did not run: from the source's freeze to the target's commit answer. */
  freezeMs: number;
  bytes: number;
  rounds: number;
  pages: number;
  /** Post-copy: pages the target fetched on fault. */
  faults: number;
  fence: { term: number; index: number };
}

export type MigrationErrorCode =
  | 'no_such_process'
  | 'not_owner'
  | 'busy'
  | 'bad_target'
  | 'refused'
  | 'link_down'
  | 'timeout'
  | 'registry'
  | 'kernel'
  | 'lost';

export class MigrationError extends Error {
  override readonly name = 'MigrationError';
  constructor(
    readonly code: MigrationErrorCode,
    message: string,
  ) {
    super(message);
  }
}
