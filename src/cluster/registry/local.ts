// LocalRegistry: a RegistryClient over one in-process state machine, with no Raft — for tests and
// for components that need a registry before the cluster exists. Writes go through the same byte
// codec as the Raft log (encode, apply, decode the result), so it exercises the real path.

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
import { assert, RegistryError, type RegistryErrorCode } from './errors.js';
import { RegistryStateMachine } from './state-machine.js';
import type { CasExpectation, Command, CommandResult, Txn, WatchFilter } from './types.js';
import { type WatchHandle, WatchHub, type WatchListener } from './watch.js';

export class LocalRegistry implements RegistryClient {
  readonly stateMachine: RegistryStateMachine;
  private readonly hub: WatchHub;
  private closed = false;

  /** `term` is the log term every write is applied under (the fencing tokens' term). */
  constructor(private readonly term = 1) {
    this.stateMachine = new RegistryStateMachine();
    this.hub = new WatchHub(this.stateMachine);
  }

  private check(): void {
    if (this.closed) throw new RegistryError('closed', 'the registry is closed');
  }

  private propose(cmd: Command): CommandResult {
    this.check();
    const bytes = encodeCommand(cmd);
    const res = decodeResult(this.stateMachine.apply(this.stateMachine.appliedIndex + 1, this.term, bytes));
    if (res.type === 'error') throw new RegistryError(res.code as RegistryErrorCode, res.message);
    return res;
  }

  async get(key: string): Promise<GetResult> {
    this.check();
    validateKey(key);
    const kv = this.stateMachine.get(key);
    return kv ? { revision: this.stateMachine.revision, kv } : { revision: this.stateMachine.revision };
  }

  async list(prefix: string, limit?: number): Promise<ListResult> {
    this.check();
    return { revision: this.stateMachine.revision, kvs: this.stateMachine.list(prefix, limit) };
  }

  async put(key: string, value: Uint8Array, options?: WriteOptions): Promise<PutResult> {
    const res = this.propose({ type: 'put', key, value, ...(options?.fence ? { fence: true } : {}) });
    assert(res.type === 'put', 'put gives a put result');
    return res.prev ? { revision: res.revision, prev: res.prev } : { revision: res.revision };
  }

  async compareAndSet(
    key: string,
    expect: CasExpectation,
    value: Uint8Array | null,
    options?: WriteOptions,
  ): Promise<CasResult> {
    const res = this.propose({ type: 'cas', key, expect, value, ...(options?.fence ? { fence: true } : {}) });
    assert(res.type === 'cas', 'cas gives a cas result');
    return res.kv
      ? { succeeded: res.succeeded, revision: res.revision, kv: res.kv }
      : { succeeded: res.succeeded, revision: res.revision };
  }

  async delete(key: string): Promise<DeleteResult> {
    const res = this.propose({ type: 'delete', key });
    assert(res.type === 'delete', 'delete gives a delete result');
    return res.prev ? { revision: res.revision, prev: res.prev } : { revision: res.revision };
  }

  async txn(txn: Txn): Promise<TxnResult> {
    const res = this.propose({ type: 'txn', ...txn });
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
