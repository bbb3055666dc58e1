// Periodic checkpoints (issue 13 §4): a process whose `npids/` entry names this node and has
// `checkpointEveryMs` is checkpointed into the store and replicated each time that much guest time
// (the kernel's virtual clock) has passed since its last checkpoint. The capture neither stops the
// process nor tells it or its parent anything (Kernel.checkpoint between quanta). One checkpoint
// runs at a time; a failed one (too few replicas, a fenced-off owner) is retried at the next tick.
import type { Clock, Timer } from '../../net/clock.js';
import type { NodeId } from '../../net/node-id.js';
import type { RegistryClient } from '../registry/client.js';
import { retryRegistryRead } from '../registry/retry.js';
import { npidRecord, npids } from '../registry/schema.js';
import type { WatchHandle } from '../registry/watch.js';
import type { CheckpointResult, Replication } from './replication.js';

/** The kernel as periodic checkpoints see it. */
export interface PeriodicKernel {
  /** The kernel's virtual clock (ns). */
  now(): number;
  /** The pid of the live process with this NPID on this node, if any. */
  pidOf(npid: string): number | undefined;
  /** The encoded image of a live process (throws KernelError when it cannot be captured alone). */
  checkpoint(pid: number): Uint8Array;
}

export interface PeriodicOptions {
  readonly self: NodeId;
  readonly registry: RegistryClient;
  readonly replication: Replication;
  readonly kernel: PeriodicKernel;
  readonly clock: Clock;
  /** How often (host clock, ms) the guest clocks are compared with the periods. */
  readonly pollMs?: number;
  /** The `taken` time written in `checkpoints/` (ms); default clock.now(). The daemon gives wall time. */
  readonly taken?: () => number;
  onCheckpoint?(npid: string, result: CheckpointResult | Error): void;
}

/** Default poll interval on the host clock (ms). */
export const PERIODIC_POLL_MS = 50;
/** Processes with a period one node follows. */
export const PERIODIC_PROCESSES_MAX = 4096;

interface Due {
  everyNs: number;
  /** Guest time (ns) of the last checkpoint, or of when the period was first seen. */
  lastNs: number;
}

export class PeriodicCheckpoints {
  private readonly due = new Map<string, Due>();
  private watch: WatchHandle | undefined;
  private timer: Timer | undefined;
  private busy = false;
  private stopped = false;

  constructor(private readonly o: PeriodicOptions) {}

  async start(): Promise<void> {
    const list = await retryRegistryRead(() => this.o.registry.list(npids.prefix));
    for (const kv of list.kvs) this.follow(kv.key, kv);
    this.watch = await this.o.registry.watch(
      { prefix: npids.prefix },
      { onEvent: (e) => this.follow(e.key, e.kv) },
      { fromRevision: list.revision + 1 },
    );
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    this.watch?.cancel();
    this.timer?.cancel();
  }

  /** NPIDs followed, with their period (ms). */
  followed(): Map<string, number> {
    return new Map([...this.due].map(([k, d]) => [k, d.everyNs / 1e6]));
  }

  private follow(key: string, kv: Parameters<typeof npidRecord>[0] | undefined): void {
    let npid: string;
    try {
      npid = npids.id(key);
    } catch {
      return;
    }
    let everyMs = 0;
    if (kv !== undefined) {
      try {
        const r = npidRecord(kv);
        if (r.node === this.o.self && (r.state === 'running' || r.state === 'stopped'))
          everyMs = r.checkpointEveryMs ?? 0;
      } catch {
        everyMs = 0;
      }
    }
    if (everyMs <= 0) {
      this.due.delete(npid);
      return;
    }
    const old = this.due.get(npid);
    if (old !== undefined) old.everyNs = everyMs * 1e6;
    else if (this.due.size < PERIODIC_PROCESSES_MAX)
      this.due.set(npid, { everyNs: everyMs * 1e6, lastNs: this.o.kernel.now() });
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = this.o.clock.setTimer(this.o.pollMs ?? PERIODIC_POLL_MS, () => {
      void this.tick().finally(() => this.schedule());
    });
  }

  /** Checkpoints the processes whose period has passed in guest time (one at a time). */
  async tick(): Promise<void> {
    if (this.busy || this.stopped) return;
    this.busy = true;
    try {
      const now = this.o.kernel.now();
      for (const [npid, d] of this.due) {
        if (now - d.lastNs < d.everyNs) continue;
        const pid = this.o.kernel.pidOf(npid);
        if (pid === undefined) continue;
        let bundle: Uint8Array;
        try {
          bundle = this.o.kernel.checkpoint(pid);
        } catch (err) {
          d.lastNs = now;
          this.o.onCheckpoint?.(npid, err as Error);
          continue;
        }
        d.lastNs = now;
        try {
          this.o.onCheckpoint?.(
            npid,
            await this.o.replication.checkpoint(
              npid,
              bundle,
              Math.floor(this.o.taken?.() ?? this.o.clock.now()),
            ),
          );
        } catch (err) {
          this.o.onCheckpoint?.(npid, err as Error);
        }
        if (this.stopped) return;
      }
    } finally {
      this.busy = false;
    }
  }
}
