// Keeps npids/<npid>.state in step with the kernel for the processes this node owns (running,
// stopped, checkpointed — stopped by a checkpoint that captured it — and exited + status). Changes are coalesced per process (the latest wins; at most one write
// in flight per process, SYNC_WRITES_IN_FLIGHT_MAX in all), so the write rate stays far below what
// the registry takes however often a process stops and continues. Each write is a compare-and-set
// on the record's modRevision and happens only while the owner guard holds the token the record
// carries; it never changes the owner or the token. While a record says migrating, only exited is
// written (migration owns the state until it commits). An exit, once written, releases the process.
import type { Clock, Timer } from '../../net/clock.js';
import type { RegistryClient } from '../registry/client.js';
import { type NpidEntry, npidRecord, npids } from '../registry/schema.js';
import { SYNC_ATTEMPTS_MAX, SYNC_COALESCE_MS, SYNC_RETRY_MS, SYNC_WRITES_IN_FLIGHT_MAX } from './limits.js';
import type { OwnerGuard } from './owner-guard.js';

export interface StateUpdate {
  readonly state: 'running' | 'stopped' | 'checkpointed' | 'exited';
  /** The exit status, with exited. */
  readonly status?: number;
}

export interface SyncLog {
  warn(fields: Record<string, unknown>, message: string): void;
}

interface Pending {
  update: StateUpdate;
  attempts: number;
}

export class StateSync {
  private readonly pending = new Map<string, Pending>();
  private readonly inFlight = new Set<string>();
  private timer: Timer | undefined;
  private stopped = false;
  /** Registry writes made (for tests and metrics). */
  writes = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly registry: RegistryClient,
    private readonly guard: OwnerGuard,
    private readonly clock: Clock,
    private readonly log?: SyncLog,
  ) {}

  /** The kernel says `npid` is now in `update.state`; written soon unless a newer report replaces it. */
  report(npid: string, update: StateUpdate): void {
    if (this.stopped || this.guard.held(npid) === undefined) return;
    const old = this.pending.get(npid);
    if (old?.update.state === 'exited') return; // exit is final
    this.pending.set(npid, { update, attempts: 0 });
    this.schedule(SYNC_COALESCE_MS);
  }

  /** Resolves once nothing is pending or in flight (tests, shutdown). */
  idle(): Promise<void> {
    if (this.pending.size === 0 && this.inFlight.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
    this.pending.clear();
    this.settle();
  }

  private schedule(delay: number): void {
    if (this.timer !== undefined || this.stopped) return;
    this.timer = this.clock.setTimer(delay, () => {
      this.timer = undefined;
      this.pump();
    });
  }

  private pump(): void {
    for (const [npid, p] of this.pending) {
      if (this.inFlight.size >= SYNC_WRITES_IN_FLIGHT_MAX) break;
      if (this.inFlight.has(npid)) continue;
      this.pending.delete(npid);
      this.inFlight.add(npid);
      void this.write(npid, p).finally(() => {
        this.inFlight.delete(npid);
        if (this.pending.size > 0) this.schedule(0);
        this.settle();
      });
    }
  }

  private settle(): void {
    if (this.pending.size > 0 || this.inFlight.size > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  /** One attempt; on a conflict or error the update goes back to pending (unless a newer one came). */
  private async write(npid: string, p: Pending): Promise<void> {
    const { update } = p;
    try {
      const key = npids.key(npid);
      const got = await this.registry.get(key);
      if (got.kv === undefined) {
        this.guard.check(npid, undefined, undefined);
        return;
      }
      const rec = npidRecord(got.kv);
      if (!this.guard.check(npid, rec.node, rec.fence)) return;
      if (rec.state === 'exited') {
        this.guard.release(npid);
        return;
      }
      if (rec.state === 'migrating' && update.state !== 'exited') return;
      if (rec.state === update.state && rec.status === update.status) return;
      const { npid: _n, fence: _f, ...entry } = rec;
      const next: NpidEntry = {
        ...entry,
        state: update.state,
        ...(update.status === undefined ? {} : { status: update.status }),
      };
      this.writes++;
      const r = await this.registry.compareAndSet(
        key,
        { modRevision: got.kv.modRevision },
        npids.encode(next),
      );
      if (r.succeeded) {
        if (update.state === 'exited') this.guard.release(npid);
        return;
      }
      this.retry(npid, p, 'the record changed under the write');
    } catch (err) {
      this.retry(npid, p, (err as Error).message);
    }
  }

  private retry(npid: string, p: Pending, why: string): void {
    if (this.stopped || this.pending.has(npid)) return; // a newer report replaces this one
    if (p.attempts + 1 >= SYNC_ATTEMPTS_MAX) {
      this.log?.warn({ npid, state: p.update.state, why }, 'state sync: giving up on a registry write');
      return;
    }
    this.pending.set(npid, { update: p.update, attempts: p.attempts + 1 });
    this.timer?.cancel();
    this.timer = undefined;
    this.schedule(SYNC_RETRY_MS);
  }
}
