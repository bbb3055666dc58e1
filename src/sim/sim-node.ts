// One simulated node in protocol-only mode: a consensus Replica with its registry state machine and
// registry client, over the node's own simulated transport (with link faults), clock (drift and
// pause) and disk (a MemoryStorage with fsync semantics, write failures and torn writes on a crash).
// crash() and restart() model a process dying and coming back from its WAL.
//
// Extension point (whole-node mode, a later issue): a SimNode would also own a kernel on small RAM
// whose guest time runs on the same NodeClock; the Replica and the registry client stay as here.
import { Replica, type ReplicaHooks } from '../cluster/consensus/replica.js';
import type { MembershipEvent } from '../cluster/membership/member.js';
import { MemoryStorage } from '../cluster/memory-storage.js';
import { LogRegistryClient } from '../cluster/registry/log-client.js';
import { RegistryStateMachine } from '../cluster/registry/state-machine.js';
import type { NodeId } from '../net/node-id.js';
import type { SeededRandom } from '../net/random.js';
import type { SimNetwork } from '../net/sim-transport.js';
import type { VirtualClock } from '../net/virtual-clock.js';
import { SIM_PAUSE_BACKLOG_MAX } from './limits.js';
import { NodeClock } from './node-clock.js';
import { SwimAgent } from './sim-membership.js';
import { FaultyTransport, type LinkFaults } from './sim-transport-faults.js';

export interface SimNodeEnv {
  readonly clock: VirtualClock;
  readonly network: SimNetwork;
  readonly random: SeededRandom;
  readonly linkFaults: () => LinkFaults;
  readonly trace: (line: string) => void;
  readonly hooks: (node: SimNode) => ReplicaHooks;
  /** Every node's id (SWIM seeds). */
  readonly ids: readonly NodeId[];
  /** A membership event observed by `node`. */
  readonly onMember: (node: SimNode, event: MembershipEvent) => void;
  readonly replica: {
    readonly tickMs: number;
    readonly electionTicks: number;
    readonly snapshotEvery: number;
    readonly requestTimeoutMs: number;
    readonly unsafeDoubleVote: boolean;
  };
}

export class SimNode {
  readonly storage = new MemoryStorage();
  clock: NodeClock | undefined;
  replica: Replica | undefined;
  stateMachine: RegistryStateMachine | undefined;
  client: LogRegistryClient | undefined;
  private transport: FaultyTransport | undefined;
  swim: SwimAgent | undefined;
  incarnation = 0;
  crashes = 0;

  constructor(
    readonly id: NodeId,
    private readonly env: SimNodeEnv,
    private readonly start: { kind: 'bootstrap'; voters: readonly NodeId[] } | { kind: 'join' },
  ) {}

  get up(): boolean {
    return this.replica !== undefined;
  }

  /** Starts (or restarts) the node from its disk. Throws what Replica.open throws (a corrupt WAL). */
  boot(): void {
    if (this.replica) return;
    this.incarnation++;
    const env = this.env;
    const clock = new NodeClock(env.clock, SIM_PAUSE_BACKLOG_MAX);
    const inner = env.network.createTransport(this.id);
    const transport = new FaultyTransport(
      inner,
      clock,
      env.clock,
      env.random.fork(),
      env.linkFaults,
      env.trace,
    );
    const sm = new RegistryStateMachine();
    this.clock = clock;
    this.transport = transport;
    this.stateMachine = sm;
    try {
      this.replica = Replica.open({
        id: this.id,
        transport,
        clock,
        random: env.random.fork(),
        storage: this.storage,
        dir: 'raft',
        stateMachine: sm,
        start: this.start,
        tickMs: env.replica.tickMs,
        electionTicks: env.replica.electionTicks,
        heartbeatTicks: 1,
        snapshotEvery: env.replica.snapshotEvery,
        requestTimeoutMs: env.replica.requestTimeoutMs,
        unsafeDoubleVote: env.replica.unsafeDoubleVote,
        hooks: env.hooks(this),
      });
    } catch (e) {
      clock.kill();
      transport.kill();
      env.network.crash(this.id);
      throw e;
    }
    this.client = new LogRegistryClient(sm, this.replica);
    this.swim = new SwimAgent(
      this.id,
      inner,
      transport,
      clock,
      env.random.fork(),
      env.ids.filter((id) => id !== this.id),
      (e) => env.onMember(this, e),
    );
    env.trace(`boot ${this.id} #${this.incarnation}`);
  }

  /** The process dies: pending requests fail, links break, the disk loses (or tears) unsynced bytes. */
  crash(tear: SeededRandom | undefined): void {
    if (!this.replica) return;
    this.crashes++;
    this.env.trace(`crash ${this.id}`);
    this.replica.stop();
    this.swim?.kill();
    this.swim = undefined;
    this.client?.close();
    this.clock?.kill();
    this.transport?.kill();
    this.env.network.crash(this.id);
    this.storage.crash(tear);
    this.replica = undefined;
    this.client = undefined;
  }
}
