// The simulator's client workload: several clients doing get/put/cas/delete on a small key set,
// each through a RecordingRegistryClient (so the history is recorded) bound to one node's registry
// client. Operations are chosen from the seed; values are unique per client, so the linearizability
// checker can tell writes apart. A client whose node is down waits and tries again later.

import type { RegistryClient } from '../cluster/registry/client.js';
import { RegistryError } from '../cluster/registry/errors.js';
import type { Clock } from '../net/clock.js';
import { type Random, randomBelow } from '../net/random.js';
import type { HistoryRecord } from './history.js';
import { RecordingRegistryClient } from './history-recorder.js';

export interface WorkloadOptions {
  readonly clients: number;
  readonly keys: readonly string[];
  /** The registry client of a node, or undefined while it is down. */
  readonly clientOf: (index: number) => RegistryClient | undefined;
  readonly clock: Clock;
  readonly random: Random;
  readonly sink: (r: HistoryRecord) => void;
  /** Pause between one client's operations (ms, uniform up to this). */
  readonly thinkMs: number;
}

export interface WorkloadCounts {
  invoked: number;
  ok: number;
  fail: number;
  info: number;
}

const enc = new TextEncoder();

export class Workload {
  readonly counts: WorkloadCounts = { invoked: 0, ok: 0, fail: 0, info: 0 };
  private running = true;
  private outstanding = 0;

  constructor(private readonly o: WorkloadOptions) {
    for (let i = 0; i < o.clients; i++) this.startClient(i);
  }

  /** Stops issuing new operations (outstanding ones still complete). */
  stop(): void {
    this.running = false;
  }

  get busy(): number {
    return this.outstanding;
  }

  private startClient(index: number): void {
    const o = this.o;
    const proxy: RegistryClient = {
      get: (k) => this.node(index).get(k),
      list: (p, l) => this.node(index).list(p, l),
      put: (k, v, w) => this.node(index).put(k, v, w),
      compareAndSet: (k, e, v, w) => this.node(index).compareAndSet(k, e, v, w),
      delete: (k) => this.node(index).delete(k),
      txn: (t) => this.node(index).txn(t),
      watch: (f, l, w) => this.node(index).watch(f, l, w),
    };
    const rec = new RecordingRegistryClient(proxy, `c${index}`, (r) => {
      if (r.type === 'invoke') this.counts.invoked++;
      else this.counts[r.type]++;
      o.sink(r);
    });
    const lastSeen = new Map<string, string | null>();
    let n = 0;
    const next = (): void => {
      if (!this.running) return;
      o.clock.setTimer(1 + randomBelow(o.random, o.thinkMs), () => {
        if (!this.running) return;
        if (!o.clientOf(index)) return next(); // its node is down: wait
        const key = o.keys[randomBelow(o.random, o.keys.length)] as string;
        const roll = randomBelow(o.random, 100);
        const value = `${index}.${++n}`;
        let op: Promise<unknown>;
        if (roll < 40) {
          op = rec.get(key).then((r) => {
            lastSeen.set(key, r.kv ? new TextDecoder().decode(r.kv.value) : null);
          });
        } else if (roll < 65) {
          op = rec.put(key, enc.encode(value));
        } else if (roll < 90) {
          const expect = lastSeen.get(key) ?? null;
          op = rec.compareAndSet(key, expect === null ? null : enc.encode(expect), enc.encode(value));
        } else {
          op = rec.delete(key);
        }
        this.outstanding++;
        op.then(
          () => {
            this.outstanding--;
            next();
          },
          () => {
            this.outstanding--;
            next();
          },
        );
      });
    };
    next();
  }

  private node(index: number): RegistryClient {
    const c = this.o.clientOf(index);
    if (!c) throw new RegistryError('closed', `client ${index}: its node is down`);
    return c;
  }
}
