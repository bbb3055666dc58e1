// LogRegistryClient: the RegistryClient over a replicated log and the local state machine it
// drives. Writes are proposed to the log as command bytes and resolve with the result bytes once
// the entry is applied here; reads first pass the log's read barrier (Raft's ReadIndex), then read
// the local state machine, so both are linearizable. Watches are served by the local WatchHub.
// The embedded Raft registry implements RegistryLog; LocalRegistry applies at once.

import type {
  CasResult,
  DeleteResult,
  GetResult,
  ListResult,
  PutResult,
  RegistryClient,
  TxnResult,
  WatchOptions,
  WriteOptions,
} from './client.js';
import { decodeResult, encodeCommand, validateKey } from './codec.js';
import { assert, RegistryError } from './errors.js';
import { LIST_MAX } from './limits.js';
import type { RegistryStateMachine } from './state-machine.js';
import {
  type CasExpectation,
  type Command,
  type CommandResult,
  copyKeyValue,
  type Txn,
  type WatchFilter,
} from './types.js';
import { type WatchHandle, WatchHub, type WatchListener } from './watch.js';

/** What a replicated log offers the registry client (implemented by the Raft node). */
export interface RegistryLog {
  /**
   * Appends `command` to the log; resolves with the bytes RegistryStateMachine.apply returned for
   * it on this node once it is committed and applied. Rejects (with a RegistryError or the log's
   * own error) if it may not have been committed: not the leader, timeout, shutdown.
   */
  propose(command: Uint8Array): Promise<Uint8Array>;
  /**
   * Resolves once the local state machine has applied every entry committed before the call
   * (ReadIndex, or a lease under check-quorum): the barrier that makes local reads linearizable.
   */
  readBarrier(): Promise<void>;
}

export class LogRegistryClient implements RegistryClient {
  private readonly hub: WatchHub;
  private closed = false;

  constructor(
    readonly stateMachine: RegistryStateMachine,
    private readonly log: RegistryLog,
  ) {
    this.hub = new WatchHub(stateMachine);
  }

  private check(): void {
    if (this.closed) throw new RegistryError('closed', 'the registry is closed');
  }

  private async propose(cmd: Command): Promise<CommandResult> {
    this.check();
    const res = decodeResult(await this.log.propose(encodeCommand(cmd)));
    if (res.type === 'error') throw new RegistryError(res.code, res.message);
    return res;
  }

  async get(key: string): Promise<GetResult> {
    this.check();
    validateKey(key);
    await this.log.readBarrier();
    const kv = this.stateMachine.get(key);
    return kv
      ? { revision: this.stateMachine.revision, kv: copyKeyValue(kv) }
      : { revision: this.stateMachine.revision };
  }

  async list(prefix: string, limit = LIST_MAX): Promise<ListResult> {
    this.check();
    if (!Number.isSafeInteger(limit) || limit < 1)
      throw new RegistryError('invalid-argument', `a list limit is a positive integer, not ${limit}`);
    await this.log.readBarrier();
    return {
      revision: this.stateMachine.revision,
      kvs: this.stateMachine.list(prefix, limit).map(copyKeyValue),
    };
  }

  async put(key: string, value: Uint8Array, options?: WriteOptions): Promise<PutResult> {
    const res = await this.propose({ type: 'put', key, value, ...(options?.fence ? { fence: true } : {}) });
    assert(res.type === 'put', 'put gives a put result');
    return res.prev ? { revision: res.revision, prev: res.prev } : { revision: res.revision };
  }

  async compareAndSet(
    key: string,
    expect: CasExpectation,
    value: Uint8Array | null,
    options?: WriteOptions,
  ): Promise<CasResult> {
    const res = await this.propose({
      type: 'cas',
      key,
      expect,
      value,
      ...(options?.fence ? { fence: true } : {}),
    });
    assert(res.type === 'cas', 'cas gives a cas result');
    return res.kv
      ? { succeeded: res.succeeded, revision: res.revision, kv: res.kv }
      : { succeeded: res.succeeded, revision: res.revision };
  }

  async delete(key: string): Promise<DeleteResult> {
    const res = await this.propose({ type: 'delete', key });
    assert(res.type === 'delete', 'delete gives a delete result');
    return res.prev ? { revision: res.revision, prev: res.prev } : { revision: res.revision };
  }

  async txn(txn: Txn): Promise<TxnResult> {
    const res = await this.propose({ type: 'txn', ...txn });
    assert(res.type === 'txn', 'txn gives a txn result');
    return { succeeded: res.succeeded, revision: res.revision, results: res.results };
  }

  async watch(filter: WatchFilter, listener: WatchListener, options?: WatchOptions): Promise<WatchHandle> {
    this.check();
    if ('key' in filter) validateKey(filter.key);
    return this.hub.watch(filter, listener, options?.fromRevision);
  }

  /** Ends every watch ('closed'); later calls reject with 'closed'. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.hub.close();
  }
}
