// One simulated whole node: what a daemon is, minus the host — a Machine with small RAM and the
// Pakaya kernel with its system servers, driven in virtual time (a fixed instruction budget per
// slice, the kernel's clock kept level with the node's clock); a SimNetwork endpoint with the
// simulator's link faults; SWIM; the Raft registry (the daemon's Replica + RegistryStateMachine +
// LogRegistryClient over MemoryStorage); and the cluster services the scenario plugs in.
// crash() loses the kernel, every process and the unsynced bytes of the disk; boot() starts a
// fresh kernel with the same id and durable storage.
import type { ReplicaHooks } from '../../cluster/consensus/replica.js';
import { Replica } from '../../cluster/consensus/replica.js';
import { type AppTypeRange, type PeerLinks, transportLinks } from '../../cluster/links.js';
import type { MembershipEvent } from '../../cluster/membership/member.js';
import { MemoryStorage } from '../../cluster/memory-storage.js';
import { LogRegistryClient } from '../../cluster/registry/log-client.js';
import { RegistryStateMachine } from '../../cluster/registry/state-machine.js';
import { checkInvariants, KernelInvariantError } from '../../kernel/invariants.js';
import { Kernel } from '../../kernel/kernel.js';
import { NS_PER_INSTRUCTION } from '../../kernel/limits.js';
import type { Process } from '../../kernel/proc.js';
import { Machine } from '../../machine/machine.js';
import type { Timer } from '../../net/clock.js';
import { formatNodeId, type NodeId } from '../../net/node-id.js';
import type { SeededRandom } from '../../net/random.js';
import type { SimNetwork, SimTransport } from '../../net/sim-transport.js';
import type { VirtualClock } from '../../net/virtual-clock.js';
import { startServers } from '../../servers/boot.js';
import { GlobalNamesSlot } from '../../servers/global-names.js';
import { SIM_PAUSE_BACKLOG_MAX } from '../limits.js';
import { NodeClock } from '../node-clock.js';
import { SwimAgent } from '../sim-membership.js';
import { FaultyTransport, type LinkFaults } from '../sim-transport-faults.js';
import { DRIVER_SLICE_MS, FRAME_CHECK_EVERY } from './limits.js';
import { DurablePids } from './pid-counter.js';
import type { Programs } from './programs.js';
import type { ServiceLog, SimService, SimServiceContext, SimServiceFactory } from './service.js';
import { SimHost, type SimHostSinks } from './sim-host.js';

/** The daemon's app type for SWIM's reliable channel (src/node/wire.ts MEMBERSHIP). */
const APP_TYPE_MEMBERSHIP = 10;

export interface WholeNodeEnv {
  readonly clock: VirtualClock;
  readonly network: SimNetwork;
  readonly random: SeededRandom;
  readonly programs: Programs;
  readonly ramMiB: number;
  readonly sliceBudget: number;
  /** Faults of the Raft and SWIM links. */
  readonly linkFaults: () => LinkFaults;
  /** Faults of the services' links (the same as linkFaults, or none). */
  readonly serviceLinkFaults: () => LinkFaults;
  readonly trace: (line: string) => void;
  readonly hooks: (node: WholeNode) => ReplicaHooks;
  readonly ids: readonly NodeId[];
  readonly start: { kind: 'bootstrap'; voters: readonly NodeId[] } | { kind: 'join' };
  readonly onMember: (node: WholeNode, event: MembershipEvent) => void;
  readonly sinks: (node: WholeNode) => SimHostSinks;
  /** Called after every driver slice that ran (invariants across nodes). */
  readonly afterSlice: (node: WholeNode) => void;
  /** A kernel invariant broke on this node. */
  readonly kernelViolation: (node: WholeNode, error: Error) => void;
  readonly services: readonly SimServiceFactory[];
  readonly replica: {
    readonly tickMs: number;
    readonly electionTicks: number;
    readonly snapshotEvery: number;
    readonly requestTimeoutMs: number;
  };
}

/** What a running incarnation of the node holds; all of it is lost on a crash. */
export interface NodeIncarnation {
  readonly number: number;
  readonly clock: NodeClock;
  readonly transport: SimTransport;
  readonly links: FaultyTransport;
  readonly serviceLinks: FaultyTransport;
  readonly replica: Replica;
  readonly stateMachine: RegistryStateMachine;
  readonly client: LogRegistryClient;
  readonly swim: SwimAgent;
  readonly kernel: Kernel;
  readonly host: SimHost;
  /** The name server's hook to the cluster's global names (a remote-ports service fills it in). */
  readonly globalNames: GlobalNamesSlot;
  readonly services: SimService[];
  /** The node's clock when the kernel booted (its virtual clock counts from there). */
  readonly bootMs: number;
}

export class WholeNode {
  readonly storage = new MemoryStorage();
  /** The running incarnation, or undefined while the node is down. */
  live: NodeIncarnation | undefined;
  incarnation = 0;
  crashes = 0;
  /** Driver slices run (all incarnations). */
  slices = 0;
  /** Instructions retired by earlier incarnations' kernels. */
  private pastInstructions = 0;

  /** Instructions retired on this node, all incarnations. */
  get instructions(): number {
    return this.pastInstructions + (this.live?.kernel.instructions ?? 0);
  }
  private driver: Timer | undefined;

  constructor(
    readonly id: NodeId,
    private readonly env: WholeNodeEnv,
  ) {}

  get up(): boolean {
    return this.live !== undefined;
  }

  /** The running kernel; throws when the node is down. */
  get kernel(): Kernel {
    if (!this.live) throw new Error(`node ${formatNodeId(this.id)} is down`);
    return this.live.kernel;
  }

  /** Starts (or restarts) the node from its disk. Throws what Replica.open throws (a corrupt WAL). */
  boot(): void {
    if (this.live) return;
    const env = this.env;
    const number = ++this.incarnation;
    const clock = new NodeClock(env.clock, SIM_PAUSE_BACKLOG_MAX);
    const transport = env.network.createTransport(this.id);
    const faulty = (faults: () => LinkFaults) =>
      new FaultyTransport(transport, clock, env.clock, env.random.fork(), faults, env.trace);
    const links = faulty(env.linkFaults);
    const serviceLinks = faulty(env.serviceLinkFaults);
    const stateMachine = new RegistryStateMachine();
    let replica: Replica;
    try {
      replica = Replica.open({
        id: this.id,
        transport: links,
        clock,
        random: env.random.fork(),
        storage: this.storage,
        dir: 'raft',
        stateMachine,
        start: env.start,
        tickMs: env.replica.tickMs,
        electionTicks: env.replica.electionTicks,
        heartbeatTicks: 1,
        snapshotEvery: env.replica.snapshotEvery,
        requestTimeoutMs: env.replica.requestTimeoutMs,
        hooks: env.hooks(this),
      });
    } catch (e) {
      clock.kill();
      links.kill();
      serviceLinks.kill();
      env.network.crash(this.id);
      throw e;
    }
    const client = new LogRegistryClient(stateMachine, replica);
    const swim = new SwimAgent(
      this.id,
      transport,
      links,
      clock,
      env.random.fork(),
      env.ids.filter((id) => id !== this.id),
      (e) => env.onMember(this, e),
      APP_TYPE_MEMBERSHIP,
    );
    const host = new SimHost(
      env.programs,
      new DurablePids(this.id, this.storage),
      env.random.fork(),
      clock,
      env.sinks(this),
    );
    const kernel = new Kernel(new Machine({ ramSize: env.ramMiB * 1024 * 1024 }), host);
    const globalNames = new GlobalNamesSlot();
    startServers(kernel, { globalNames });
    const services: SimService[] = [];
    this.live = {
      number,
      clock,
      transport,
      links,
      serviceLinks,
      replica,
      stateMachine,
      client,
      swim,
      kernel,
      host,
      globalNames,
      services,
      bootMs: clock.now(),
    };
    env.trace(`boot ${this.id} #${number}`);
    const serviceRandom = env.random.fork();
    for (const make of env.services) services.push(make(this.serviceContext(this.live, serviceRandom)));
    this.scheduleSlice(this.live);
  }

  private serviceContext(live: NodeIncarnation, random: SeededRandom): SimServiceContext {
    const log = serviceLog(this.id, this.env.trace);
    return {
      self: this.id,
      kernel: live.kernel,
      globalNames: live.globalNames,
      links: (range: AppTypeRange): PeerLinks => transportLinks(linkView(live), range),
      registry: live.client,
      stateMachine: live.stateMachine,
      isLeader: () => live.replica.isLeader,
      clock: live.clock,
      random: random.fork(),
      storage: this.storage,
      log,
      changed: () => this.wake(),
    };
  }

  /**
   * Schedules the next driver slice: after DRIVER_SLICE_MS while a thread is ready; while every
   * thread is blocked, at the next deadline (or not at all) until wake() says there is work again.
   */
  private scheduleSlice(live: NodeIncarnation, delayMs?: number): void {
    this.driver?.cancel();
    let delay = delayMs;
    if (delay === undefined) {
      const k = live.kernel;
      if (k.idle) {
        const deadline = k.nextDeadline();
        if (deadline < 0) {
          this.driver = undefined;
          return; // asleep until wake()
        }
        // The kernel's clock counts from bootMs on the node's clock: sleep until it reaches `deadline`.
        delay = Math.max(DRIVER_SLICE_MS, live.bootMs + deadline / 1e6 - live.clock.now());
      } else delay = DRIVER_SLICE_MS;
    }
    this.driver = live.clock.setTimer(delay, () => {
      if (this.live !== live) return;
      this.driver = undefined;
      this.slice(live);
      if (this.live === live) this.scheduleSlice(live);
    });
  }

  /** The kernel may have work again (a spawn, a restore, a message delivered): run a slice soon. */
  wake(): void {
    const live = this.live;
    if (live && !this.waking) {
      this.waking = true;
      // At the next instant, after whatever changed the kernel has finished.
      live.clock.setTimer(0, () => {
        this.waking = false;
        if (this.live === live) this.scheduleSlice(live, 0);
      });
    }
  }

  private waking = false;

  /**
   * One driver slice: runs ready threads for at most the slice budget, never past the node's own
   * clock; while every thread is blocked the kernel's clock jumps to the next deadline (or to now).
   */
  private slice(live: NodeIncarnation): void {
    const kernel = live.kernel;
    // ns on the kernel's clock: whole ns (the kernel's clock and the images it writes count in them)
    const target = Math.floor((live.clock.now() - live.bootMs) * 1e6);
    let left = this.env.sliceBudget;
    let ran = false;
    while (left > 0) {
      const now = kernel.now();
      if (now >= target) break;
      if (!kernel.idle) {
        const budget = Math.min(left, Math.max(1, Math.floor((target - now) / NS_PER_INSTRUCTION)));
        const used = kernel.step(budget);
        ran = true;
        if (used === 0) break;
        left -= used;
        continue;
      }
      const deadline = kernel.nextDeadline();
      const to = deadline < 0 || deadline > target ? target : deadline;
      kernel.advanceIdle(Math.max(now, to));
      if (to === target) break;
      ran = true; // a sleeper woke
    }
    if (ran) this.slices++;
    try {
      checkInvariants(kernel.inspect(), { frames: this.slices % FRAME_CHECK_EVERY === 0 });
    } catch (e) {
      if (e instanceof KernelInvariantError) this.env.kernelViolation(this, e);
      else throw e;
    }
    this.env.afterSlice(this);
  }

  /** Runs a full kernel invariant check (frames included) now; returns the error, if any. */
  checkKernel(): Error | undefined {
    if (!this.live) return undefined;
    try {
      checkInvariants(this.live.kernel.inspect(), { frames: true });
      return undefined;
    } catch (e) {
      if (e instanceof KernelInvariantError) return e;
      throw e;
    }
  }

  /** The process dies: kernel and processes gone, links break, the disk loses unsynced bytes. */
  crash(tear: SeededRandom | undefined): void {
    const live = this.live;
    if (!live) return;
    this.crashes++;
    this.pastInstructions += live.kernel.instructions;
    this.env.trace(`crash ${this.id} #${live.number}`);
    this.live = undefined;
    this.driver?.cancel();
    live.replica.stop();
    live.swim.kill();
    live.client.close();
    live.clock.kill();
    live.links.kill();
    live.serviceLinks.kill();
    this.env.network.crash(this.id);
    this.storage.crash(tear);
  }

  /** A clean stop (the end of a run): services stop first, then the node goes down like a crash. */
  async shutdown(): Promise<void> {
    const live = this.live;
    if (!live) return;
    for (const s of [...live.services].reverse()) {
      try {
        await s.stop();
      } catch (e) {
        this.env.trace(`service-stop-failed ${this.id} ${(e as Error).message}`);
      }
    }
    if (this.live === live) this.crash(undefined);
  }

  /** Live (not ended, not migrating) program processes, system tasks excluded. */
  liveCopies(): Process[] {
    if (!this.live) return [];
    const k = this.live.kernel;
    return [...k.processes.values()].filter((p) => p.alive && !p.migrating && !k.isTask(p.pid));
  }
}

/** The node's service links: the faulty transport's send and handlers, the endpoint's link state. */
function linkView(live: NodeIncarnation) {
  const t = live.transport;
  const f = live.serviceLinks;
  return {
    self: t.self,
    send: f.send.bind(f),
    whenWritable: t.whenWritable.bind(t),
    linkState: t.linkState.bind(t),
    onMessage: f.onMessage.bind(f),
    onLink: f.onLink.bind(f),
  };
}

function serviceLog(id: NodeId, trace: (line: string) => void): ServiceLog {
  const line =
    (level: string) =>
    (fields: object, message: string): void =>
      trace(`log ${id} ${level} ${message} ${JSON.stringify(fields)}`);
  return { debug: () => undefined, info: line('info'), warn: line('warn'), error: line('error') };
}
