// Replication of checkpoints between nodes' stores (issue 13 §4, docs/recovery.md): the pure core
// over PeerLinks (APP_TYPES.store), a Clock and the RegistryClient. A checkpoint counts once it is in
// the local store and replicated to `replicas` other live nodes: push() offers the manifest, sends
// only the pages the peer lacks (bulk lane, STORE_PAGES_PER_MESSAGE at a time) and commits it in the
// peer's index; then `checkpoints/<npid>` {manifest, nodes, taken} is written in the registry — only
// while the registry names this node as the process's owner (or names no owner), so a fenced-off
// node never overwrites where a recovered process's checkpoint lives. fetch() brings a manifest and
// its missing pages from a holder (recovery, restore on another node); every page is hash-checked.
import type { Clock, Timer } from '../../net/clock.js';
import type { NetError } from '../../net/errors.js';
import type { Lane } from '../../net/frame.js';
import { formatNodeId, type NodeId } from '../../net/node-id.js';
import type { PeerLinks } from '../links.js';
import type { RegistryClient } from '../registry/client.js';
import { type CheckpointLocation, checkpoints, members, npids } from '../registry/schema.js';
import { StoreError, type StoreErrorCode } from './errors.js';
import {
  STORE_HASHES_PER_MESSAGE,
  STORE_INBOUND_TRANSFERS_MAX,
  STORE_PAGES_PER_MESSAGE,
  STORE_PENDING_REQUESTS_MAX,
  STORE_REPLICAS_DEFAULT,
  STORE_REQUEST_TIMEOUT_MS,
} from './limits.js';
import type { CheckpointStore, PutImageResult } from './store.js';
import {
  decodeRequest,
  decodeResponse,
  encodeRequest,
  encodeResponse,
  type Page,
  type Request,
  type RequestBody,
  type Response,
  STORE_TYPE_REQUEST,
  STORE_TYPE_RESPONSE,
} from './wire.js';

export interface ReplicationOptions {
  readonly links: PeerLinks;
  readonly store: CheckpointStore;
  readonly clock: Clock;
  readonly registry: RegistryClient;
  /** Other nodes a checkpoint must reach (default STORE_REPLICAS_DEFAULT). */
  readonly replicas?: number;
  readonly requestTimeoutMs?: number;
}

export interface CheckpointResult extends CheckpointLocation {
  readonly put: PutImageResult;
  /** Page bytes sent to the replicas. */
  readonly bytesSent: number;
}

export interface ReplicationCounters {
  requestsServed: number;
  pagesReceived: number;
  pagesSent: number;
  badMessages: number;
  timeouts: number;
}

interface Pending {
  readonly peer: NodeId;
  readonly resolve: (r: Response) => void;
  readonly reject: (e: StoreError) => void;
  readonly timer: Timer;
}

const PIN_MS_FACTOR = 6;

export class Replication {
  readonly replicas: number;
  readonly counters: ReplicationCounters = {
    requestsServed: 0,
    pagesReceived: 0,
    pagesSent: 0,
    badMessages: 0,
    timeouts: 0,
  };
  private readonly links: PeerLinks;
  private readonly store: CheckpointStore;
  private readonly clock: Clock;
  private readonly registry: RegistryClient;
  private readonly timeoutMs: number;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  /** Manifests offered by peers and not yet committed, with the timer that unpins them. */
  private readonly inbound = new Map<string, Timer>();
  private closed = false;

  constructor(options: ReplicationOptions) {
    this.links = options.links;
    this.store = options.store;
    this.clock = options.clock;
    this.registry = options.registry;
    this.replicas = Math.max(0, options.replicas ?? STORE_REPLICAS_DEFAULT);
    this.timeoutMs = options.requestTimeoutMs ?? STORE_REQUEST_TIMEOUT_MS;
    this.links.onMessage((peer, _lane, type, payload) => {
      if (this.closed) return;
      if (type === STORE_TYPE_REQUEST) this.serve(peer, payload);
      else if (type === STORE_TYPE_RESPONSE) this.answered(peer, payload);
    });
    this.links.onLink((peer, state) => {
      if (state === 'down') this.failPeer(peer, 'its link went down');
    });
  }

  get self(): NodeId {
    return this.links.self;
  }

  close(): void {
    this.closed = true;
    for (const [hash, timer] of this.inbound) {
      timer.cancel();
      this.store.unpin(hash);
    }
    this.inbound.clear();
    for (const id of [...this.pending.keys()])
      this.fail(id, new StoreError('unavailable', 'the store stopped'));
  }

  // ---- checkpoints ------------------------------------------------------------------------------

  /**
   * Stores `bundle` (a kernel image of process `npid`) locally, replicates it to `replicas` other
   * live nodes and writes `checkpoints/<npid>`. Rejects with StoreError('not-replicated') when too
   * few nodes took it (the local copy stays) and with the registry's error if it cannot be written.
   */
  async checkpoint(npid: string, bundle: Uint8Array, taken: number): Promise<CheckpointResult> {
    const put = this.store.putImage(bundle);
    this.store.record(npid, put.manifest, taken);
    this.store.pin(put.manifest);
    try {
      const holders: NodeId[] = [];
      let bytesSent = 0;
      if (this.replicas > 0) {
        const peers = await this.candidates(npid);
        for (const peer of peers) {
          if (holders.length >= this.replicas) break;
          try {
            bytesSent += await this.push(peer, npid, put.manifest, taken);
            holders.push(peer);
          } catch {
            // try the next candidate
          }
        }
        if (holders.length < this.replicas)
          throw new StoreError(
            'not-replicated',
            `checkpoint of ${npid} reached ${holders.length} of ${this.replicas} replicas (${peers.length} candidates)`,
          );
      }
      const location: CheckpointLocation = {
        npid,
        manifest: put.manifest,
        nodes: [this.self, ...holders],
        taken,
      };
      await this.publish(location);
      return { ...location, put, bytesSent };
    } finally {
      this.store.unpin(put.manifest);
    }
  }

  /** Live members other than this node, in an order that spreads processes over them. */
  async candidates(npid: string): Promise<NodeId[]> {
    const list = await this.registry.list(members.prefix);
    const alive: NodeId[] = [];
    for (const kv of list.kvs) {
      try {
        const m = members.decode(kv.value);
        if (m.state === 'alive' && m.id !== this.self) alive.push(m.id);
      } catch {
        // a bad entry names no candidate
      }
    }
    alive.sort((a, b) => a - b);
    if (alive.length === 0) return alive;
    let h = 0;
    for (let i = 0; i < npid.length; i++) h = (Math.imul(h, 31) + npid.charCodeAt(i)) >>> 0;
    const at = h % alive.length;
    return [...alive.slice(at), ...alive.slice(0, at)];
  }

  /** Writes `checkpoints/<npid>` unless the registry names another node as the process's owner. */
  async publish(location: CheckpointLocation): Promise<void> {
    const owner = await this.registry.get(npids.key(location.npid));
    if (owner.kv !== undefined && npids.decode(owner.kv.value).node !== this.self)
      throw new StoreError(
        'unavailable',
        `${location.npid} is owned by another node: checkpoint not published`,
      );
    const r = await this.registry.txn({
      compares: [{ key: npids.key(location.npid), modRevision: owner.kv?.modRevision ?? 0 }],
      success: [{ type: 'put', key: checkpoints.key(location.npid), value: checkpoints.encode(location) }],
      failure: [],
    });
    if (!r.succeeded)
      throw new StoreError('unavailable', `${location.npid} changed owner during its checkpoint`);
  }

  /** Copies checkpoint `manifest` of `npid` to `peer` (only the pages it lacks); the page bytes sent. */
  async push(peer: NodeId, npid: string, manifest: string, taken: number): Promise<number> {
    const bytes = this.store.getManifestBytes(manifest);
    let sent = 0;
    for (let round = 0; ; round++) {
      if (round > this.store.getManifest(manifest).pages.length / STORE_HASHES_PER_MESSAGE + 2)
        throw new StoreError('unavailable', `${formatNodeId(peer)} keeps asking for pages`);
      const answer = await this.request(peer, { kind: 'offer', npid, manifest, bytes }, 'control');
      const need = answer.need ?? [];
      if (need.length === 0) break;
      for (let i = 0; i < need.length; i += STORE_PAGES_PER_MESSAGE) {
        const pages: Page[] = need
          .slice(i, i + STORE_PAGES_PER_MESSAGE)
          .map((hash) => ({ hash, data: this.store.getPage(hash) }));
        await this.request(peer, { kind: 'put-pages', manifest, pages }, 'bulk');
        sent += pages.length * 4096;
        this.counters.pagesSent += pages.length;
      }
    }
    await this.request(peer, { kind: 'commit', npid, manifest, taken }, 'control');
    return sent;
  }

  /**
   * Makes checkpoint `manifest` whole in the local store, fetching the manifest and the pages it
   * lacks from the first of `holders` that has them. The caller pins or records it to keep it.
   */
  async fetch(manifest: string, holders: readonly NodeId[]): Promise<{ pagesFetched: number }> {
    let pagesFetched = 0;
    let last: StoreError | undefined;
    const local = (): string[] | undefined => {
      try {
        return this.store.missingPages(manifest);
      } catch {
        return undefined;
      }
    };
    if (local()?.length === 0) return { pagesFetched };
    for (const holder of holders) {
      if (holder === this.self) continue;
      try {
        if (local() === undefined) {
          const answer = await this.request(holder, { kind: 'fetch-manifest', manifest }, 'control');
          this.store.putManifestBytes(answer.manifest ?? new Uint8Array(0), manifest);
        }
        const missing = local() ?? [];
        for (let i = 0; i < missing.length; i += STORE_PAGES_PER_MESSAGE) {
          const hashes = missing.slice(i, i + STORE_PAGES_PER_MESSAGE);
          const answer = await this.request(holder, { kind: 'fetch-pages', hashes }, 'control');
          for (const p of answer.pages ?? []) {
            if (!hashes.includes(p.hash)) continue;
            this.store.putPage(p.data, p.hash);
            pagesFetched++;
            this.counters.pagesReceived++;
          }
        }
        if (local()?.length === 0) return { pagesFetched };
        last = new StoreError('missing', `${formatNodeId(holder)} lacks pages of ${manifest.slice(0, 12)}`);
      } catch (err) {
        last = err instanceof StoreError ? err : new StoreError('corrupt', (err as Error).message);
      }
    }
    throw last ?? new StoreError('missing', `no holder of checkpoint ${manifest.slice(0, 12)} to fetch from`);
  }

  // ---- requests to peers ------------------------------------------------------------------------

  private async request(peer: NodeId, body: RequestBody, lane: Lane): Promise<Response> {
    if (this.closed) throw new StoreError('unavailable', 'the store stopped');
    if (this.pending.size >= STORE_PENDING_REQUESTS_MAX)
      throw new StoreError(
        'unavailable',
        `too many store requests in flight (${STORE_PENDING_REQUESTS_MAX})`,
      );
    if (peer === this.self) throw new StoreError('unavailable', 'a node does not replicate to itself');
    const id = this.nextId++;
    const answer = new Promise<Response>((resolve, reject) => {
      const timer = this.clock.setTimer(this.timeoutMs, () => {
        this.counters.timeouts++;
        this.fail(
          id,
          new StoreError('unavailable', `${formatNodeId(peer)} did not answer in ${this.timeoutMs} ms`),
        );
      });
      this.pending.set(id, { peer, resolve, reject, timer });
    });
    const payload = encodeRequest({ id, body });
    await this.sendPayload(peer, lane, STORE_TYPE_REQUEST, payload, id);
    const r = await answer;
    if (r.error !== undefined)
      throw new StoreError(r.error.code, `${formatNodeId(peer)}: ${r.error.message}`);
    return r;
  }

  private async sendPayload(
    peer: NodeId,
    lane: Lane,
    type: number,
    payload: Uint8Array,
    id?: number,
  ): Promise<void> {
    for (;;) {
      const err: NetError | undefined = this.links.send(peer, lane, type, payload);
      if (err === undefined) return;
      if (err.kind !== 'overload') {
        const e = new StoreError('unavailable', `${formatNodeId(peer)}: ${err.message}`);
        if (id !== undefined) this.fail(id, e);
        return;
      }
      await this.links.whenWritable(peer, lane);
      if (this.closed || (id !== undefined && !this.pending.has(id))) return;
    }
  }

  private answered(peer: NodeId, payload: Uint8Array): void {
    const r = decodeResponse(payload);
    if (r === undefined) {
      this.counters.badMessages++;
      return;
    }
    const p = this.pending.get(r.id);
    if (p === undefined || p.peer !== peer) return; // late (timed out) or not ours
    this.pending.delete(r.id);
    p.timer.cancel();
    p.resolve(r);
  }

  private fail(id: number, e: StoreError): void {
    const p = this.pending.get(id);
    if (p === undefined) return;
    this.pending.delete(id);
    p.timer.cancel();
    p.reject(e);
  }

  private failPeer(peer: NodeId, why: string): void {
    for (const [id, p] of [...this.pending])
      if (p.peer === peer) this.fail(id, new StoreError('unavailable', `${formatNodeId(peer)}: ${why}`));
  }

  // ---- serving peers ----------------------------------------------------------------------------

  private serve(peer: NodeId, payload: Uint8Array): void {
    const req = decodeRequest(payload);
    if (req === undefined) {
      this.counters.badMessages++;
      return;
    }
    this.counters.requestsServed++;
    let response: Response;
    try {
      response = this.handle(req);
    } catch (err) {
      const code: StoreErrorCode = err instanceof StoreError ? err.code : 'unavailable';
      response = { id: req.id, error: { code, message: (err as Error).message } };
    }
    const lane: Lane = (response.pages?.length ?? 0) > 0 ? 'bulk' : 'control';
    void this.sendPayload(peer, lane, STORE_TYPE_RESPONSE, encodeResponse(response));
  }

  private handle(req: Request): Response {
    const b = req.body;
    switch (b.kind) {
      case 'offer': {
        this.store.putManifestBytes(b.bytes, b.manifest);
        this.pinInbound(b.manifest);
        return { id: req.id, need: this.store.missingPages(b.manifest).slice(0, STORE_HASHES_PER_MESSAGE) };
      }
      case 'put-pages': {
        if (!this.inbound.has(b.manifest))
          throw new StoreError('missing', `no offer of ${b.manifest.slice(0, 12)} in progress`);
        for (const p of b.pages) {
          if (this.store.putPage(p.data, p.hash).written) this.counters.pagesReceived++;
        }
        this.pinInbound(b.manifest);
        return { id: req.id };
      }
      case 'commit': {
        const missing = this.store.missingPages(b.manifest);
        if (missing.length > 0) throw new StoreError('missing', `${missing.length} pages still missing`);
        const dropped = this.store.record(b.npid, b.manifest, b.taken);
        const timer = this.inbound.get(b.manifest);
        if (timer !== undefined) {
          timer.cancel();
          this.inbound.delete(b.manifest);
          this.store.unpin(b.manifest);
        }
        if (dropped.length > 0) this.store.gc();
        return { id: req.id };
      }
      case 'fetch-manifest':
        return { id: req.id, manifest: this.store.getManifestBytes(b.manifest) };
      case 'fetch-pages': {
        const pages = b.hashes.map((hash) => ({ hash, data: this.store.getPage(hash) }));
        this.counters.pagesSent += pages.length;
        return { id: req.id, pages };
      }
    }
  }

  /** Keeps an offered manifest (and its pages) through gc until committed or a while after its last message. */
  private pinInbound(hash: string): void {
    const old = this.inbound.get(hash);
    if (old !== undefined) old.cancel();
    else {
      if (this.inbound.size >= STORE_INBOUND_TRANSFERS_MAX)
        throw new StoreError(
          'unavailable',
          `too many transfers in progress (${STORE_INBOUND_TRANSFERS_MAX})`,
        );
      this.store.pin(hash);
    }
    this.inbound.set(
      hash,
      this.clock.setTimer(this.timeoutMs * PIN_MS_FACTOR, () => {
        this.inbound.delete(hash);
        this.store.unpin(hash);
      }),
    );
  }
}
