// The checkpoint store in the daemon (issue 13 §4–§5): the adapter that wires the pure cores of
// src/cluster/store and src/cluster/recovery to this node — a FileStorage at <home>/store, the
// store's PeerLinks (APP_TYPES.store), the Raft registry's client, the host clock and the real
// kernel — and the operations the admin routes call: checkpoint an NPID into the store (here, or
// forwarded to the node that runs it), restore an NPID from the store onto this node.
import { join } from 'node:path';
import { APP_TYPES } from '../cluster/links.js';
import { Recovery, type RecoveryOutcome } from '../cluster/recovery/recovery.js';
import { checkpoints, npidRecord, npids, type RestartPolicy } from '../cluster/registry/schema.js';
import type { FencingToken } from '../cluster/registry/types.js';
import { StoreError } from '../cluster/store/errors.js';
import { PeriodicCheckpoints } from '../cluster/store/periodic.js';
import { type CheckpointResult, Replication } from '../cluster/store/replication.js';
import { CheckpointStore } from '../cluster/store/store.js';
import type { Kernel } from '../kernel/kernel.js';
import { parseNpid } from '../kernel/npid.js';
import { formatNodeId, type NodeId } from '../net/node-id.js';
import { systemClock } from '../net/system-clock.js';
import type { ClusterNet } from './cluster-net.js';
import { FileStorage } from './file-storage.js';
import type { Logger } from './logger.js';
import { procsOf } from './procs-service.js';

/** How long the store waits for the registry to answer at start before retrying (ms). */
const START_RETRY_MS = 500;

export interface StoreCheckpointAnswer {
  npid: string;
  node: string;
  manifest: string;
  nodes: string[];
  taken: number;
  pages: number;
  pagesWritten: number;
  bytesWritten: number;
  bytesSent: number;
}

export interface StoreRestoreAnswer {
  npid: string;
  pid: number;
  node: string;
  manifest: string;
  pagesFetched: number;
}

/** What the service needs of ClusterServiceContext (cluster-services.ts lists this factory). */
export interface StoreContext {
  readonly home: string;
  readonly kernel: Kernel | undefined;
  readonly net: ClusterNet;
  readonly log: Logger;
  changed(): void;
}

const byNet = new WeakMap<ClusterNet, StoreNode>();

/** The checkpoint store service of a running node, if it has one (a real kernel and --listen). */
export function storeOf(net: ClusterNet | undefined): StoreNode | undefined {
  return net === undefined ? undefined : byNet.get(net);
}

export class StoreNode {
  readonly name = 'store';
  readonly store: CheckpointStore;
  readonly replication: Replication;
  readonly recovery: Recovery;
  readonly periodic: PeriodicCheckpoints;
  private readonly storage: FileStorage;
  private stopped = false;
  private startTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly ctx: StoreContext,
    private readonly kernel: Kernel,
  ) {
    const net = ctx.net;
    this.storage = new FileStorage(join(ctx.home, 'store'));
    this.store = new CheckpointStore(this.storage);
    this.replication = new Replication({
      links: net.appLinks(APP_TYPES.store, 'spawn'),
      store: this.store,
      clock: systemClock,
      registry: net.registry.client,
    });
    this.recovery = new Recovery({
      self: net.self,
      registry: net.registry.client,
      store: this.store,
      replication: this.replication,
      clock: systemClock,
      restore: (npid, bundle, record) => {
        this.adopt(npid, record.fence);
        const pids = kernel.restoreAll(bundle);
        ctx.changed();
        ctx.log.info({ npid, pids }, 'recovered a process from its checkpoint');
      },
      onOutcome: (o: RecoveryOutcome) => {
        if (o.kind !== 'skipped') ctx.log.info({ ...o }, `recovery: ${o.kind}`);
      },
    });
    this.periodic = new PeriodicCheckpoints({
      self: net.self,
      registry: net.registry.client,
      replication: this.replication,
      clock: systemClock,
      taken: () => Date.now(),
      kernel: {
        now: () => kernel.now(),
        pidOf: (npid) => this.pidOf(npid),
        checkpoint: (pid) => kernel.checkpoint(pid),
      },
      onCheckpoint: (npid, r) => {
        if (r instanceof Error) ctx.log.warn({ npid, err: r.message }, 'periodic checkpoint failed');
        else
          ctx.log.debug(
            { npid, manifest: r.manifest, nodes: r.nodes.map(formatNodeId) },
            'periodic checkpoint',
          );
      },
    });
    this.start();
  }

  /** Starts recovery and periodic checkpoints once the registry answers (it may be electing). */
  private start(): void {
    const attempt = (): void => {
      if (this.stopped) return;
      Promise.all([this.recovery.start(), this.periodic.start()]).catch((err: Error) => {
        this.recovery.stop();
        this.periodic.stop();
        if (this.stopped) return;
        this.ctx.log.debug({ err: err.message }, 'store: registry not ready, retrying');
        this.startTimer = setTimeout(attempt, START_RETRY_MS);
        this.startTimer.unref();
      });
    };
    attempt();
  }

  stop(): void {
    this.stopped = true;
    if (byNet.get(this.ctx.net) === this) byNet.delete(this.ctx.net);
    if (this.startTimer !== undefined) clearTimeout(this.startTimer);
    this.recovery.stop();
    this.periodic.stop();
    this.replication.close();
    this.storage.close();
  }

  /**
   * Tells process control (procs' owner guard) that this node now owns `npid` with `fence` (the
   * token of the ownership write), and keeps its output for `pakaya logs`: its exit is then
   * reported in npids/, and a newer owner in the registry makes this node drop its copy. Done
   * before the restore, so the first output and an early exit are not missed; procs' arrivals pass
   * (procs-arrivals.ts) would adopt it a poll later, and sees it held.
   */
  private adopt(npid: string, fence: FencingToken): void {
    const procs = procsOf(this.ctx.net);
    if (procs === undefined) return;
    procs.guard.adopt(npid, fence);
    if (!procs.local.keeps(npid)) procs.local.keep(npid);
  }

  pidOf(npid: string): number | undefined {
    for (const p of this.kernel.processes.values()) if (p.alive && p.npid === npid) return p.pid;
    return undefined;
  }

  /**
   * Checkpoints the local process `npid` into the store and replicates it; with `restart` or
   * `everyMs`, first sets its restart policy and checkpoint period in its `npids/` entry (creating
   * the entry, as spawn does, when the registry has none).
   */
  async checkpointLocal(
    npid: string,
    options: { restart?: RestartPolicy; everyMs?: number },
  ): Promise<StoreCheckpointAnswer> {
    const pid = this.pidOf(npid);
    if (pid === undefined) throw new StoreError('missing', `no live process ${npid} on this node`);
    const registry = this.ctx.net.registry.client;
    const key = npids.key(npid);
    const current = await registry.get(key);
    if (current.kv !== undefined) {
      const r = npidRecord(current.kv);
      if (r.node !== this.ctx.net.self)
        throw new StoreError('unavailable', `${npid} is owned by node ${formatNodeId(r.node)}`);
      if (options.restart !== undefined || options.everyMs !== undefined) {
        const { npid: _n, fence: _f, ...entry } = r;
        const cas = await registry.compareAndSet(
          key,
          { modRevision: current.kv.modRevision },
          npids.encode({
            ...entry,
            ...(options.restart !== undefined ? { restart: options.restart } : {}),
            ...(options.everyMs !== undefined ? { checkpointEveryMs: options.everyMs } : {}),
          }),
        );
        if (!cas.succeeded) throw new StoreError('unavailable', `${npid} changed in the registry; try again`);
      }
    } else {
      const p = this.kernel.findProcess(pid);
      const cas = await registry.compareAndSet(
        key,
        { modRevision: 0 },
        npids.encode({
          node: this.ctx.net.self,
          state: 'running',
          ...(p !== undefined ? { name: p.name.slice(0, 64) } : {}),
          restart: options.restart ?? 'no',
          ...(options.everyMs !== undefined ? { checkpointEveryMs: options.everyMs } : {}),
        }),
        { fence: true },
      );
      if (!cas.succeeded || cas.kv === undefined)
        throw new StoreError('unavailable', `${npid} appeared in the registry; try again`);
      this.adopt(npid, cas.kv.fence);
    }
    const result: CheckpointResult = await this.replication.checkpoint(
      npid,
      this.kernel.checkpoint(pid),
      Date.now(),
    );
    return {
      npid,
      node: formatNodeId(this.ctx.net.self),
      manifest: result.manifest,
      nodes: result.nodes.map(formatNodeId),
      taken: result.taken,
      pages: result.put.pages,
      pagesWritten: result.put.pagesWritten,
      bytesWritten: result.put.bytesWritten,
      bytesSent: result.bytesSent,
    };
  }

  /** The last replicated checkpoint of `npid` as the registry has it (`checkpoints/<npid>`), if any. */
  async location(npid: string): Promise<{ manifest: string; nodes: string[]; taken: number } | undefined> {
    const r = await this.ctx.net.registry.client.get(checkpoints.key(npid));
    if (r.kv === undefined) return undefined;
    const cp = checkpoints.decode(r.kv.value);
    return { manifest: cp.manifest, nodes: cp.nodes.map(formatNodeId), taken: cp.taken };
  }

  /** The node the registry names as the owner of `npid`, if any. */
  async ownerOf(npid: string): Promise<NodeId | undefined> {
    const r = await this.ctx.net.registry.client.get(npids.key(npid));
    return r.kv === undefined ? undefined : npids.decode(r.kv.value).node;
  }

  /**
   * Restores `npid` onto this node from its last replicated checkpoint: fetches what this store
   * lacks from a holder, takes ownership (fenced compare-and-set; refused while the process runs
   * on a live node), restores. Throws StoreError.
   */
  async restoreHere(npid: string): Promise<StoreRestoreAnswer> {
    if (parseNpid(npid) === undefined)
      throw new StoreError('corrupt', `${JSON.stringify(npid)} is not an NPID`);
    const registry = this.ctx.net.registry.client;
    const cpKv = (await registry.get(checkpoints.key(npid))).kv;
    if (cpKv === undefined) throw new StoreError('missing', `no replicated checkpoint of ${npid}`);
    const cp = checkpoints.decode(cpKv.value);
    const key = npids.key(npid);
    const current = (await registry.get(key)).kv;
    const alive = new Set(
      this.ctx.net.registry
        .memberRecords()
        .filter((m) => m.state === 'alive')
        .map((m) => m.id),
    );
    if (current !== undefined) {
      const r = npidRecord(current);
      const live =
        r.state === 'running' ||
        r.state === 'stopped' ||
        r.state === 'migrating' ||
        r.state === 'checkpointed';
      if (live && alive.has(r.node))
        throw new StoreError(
          'unavailable',
          `${npid} is ${r.state} on node ${formatNodeId(r.node)}: kill it first`,
        );
    }
    if (this.pidOf(npid) !== undefined)
      throw new StoreError('unavailable', `${npid} already runs on this node`);
    this.store.pin(cp.manifest);
    try {
      const { pagesFetched } = await this.replication.fetch(cp.manifest, cp.nodes);
      const bundle = this.store.getImage(cp.manifest);
      const base = current !== undefined ? npidRecord(current) : undefined;
      const { npid: _n, fence: _f, status: _s, target: _t, ...rest } = base ?? { npid, fence: undefined };
      const cas = await registry.compareAndSet(
        key,
        { modRevision: current?.modRevision ?? 0 },
        npids.encode({ ...rest, node: this.ctx.net.self, state: 'running' }),
        { fence: true },
      );
      if (!cas.succeeded || cas.kv === undefined)
        throw new StoreError('unavailable', `${npid} changed in the registry during the restore`);
      this.adopt(npid, cas.kv.fence);
      const pids = this.kernel.restoreAll(bundle);
      this.ctx.changed();
      this.store.record(npid, cp.manifest, cp.taken);
      return {
        npid,
        pid: pids[0]!,
        node: formatNodeId(this.ctx.net.self),
        manifest: cp.manifest,
        pagesFetched,
      };
    } finally {
      this.store.unpin(cp.manifest);
    }
  }
}

/** The CLUSTER_SERVICES factory: a StoreNode when the node has a real kernel, else nothing. */
export function storeServiceFactory(ctx: StoreContext): { readonly name: string; stop(): void } {
  if (ctx.kernel === undefined) return { name: 'store', stop: () => {} };
  const node = new StoreNode(ctx, ctx.kernel);
  byNet.set(ctx.net, node);
  return node;
}
