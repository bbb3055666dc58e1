// The simulator's wiring of process ownership and the checkpoint store, as the daemon wires them
// (src/node/procs-service.ts, src/node/store-node.ts) but over a simulated node: procs' owner guard
// (a node drops its copy of a process the registry says it lost) and state sync (npids/ follows the
// kernel: exited + status), the content-addressed CheckpointStore on the node's storage under
// store/, Replication over APP_TYPES.store, periodic checkpoints in guest time, and Recovery (a dead
// member's processes come back on a live node from their last replicated checkpoint, fenced).
// `StoreNodes.spawn` starts a program as procs does: created stopped, npids/<npid> written with a
// fence, the token adopted, then let run.
import { APP_TYPES } from '../../../cluster/links.js';
import { OwnerGuard } from '../../../cluster/procs/owner-guard.js';
import { StateSync } from '../../../cluster/procs/state-sync.js';
import { Recovery, type RecoveryOutcome } from '../../../cluster/recovery/recovery.js';
import { npidRecord, npids, type RestartPolicy } from '../../../cluster/registry/schema.js';
import type { Storage } from '../../../cluster/storage.js';
import { PeriodicCheckpoints } from '../../../cluster/store/periodic.js';
import { Replication } from '../../../cluster/store/replication.js';
import { CheckpointStore } from '../../../cluster/store/store.js';
import type { Kernel } from '../../../kernel/kernel.js';
import type { NodeId } from '../../../net/node-id.js';
import type { SimService, SimServiceContext, SimServiceFactory } from '../service.js';

/** One node's ownership and store services (this incarnation's). */
export interface StoreNode {
  readonly self: NodeId;
  readonly kernel: Kernel;
  readonly guard: OwnerGuard;
  readonly sync: StateSync;
  readonly store: CheckpointStore;
  readonly replication: Replication;
  readonly recovery: Recovery;
  readonly periodic: PeriodicCheckpoints;
  readonly registry: SimServiceContext['registry'];
  /** Wakes the node's driver. */
  readonly changed: () => void;
  /** True once recovery and periodic checkpoints have started (the registry answered). */
  started: boolean;
  stopped: boolean;
}

export interface StoreNodesOptions {
  /** Other nodes a checkpoint must reach (default: the store's default). */
  readonly replicas?: number;
  /** Told of every recovery outcome and every copy a node dropped (the scenario's records). */
  readonly onRecovery?: (node: NodeId, outcome: RecoveryOutcome) => void;
  readonly onDropped?: (node: NodeId, npid: string) => void;
  /** Told of every periodic checkpoint taken (before it is replicated): the image and the process. */
  readonly onCheckpoint?: (node: NodeId, npid: string, pid: number, bundle: Uint8Array) => void;
  /** Told of every recovery restore on a node: the image restored and the pids it made. */
  readonly onRestored?: (node: NodeId, npid: string, bundle: Uint8Array, pids: readonly number[]) => void;
}

/** How long a node waits for the registry before starting recovery and periodic checkpoints again (ms). */
const START_RETRY_MS = 300;

export class StoreNodes {
  private readonly nodes = new Map<NodeId, StoreNode>();

  constructor(private readonly o: StoreNodesOptions = {}) {}

  /** The factory to plug into SimClusterOptions.services. */
  readonly factory: SimServiceFactory = (ctx) => this.start(ctx);

  /** The running services of node `id`, if it is up and they started. */
  of(id: NodeId | number): StoreNode | undefined {
    const n = this.nodes.get(id as NodeId);
    return n && !n.stopped ? n : undefined;
  }

  /**
   * Spawns `program` on node `id` as procs does: stopped, recorded in npids/ with a fence and the
   * restart policy and checkpoint period, the token adopted, then running. Resolves to the NPID.
   */
  async spawn(
    id: NodeId | number,
    elf: Uint8Array,
    argv: readonly string[],
    policy: { restart: RestartPolicy; checkpointEveryMs?: number },
  ): Promise<{ npid: string; pid: number }> {
    const n = this.of(id);
    if (!n) throw new Error(`node ${id} has no store services running`);
    const registry = n.registry;
    const p = n.kernel.spawn({ file: elf, argv: [...argv], envp: [] });
    n.kernel.stopProcess(p);
    const key = npids.key(p.npid);
    try {
      const cas = await registry.compareAndSet(
        key,
        { modRevision: 0 },
        npids.encode({
          node: n.self,
          state: 'running',
          name: p.name.slice(0, 64),
          args: argv.slice(1),
          restart: policy.restart,
          ...(policy.checkpointEveryMs !== undefined ? { checkpointEveryMs: policy.checkpointEveryMs } : {}),
        }),
        { fence: true },
      );
      if (!cas.succeeded || !cas.kv) throw new Error(`${p.npid} already has a registry record`);
      n.guard.adopt(p.npid, npidRecord(cas.kv).fence);
    } catch (e) {
      if (p.alive) n.kernel.kill(p.pid, 9);
      throw e;
    }
    if (p.alive) n.kernel.continueProcess(p);
    n.changed();
    return { npid: p.npid, pid: p.pid };
  }

  private start(ctx: SimServiceContext): SimService {
    const kernel = ctx.kernel;
    const guard = new OwnerGuard(ctx.self, ctx.registry, ctx.log);
    const sync = new StateSync(ctx.registry, guard, ctx.clock, ctx.log);
    const store = new CheckpointStore(prefixed(ctx.storage, 'store/'));
    const replication = new Replication({
      links: ctx.links(APP_TYPES.store),
      store,
      clock: ctx.clock,
      registry: ctx.registry,
      ...(this.o.replicas !== undefined ? { replicas: this.o.replicas } : {}),
    });
    const pidOf = (npid: string): number | undefined => {
      for (const p of kernel.processes.values()) if (p.alive && p.npid === npid) return p.pid;
      return undefined;
    };
    const recovery = new Recovery({
      self: ctx.self,
      registry: ctx.registry,
      store,
      replication,
      clock: ctx.clock,
      restore: (npid, bundle, record) => {
        const pids = kernel.restoreAll(bundle);
        guard.adopt(npid, record.fence);
        this.o.onRestored?.(ctx.self, npid, bundle, pids);
        ctx.changed();
        ctx.log.info({ npid, pids }, 'recovered a process from its checkpoint');
      },
      onOutcome: (outcome) => this.o.onRecovery?.(ctx.self, outcome),
    });
    const periodic = new PeriodicCheckpoints({
      self: ctx.self,
      registry: ctx.registry,
      replication,
      clock: ctx.clock,
      onCheckpoint: (npid, r) => {
        if (r instanceof Error) ctx.log.warn({ npid, error: r.message }, 'periodic checkpoint failed');
        else ctx.log.info({ npid, manifest: r.manifest.slice(0, 12), nodes: r.nodes }, 'periodic checkpoint');
      },
      kernel: {
        now: () => kernel.now(),
        pidOf,
        checkpoint: (pid) => {
          const bundle = kernel.checkpoint(pid);
          const p = kernel.findProcess(pid);
          if (p) this.o.onCheckpoint?.(ctx.self, p.npid, pid, bundle);
          return bundle;
        },
      },
    });
    const node: StoreNode = {
      self: ctx.self,
      kernel,
      guard,
      sync,
      store,
      replication,
      recovery,
      periodic,
      registry: ctx.registry,
      changed: ctx.changed,
      started: false,
      stopped: false,
    };
    this.nodes.set(ctx.self, node);
    // npids/ follows the kernel: an owned process that ends is recorded as exited.
    const exited = kernel.host.exited?.bind(kernel.host);
    kernel.host.exited = (p) => {
      exited?.(p);
      if (guard.held(p.npid) !== undefined) sync.report(p.npid, { state: 'exited', status: p.exitCode ?? 0 });
    };
    // A copy this node no longer owns (recovered or moved elsewhere) is dropped at once.
    guard.onAnyLost((npid) => {
      const pid = pidOf(npid);
      if (pid === undefined) return;
      this.o.onDropped?.(ctx.self, npid);
      kernel.kill(pid, 9);
      ctx.changed();
    });
    // Once the registry answers (it may be electing), each part starts; one that fails retries.
    const begin = (what: () => Promise<void>): Promise<void> =>
      what().catch(
        () =>
          new Promise<void>((resolve) =>
            ctx.clock.setTimer(START_RETRY_MS, () => {
              if (!node.stopped) void begin(what).then(resolve);
            }),
          ),
      );
    const probe = (): void => {
      if (node.stopped) return;
      ctx.registry.list(npids.prefix, 1).then(
        () => {
          void Promise.all([
            begin(() => guard.start()),
            begin(() => recovery.start()),
            begin(() => periodic.start()),
          ]).then(() => {
            node.started = true;
          });
        },
        () => ctx.clock.setTimer(START_RETRY_MS, probe),
      );
    };
    probe();
    return {
      stop: () => {
        node.stopped = true;
        recovery.stop();
        periodic.stop();
        sync.stop();
        guard.stop();
        replication.close();
      },
    };
  }
}

/** A view of `storage` whose names all start with `prefix` (one service's corner of the disk). */
export function prefixed(storage: Storage, prefix: string): Storage {
  return {
    read: (name) => storage.read(prefix + name),
    append: (name, bytes) => storage.append(prefix + name, bytes),
    writeAtomic: (name, bytes) => storage.writeAtomic(prefix + name, bytes),
    truncate: (name, length) => storage.truncate(prefix + name, length),
    sync: (name) => storage.sync(prefix + name),
    remove: (name) => storage.remove(prefix + name),
    list: (p) => storage.list(prefix + p).map((n) => n.slice(prefix.length)),
  };
}
