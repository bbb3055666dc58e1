// Test support for live migration: two (or more) real kernels, each with a MigrationService, over
// one SimNetwork and one VirtualClock, sharing a LocalRegistry that can be made unavailable. A
// driver steps the kernels in small quanta and the clock in small ticks, yielding to the event
// loop between them so the services' promises run: a seed gives the same run every time.
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { APP_TYPES, transportLinks } from '../../src/cluster/links.js';
import { MigrationService } from '../../src/cluster/migration/service.js';
import { ClusterNames } from '../../src/cluster/ports/names.js';
import { PortsRouter } from '../../src/cluster/ports/router.js';
import { OwnerGuard } from '../../src/cluster/procs/owner-guard.js';
import type { RegistryClient } from '../../src/cluster/registry/client.js';
import { RegistryError } from '../../src/cluster/registry/errors.js';
import { LocalRegistry } from '../../src/cluster/registry/local.js';
import { npidRecord, npids } from '../../src/cluster/registry/schema.js';
import type { KernelHost } from '../../src/kernel/host.js';
import type { Kernel } from '../../src/kernel/kernel.js';
import type { Process } from '../../src/kernel/proc.js';
import { asNodeId, type NodeId } from '../../src/net/node-id.js';
import { SeededRandom } from '../../src/net/random.js';
import { type SimFaults, SimNetwork, type SimTransport } from '../../src/net/sim-transport.js';
import { VirtualClock } from '../../src/net/virtual-clock.js';
import { startServers } from '../../src/servers/boot.js';
import { GlobalNamesSlot } from '../../src/servers/global-names.js';
import { newKernel, program, type TestHost } from '../kernel/helpers.js';

/** A registry whose calls fail (RegistryError 'closed') while `down` is set. */
export class FlakyRegistry implements RegistryClient {
  down = false;
  constructor(readonly inner: LocalRegistry) {}
  private gate(): void {
    if (this.down) throw new RegistryError('closed', 'the registry is unavailable');
  }
  get: RegistryClient['get'] = async (k) => {
    this.gate();
    return this.inner.get(k);
  };
  list: RegistryClient['list'] = async (p, l) => {
    this.gate();
    return this.inner.list(p, l);
  };
  put: RegistryClient['put'] = async (k, v, o) => {
    this.gate();
    return this.inner.put(k, v, o);
  };
  compareAndSet: RegistryClient['compareAndSet'] = async (k, e, v, o) => {
    this.gate();
    return this.inner.compareAndSet(k, e, v, o);
  };
  delete: RegistryClient['delete'] = async (k) => {
    this.gate();
    return this.inner.delete(k);
  };
  txn: RegistryClient['txn'] = async (t) => {
    this.gate();
    return this.inner.txn(t);
  };
  watch: RegistryClient['watch'] = async (f, l, o) => {
    this.gate();
    return this.inner.watch(f, l, o);
  };
}

export interface SimMigrationNode {
  id: NodeId;
  kernel: Kernel;
  host: TestHost;
  transport: SimTransport;
  service: MigrationService;
  /** procs' owner guard, wired as the daemon wires it: a loss kills the local copy. */
  guard: OwnerGuard;
  /** Exit statuses of processes that ended here (not those dropped after moving away), by NPID. */
  exits: Map<string, number>;
  crashed: boolean;
  /** With `ports`: the node's remote-port router (its system servers run, global names work). */
  router?: PortsRouter;
}

export interface SimWorld {
  clock: VirtualClock;
  net: SimNetwork;
  registry: FlakyRegistry;
  nodes: SimMigrationNode[];
  random: SeededRandom;
  /** Virtual ms of network time per driver tick. */
  tickMs: number;
}

/** Instructions a kernel runs per driver tick, and the virtual ms a tick advances the network. */
const QUANTUM = 20_000;
const TICK_MS = 0.25;

export async function simWorld(
  seed: number,
  nodeCount = 2,
  faults: Partial<SimFaults> = {},
  ramMiB = 16,
  ports = false,
): Promise<SimWorld> {
  const clock = new VirtualClock();
  const random = new SeededRandom(seed);
  const net = new SimNetwork({
    clock,
    random: random.fork(),
    faults: { latencyMs: 1, jitterMs: 1, bandwidth: 50_000, ...faults },
  });
  const registry = new FlakyRegistry(new LocalRegistry());
  const nodes: SimMigrationNode[] = [];
  for (let i = 0; i < nodeCount; i++) {
    const id = asNodeId(0x10 + i)!;
    const { kernel, host } = newKernel(ramMiB, id);
    kernel.afterEachStep = undefined; // the checker's full frame walks would dominate these runs
    const exits = new Map<string, number>();
    (host as KernelHost).exited = (p: Process) => {
      if (p.movedAway) return;
      const t = p.termination;
      exits.set(p.npid, t?.kind === 'exited' ? t.status : 128 + (t?.signal ?? 0));
    };
    const transport = net.createTransport(id);
    let router: PortsRouter | undefined;
    if (ports) {
      const slot = new GlobalNamesSlot();
      startServers(kernel, { globalNames: slot });
      router = new PortsRouter({
        links: transportLinks(transport, APP_TYPES.ports),
        registry,
        clock,
        random: random.fork(),
        kernel,
      });
      await router.watchRegistry();
      const global = new ClusterNames(router, registry);
      await global.start();
      slot.target = global;
    }
    const guard = new OwnerGuard(id, registry);
    await guard.start();
    guard.onAnyLost((npid) => {
      for (const p of kernel.allProcesses()) if (p.npid === npid && p.alive) kernel.kill(p.pid, 9);
    });
    const service = new MigrationService({
      links: transportLinks(transport, APP_TYPES.migration),
      registry,
      clock,
      kernel,
      guard,
      ports: router,
      changed: () => {},
    });
    nodes.push({
      id,
      kernel,
      host,
      transport,
      service,
      guard,
      exits,
      crashed: false,
      ...(router ? { router } : {}),
    });
  }
  for (const x of nodes) for (const y of nodes) if (x !== y) x.transport.connect(y.id);
  return { clock, net, registry, nodes, random, tickMs: TICK_MS };
}

/** Starts `memtouch args` on node `n` and records its ownership in the registry (as a spawn would). */
export async function startMemtouch(w: SimWorld, n: SimMigrationNode, args: string[]): Promise<string> {
  return startProgram(w, n, ['memtouch', ...args]);
}

/** Starts user/bin/`argv[0]` on node `n` and records its ownership (as procs' spawn would). */
export async function startProgram(w: SimWorld, n: SimMigrationNode, argv: string[]): Promise<string> {
  const name = argv[0]!;
  const p = n.kernel.spawn({ file: program(name), argv, envp: [], name });
  await w.registry.inner.put(npids.key(p.npid), npids.encode({ node: n.id, state: 'running', name }), {
    fence: true,
  });
  const kv = (await w.registry.inner.get(npids.key(p.npid))).kv!;
  n.guard.adopt(p.npid, kv.fence);
  return p.npid;
}

/** The live process named `npid` on node `n`, if any. */
export function processOn(n: SimMigrationNode, npid: string): Process | undefined {
  for (const p of n.kernel.allProcesses()) if (p.npid === npid && p.alive) return p;
  return undefined;
}

/** One driver tick: every live kernel runs a quantum (or jumps over idle time), then the clock. */
export async function tick(w: SimWorld): Promise<void> {
  for (const n of w.nodes) {
    if (n.crashed) continue;
    const k = n.kernel;
    if (!k.idle) k.step(QUANTUM);
    else {
      const deadline = k.nextDeadline();
      if (deadline >= 0) k.advanceIdle(deadline);
    }
  }
  w.clock.advance(w.tickMs);
  await yieldToLoop();
}

/** Ticks until `done()` or `maxTicks` (then throws). */
export async function driveUntil(
  w: SimWorld,
  done: () => boolean,
  maxTicks: number,
  what: string,
): Promise<void> {
  for (let i = 0; i < maxTicks; i++) {
    if (done()) return;
    await tick(w);
  }
  if (!done()) throw new Error(`timed out (${maxTicks} ticks) waiting for ${what}`);
}

/** Runs a promise to its end while ticking the world; its outcome as a value. */
export async function drive<T>(
  w: SimWorld,
  p: Promise<T>,
  maxTicks: number,
): Promise<{ ok: true; value: T } | { ok: false; error: Error }> {
  let outcome: { ok: true; value: T } | { ok: false; error: Error } | undefined;
  p.then(
    (value) => {
      outcome = { ok: true, value };
    },
    (error: Error) => {
      outcome = { ok: false, error };
    },
  );
  await driveUntil(w, () => outcome !== undefined, maxTicks, 'the migration to end');
  return outcome!;
}

/** Live (not ended) processes named `npid` on node `n`. */
export function liveCopies(n: SimMigrationNode, npid: string): number {
  if (n.crashed) return 0;
  let count = 0;
  for (const p of n.kernel.allProcesses()) if (p.npid === npid && p.alive) count++;
  return count;
}

/** Which node the registry names as the owner of `npid`, and its state. */
export async function owner(
  w: SimWorld,
  npid: string,
): Promise<{ node: NodeId; state: string; fence: number }> {
  const kv = (await w.registry.inner.get(npids.key(npid))).kv!;
  const r = npidRecord(kv);
  return { node: r.node, state: r.state, fence: r.fence.index };
}

/** Crashes node `n`: its links break and its kernel stops. */
export function crash(w: SimWorld, n: SimMigrationNode): void {
  n.crashed = true;
  n.service.stop();
  n.guard.stop();
  w.net.crash(n.id);
}
