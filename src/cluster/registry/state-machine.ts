// The registry's replicated state machine: a revisioned key-value store that the Raft log drives.
// apply(index, term, command bytes) → result bytes, deterministic: the same entries in the same order
// give the same keys, revisions, results and snapshot bytes on every node. It keeps a bounded
// history of recent events for watches (history.ts) and has no I/O, clock or randomness.

import { bytesEqual } from './bytes.js';
import { decodeCommand, encodeResult, validateCommand } from './codec.js';
import { assert, RegistryError } from './errors.js';
import { EventHistory } from './history.js';
import { KeyOrder } from './key-order.js';
import { KEYS_MAX, LIST_MAX } from './limits.js';
import { decodeSnapshot, encodeSnapshot } from './snapshot.js';
import {
  type Command,
  type CommandResult,
  type Compare,
  type KeyValue,
  NO_FENCE,
  type OpResult,
  type TxnOp,
  type WatchEvent,
} from './types.js';

/** Called after every applied write with its events (all of one revision), in order. */
export type EventSink = (events: readonly WatchEvent[]) => void;
/** Called after restore(): events between the old and new revision are not available. */
export type ResetSink = (revision: number) => void;

export class RegistryStateMachine {
  private keys = new Map<string, KeyValue>();
  private readonly order = new KeyOrder();
  private rev = 0;
  private lastIndex = 0;
  private lastTerm = 0;
  private readonly history = new EventHistory();
  private readonly eventSinks = new Set<EventSink>();
  private readonly resetSinks = new Set<ResetSink>();

  /** The store revision: the number of applied commands that changed something. */
  get revision(): number {
    return this.rev;
  }
  /** The log index of the last applied entry (0 before any). */
  get appliedIndex(): number {
    return this.lastIndex;
  }
  get appliedTerm(): number {
    return this.lastTerm;
  }
  get size(): number {
    return this.keys.size;
  }
  /** The oldest revision a watch may start from (older ones are compacted). */
  get oldestWatchableRevision(): number {
    return this.history.compactedRevision + 1;
  }

  /**
   * Applies the log entry at (index, term) holding `command`; returns the encoded result. Bad bytes
   * give an encoded error result and change nothing but the applied index: a bad entry in the log
   * never stops the state machine. `index` must be above every index applied before.
   */
  apply(index: number, term: number, command: Uint8Array): Uint8Array {
    let cmd: Command;
    try {
      cmd = decodeCommand(command);
    } catch (e) {
      if (!(e instanceof RegistryError)) throw e;
      this.advance(index, term);
      return encodeResult({ type: 'error', code: e.code, message: e.message });
    }
    return encodeResult(this.applyCommand(index, term, cmd));
  }

  /** apply() for a command already decoded; an invalid one gives an error result. */
  applyCommand(index: number, term: number, cmd: Command): CommandResult {
    this.advance(index, term);
    try {
      validateCommand(cmd);
    } catch (e) {
      if (!(e instanceof RegistryError)) throw e;
      return { type: 'error', code: e.code, message: e.message };
    }
    switch (cmd.type) {
      case 'put': {
        const res = this.txn(index, term, [], [cmd], []);
        if (res.type === 'error') return res;
        const op = res.results[0];
        assert(op?.type === 'put', 'put result');
        return op.prev
          ? { type: 'put', revision: res.revision, prev: op.prev }
          : { type: 'put', revision: res.revision };
      }
      case 'delete': {
        const res = this.txn(index, term, [], [cmd], []);
        if (res.type === 'error') return res;
        const op = res.results[0];
        assert(op?.type === 'delete', 'delete result');
        return op.prev
          ? { type: 'delete', revision: res.revision, prev: op.prev }
          : { type: 'delete', revision: res.revision };
      }
      case 'cas': {
        const write: TxnOp =
          cmd.value === null
            ? { type: 'delete', key: cmd.key }
            : { type: 'put', key: cmd.key, value: cmd.value, fence: cmd.fence === true };
        const res = this.txn(index, term, [{ key: cmd.key, ...cmd.expect }], [write], []);
        if (res.type === 'error') return res;
        const kv = this.keys.get(cmd.key);
        return kv
          ? { type: 'cas', succeeded: res.succeeded, revision: res.revision, kv }
          : { type: 'cas', succeeded: res.succeeded, revision: res.revision };
      }
      case 'txn':
        return this.txn(index, term, cmd.compares, cmd.success, cmd.failure);
    }
  }

  private advance(index: number, term: number): void {
    assert(
      Number.isSafeInteger(index) && index > this.lastIndex,
      `apply index ${index} after ${this.lastIndex}`,
    );
    assert(Number.isSafeInteger(term) && term >= this.lastTerm, `apply term ${term} after ${this.lastTerm}`);
    this.lastIndex = index;
    this.lastTerm = term;
  }

  private holds(c: Compare): boolean {
    const kv = this.keys.get(c.key);
    if (c.value !== undefined) {
      if (c.value === null ? kv !== undefined : kv === undefined || !bytesEqual(kv.value, c.value))
        return false;
    }
    if (c.modRevision !== undefined && (kv?.modRevision ?? 0) !== c.modRevision) return false;
    if (c.version !== undefined && (kv?.version ?? 0) !== c.version) return false;
    return true;
  }

  private txn(
    index: number,
    term: number,
    compares: readonly Compare[],
    success: readonly TxnOp[],
    failure: readonly TxnOp[],
  ): Extract<CommandResult, { type: 'txn' | 'error' }> {
    const succeeded = compares.every((c) => this.holds(c));
    const ops = succeeded ? success : failure;
    const created = new Set<string>();
    for (const op of ops) if (op.type === 'put' && !this.keys.has(op.key)) created.add(op.key);
    if (this.keys.size + created.size > KEYS_MAX)
      return { type: 'error', code: 'limit', message: `the registry holds at most ${KEYS_MAX} keys` };
    // The revision every write of this transaction gets; it is only taken if something was written.
    const revision = this.rev + 1;
    const results: OpResult[] = [];
    const events: WatchEvent[] = [];
    for (const op of ops) {
      const prev = this.keys.get(op.key);
      if (op.type === 'get') {
        results.push(prev ? { type: 'get', kv: prev } : { type: 'get' });
      } else if (op.type === 'put') {
        const kv: KeyValue = {
          key: op.key,
          value: op.value,
          createRevision: prev ? prev.createRevision : revision,
          modRevision: revision,
          version: prev ? prev.version + 1 : 1,
          fence: op.fence ? { term, index } : (prev?.fence ?? NO_FENCE),
        };
        this.keys.set(op.key, kv);
        if (!prev) this.order.insert(op.key);
        results.push(prev ? { type: 'put', prev } : { type: 'put' });
        events.push(
          prev
            ? { type: 'put', key: op.key, revision, kv, prev }
            : { type: 'put', key: op.key, revision, kv },
        );
      } else if (prev) {
        this.keys.delete(op.key);
        this.order.remove(op.key);
        results.push({ type: 'delete', prev });
        events.push({ type: 'delete', key: op.key, revision, prev });
      } else {
        results.push({ type: 'delete' });
      }
    }
    if (events.length > 0) {
      this.rev = revision;
      this.history.add(events);
      for (const sink of this.eventSinks) sink(events);
    }
    return { type: 'txn', succeeded, revision: this.rev, results };
  }

  /** The key's current state, or undefined. The object is the state machine's own: do not modify it. */
  get(key: string): KeyValue | undefined {
    return this.keys.get(key);
  }

  /** Keys starting with `prefix`, in key order, at most `limit` (and LIST_MAX). */
  list(prefix: string, limit = LIST_MAX): KeyValue[] {
    return this.sorted(prefix, Math.min(limit, LIST_MAX));
  }

  private sorted(prefix: string, limit: number): KeyValue[] {
    return this.order.withPrefix(prefix, limit).map((key) => this.keys.get(key) as KeyValue);
  }

  /**
   * Events from `fromRevision` on that `matches` accepts. Throws RegistryError('compacted') when
   * the history no longer holds that revision.
   */
  eventsSince(fromRevision: number, matches: (key: string) => boolean): WatchEvent[] {
    return this.history.since(fromRevision, matches);
  }

  onEvents(sink: EventSink): () => void {
    this.eventSinks.add(sink);
    return () => this.eventSinks.delete(sink);
  }
  onReset(sink: ResetSink): () => void {
    this.resetSinks.add(sink);
    return () => this.resetSinks.delete(sink);
  }

  /** Deterministic bytes of the whole state (keys in order, revision, applied index and term). */
  snapshot(): Uint8Array {
    return encodeSnapshot({
      revision: this.rev,
      index: this.lastIndex,
      term: this.lastTerm,
      keys: this.sorted('', Number.POSITIVE_INFINITY),
    });
  }

  /**
   * Replaces the state with a snapshot's (checksum and every field checked first: on a
   * RegistryError nothing changes). The watch history restarts empty at the snapshot's revision.
   */
  restore(bytes: Uint8Array): void {
    const snap = decodeSnapshot(bytes);
    this.keys = new Map(snap.keys.map((kv) => [kv.key, kv]));
    this.order.reset(snap.keys.map((kv) => kv.key));
    this.rev = snap.revision;
    this.lastIndex = snap.index;
    this.lastTerm = snap.term;
    this.history.reset(snap.revision);
    for (const sink of this.resetSinks) sink(snap.revision);
  }
}
