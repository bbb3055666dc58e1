// Records registry client operations as history records (history.ts) while passing them to a real
// RegistryClient: the simulator wraps each client in one and writes the records with --history.
// An error on a read is a "fail" (a read has no effect); on a write it is "info" (it may have been
// committed), except for errors raised before anything was proposed (bad arguments), which are
// "fail". After an "info" the client takes a new id, as the history format requires.

import type { RegistryClient } from '../cluster/registry/client.js';
import { RegistryError } from '../cluster/registry/errors.js';
import type { HistoryRecord, OpName } from './history.js';

export type HistorySink = (record: HistoryRecord) => void;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A value as the history shows it: its UTF-8 text, or `hex:` and its bytes when not UTF-8. */
export function historyValue(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    return `hex:${Buffer.from(bytes).toString('hex')}`;
  }
}

/** Errors that certainly stopped an operation before it reached the log. */
const DEFINITE: readonly string[] = ['invalid-argument', 'too-large', 'bad-encoding'];

export class RecordingRegistryClient {
  private generation = 0;
  private busy = false;

  constructor(
    private readonly inner: RegistryClient,
    private readonly base: string,
    private readonly sink: HistorySink,
  ) {}

  /** The client id the next operation is recorded under. */
  get client(): string {
    return this.generation === 0 ? this.base : `${this.base}#${this.generation}`;
  }

  private async run<T>(
    op: OpName,
    key: string,
    fields: { value?: string; expected?: string | null },
    call: () => Promise<T>,
    result: (r: T) => string | boolean | null | undefined,
  ): Promise<T> {
    if (this.busy) throw new Error(`client ${this.base} already has an operation outstanding`);
    this.busy = true;
    const client = this.client;
    this.sink({ type: 'invoke', client, op, key, ...fields });
    try {
      const r = await call();
      const value = result(r);
      this.sink(value === undefined ? { type: 'ok', client } : { type: 'ok', client, result: value });
      return r;
    } catch (e) {
      const definite = op === 'get' || (e instanceof RegistryError && DEFINITE.includes(e.code));
      this.sink({ type: definite ? 'fail' : 'info', client });
      if (!definite) this.generation++;
      throw e;
    } finally {
      this.busy = false;
    }
  }

  get(key: string) {
    return this.run(
      'get',
      key,
      {},
      () => this.inner.get(key),
      (r) => (r.kv ? historyValue(r.kv.value) : null),
    );
  }

  put(key: string, value: Uint8Array) {
    return this.run(
      'put',
      key,
      { value: historyValue(value) },
      () => this.inner.put(key, value),
      () => undefined,
    );
  }

  /** A compare-and-set on the value (null: the key must be absent). */
  compareAndSet(key: string, expected: Uint8Array | null, value: Uint8Array) {
    return this.run(
      'cas',
      key,
      { value: historyValue(value), expected: expected === null ? null : historyValue(expected) },
      () => this.inner.compareAndSet(key, { value: expected }, value),
      (r) => r.succeeded,
    );
  }

  delete(key: string) {
    return this.run(
      'delete',
      key,
      {},
      () => this.inner.delete(key),
      (r) => r.prev !== undefined,
    );
  }
}
