// Recovery (issue 13 §5, docs/recovery.md): when the leader marks a node dead (`members/<id>` state
// dead), every process the registry says ran there comes back on another live node from its last
// replicated checkpoint — with its NPID (the image keeps it) — if it has a restart policy
// (on-failure or always) and a checkpoint; otherwise it becomes state lost. Every live node runs
// this core and computes the same choice of target for each process (a holder of its checkpoint if
// one is alive, else any live node, spread by NPID); only the target acts. It fetches the missing
// pages from a holder, then takes ownership with a fenced compare-and-set on the process's record
// (so two recoveries, or a recovery and a returning owner, never both win), then restores. A
// periodic rescan retries what failed (a target that died too, a holder that did not answer).
import type { Clock, Timer } from '../../net/clock.js';
import type { NodeId } from '../../net/node-id.js';
import type { RegistryClient } from '../registry/client.js';
import {
  type CheckpointLocation,
  checkpoints,
  members,
  type NpidEntry,
  type NpidRecord,
  npidRecord,
  npids,
} from '../registry/schema.js';
import type { KeyValue } from '../registry/types.js';
import type { WatchHandle } from '../registry/watch.js';
import type { Replication } from '../store/replication.js';
import type { CheckpointStore } from '../store/store.js';
import { RECOVERY_CONCURRENT_MAX, RECOVERY_RESCAN_MS, RECOVERY_SCAN_MAX } from './limits.js';

export type RecoveryOutcome =
  | {
      readonly npid: string;
      readonly kind: 'recovered';
      readonly manifest: string;
      readonly pagesFetched: number;
    }
  | { readonly npid: string; readonly kind: 'lost'; readonly why: string }
  | { readonly npid: string; readonly kind: 'skipped'; readonly why: string }
  | { readonly npid: string; readonly kind: 'failed'; readonly why: string };

export interface RecoveryOptions {
  readonly self: NodeId;
  readonly registry: RegistryClient;
  readonly store: CheckpointStore;
  readonly replication: Replication;
  readonly clock: Clock;
  /**
   * Restores a kernel image of process `npid` on this node (the adapter calls Kernel.restoreAll,
   * tells the owner guard the token it now holds and wakes the driver). Throws when it cannot.
   */
  restore(npid: string, bundle: Uint8Array, record: NpidRecord): void | Promise<void>;
  /** Told of every outcome (logs, metrics, tests). */
  onOutcome?(outcome: RecoveryOutcome): void;
  readonly rescanMs?: number;
}

/** States in which a process still needs its node: recovery applies to these. */
const NEEDS_NODE = new Set(['running', 'stopped', 'migrating', 'checkpointed']);

export class Recovery {
  private readonly inFlight = new Set<string>();
  private watch: WatchHandle | undefined;
  private timer: Timer | undefined;
  private stopped = false;
  private scanning: Promise<RecoveryOutcome[]> | undefined;
  private again = false;

  constructor(private readonly o: RecoveryOptions) {}

  /** Watches members/ and rescans periodically. */
  async start(): Promise<void> {
    this.watch = await this.o.registry.watch(
      { prefix: members.prefix },
      {
        onEvent: () => {
          void this.scan();
        },
      },
    );
    this.schedule();
    void this.scan();
  }

  stop(): void {
    this.stopped = true;
    this.watch?.cancel();
    this.timer?.cancel();
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = this.o.clock.setTimer(this.o.rescanMs ?? RECOVERY_RESCAN_MS, () => {
      void this.scan().finally(() => this.schedule());
    });
  }

  /** One pass over the processes of dead nodes; concurrent calls share a pass (and run one more). */
  scan(): Promise<RecoveryOutcome[]> {
    if (this.scanning !== undefined) {
      this.again = true;
      return this.scanning;
    }
    // A registry that cannot answer now (an election) fails the pass; the rescan tries again.
    this.scanning = this.pass()
      .catch((): RecoveryOutcome[] => [])
      .finally(() => {
        this.scanning = undefined;
        if (this.again && !this.stopped) {
          this.again = false;
          void this.scan();
        }
      });
    return this.scanning;
  }

  private async pass(): Promise<RecoveryOutcome[]> {
    if (this.stopped) return [];
    const { alive, dead } = await this.memberStates();
    if (dead.size === 0 || !alive.includes(this.o.self)) return [];
    const list = await this.o.registry.list(npids.prefix, RECOVERY_SCAN_MAX);
    const work: Promise<RecoveryOutcome>[] = [];
    for (const kv of list.kvs) {
      let record: NpidRecord;
      try {
        record = npidRecord(kv);
      } catch {
        continue;
      }
      if (!dead.has(record.node) || !NEEDS_NODE.has(record.state) || this.inFlight.has(record.npid)) continue;
      if (this.inFlight.size + work.length >= RECOVERY_CONCURRENT_MAX) break;
      work.push(this.one(kv, record, alive));
    }
    const outcomes = await Promise.all(work);
    for (const o of outcomes) this.o.onOutcome?.(o);
    return outcomes;
  }

  private async memberStates(): Promise<{ alive: NodeId[]; dead: Set<NodeId> }> {
    const list = await this.o.registry.list(members.prefix);
    const alive: NodeId[] = [];
    const dead = new Set<NodeId>();
    for (const kv of list.kvs) {
      try {
        const m = members.decode(kv.value);
        if (m.state === 'alive') alive.push(m.id);
        else if (m.state === 'dead' || m.state === 'left') dead.add(m.id);
      } catch {
        // a bad entry is neither
      }
    }
    alive.sort((a, b) => a - b);
    return { alive, dead };
  }

  /** The node that recovers `npid`: a live holder of its checkpoint if any, else any live node. */
  static target(npid: string, alive: readonly NodeId[], holders: readonly NodeId[]): NodeId | undefined {
    const live = holders.filter((h) => alive.includes(h));
    const pool = live.length > 0 ? [...live].sort((a, b) => a - b) : alive;
    if (pool.length === 0) return undefined;
    let h = 0;
    for (let i = 0; i < npid.length; i++) h = (Math.imul(h, 31) + npid.charCodeAt(i)) >>> 0;
    return pool[h % pool.length];
  }

  private async one(kv: KeyValue, record: NpidRecord, alive: NodeId[]): Promise<RecoveryOutcome> {
    const npid = record.npid;
    this.inFlight.add(npid);
    try {
      const cp = await this.location(npid);
      const target = Recovery.target(npid, alive, cp?.nodes ?? []);
      if (target !== this.o.self)
        return { npid, kind: 'skipped', why: `node ${target ?? 'none'} recovers it` };
      const policy = record.restart ?? 'no';
      if (policy === 'no') return await this.lose(kv, record, 'no restart policy');
      if (cp === undefined) return await this.lose(kv, record, 'no replicated checkpoint');
      // Fetch first: taking ownership of a process this node cannot restore would strand it.
      this.o.store.pin(cp.manifest);
      try {
        const { pagesFetched } = await this.o.replication.fetch(
          cp.manifest,
          cp.nodes.filter((n) => n !== record.node),
        );
        const bundle = this.o.store.getImage(cp.manifest);
        const { node: _old, target: _t, status: _s, ...rest } = record as NpidRecord & NpidEntry;
        const entry: NpidEntry = {
          ...stripRecord(rest),
          node: this.o.self,
          state: 'running',
          restarts: (record.restarts ?? 0) + 1,
        };
        const cas = await this.o.registry.compareAndSet(
          kv.key,
          { modRevision: kv.modRevision },
          npids.encode(entry),
          { fence: true },
        );
        if (!cas.succeeded || cas.kv === undefined)
          return { npid, kind: 'skipped', why: 'its record changed (another node took it)' };
        this.o.store.record(npid, cp.manifest, cp.taken);
        try {
          await this.o.restore(npid, bundle, npidRecord(cas.kv));
        } catch (err) {
          await this.markLost(cas.kv, `restore failed: ${(err as Error).message}`);
          return { npid, kind: 'lost', why: `restore failed: ${(err as Error).message}` };
        }
        return { npid, kind: 'recovered', manifest: cp.manifest, pagesFetched };
      } finally {
        this.o.store.unpin(cp.manifest);
      }
    } catch (err) {
      return { npid, kind: 'failed', why: (err as Error).message };
    } finally {
      this.inFlight.delete(npid);
    }
  }

  private async location(npid: string): Promise<CheckpointLocation | undefined> {
    const r = await this.o.registry.get(checkpoints.key(npid));
    if (r.kv === undefined) return undefined;
    try {
      return checkpoints.decode(r.kv.value);
    } catch {
      return undefined;
    }
  }

  private async lose(kv: KeyValue, record: NpidRecord, why: string): Promise<RecoveryOutcome> {
    const ok = await this.markLost(kv, why);
    return ok
      ? { npid: record.npid, kind: 'lost', why }
      : { npid: record.npid, kind: 'skipped', why: 'its record changed' };
  }

  private async markLost(kv: KeyValue, _why: string): Promise<boolean> {
    const record = npidRecord(kv);
    const { npid: _n, fence: _f, ...entry } = record;
    const r = await this.o.registry.compareAndSet(
      kv.key,
      { modRevision: kv.modRevision },
      npids.encode({ ...entry, state: 'lost' }),
    );
    return r.succeeded;
  }
}

/** An NPID record without its key-derived fields, as an entry. */
function stripRecord<T extends { npid?: string; fence?: unknown }>(r: T): Omit<T, 'npid' | 'fence'> {
  const { npid: _n, fence: _f, ...rest } = r;
  return rest;
}
