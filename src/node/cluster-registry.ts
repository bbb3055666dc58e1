// The replicated registry in the daemon (docs/registry.md "In the daemon"): a consensus Replica over
// the node's TLS links with its WAL in <home>/raft/, the registry state machine and a linearizable
// client over it. It reconciles SWIM's view with the registry: every node registers itself
// (members/<id>: fingerprint, address, alive); the leader adds new members to the Raft configuration
// as learners and promotes them while there are fewer than 5 voters, gives them the default node
// ACL, marks a node dead (or left) DEAD_MARK_DELAY_MS after SWIM's verdict and then removes it from
// the voters (nextConfChange, one change at a time), so the voter set follows liveness. ACL checks
// read the local replica (see allowedLocal).
import { randomInt } from 'node:crypto';
import { type Liveness, nextConfChange, Replica, type ReplicaTransport } from '../cluster/consensus/index.js';
import { fingerprint as certFingerprint } from '../cluster/identity/index.js';
import {
  type AclEntry,
  acls,
  aclTable,
  allowed,
  LogRegistryClient,
  type Member,
  type MemberState,
  members,
  RegistryStateMachine,
  type Revocation,
  type Right,
  revocations,
} from '../cluster/registry/index.js';
import { formatNodeId, type NodeId } from '../net/node-id.js';
import { SeededRandom } from '../net/random.js';
import { systemClock } from '../net/system-clock.js';
import { FileStorage } from './file-storage.js';
import {
  DEAD_MARK_DELAY_MS,
  RAFT_ELECTION_TICKS,
  RAFT_TICK_MS,
  REGISTRY_RECONCILE_MS,
  REGISTRY_REQUEST_TIMEOUT_MS,
  REGISTRY_SNAPSHOT_EVERY,
} from './limits.js';
import type { Logger } from './logger.js';

/** Rights every member node holds by default (node-to-node requests and forwarding joins). */
export const NODE_DEFAULT_RIGHTS: readonly Right[] = ['join', 'spawn', 'kill', 'migrate', 'metrics'];

/** One member as SWIM sees it. */
export interface SwimMember {
  node: NodeId;
  state: string;
  addresses: readonly string[];
}

export interface ClusterRegistryOptions {
  home: string;
  self: NodeId;
  /** This node holds the CA (ran cluster init): it bootstraps the registry as the only voter. */
  bootstrap: boolean;
  nodeCertPem: string;
  address: string;
  transport: ReplicaTransport;
  /** SWIM's current member list (including this node). */
  swim: () => SwimMember[];
  log: Logger;
}

/** What `pakaya cluster status` shows. */
export interface ClusterStatus {
  node: string;
  role: string;
  term: number;
  leader: string | null;
  commit_index: number;
  applied_index: number;
  voters: string[];
  learners: string[];
  failed: string | null;
}

/** SWIM's state as the voter policy's liveness. */
function liveness(state: string | undefined): Liveness {
  if (state === 'alive' || state === 'suspect') return state;
  return state === 'dead' || state === 'left' ? 'down' : 'unknown';
}

export class ClusterRegistry {
  readonly stateMachine = new RegistryStateMachine();
  readonly client: LogRegistryClient;
  readonly replica: Replica;
  private readonly fingerprint: string;
  private readonly timer: NodeJS.Timeout;
  private readonly deadSince = new Map<NodeId, number>();
  private busy = false;
  private stopped = false;

  constructor(private readonly o: ClusterRegistryOptions) {
    this.fingerprint = certFingerprint(o.nodeCertPem);
    this.replica = Replica.open({
      id: o.self,
      transport: o.transport,
      clock: systemClock,
      random: new SeededRandom(randomInt(0, 2 ** 31)),
      storage: new FileStorage(o.home),
      dir: 'raft',
      stateMachine: this.stateMachine,
      start: o.bootstrap ? { kind: 'bootstrap', voters: [o.self] } : { kind: 'join' },
      tickMs: RAFT_TICK_MS,
      electionTicks: RAFT_ELECTION_TICKS,
      heartbeatTicks: 1,
      snapshotEvery: REGISTRY_SNAPSHOT_EVERY,
      requestTimeoutMs: REGISTRY_REQUEST_TIMEOUT_MS,
      hooks: {
        onRole: (role, leader, term) =>
          o.log.info(
            { role, leader: leader === 0 ? null : formatNodeId(leader as NodeId), term },
            `raft: ${role}`,
          ),
        onFailed: (e) => o.log.error({ err: e.message }, 'raft: the replica stopped after a storage failure'),
      },
    });
    this.client = new LogRegistryClient(this.stateMachine, this.replica);
    this.timer = setInterval(() => void this.reconcile(), REGISTRY_RECONCILE_MS);
    this.timer.unref();
  }

  get isLeader(): boolean {
    return this.replica.isLeader;
  }

  /** The leader this node knows, or undefined. */
  get leader(): NodeId | undefined {
    const l = this.replica.leader;
    return l === 0 ? undefined : (l as NodeId);
  }

  status(): ClusterStatus {
    const s = this.replica.status();
    const fmt = (n: NodeId): string => formatNodeId(n);
    return {
      node: fmt(this.o.self),
      role: s.role,
      term: s.term,
      leader: s.leader === 0 ? null : fmt(s.leader as NodeId),
      commit_index: s.commit,
      applied_index: this.replica.appliedIndex,
      voters: [...s.voters].sort((a, b) => a - b).map(fmt),
      learners: [...s.learners].sort((a, b) => a - b).map(fmt),
      failed: this.replica.failed?.message ?? null,
    };
  }

  /** The registry's member records, from this node's replica. */
  memberRecords(): Member[] {
    const out: Member[] = [];
    for (const kv of this.stateMachine.list(members.prefix)) {
      try {
        out.push(members.decode(kv.value));
      } catch {
        // a corrupt record names nobody
      }
    }
    return out;
  }

  /**
   * Whether `principal` holds `right`, by this node's replica (it may lag the leader by a heartbeat:
   * a grant or revoke takes effect on a node once it has applied it). Node principals must also be
   * registered members that are neither dead nor left.
   */
  allowedLocal(principal: string, right: Right): boolean {
    if (principal.startsWith('node:')) {
      const rec = this.stateMachine.get(`${members.prefix}${principal.slice(5)}`);
      if (!rec) return false;
      try {
        const m = members.decode(rec.value);
        if (m.state === 'dead' || m.state === 'left') return false;
      } catch {
        return false;
      }
    }
    return allowed(aclTable(this.stateMachine.list(acls.prefix)), principal, right);
  }

  /** Whether the registry revokes the certificate with this fingerprint (this node's replica). */
  isRevokedFingerprint(fingerprint: string): boolean {
    return this.stateMachine.get(revocations.key(fingerprint)) !== undefined;
  }

  /** Revokes a certificate by fingerprint in the registry (a linearizable write through the leader). */
  async revokeCertificate(fingerprint: string, reason: string): Promise<Revocation> {
    const entry: Revocation = { fingerprint, reason, since: Date.now() };
    await this.client.put(revocations.key(fingerprint), revocations.encode(entry));
    return entry;
  }

  /** The ACL entry of `principal`, from this node's replica. */
  aclOf(principal: string): AclEntry | undefined {
    const kv = this.stateMachine.get(acls.key(principal));
    return kv ? acls.decode(kv.value) : undefined;
  }

  /** Grants or revokes one right (a linearizable write through the leader). */
  async setRight(principal: string, right: Right, grant: boolean): Promise<AclEntry> {
    const key = acls.key(principal);
    for (let attempt = 0; attempt < 5; attempt++) {
      const cur = await this.client.get(key);
      const rights = cur.kv ? acls.decode(cur.kv.value).rights : [];
      const next = grant ? [...new Set([...rights, right])] : rights.filter((r) => r !== right);
      const entry: AclEntry = { principal, rights: next };
      const res = await this.client.compareAndSet(
        key,
        { modRevision: cur.kv?.modRevision ?? 0 },
        acls.encode(entry),
      );
      if (res.succeeded) return entry;
    }
    throw new Error(`the ACL of ${principal} kept changing; try again`);
  }

  /** One pass: register this node; on the leader, admit new members and write SWIM's verdicts. */
  private async reconcile(): Promise<void> {
    if (this.busy || this.stopped || this.replica.failed || this.leader === undefined) return;
    this.busy = true;
    try {
      await this.registerSelf();
      if (this.replica.isLeader) await this.lead();
    } catch (err) {
      this.o.log.debug({ err: (err as Error).message }, 'registry reconcile deferred');
    } finally {
      this.busy = false;
    }
  }

  private async registerSelf(): Promise<void> {
    const s = this.replica.status();
    if (!s.voters.includes(this.o.self) && !s.learners.includes(this.o.self)) return;
    const key = members.key(this.o.self);
    const cur = this.stateMachine.get(key);
    if (cur) {
      const m = members.decode(cur.value);
      if (m.state === 'alive' && m.addresses[0] === this.o.address && m.fingerprint === this.fingerprint)
        return;
    }
    const record: Member = {
      id: this.o.self,
      fingerprint: this.fingerprint,
      addresses: [this.o.address],
      labels: {},
      state: 'alive',
      since: Date.now(),
    };
    await this.client.put(key, members.encode(record));
    this.o.log.info({ address: this.o.address }, 'registered in the cluster registry');
  }

  private async lead(): Promise<void> {
    const s = this.replica.status();
    const inConf = new Set<NodeId>([...s.voters, ...s.learners]);
    const now = performance.now();
    // The default ACL of every node in the configuration, written once (a revoke keeps the entry).
    for (const node of inConf) {
      const principal = `node:${formatNodeId(node)}`;
      if (this.stateMachine.get(acls.key(principal))) continue;
      await this.client.put(
        acls.key(principal),
        acls.encode({ principal, rights: [...NODE_DEFAULT_RIGHTS] }),
      );
    }
    const swim = new Map<NodeId, string>();
    for (const m of this.o.swim()) {
      if (m.node === this.o.self) continue;
      swim.set(m.node, m.state);
      if (m.state === 'dead' || m.state === 'left') {
        if (!this.deadSince.has(m.node)) this.deadSince.set(m.node, now);
      } else this.deadSince.delete(m.node);
    }
    // SWIM's verdicts reach the registry DEAD_MARK_DELAY_MS after SWIM gave them.
    for (const [node, since] of this.deadSince) {
      const state = swim.get(node);
      if (now - since >= DEAD_MARK_DELAY_MS && (state === 'dead' || state === 'left'))
        await this.markDown(node, state);
    }
    // Then at most one configuration change per pass: a voter down that long leaves, a live learner
    // is promoted while voters < 5, a live node outside the configuration joins as a learner.
    const step = nextConfChange({
      self: this.o.self,
      voters: s.voters as NodeId[],
      learners: s.learners as NodeId[],
      others: [...swim.keys()].filter((n) => !inConf.has(n)),
      // A node SWIM has forgotten after declaring it dead stays down.
      liveness: (n) =>
        n === this.o.self ? 'alive' : liveness(swim.get(n) ?? (this.deadSince.has(n) ? 'dead' : undefined)),
      downSince: (n) => this.deadSince.get(n),
      now,
      removeAfterMs: DEAD_MARK_DELAY_MS,
    });
    if (step === undefined) return;
    const member = formatNodeId(step.node);
    if (step.kind === 'remove') await this.replica.remove(step.node);
    else if (step.kind === 'promote') await this.replica.promote(step.node);
    else await this.replica.addLearner(step.node);
    this.o.log.info(
      { member, change: step.kind },
      step.kind === 'remove'
        ? 'raft: removed a voter SWIM declared down'
        : step.kind === 'promote'
          ? 'raft: promoted a learner to voter'
          : 'raft: added a member as a learner',
    );
  }

  private async markDown(node: NodeId, state: MemberState): Promise<void> {
    const key = members.key(node);
    const cur = this.stateMachine.get(key);
    if (!cur) return;
    const m = members.decode(cur.value);
    if (m.state === state) return;
    const next: Member = { ...m, state, since: Date.now(), reason: `SWIM verdict: ${state}` };
    const r = await this.client.compareAndSet(key, { modRevision: cur.modRevision }, members.encode(next));
    if (r.succeeded) this.o.log.warn({ member: formatNodeId(node), state }, `marked a member ${state}`);
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.timer);
    this.replica.stop();
  }
}
