// The source side of one live migration (issue 13 §3). In order:
// 1. registry: npids/<npid> running here → migrating, target T (compare-and-set on its revision);
// 2. offer → accept;
// 3. pre-copy: dirty-page rounds while the group runs (bounded; stop when the dirty set is small or
//    stops shrinking); post-copy: the pages dirtied during the offer are the working set;
// 4. freeze (every member MIGRATING), capture the group without page contents, send the pages the
//    target lacks (pre-copy) or the working set (post-copy), then the image and port state;
// 5. the target restores, commits the ownership change (compare-and-set on the revision of step 1,
//    fence) and answers committed; only then does the source drop its copy (pre-copy) or, post-copy,
//    serve page requests and push the rest until the target says done.
// Any failure before the commit rolls back with a compare-and-set on the same revision: if it wins
// the process runs on here (it never ran elsewhere); if the target's commit won, the migration
// happened and the source drops its copy. A frozen process whose fate the registry cannot tell yet
// stays frozen (never two live copies) while the rollback is retried.
import { encodeGroup } from '../../kernel/group-codec.js';
import type { NodeId } from '../../net/node-id.js';
import { ConsensusError } from '../consensus/errors.js';
import { RegistryError } from '../registry/errors.js';
import { type NpidEntry, npidRecord, npids } from '../registry/schema.js';
import type { FencingToken, KeyValue } from '../registry/types.js';
import {
  PAGES_PER_MESSAGE,
  PRECOPY_ROUNDS_MAX,
  PRECOPY_SHRINK,
  PRECOPY_STOP_PAGES,
  REGISTRY_RETRIES,
  REPLY_ROUTES_MAX,
  RETRY_DELAY_MS,
  STEP_TIMEOUT_MS,
} from './limits.js';
import { type PageTable, packPages } from './page-table.js';
import { hex, Session } from './session.js';
import {
  type MigrationDeps,
  MigrationError,
  type MigrationProgress,
  type MigrationSummary,
  type Phase,
} from './types.js';
import type { MigrationBody, Mode, ReplyRoute } from './wire.js';

/** How often (in page messages) a round reports progress. */
const PROGRESS_EVERY = 16;
/** Rollback attempts of a frozen process whose fate is unknown (1 s apart: about an hour). */
const RESOLVE_RETRIES = 3600;
const RESOLVE_DELAY_MS = 1000;

interface Begun {
  revision: number;
  value: Uint8Array;
  entry: NpidEntry;
  prev: 'running' | 'stopped';
}

type Stage = 'before' | 'frozen' | 'committed';

export class SourceMigration extends Session {
  private stage: Stage = 'before';
  private members: { npid: string; pid: number }[] = [];
  private rounds = 0;
  private pages = 0;
  private faults = 0;
  private readonly started: number;
  private phase: Phase = 'offer';
  private dirtyRate = 0;
  /** Post-copy: serving page requests of the running target. */
  private serving = false;

  constructor(
    deps: MigrationDeps,
    id: number,
    target: NodeId,
    readonly npid: string,
    readonly mode: Mode,
    private readonly progress: (p: MigrationProgress) => void,
  ) {
    super(deps, id, target, true);
    this.started = deps.clock.now();
  }

  /** A message from the target. */
  onMessage(body: MigrationBody): void {
    if (body.kind === 'pageRequest') {
      if (this.serving) this.servePage(body.member, body.vaddr);
      return;
    }
    if (body.kind === 'abort') {
      // Whatever the source waits for (an answer, a writable lane, the commit) ends now.
      this.fail(new MigrationError('refused', `node ${hex(this.peer)} gave up: ${body.reason}`));
      return;
    }
    this.deliver(body);
  }

  async run(): Promise<MigrationSummary> {
    const { kernel, links } = this.deps;
    const root = [...kernel.allProcesses()].find((p) => p.npid === this.npid && p.alive);
    if (root === undefined)
      throw new MigrationError('no_such_process', `no live process ${this.npid} on this node`);
    if (this.peer === links.self)
      throw new MigrationError('bad_target', 'the process already runs on that node');
    if (links.linkState(this.peer) !== 'up')
      throw new MigrationError('link_down', `no live link to node ${hex(this.peer)}`);
    let pids: number[];
    try {
      pids = kernel.groupOf(root.pid);
    } catch (err) {
      throw new MigrationError('kernel', (err as Error).message);
    }
    const byPid = new Map([...kernel.allProcesses()].map((p) => [p.pid, p]));
    this.members = pids.map((pid) => ({ pid, npid: byPid.get(pid)!.npid }));
    const begun = await this.begin(root.name);
    try {
      return await this.transfer(begun);
    } catch (err) {
      const e =
        err instanceof MigrationError
          ? err
          : new MigrationError('kernel', (err as Error).message ?? String(err));
      return this.recover(begun, e);
    }
  }

  // ---- registry --------------------------------------------------------------------------------

  private async registry<T>(what: string, call: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await call();
      } catch (err) {
        const transient = err instanceof RegistryError || err instanceof ConsensusError;
        if (!transient || attempt >= REGISTRY_RETRIES)
          throw new MigrationError('registry', `${what}: ${(err as Error).message}`);
        await this.sleep(RETRY_DELAY_MS);
      }
    }
  }

  /** npids/<npid>: running here → migrating to the target. */
  private async begin(name: string): Promise<Begun> {
    const { registry, links } = this.deps;
    const key = npids.key(this.npid);
    let kv: KeyValue | undefined = (await this.registry('read npids', () => registry.get(key))).kv;
    if (kv === undefined) {
      // No record yet (spawned before the cluster kept them): this node records its ownership.
      const value = npids.encode({ node: links.self, state: 'running', name });
      const made = await this.registry('record npids', () =>
        registry.compareAndSet(key, { modRevision: 0 }, value, { fence: true }),
      );
      kv = made.kv;
      if (!made.succeeded || kv === undefined)
        throw new MigrationError('busy', `npids/${this.npid} appeared meanwhile: try again`);
      this.deps.guard.adopt(this.npid, kv.fence);
    }
    const rec = npidRecord(kv);
    if (rec.node !== links.self)
      throw new MigrationError(
        'not_owner',
        `the registry names node ${hex(rec.node)} as the owner of ${this.npid}`,
      );
    // A record naming this node with the live process here is ownership, also for a process the
    // guard has not seen (it ran before the guard started).
    if (this.deps.guard.held(this.npid) === undefined) this.deps.guard.adopt(this.npid, rec.fence);
    if (rec.state === 'migrating') throw new MigrationError('busy', `${this.npid} is already migrating`);
    if (rec.state !== 'running' && rec.state !== 'stopped')
      throw new MigrationError('refused', `${this.npid} is ${rec.state}`);
    const { npid: _npid, fence: _fence, ...entry } = rec;
    const value = npids.encode({ ...entry, state: 'migrating', target: this.peer });
    const set = await this.registry('mark migrating', () =>
      registry.compareAndSet(key, { modRevision: kv.modRevision }, value),
    );
    if (!set.succeeded || set.kv === undefined)
      throw new MigrationError('busy', `npids/${this.npid} changed meanwhile: try again`);
    return { revision: set.kv.modRevision, value, entry, prev: rec.state };
  }

  /**
   * After a failure: roll the entry back to running here, unless the target's commit won. Returns
   * the summary when the migration happened after all; throws `err` when the process runs on here.
   */
  private async recover(begun: Begun, err: MigrationError): Promise<MigrationSummary> {
    const { registry, links } = this.deps;
    this.serving = false;
    if (this.stage === 'committed') {
      // After the commit (post-copy pages): the target owns the process; it cannot come back here.
      // Post-copy after the commit: the target owns the process; it cannot come back here.
      this.dropCopy();
      throw new MigrationError(
        'lost',
        `${err.message} after the commit: the copy on node ${hex(this.peer)} is on its own`,
      );
    }
    this.post('control', { kind: 'abort', reason: err.message });
    const key = npids.key(this.npid);
    const back = npids.encode({ ...begun.entry, node: links.self, state: begun.prev });
    const frozen = this.stage === 'frozen';
    let expect = begun.revision;
    for (let attempt = 0; attempt < (frozen ? RESOLVE_RETRIES : REGISTRY_RETRIES); attempt++) {
      try {
        const r = await registry.compareAndSet(key, { modRevision: expect }, back);
        if (r.succeeded) {
          this.resume();
          throw err;
        }
        const now = r.kv === undefined ? undefined : npidRecord(r.kv);
        if (now?.node === this.peer) {
          // The target's commit won the race: the migration happened.
          this.stage = 'committed';
          if (this.mode === 'postcopy' && links.linkState(this.peer) === 'up' && this.failure === undefined) {
            try {
              return await this.finish(now.fence);
            } catch (e) {
              this.dropCopy();
              throw new MigrationError('lost', `${(e as Error).message} after the commit`);
            }
          }
          this.dropCopy();
          if (this.mode === 'postcopy')
            throw new MigrationError('lost', `${err.message}; the target committed but its link is down`);
          return this.summary(now.fence);
        }
        if (now === undefined || now.node !== links.self || now.state !== 'migrating') {
          // Someone else changed the record (a kill, a recovery): it no longer runs here.
          this.dropCopy();
          throw new MigrationError('lost', `${err.message}; npids/${this.npid} changed meanwhile`);
        }
        expect = r.kv!.modRevision; // a field update (status) under us: try again on it
      } catch (e) {
        if (e instanceof MigrationError) throw e;
        if (!frozen && attempt >= REGISTRY_RETRIES - 1) break;
        await this.sleep(frozen ? RESOLVE_DELAY_MS : RETRY_DELAY_MS);
      }
    }
    if (!frozen) {
      // Never frozen: the process ran all along; the entry still says migrating until a later write.
      throw new MigrationError(err.code, `${err.message} (the registry did not take the rollback)`);
    }
    throw new MigrationError(
      'registry',
      `${err.message}; the registry never told who owns ${this.npid}: it stays frozen`,
    );
  }

  private resume(): void {
    // The rollback write names this node with the same token (it is not an ownership change).
    for (const [npid, token] of this.given) this.deps.guard.adopt(npid, token);
    this.given.clear();
    if (this.stage !== 'frozen') return;
    for (const m of this.members) {
      try {
        this.deps.kernel.setMigrating(m.pid, false);
      } catch {
        // ended meanwhile
      }
    }
    this.stage = 'before';
    this.deps.changed();
  }

  private dropCopy(): void {
    // The copy that runs elsewhere answers its remote callers and takes its senders' messages: the
    // ending of this one must not answer them (EPIPE) nor ack anything.
    const ports = this.deps.ports;
    for (const m of this.members) ports?.dropPortState?.(m.npid);
    for (const r of this.replies) ports?.dropReply?.(r.token);
    this.deps.kernel.dropMigrated(this.members.map((m) => m.pid));
    for (const m of this.members) this.deps.guard.release(m.npid);
  }

  // ---- transfer --------------------------------------------------------------------------------

  private report(pagesLeft: number): void {
    const elapsed = Math.max(1, this.deps.clock.now() - this.started);
    const rate = this.bytesSent / elapsed; // bytes per ms
    this.progress({
      phase: this.phase,
      round: this.rounds,
      bytesSent: this.bytesSent,
      pagesLeft,
      dirtyRate: Math.round(this.dirtyRate),
      estimateMs: rate > 0 ? Math.round((pagesLeft * 4096) / rate) : -1,
    });
  }

  /** Sends the pages `vaddrs` of member `index` as they are now; returns how many went. */
  private async sendPages(
    index: number,
    vaddrs: readonly number[],
    lane: 'bulk' | 'control' = 'bulk',
  ): Promise<number> {
    const { pid } = this.members[index]!;
    let sent = 0;
    let messages = 0;
    for (let at = 0; at < vaddrs.length; at += PAGES_PER_MESSAGE) {
      const chunk = vaddrs.slice(at, at + PAGES_PER_MESSAGE);
      const data = new Uint8Array(chunk.length * 4096);
      const present: number[] = [];
      for (const vaddr of chunk) {
        if (
          this.deps.kernel.readPage(
            pid,
            vaddr,
            data.subarray(present.length * 4096, present.length * 4096 + 4096),
          )
        )
          present.push(vaddr);
      }
      if (present.length === 0) continue;
      await this.send(lane, {
        kind: 'pages',
        member: index,
        vaddrs: present,
        data: present.length === chunk.length ? data : data.slice(0, present.length * 4096),
      });
      sent += present.length;
      this.pages += present.length;
      if (++messages % PROGRESS_EVERY === 0) this.report(vaddrs.length - at - chunk.length);
      await this.writable(lane);
    }
    return sent;
  }

  private dirty(pid: number): number[] {
    const { kernel } = this.deps;
    return kernel.dirtyPages(pid).filter((v) => !kernel.isSharedPage(pid, v));
  }

  private async transfer(begun: Begun): Promise<MigrationSummary> {
    const { kernel, clock } = this.deps;
    const sent = this.members.map(() => new Set<number>());
    const total = this.members.reduce((n, m) => n + kernel.privatePages(m.pid).length, 0);
    await this.send('control', {
      kind: 'offer',
      npid: this.npid,
      mode: this.mode,
      members: this.members.map((m) => m.npid),
      pages: total,
    });
    // Post-copy: what the group writes from here to the freeze is its working set.
    if (this.mode === 'postcopy') for (const m of this.members) kernel.markClean(m.pid);
    const answer = await this.next(['accept', 'abort'], STEP_TIMEOUT_MS, 'answer to the offer');
    if (answer.kind === 'abort' || (answer.kind === 'accept' && !answer.ok))
      throw new MigrationError(
        'refused',
        `node ${hex(this.peer)} refused: ${answer.kind === 'abort' ? answer.reason : answer.kind === 'accept' ? answer.error : ''}`,
      );

    if (this.mode === 'precopy') {
      this.phase = 'round';
      let toSend = this.members.map((m) => kernel.privatePages(m.pid));
      let previous = Number.POSITIVE_INFINITY;
      for (;;) {
        this.rounds++;
        const roundStart = clock.now();
        for (const m of this.members) kernel.markClean(m.pid);
        const count = toSend.reduce((n, l) => n + l.length, 0);
        this.report(count);
        for (const [i, list] of toSend.entries()) {
          await this.sendPages(i, list);
          for (const v of list) sent[i]!.add(v);
        }
        const failed = this.failure;
        if (failed !== undefined) throw failed;
        const dirty = this.members.map((m) => this.dirty(m.pid));
        const dirtyCount = dirty.reduce((n, l) => n + l.length, 0);
        this.dirtyRate = (dirtyCount * 4096) / (Math.max(1, clock.now() - roundStart) / 1000);
        this.report(dirtyCount);
        if (
          dirtyCount <= PRECOPY_STOP_PAGES ||
          this.rounds >= PRECOPY_ROUNDS_MAX ||
          dirtyCount >= Math.min(previous, count) * PRECOPY_SHRINK
        )
          break;
        previous = count;
        toSend = dirty;
      }
    }

    // Freeze.
    this.phase = 'freeze';
    const freezeStart = clock.now();
    for (const m of this.members) kernel.setMigrating(m.pid, true);
    this.stage = 'frozen';
    let image: ReturnType<typeof kernel.captureGroup>;
    try {
      image = kernel.captureGroup(this.members[0]!.pid, { contents: false });
    } catch (err) {
      throw new MigrationError('kernel', (err as Error).message);
    }
    const capturedAt = clock.now();
    let frozenPages = 0;
    const rest: number[][] = [];
    // The page tables travel packed, apart from the image (a few bytes a page, not an object).
    const tables = image.manifest.members.map((x) => {
      const t = packPages(x.pages);
      x.pages = [];
      return t;
    });
    for (const [i, m] of this.members.entries()) {
      const at = image.manifest.members.findIndex((x) => x.npid === m.npid);
      if (at < 0) throw new MigrationError('kernel', `member ${m.npid} is missing from the image`);
      const dirtyNow = new Set(this.dirty(m.pid));
      const now = vaddrsOf(tables[at]!);
      const move =
        this.mode === 'precopy'
          ? now.filter((v) => dirtyNow.has(v) || !sent[i]!.has(v))
          : now.filter((v) => dirtyNow.has(v));
      frozenPages += await this.sendPages(i, move);
      if (this.mode === 'postcopy') rest.push(now.filter((v) => !dirtyNow.has(v)));
    }
    // Remote callers the group has still to answer: their way back goes with the image.
    this.replies = [];
    for (const o of image.manifest.objects) {
      if (o.kind !== 'reply' || o.remote === undefined) continue;
      const route = this.deps.ports?.replyRoute?.(o.remote);
      if (route !== undefined) this.replies.push({ token: o.remote, node: route.node, call: route.call });
    }
    if (this.replies.length > REPLY_ROUTES_MAX)
      throw new MigrationError(
        'kernel',
        `${this.replies.length} remote calls to answer (limit ${REPLY_ROUTES_MAX})`,
      );
    const pagesAt = clock.now();
    const ports = this.members.flatMap((m) =>
      this.deps.ports === undefined
        ? []
        : [{ npid: m.npid, state: this.deps.ports.capturePortState(m.npid) }],
    );
    // From here the target may commit: the guard must not take the commit (seen through its watch)
    // for a loss and stop this copy, which a post-copy target still fetches pages from.
    for (const m of this.members) {
      const token = this.deps.guard.held(m.npid);
      if (token !== undefined) this.given.set(m.npid, token);
      this.deps.guard.release(m.npid);
    }
    await this.send('bulk', {
      kind: 'freeze',
      image: encodeGroup(image),
      entry: begun.value,
      revision: begun.revision,
      state: begun.prev,
      ports,
      replies: this.replies,
      tables,
    });
    this.report(rest.reduce((n, l) => n + l.length, 0));
    this.deps.log?.('migration source frozen image sent', {
      npid: this.npid,
      sentMs: +(clock.now() - freezeStart).toFixed(2),
      captureMs: +(capturedAt - freezeStart).toFixed(2),
      pagesMs: +(pagesAt - capturedAt).toFixed(2),
      frozenPages,
    });
    const done = await this.next(['committed', 'abort'], STEP_TIMEOUT_MS, 'commit');
    if (done.kind === 'abort')
      throw new MigrationError('refused', `node ${hex(this.peer)} gave up: ${done.reason}`);
    if (done.kind !== 'committed') throw new MigrationError('refused', 'unexpected answer');
    this.freezeMs = clock.now() - freezeStart;
    this.stage = 'committed';
    const fence = { term: done.term, index: done.index };
    if (this.mode === 'precopy') {
      this.dropCopy();
      this.phase = 'done';
      this.report(0);
      return this.summary(fence);
    }
    this.pushing = rest;
    return this.finish(fence);
  }

  private freezeMs = 0;
  /** The remote calls the frozen group has to answer (sent with the image). */
  private replies: ReplyRoute[] = [];
  /** Tokens given up before the freeze message (taken back by a rollback). */
  private readonly given = new Map<string, FencingToken>();
  private pushing: number[][] = [];

  /** Post-copy after the commit: serve requests, push the rest, wait for done, drop the copy. */
  private async finish(fence: { term: number; index: number }): Promise<MigrationSummary> {
    this.phase = 'postcopy';
    this.serving = true;
    const left = (): number => this.pushing.reduce((n, l) => n + l.length, 0);
    this.report(left());
    for (const [i, list] of this.pushing.entries()) {
      await this.sendPages(i, list);
      this.pushing[i] = [];
    }
    await this.next(['done'], STEP_TIMEOUT_MS, 'end of the page fetches');
    this.serving = false;
    this.dropCopy();
    this.phase = 'done';
    this.report(0);
    return this.summary(fence);
  }

  private servePage(member: number, vaddr: number): void {
    const m = this.members[member];
    if (m === undefined) return;
    const data = new Uint8Array(4096);
    if (!this.deps.kernel.readPage(m.pid, vaddr, data)) return;
    this.faults++;
    this.pages++;
    this.post('control', { kind: 'pages', member, vaddrs: [vaddr], data });
    this.bytesSent += 4096;
  }

  private summary(fence: { term: number; index: number }): MigrationSummary {
    return {
      npid: this.npid,
      from: this.deps.links.self,
      to: this.peer,
      mode: this.mode,
      members: this.members.map((m) => m.npid),
      totalMs: this.deps.clock.now() - this.started,
      freezeMs: this.freezeMs,
      bytes: this.bytesSent,
      rounds: this.rounds,
      pages: this.pages,
      faults: this.faults,
      fence,
    };
  }
}

/** The addresses of a packed page table. */
function vaddrsOf(t: PageTable): number[] {
  const v = new DataView(t.vaddrs.buffer, t.vaddrs.byteOffset, t.vaddrs.byteLength);
  const out: number[] = new Array(t.vaddrs.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = v.getUint32(i * 4, true);
  return out;
}
