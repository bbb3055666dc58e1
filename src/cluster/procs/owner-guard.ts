// The owner guard (issue 13, contract 1): per local process, the fencing token of this node's
// ownership. A watch on npids/ that shows a held process's record naming another node, carrying a
// newer token, or deleted, makes the guard drop the token and tell the onLost listeners, which stop
// and drop the local copy. A node runs (resumes) a process only while held(npid) gives a token:
// migration and the checkpoint store use held / adopt / release / onLost; state sync writes only for
// held processes. Events older than the held token (a lagging watch) are ignored.
import type { NodeId } from '../../net/node-id.js';
import type { RegistryClient } from '../registry/client.js';
import type { RegistryError } from '../registry/errors.js';
import { fenceBefore, npidRecord, npids } from '../registry/schema.js';
import type { FencingToken, WatchEvent } from '../registry/types.js';
import type { WatchHandle } from '../registry/watch.js';

export type LostReason = 'moved' | 'newer-token' | 'deleted';
export type LostListener = (npid: string, reason: LostReason, by?: NodeId) => void;

export interface GuardLog {
  warn(fields: Record<string, unknown>, message: string): void;
}

export class OwnerGuardError extends Error {
  override readonly name = 'OwnerGuardError';
}

const sameToken = (a: FencingToken, b: FencingToken): boolean => a.term === b.term && a.index === b.index;

export class OwnerGuard {
  private readonly tokens = new Map<string, FencingToken>();
  private readonly listeners = new Map<string, Set<LostListener>>();
  private readonly anyListeners = new Set<LostListener>();
  private watch: WatchHandle | undefined;
  private stopped = false;

  constructor(
    readonly self: NodeId,
    private readonly registry: RegistryClient,
    private readonly log?: GuardLog,
  ) {}

  /** Starts the watch on npids/; call once before adopting. */
  async start(): Promise<void> {
    this.watch = await this.registry.watch(
      { prefix: npids.prefix },
      { onEvent: (e) => this.event(e), onCancel: (err) => void this.rewatch(err) },
    );
  }

  stop(): void {
    this.stopped = true;
    this.watch?.cancel();
    this.watch = undefined;
  }

  /** The fencing token this node holds for `npid`, or undefined when it does not own it. */
  held(npid: string): FencingToken | undefined {
    return this.tokens.get(npid);
  }

  /** The processes this node holds, with their tokens. */
  heldAll(): ReadonlyMap<string, FencingToken> {
    return this.tokens;
  }

  /**
   * This node now owns `npid` with `token` (the fence of the ownership write that named it: spawn,
   * migration commit, recovery). A token older than one held is refused: ownership never goes back.
   */
  adopt(npid: string, token: FencingToken): void {
    const old = this.tokens.get(npid);
    if (old !== undefined && fenceBefore(token, old))
      throw new OwnerGuardError(
        `owner guard: ${npid} adopted with token ${token.term}/${token.index}, older than the held ${old.term}/${old.index}`,
      );
    this.tokens.set(npid, { term: token.term, index: token.index });
  }

  /** This node gives `npid` up (it exited, or migrated away on purpose). Idempotent. */
  release(npid: string): void {
    this.tokens.delete(npid);
    this.listeners.delete(npid);
  }

  /** Calls `cb` once if this node loses `npid` to another owner; returns a function removing it. */
  onLost(npid: string, cb: LostListener): () => void {
    let set = this.listeners.get(npid);
    if (set === undefined) {
      set = new Set();
      this.listeners.set(npid, set);
    }
    set.add(cb);
    return () => set.delete(cb);
  }

  /** Calls `cb` for every process this node loses (the node adapter stops the local copy). */
  onAnyLost(cb: LostListener): () => void {
    this.anyListeners.add(cb);
    return () => this.anyListeners.delete(cb);
  }

  /**
   * Checks a record read from the registry against the held token: true when this node still owns
   * the process; false (and the loss is handled) when the record shows another owner.
   */
  check(npid: string, node: NodeId | undefined, fence: FencingToken | undefined): boolean {
    const token = this.tokens.get(npid);
    if (token === undefined) return false;
    if (node === undefined || fence === undefined) {
      this.lose(npid, 'deleted');
      return false;
    }
    if (fenceBefore(fence, token)) return true; // an older write: a lagging reader
    if (node !== this.self) {
      this.lose(npid, 'moved', node);
      return false;
    }
    if (!sameToken(fence, token)) {
      this.lose(npid, 'newer-token', node);
      return false;
    }
    return true;
  }

  private event(e: WatchEvent): void {
    let npid: string;
    try {
      npid = npids.id(e.key);
    } catch {
      return; // not an NPID key
    }
    if (!this.tokens.has(npid)) return;
    if (e.type === 'delete' || e.kv === undefined) {
      this.check(npid, undefined, undefined);
      return;
    }
    let node: NodeId;
    try {
      node = npidRecord(e.kv).node;
    } catch {
      return; // an undecodable record cannot name an owner; the next good write will
    }
    this.check(npid, node, e.kv.fence);
  }

  private lose(npid: string, reason: LostReason, by?: NodeId): void {
    this.tokens.delete(npid);
    const own = this.listeners.get(npid);
    this.listeners.delete(npid);
    this.log?.warn(
      { npid, reason, ...(by === undefined ? {} : { owner: (by >>> 0).toString(16).padStart(8, '0') }) },
      'owner guard: this node lost the process; dropping the local copy',
    );
    for (const cb of [...(own ?? []), ...this.anyListeners]) cb(npid, reason, by);
  }

  /** The watch ended (a registry restore or compaction): watch again and re-check every held record. */
  private async rewatch(err: RegistryError): Promise<void> {
    this.watch = undefined;
    if (this.stopped) return;
    this.log?.warn({ err: err.message }, 'owner guard: the npids/ watch ended; watching again');
    try {
      await this.start();
      for (const npid of [...this.tokens.keys()]) {
        const got = await this.registry.get(npids.key(npid));
        const rec = got.kv === undefined ? undefined : npidRecord(got.kv);
        this.check(npid, rec?.node, rec?.fence);
      }
    } catch (e) {
      this.log?.warn({ err: (e as Error).message }, 'owner guard: cannot watch npids/ again');
    }
  }
}
