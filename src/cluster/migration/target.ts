// The target side of one live migration (see source.ts for the whole exchange). It keeps the pages
// that arrive (bounded), restores the frozen group held (MIGRATING: nothing runs), commits the
// ownership change itself — compare-and-set on the revision the source left, with a fence — and only
// then lets the group run and tells the source. A lost race (the source rolled back first) drops the
// held copy. Post-copy: pages not here yet are asked of the source on fault (the kernel's
// PageSource) while the source pushes the rest; once all are in, the source is told it may go. If
// the source's link breaks before that, the process cannot go on: it is killed and its record says
// lost (docs/migration.md: recovery from its checkpoint is the way back).

import { decodeGroup } from '../../kernel/group-codec.js';
import type { GroupImage } from '../../kernel/group-image.js';
import type { PageSource } from '../../kernel/hooks.js';
import { asNodeId, type NodeId } from '../../net/node-id.js';
import { ConsensusError } from '../consensus/errors.js';
import { RegistryError } from '../registry/errors.js';
import { npidRecord, npids } from '../registry/schema.js';
import { MIGRATION_PAGES_MAX, REGISTRY_RETRIES, RETRY_DELAY_MS } from './limits.js';
import { unpackPages } from './page-table.js';
import { hex, Session } from './session.js';
import { type MigrationDeps, MigrationError } from './types.js';
import type { MigrationBody, Mode } from './wire.js';

type Stage = 'receiving' | 'restoring' | 'committing' | 'fetching' | 'done' | 'aborted';

const SIGKILL = 9;

export class TargetMigration extends Session implements PageSource {
  private stage: Stage = 'receiving';
  /** Pages by member index, then by address. */
  private readonly store: Map<number, Uint8Array>[];
  private held = 0;
  /** After the restore: each member's pid here. */
  private pids: number[] = [];
  /** Post-copy: pages each member still waits for. */
  private missing: Set<number>[] = [];
  private missingCount = 0;
  /** Reply tokens this node's router gave the group's pending remote answers. */
  private adopted: number[] = [];
  /** Called once when the session ends (done or aborted). */
  onEnd: () => void = () => {};

  constructor(
    deps: MigrationDeps,
    id: number,
    source: NodeId,
    readonly npid: string,
    readonly mode: Mode,
    readonly members: readonly string[],
  ) {
    super(deps, id, source, false);
    this.store = members.map(() => new Map());
  }

  get ended(): boolean {
    return this.stage === 'done' || this.stage === 'aborted';
  }

  onMessage(body: MigrationBody): void {
    switch (body.kind) {
      case 'pages':
        return this.pagesIn(body.member, body.vaddrs, body.data);
      case 'freeze':
        if (this.stage !== 'receiving') return;
        void this.freeze(body);
        return;
      case 'abort':
        // While committing the registry decides; otherwise drop what is held.
        if (this.stage === 'receiving' || this.stage === 'restoring')
          this.abort(`the source gave up: ${body.reason}`, false);
        return;
      default:
        return;
    }
  }

  /** The link to the source broke. */
  onLinkDown(): void {
    this.fail(new MigrationError('link_down', `the link to node ${hex(this.peer)} broke`));
    if (this.stage === 'receiving' || this.stage === 'restoring')
      this.abort('the link to the source broke', false);
    else if (this.stage === 'fetching') this.lose('the link to the source broke before every page arrived');
  }

  private pagesIn(member: number, vaddrs: readonly number[], data: Uint8Array): void {
    if (this.stage === 'fetching') {
      const pid = this.pids[member];
      const missing = this.missing[member];
      if (pid === undefined || missing === undefined) return;
      for (const [i, vaddr] of vaddrs.entries()) {
        if (!missing.delete(vaddr)) continue;
        this.missingCount--;
        this.deps.kernel.pageArrived(pid, vaddr, data.subarray(i * 4096, i * 4096 + 4096));
      }
      this.deps.changed();
      if (this.missingCount === 0) this.finish();
      return;
    }
    if (this.stage !== 'receiving') return;
    const pages = this.store[member];
    if (pages === undefined)
      return this.abort(`pages for member ${member}, which the offer does not name`, true);
    for (const [i, vaddr] of vaddrs.entries()) {
      if (!pages.has(vaddr)) {
        if (this.held >= MIGRATION_PAGES_MAX)
          return this.abort(`more than ${MIGRATION_PAGES_MAX} pages (the limit of one migration)`, true);
        this.held++;
      }
      pages.set(vaddr, data.slice(i * 4096, i * 4096 + 4096));
    }
  }

  /** Drops what is held; tells the source when `tell`. */
  private abort(reason: string, tell: boolean): void {
    if (this.ended) return;
    this.deps.log?.('migration target abort', { npid: this.npid, reason });
    // The source runs on: this copy's ending must not answer its remote callers nor ack anything.
    const ports = this.deps.ports;
    for (const token of this.adopted) ports?.dropReply?.(token);
    this.adopted = [];
    if (this.pids.length > 0) {
      for (const npid of this.members) ports?.dropPortState?.(npid);
      this.deps.kernel.dropMigrated(this.pids);
    }
    this.pids = [];
    this.stage = 'aborted';
    for (const m of this.store) m.clear();
    if (tell) this.post('control', { kind: 'abort', reason });
    this.onEnd();
  }

  /** Post-copy after the commit without the source: the process cannot go on. */
  private lose(reason: string): void {
    if (this.ended) return;
    this.deps.log?.('migration target lost the source', { npid: this.npid, reason });
    for (const npid of this.members) this.deps.guard.release(npid);
    for (const pid of this.pids) this.deps.kernel.kill(pid, SIGKILL);
    this.deps.changed();
    this.stage = 'aborted';
    void this.markLost();
    this.onEnd();
  }

  private async markLost(): Promise<void> {
    const { registry, links } = this.deps;
    const key = npids.key(this.npid);
    for (let attempt = 0; attempt < REGISTRY_RETRIES; attempt++) {
      try {
        const got = await registry.get(key);
        if (got.kv === undefined) return;
        const rec = npidRecord(got.kv);
        if (rec.node !== links.self) return;
        const { npid: _n, fence: _f, ...entry } = rec;
        const r = await registry.compareAndSet(
          key,
          { modRevision: got.kv.modRevision },
          npids.encode({ ...entry, state: 'lost' }),
        );
        if (r.succeeded) return;
      } catch {
        await this.sleep(RETRY_DELAY_MS);
      }
    }
  }

  private finish(): void {
    if (this.stage !== 'fetching') return;
    this.stage = 'done';
    this.post('control', { kind: 'done' });
    this.onEnd();
  }

  /** PageSource: a member touched a page that has not arrived. */
  request(npid: string, vaddr: number): void {
    const member = this.members.indexOf(npid);
    if (member < 0 || this.stage !== 'fetching') return;
    if (!this.post('control', { kind: 'pageRequest', member, vaddr }))
      this.lose('the page request could not be sent to the source');
  }

  private async freeze(body: Extract<MigrationBody, { kind: 'freeze' }>): Promise<void> {
    const { kernel } = this.deps;
    const freezeAt = this.deps.clock.now();
    this.stage = 'restoring';
    let image: GroupImage;
    try {
      image = decodeGroup(body.image);
    } catch (err) {
      return this.abort(`bad image: ${(err as Error).message}`, true);
    }
    const decodedAt = this.deps.clock.now();
    const order = image.manifest.members.map((m) => this.members.indexOf(m.npid));
    if (order.some((i) => i < 0) || order.length !== this.members.length)
      return this.abort('the image does not hold the offered members', true);
    if (body.state !== 'running' && body.state !== 'stopped')
      return this.abort(`state ${JSON.stringify(body.state)} cannot be committed`, true);
    const state = body.state;
    let entry: ReturnType<typeof npids.decode>;
    try {
      entry = npids.decode(body.entry);
    } catch (err) {
      return this.abort(`bad registry entry: ${(err as Error).message}`, true);
    }
    // The members' page tables came packed beside the image. Pre-copy: every page came in the
    // rounds and the freeze and is restored with the image. (Restoring them absent and installing
    // them while the group runs would shorten the freeze, but a system call that touches an absent
    // page fails with EFAULT: the kernel waits for absent pages only on the guest's own faults.)
    // Post-copy: every page names a zero page and is restored absent; what is held goes in now.
    if (body.tables.length !== image.manifest.members.length)
      return this.abort(
        `${body.tables.length} page tables for ${image.manifest.members.length} members`,
        true,
      );
    const contents = [...image.contents];
    const zero = contents.length;
    contents.push(new Uint8Array(4096));
    for (const [at, m] of image.manifest.members.entries()) {
      const held = this.store[order[at]!]!;
      const pages = unpackPages(body.tables[at]!, m.regions, (vaddr) => {
        if (this.mode === 'postcopy') return zero;
        const bytes = held.get(vaddr);
        if (bytes === undefined) return -1;
        contents.push(bytes);
        return contents.length - 1;
      });
      if (typeof pages === 'string') return this.abort(`page table of ${m.npid}: ${pages}`, true);
      m.pages = pages;
    }
    image = { manifest: image.manifest, contents };
    const unpackedAt = this.deps.clock.now();
    // The remote calls the group has to answer get tokens of this node's router.
    const tokens = new Map<number, number>();
    for (const r of body.replies) {
      const node = asNodeId(r.node);
      const token = node === undefined ? 0 : (this.deps.ports?.adoptReply?.(node, r.call) ?? 0);
      if (token > 0) {
        tokens.set(r.token, token);
        this.adopted.push(token);
      }
    }
    try {
      const restored = kernel.restoreGroup(image, {
        ...(this.mode === 'postcopy' ? { pageSource: this } : {}),
        replyToken: (t) => tokens.get(t) ?? 0,
      });
      // restoreGroup returns the members in image order; keep them in offer order.
      this.pids = this.members.map(() => 0);
      restored.forEach((p, at) => {
        this.pids[order[at]!] = p.pid;
      });
      for (const pid of this.pids) kernel.setMigrating(pid, true);
    } catch (err) {
      return this.abort(`restore failed: ${(err as Error).message}`, true);
    }
    if (this.mode === 'postcopy') {
      this.missing = this.members.map(() => new Set<number>());
      for (const [at, m] of image.manifest.members.entries()) {
        const i = order[at]!;
        const pages = this.store[i]!;
        for (const page of m.pages) {
          const bytes = pages.get(page.vaddr);
          if (bytes !== undefined) kernel.pageArrived(this.pids[i]!, page.vaddr, bytes);
          else {
            this.missing[i]!.add(page.vaddr);
            this.missingCount++;
          }
        }
      }
    }
    for (const m of this.store) m.clear();
    if (this.deps.ports !== undefined)
      for (const p of body.ports) {
        try {
          this.deps.ports.restorePortState(p.npid, p.state);
        } catch (err) {
          return this.abort(`port state of ${p.npid}: ${(err as Error).message}`, true);
        }
      }
    this.stage = 'committing';
    const restoredAt = this.deps.clock.now();
    const won = await this.commit(entry, state, body.revision);
    this.deps.log?.('migration target commit', {
      npid: this.npid,
      restoreMs: +(restoredAt - freezeAt).toFixed(2),
      decodeMs: +(decodedAt - freezeAt).toFixed(2),
      unpackMs: +(unpackedAt - decodedAt).toFixed(2),
      commitMs: +(this.deps.clock.now() - restoredAt).toFixed(2),
      won: won !== false && won !== undefined,
    });
    if (won === undefined) return;
    if (won === false) {
      this.stage = 'restoring';
      return this.abort('the source rolled the migration back first', true);
    }
    for (const npid of this.members) this.deps.guard.adopt(npid, won);
    for (const pid of this.pids) kernel.setMigrating(pid, false);
    this.deps.changed();
    this.post('control', { kind: 'committed', term: won.term, index: won.index });
    if (this.mode === 'postcopy' && this.missingCount > 0) {
      this.stage = 'fetching';
      if (this.failure !== undefined) this.lose('the link to the source broke before every page arrived');
      return;
    }
    this.stage = 'fetching';
    this.finish();
  }

  /**
   * The ownership change: npids/<npid> names this node, with a new fencing token, if nothing changed
   * it since the source marked it migrating. The token when it did; false when the source (or
   * anyone) changed it first; undefined when the registry never answered (the held copy is dropped:
   * the source's rollback then wins, or nobody runs it — never two).
   */
  private async commit(
    entry: ReturnType<typeof npids.decode>,
    state: 'running' | 'stopped',
    revision: number,
  ): Promise<{ term: number; index: number } | false | undefined> {
    const { registry, links } = this.deps;
    const key = npids.key(this.npid);
    const { target: _t, ...rest } = entry;
    const value = npids.encode({ ...rest, node: links.self, state });
    for (let attempt = 0; attempt < REGISTRY_RETRIES; attempt++) {
      try {
        const r = await registry.compareAndSet(key, { modRevision: revision }, value, { fence: true });
        if (r.succeeded && r.kv !== undefined) return r.kv.fence;
        // A retry after a lost answer finds its own write: the record names this node, running.
        if (r.kv !== undefined && attempt > 0) {
          const now = npidRecord(r.kv);
          if (now.node === links.self && now.state === state) return now.fence;
        }
        return false;
      } catch (err) {
        // The registry's own errors and its log's (a proposal not applied in time) are transient.
        if (!(err instanceof RegistryError) && !(err instanceof ConsensusError)) throw err;
        await this.sleep(RETRY_DELAY_MS);
      }
    }
    this.stage = 'restoring';
    this.abort('the registry did not answer the commit', true);
    return undefined;
  }
}
