// A small whole-node cluster for the store's and recovery's simulator tests: nodes over one
// SimNetwork with a virtual clock and a seeded random, one in-process registry (LocalRegistry: the
// Raft registry's state machine and codec without the replication), each node with a kernel, a
// MemoryStorage checkpoint store and the store's replication. Faults: crash a node (its links
// break), partitions, latency and jitter from the seed.
import assert from 'node:assert/strict';
import { APP_TYPES, transportLinks } from '../../src/cluster/links.js';
import { MemoryStorage } from '../../src/cluster/memory-storage.js';
import { LocalRegistry } from '../../src/cluster/registry/local.js';
import { members } from '../../src/cluster/registry/schema.js';
import { Replication } from '../../src/cluster/store/replication.js';
import { CheckpointStore } from '../../src/cluster/store/store.js';
import type { Kernel } from '../../src/kernel/kernel.js';
import type { NodeId } from '../../src/net/node-id.js';
import { SeededRandom } from '../../src/net/random.js';
import { SimNetwork, type SimTransport } from '../../src/net/sim-transport.js';
import { VirtualClock } from '../../src/net/virtual-clock.js';
import { newKernel, type TestHost } from '../kernel/helpers.js';

export interface SimStoreNode {
  readonly id: NodeId;
  readonly transport: SimTransport;
  readonly storage: MemoryStorage;
  readonly store: CheckpointStore;
  readonly replication: Replication;
  readonly kernel: Kernel;
  readonly host: TestHost;
}

export class SimStoreCluster {
  readonly clock = new VirtualClock();
  readonly random: SeededRandom;
  readonly net: SimNetwork;
  readonly registry = new LocalRegistry();
  readonly nodes = new Map<NodeId, SimStoreNode>();

  constructor(seed: number, ids: number[], options: { replicas?: number; keep?: number } = {}) {
    this.random = new SeededRandom(seed);
    this.net = new SimNetwork({
      clock: this.clock,
      random: this.random.fork(),
      faults: { latencyMs: 1 + (seed % 5), jitterMs: seed % 7, bandwidth: 2000 + (seed % 3) * 1000 },
    });
    for (const id of ids) this.add(id as NodeId, options);
  }

  add(id: NodeId, options: { replicas?: number; keep?: number } = {}): SimStoreNode {
    const transport = this.net.createTransport(id);
    const storage = new MemoryStorage();
    const store = new CheckpointStore(storage, { keep: options.keep });
    const replication = new Replication({
      links: transportLinks(transport, APP_TYPES.store),
      store,
      clock: this.clock,
      registry: this.registry,
      replicas: options.replicas,
      requestTimeoutMs: 2000,
    });
    const { kernel, host } = newKernel(32, id);
    const node = { id, transport, storage, store, replication, kernel, host };
    this.nodes.set(id, node);
    return node;
  }

  node(id: number): SimStoreNode {
    const n = this.nodes.get(id as NodeId);
    assert.ok(n, `node ${id}`);
    return n;
  }

  /** Writes members/ for every node (alive) — as the leader does after joins. */
  async registerMembers(): Promise<void> {
    for (const id of this.nodes.keys()) await this.setMember(id, 'alive');
  }

  async setMember(id: NodeId, state: 'alive' | 'dead'): Promise<void> {
    await this.registry.put(
      members.key(id),
      members.encode({
        id,
        fingerprint: 'ab'.repeat(32),
        addresses: [],
        labels: {},
        state,
        since: this.clock.now(),
      }),
    );
  }

  /** Crashes a node: its links break, its replication stops. */
  crash(id: number): void {
    const n = this.node(id);
    n.replication.close();
    this.net.crash(n.id);
  }

  /** Steps the virtual clock until `done`, letting promise continuations run; fails after `maxMs`. */
  async until(done: () => boolean, maxMs = 60_000, what = 'condition'): Promise<void> {
    const end = this.clock.now() + maxMs;
    for (;;) {
      for (let i = 0; i < 4 && !done(); i++) await new Promise((r) => setImmediate(r));
      if (done()) return;
      assert.ok(this.clock.now() <= end && this.clock.step(), `${what} within ${maxMs} ms of virtual time`);
    }
  }

  /** Runs `op` while stepping the clock until it settles. */
  async settle<T>(op: Promise<T>, maxMs = 60_000): Promise<T> {
    let done = false;
    const p = op.finally(() => {
      done = true;
    });
    p.catch(() => undefined);
    await this.until(() => done, maxMs, 'the operation settles');
    return p;
  }
}
