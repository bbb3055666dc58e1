// RawNode: the application's handle on the Raft core. Inputs (step, tick, propose, …) go in; Ready
// batches come out. Contract (docs/raft.md): for each Ready, persist snapshot, entries and hard
// state (fsync when mustSync), then send the messages, apply the snapshot and the committed
// entries, then call advance(ready). Conf changes take effect at advance.
import type { NodeId } from '../../net/node-id.js';
import { assert } from './assert.js';
import type { RaftConfig } from './config.js';
import type { Result } from './errors.js';
import { MAX_COMMITTED_PER_READY } from './limits.js';
import { Raft, type RaftStatus } from './raft.js';
import type { ConfChange, HardState, Message, Ready, Snapshot, SoftState } from './types.js';

function sameHard(a: HardState, b: HardState): boolean {
  return a.term === b.term && a.vote === b.vote && a.commit === b.commit;
}

export class RawNode {
  private readonly raft: Raft;
  private prevSoft: SoftState;
  private prevHard: HardState;
  /** The Ready handed out and not yet advanced. */
  private outstanding: Ready | undefined;

  constructor(config: RaftConfig) {
    this.raft = new Raft(config);
    this.prevSoft = this.raft.softState();
    this.prevHard = config.start.kind === 'restore' ? this.raft.hardState() : { term: 0, vote: 0, commit: 0 };
  }

  get id(): NodeId {
    return this.raft.id;
  }

  tick(): void {
    this.raft.tick();
  }

  step(message: Message): void {
    this.raft.step(message);
  }

  campaign(): void {
    this.raft.campaign();
  }

  propose(data: Uint8Array): Result {
    return this.raft.propose(data);
  }

  proposeConfChange(change: ConfChange): Result {
    return this.raft.proposeConfChange(change);
  }

  transferLeader(to: NodeId): void {
    this.raft.transferLeader(to);
  }

  readIndex(context: Uint8Array): Result {
    return this.raft.readIndex(context);
  }

  reportSnapshot(to: NodeId, failed: boolean): void {
    this.raft.reportSnapshot(to, failed);
  }

  reportUnreachable(to: NodeId): void {
    this.raft.reportUnreachable(to);
  }

  /** Snapshot the application state `data` as of the applied index and compact the log; persist it. */
  createSnapshot(data: Uint8Array): Snapshot {
    return this.raft.createSnapshot(data);
  }

  status(): RaftStatus {
    return this.raft.status();
  }

  hasReady(): boolean {
    if (this.outstanding) return false;
    const r = this.raft;
    const soft = r.softState();
    return (
      soft.leader !== this.prevSoft.leader ||
      soft.role !== this.prevSoft.role ||
      !sameHard(r.hardState(), this.prevHard) ||
      r.log.pendingSnapshot !== undefined ||
      r.log.stable < r.log.lastIndex() ||
      r.log.committed > r.log.applied ||
      r.messages.length > 0 ||
      r.readStates.length > 0
    );
  }

  /** The next batch of work. Call advance(ready) before asking for another. */
  ready(): Ready {
    assert(this.outstanding === undefined, 'ready() called again before advance()');
    const r = this.raft;
    const soft = r.softState();
    const hard = r.hardState();
    const entries = r.log.unstableEntries();
    const snapshot = r.log.pendingSnapshot;
    const committedEntries = r.log.nextCommitted(MAX_COMMITTED_PER_READY);
    const rd: Ready = {
      ...(soft.leader !== this.prevSoft.leader || soft.role !== this.prevSoft.role
        ? { softState: soft }
        : {}),
      ...(sameHard(hard, this.prevHard) ? {} : { hardState: hard }),
      entries,
      ...(snapshot ? { snapshot } : {}),
      committedEntries,
      messages: r.messages,
      readStates: r.readStates,
      mustSync:
        entries.length > 0 ||
        snapshot !== undefined ||
        hard.term !== this.prevHard.term ||
        hard.vote !== this.prevHard.vote,
    };
    r.messages = [];
    r.readStates = [];
    this.prevSoft = soft;
    if (rd.hardState) this.prevHard = rd.hardState;
    this.outstanding = rd;
    return rd;
  }

  /** The application has persisted and applied `ready`. */
  advance(ready: Ready): void {
    assert(this.outstanding === ready, 'advance() takes the Ready last returned');
    this.outstanding = undefined;
    const r = this.raft;
    if (ready.snapshot) r.snapshotApplied(ready.snapshot);
    const last = ready.entries[ready.entries.length - 1];
    if (last && r.log.term(last.index) === last.term) r.log.stableTo(last.index);
    for (const e of ready.committedEntries) {
      r.log.appliedTo(e.index);
      if (e.kind === 'conf') r.applyConfChange(e.change, e.index);
    }
  }
}
