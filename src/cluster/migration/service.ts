// The migration service of one node: it starts migrations of local processes (as their source),
// answers offers from other nodes (as a target), routes each message of the migration app type to
// its session and ends sessions whose link breaks. Pure: PeerLinks, RegistryClient, Clock and the
// kernel come in (types.ts); the daemon adapter (src/node/migration-service.ts) and the simulator
// wire them.
import type { NodeId } from '../../net/node-id.js';
import { MIGRATIONS_MAX, TARGET_IDLE_MS } from './limits.js';
import { SourceMigration } from './source.js';
import { TargetMigration } from './target.js';
import {
  type MigrationDeps,
  MigrationError,
  type MigrationProgress,
  type MigrationSummary,
} from './types.js';
import { decodeMigration, MigrationWireError, type Mode } from './wire.js';

export interface ActiveMigration {
  id: number;
  npid: string;
  role: 'source' | 'target';
  peer: NodeId;
  mode: Mode;
}

export class MigrationService {
  private nextId = 1;
  private readonly sources = new Map<number, SourceMigration>();
  private readonly targets = new Map<string, TargetMigration>();
  /** Messages dropped as undecodable or for no session (for metrics and tests). */
  dropped = 0;
  private stopped = false;

  constructor(private readonly deps: MigrationDeps) {
    deps.links.onMessage((peer, _lane, _type, payload) => this.receive(peer, payload));
    deps.links.onLink((peer, state) => {
      if (state === 'down') this.linkDown(peer);
    });
  }

  /** Migrations in progress on this node. */
  active(): ActiveMigration[] {
    return [
      ...[...this.sources.values()].map((s) => ({
        id: s.id,
        npid: s.npid,
        role: 'source' as const,
        peer: s.peer,
        mode: s.mode,
      })),
      ...[...this.targets.values()].map((t) => ({
        id: t.id,
        npid: t.npid,
        role: 'target' as const,
        peer: t.peer,
        mode: t.mode,
      })),
    ];
  }

  /**
   * Migrates the local process `npid` (with its group) to node `target`. Resolves with the summary
   * once the source has released its copy; rejects with a MigrationError, the process then running
   * here as before (unless the error's code is 'lost' or 'registry': see source.ts).
   */
  async migrate(
    npid: string,
    target: NodeId,
    mode: Mode,
    onProgress: (p: MigrationProgress) => void = () => {},
  ): Promise<MigrationSummary> {
    if (this.stopped) throw new MigrationError('refused', 'the migration service has stopped');
    if (this.sources.size + this.targets.size >= MIGRATIONS_MAX)
      throw new MigrationError('busy', `at most ${MIGRATIONS_MAX} migrations at once on a node`);
    if ([...this.sources.values()].some((s) => s.npid === npid))
      throw new MigrationError('busy', `${npid} is already migrating`);
    const id = this.nextId++;
    const s = new SourceMigration(this.deps, id, target, npid, mode, onProgress);
    this.sources.set(id, s);
    try {
      const summary = await s.run();
      this.deps.log?.('migration done', { ...summary });
      return summary;
    } finally {
      this.sources.delete(id);
    }
  }

  /** Ends every session (the node stops): sources roll back, targets drop what they hold. */
  stop(): void {
    this.stopped = true;
    for (const s of this.sources.values()) s.fail(new MigrationError('refused', 'the node is stopping'));
    for (const t of this.targets.values()) t.onLinkDown();
  }

  private linkDown(peer: NodeId): void {
    for (const s of this.sources.values())
      if (s.peer === peer) s.fail(new MigrationError('link_down', 'the link to the target broke'));
    for (const t of [...this.targets.values()]) if (t.peer === peer) t.onLinkDown();
  }

  private receive(peer: NodeId, payload: Uint8Array): void {
    const m = decodeMigration(payload);
    if (m instanceof MigrationWireError) {
      this.dropped++;
      this.deps.log?.('migration message dropped', { peer, reason: m.message });
      return;
    }
    if (!m.fromSource) {
      const s = this.sources.get(m.id);
      if (s === undefined || s.peer !== peer) {
        this.dropped++;
        return;
      }
      s.onMessage(m.body);
      return;
    }
    const key = `${peer}:${m.id}`;
    if (m.body.kind === 'offer') {
      this.offer(peer, m.id, key, m.body);
      return;
    }
    const t = this.targets.get(key);
    if (t === undefined) {
      this.dropped++;
      return;
    }
    t.onMessage(m.body);
    this.touch(key, t);
  }

  private readonly idle = new Map<string, { cancel(): void }>();

  /** A target session that hears nothing for TARGET_IDLE_MS before its commit gives up. */
  private touch(key: string, t: TargetMigration): void {
    this.idle.get(key)?.cancel();
    if (t.ended) return;
    this.idle.set(
      key,
      this.deps.clock.setTimer(TARGET_IDLE_MS, () => {
        this.idle.delete(key);
        if (!t.ended && this.targets.get(key) === t) t.onLinkDown();
      }),
    );
  }

  private offer(
    peer: NodeId,
    id: number,
    key: string,
    offer: { npid: string; mode: Mode; members: string[]; pages: number },
  ): void {
    const refuse = (error: string): void => {
      const t = new TargetMigration(this.deps, id, peer, offer.npid, offer.mode, offer.members);
      t.post('control', { kind: 'accept', ok: false, error });
    };
    if (this.stopped) return refuse('the node is stopping');
    if (this.targets.has(key)) return refuse('a migration with this id is already here');
    if (this.sources.size + this.targets.size >= MIGRATIONS_MAX)
      return refuse(`at most ${MIGRATIONS_MAX} migrations at once on a node`);
    const here = new Set(
      [...this.deps.kernel.allProcesses()].filter((p) => !p.reaped).map((p) => p.npid as string),
    );
    const clash = offer.members.find((n) => here.has(n));
    if (clash !== undefined) return refuse(`process ${clash} is already on this node`);
    const t = new TargetMigration(this.deps, id, peer, offer.npid, offer.mode, offer.members);
    t.onEnd = () => {
      this.targets.delete(key);
      this.idle.get(key)?.cancel();
      this.idle.delete(key);
    };
    this.targets.set(key, t);
    this.touch(key, t);
    t.post('control', { kind: 'accept', ok: true, error: '' });
  }
}
