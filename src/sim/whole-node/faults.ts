// The whole-node mode's fault schedule: while on, it injects a fault every 50–450 virtual ms, drawn
// from the seed, among the kinds enabled (the protocol mode's FAULT_KINDS): crash (a node's kernel,
// processes and unsynced disk are lost; at most a minority of nodes down at once), restart (a
// crashed node boots again a while later), pause, partition, one-way, flapping, loss, duplicate,
// reorder, delay, drift and disk. Every network fault heals by itself; stop() heals everything and
// restarts the crashed nodes.
import type { NodeId } from '../../net/node-id.js';
import { randomBelow, randomFloat, type SeededRandom } from '../../net/random.js';
import type { FaultKind } from '../faults.js';
import { NO_LINK_FAULTS } from '../sim-transport-faults.js';
import type { SimCluster } from './cluster.js';

export interface FaultScheduleOptions {
  readonly kinds: readonly FaultKind[];
  /** Nodes the schedule never crashes, pauses or fails the disk of (a scenario's fixed points). */
  readonly spare?: readonly NodeId[];
  /** First fault after this many ms (default 200). */
  readonly startMs?: number;
}

export class FaultSchedule {
  private on = false;
  private readonly random: SeededRandom;
  injected = 0;
  crashes = 0;

  constructor(
    private readonly cluster: SimCluster,
    private readonly o: FaultScheduleOptions,
  ) {
    this.random = cluster.forkRandom();
  }

  get active(): boolean {
    return this.on;
  }

  start(): void {
    if (this.on || this.o.kinds.length === 0) return;
    this.on = true;
    this.schedule(this.o.startMs ?? 200);
  }

  /** No more faults: the network heals, clocks run true, every crashed node boots again. */
  stop(): void {
    this.on = false;
    const c = this.cluster;
    c.trace('heal all');
    c.network.heal();
    c.network.setFaults({ latencyMs: 1, jitterMs: 2, loss: 0, duplicate: 0, reorder: 0 });
    c.linkFaults = { ...NO_LINK_FAULTS };
    for (const node of c.nodes) {
      node.live?.clock.setDrift(1);
      if (!node.up) c.boot(node.id);
    }
  }

  private schedule(delay: number): void {
    this.cluster.clock.setTimer(delay, () => {
      if (!this.on) return;
      this.inject();
      this.schedule(50 + randomBelow(this.random, 400));
    });
  }

  private pick<T>(items: readonly T[]): T | undefined {
    return items.length === 0 ? undefined : items[randomBelow(this.random, items.length)];
  }

  private later(minMs: number, maxMs: number, fn: () => void): void {
    this.cluster.clock.setTimer(minMs + randomBelow(this.random, maxMs - minMs), () => {
      if (this.on) fn();
    });
  }

  private inject(): void {
    const c = this.cluster;
    const kinds = this.o.kinds.filter((k) => k !== 'restart');
    const kind = this.pick(kinds);
    if (!kind) return;
    const r = this.random;
    const spare = new Set(this.o.spare ?? []);
    const up = c.nodes.filter((n) => n.up);
    const victims = up.filter((n) => !spare.has(n.id));
    const ids = c.nodes.map((n) => n.id);
    this.injected++;
    switch (kind) {
      case 'crash': {
        if (up.length <= Math.floor(c.nodes.length / 2) + 1) return;
        const node = this.pick(victims);
        if (!node) return;
        c.trace(`fault crash ${node.id}`);
        c.crash(node.id);
        this.crashes++;
        if (this.o.kinds.includes('restart'))
          this.later(200, 1500, () => {
            if (!node.up) c.boot(node.id);
          });
        return;
      }
      case 'pause': {
        const node = this.pick(victims);
        if (!node?.live) return;
        const ms = 50 + randomBelow(r, 500);
        c.trace(`fault pause ${node.id} ${ms}ms`);
        node.live.clock.pause(ms);
        return;
      }
      case 'partition': {
        const a = ids.filter(() => randomBelow(r, 2) === 0);
        const b = ids.filter((id) => !a.includes(id));
        if (a.length === 0 || b.length === 0) return;
        c.trace(`fault partition ${a.join(',')} / ${b.join(',')}`);
        c.network.partition(a, b);
        this.later(100, 1500, () => c.heal());
        return;
      }
      case 'one-way': {
        const a = this.pick(ids);
        const b = this.pick(ids.filter((id) => id !== a));
        if (a === undefined || b === undefined) return;
        c.trace(`fault one-way ${a}>${b}`);
        c.network.partitionOneWay(a, b);
        this.later(100, 1500, () => c.heal());
        return;
      }
      case 'flapping': {
        const a = this.pick(ids);
        if (a === undefined) return;
        const rest = ids.filter((id) => id !== a);
        c.trace(`fault flapping ${a}`);
        let t = 0;
        for (let i = 0; i < 6; i++) {
          t += 20 + randomBelow(r, 150);
          const cut = i % 2 === 0;
          c.clock.setTimer(t, () => {
            if (!this.on) return;
            c.trace(`flap ${a} ${cut ? 'cut' : 'heal'}`);
            if (cut) c.network.partition([a], rest);
            else c.network.heal();
          });
        }
        return;
      }
      case 'loss':
      case 'duplicate':
      case 'reorder': {
        const p = 0.02 + randomFloat(r) * 0.15;
        const reorderMs = 5 + randomBelow(r, 40);
        c.trace(`fault ${kind} ${p.toFixed(3)}`);
        if (kind === 'loss') c.linkFaults = { ...c.linkFaults, loss: p };
        if (kind === 'duplicate') c.linkFaults = { ...c.linkFaults, duplicate: p };
        if (kind === 'reorder') c.linkFaults = { ...c.linkFaults, reorder: p, reorderMs };
        c.network.setFaults(kind === 'reorder' ? { reorder: p, reorderMs } : { [kind]: p });
        this.later(200, 1500, () => {
          c.trace(`heal ${kind}`);
          if (kind === 'loss') c.linkFaults = { ...c.linkFaults, loss: 0 };
          if (kind === 'duplicate') c.linkFaults = { ...c.linkFaults, duplicate: 0 };
          if (kind === 'reorder') c.linkFaults = { ...c.linkFaults, reorder: 0 };
          c.network.setFaults(kind === 'reorder' ? { reorder: 0 } : { [kind]: 0 });
        });
        return;
      }
      case 'delay': {
        const latencyMs = 5 + randomBelow(r, 40);
        c.trace(`fault delay ${latencyMs}ms`);
        c.network.setFaults({ latencyMs, jitterMs: latencyMs });
        this.later(200, 1500, () => {
          c.trace('heal delay');
          c.network.setFaults({ latencyMs: 1, jitterMs: 2 });
        });
        return;
      }
      case 'drift': {
        const node = this.pick(victims);
        const clock = node?.live?.clock;
        if (!node || !clock) return;
        const rate = 0.5 + randomFloat(r) * 1.5;
        c.trace(`fault drift ${node.id} ${rate.toFixed(3)}`);
        clock.setDrift(rate);
        this.later(300, 2000, () => clock.setDrift(1));
        return;
      }
      case 'disk': {
        const node = this.pick(victims);
        if (!node) return;
        const op = this.pick(['append', 'sync', 'writeAtomic', 'truncate', 'remove'] as const) ?? 'sync';
        c.trace(`fault disk ${node.id} ${op}`);
        node.storage.failNext(op);
        if (this.o.kinds.includes('restart'))
          this.later(300, 1500, () => {
            if (!node.up) c.boot(node.id);
          });
        return;
      }
    }
  }
}
