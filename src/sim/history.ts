// The history of registry client operations that the simulator writes (`--history FILE`) and the
// linearizability checker reads: one JSON object per line, an invocation and then its completion.
// parseHistory() checks every line; pairOperations() pairs each invocation with its completion by
// client. A client has at most one operation outstanding (as in Jepsen); a client that timed out
// or crashed ("info", or no completion at all) takes a new id for its next operation.

import { HISTORY_FIELD_MAX, HISTORY_LINE_MAX, HISTORY_RECORDS_MAX } from './limits.js';

export type OpName = 'get' | 'put' | 'cas' | 'delete';
const OP_NAMES: readonly string[] = ['get', 'put', 'cas', 'delete'];

/**
 * `{"type":"invoke","client":3,"op":"cas","key":"k","expected":"a","value":"b"}`: `value` for put
 * and cas, `expected` for cas (null: the key must be absent).
 */
export interface InvokeRecord {
  readonly type: 'invoke';
  readonly client: string | number;
  readonly op: OpName;
  readonly key: string;
  readonly value?: string | null;
  readonly expected?: string | null;
}

/**
 * `{"type":"ok","client":3,"result":true}`: the operation took effect with this result (get: the
 * value read, null for absent; cas: whether it succeeded; delete: optionally whether a key was
 * deleted; put: none). `fail`: it certainly did not take effect. `info`: unknown (a timeout).
 */
export interface CompleteRecord {
  readonly type: 'ok' | 'fail' | 'info';
  readonly client: string | number;
  readonly result?: string | boolean | null;
}

export type HistoryRecord = InvokeRecord | CompleteRecord;

export class HistoryError extends Error {
  override readonly name = 'HistoryError';
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`history line ${line}: ${message}`);
  }
}

/** One operation: its invocation and, unless pending, its completion. */
export interface Operation {
  readonly id: number;
  readonly client: string;
  readonly op: OpName;
  readonly key: string;
  readonly value: string | null;
  readonly expected: string | null;
  /** Present when the operation completed ok (for a delete, only if the history gave one). */
  readonly result?: string | boolean | null;
  /** False when it may or may not have taken effect (info, or never completed). */
  readonly completed: boolean;
  /** Position (0-based record index) of the invocation and of the completion (Infinity if pending). */
  readonly call: number;
  readonly ret: number;
}

function field(v: unknown, line: number, name: string, nullable: boolean): string | null | undefined {
  if (v === undefined) return undefined;
  if (v === null && nullable) return null;
  if (typeof v !== 'string')
    throw new HistoryError(line, `${name} must be a string${nullable ? ' or null' : ''}`);
  if (v.length > HISTORY_FIELD_MAX)
    throw new HistoryError(line, `${name} is over ${HISTORY_FIELD_MAX} characters`);
  return v;
}

function clientId(v: unknown, line: number): string | number {
  if (typeof v === 'number' && Number.isSafeInteger(v)) return v;
  if (typeof v === 'string' && v.length > 0 && v.length <= HISTORY_FIELD_MAX) return v;
  throw new HistoryError(line, 'client must be an integer or a non-empty string');
}

/** Checks one parsed JSON value as a history record (line numbers are 1-based). */
export function toRecord(raw: unknown, line: number): HistoryRecord {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new HistoryError(line, 'not an object');
  const r = raw as Record<string, unknown>;
  const client = clientId(r.client, line);
  if (r.type === 'invoke') {
    if (typeof r.op !== 'string' || !OP_NAMES.includes(r.op))
      throw new HistoryError(line, `op must be one of ${OP_NAMES.join(', ')}`);
    const op = r.op as OpName;
    const key = field(r.key, line, 'key', false);
    if (!key) throw new HistoryError(line, 'key must be a non-empty string');
    const value = field(r.value, line, 'value', false);
    const expected = field(r.expected, line, 'expected', true);
    if ((op === 'put' || op === 'cas') && value === undefined)
      throw new HistoryError(line, `${op} needs a value`);
    if (op === 'cas' && expected === undefined)
      throw new HistoryError(line, 'cas needs expected (null: absent)');
    return {
      type: 'invoke',
      client,
      op,
      key,
      ...(value !== undefined ? { value } : {}),
      ...(expected !== undefined ? { expected } : {}),
    };
  }
  if (r.type === 'ok' || r.type === 'fail' || r.type === 'info') {
    const result = r.result;
    if (result !== undefined && result !== null && typeof result !== 'boolean')
      field(result, line, 'result', true);
    return result === undefined
      ? { type: r.type, client }
      : { type: r.type, client, result: result as string | boolean | null };
  }
  throw new HistoryError(line, 'type must be invoke, ok, fail or info');
}

/** The records of a JSON-lines history (blank lines are skipped). */
export function parseHistory(text: string): HistoryRecord[] {
  const records: HistoryRecord[] = [];
  let line = 0;
  for (const raw of text.split('\n')) {
    line++;
    const trimmed = raw.trim();
    if (trimmed === '') continue;
    if (trimmed.length > HISTORY_LINE_MAX)
      throw new HistoryError(line, `over ${HISTORY_LINE_MAX} characters`);
    if (records.length >= HISTORY_RECORDS_MAX)
      throw new HistoryError(line, `more than ${HISTORY_RECORDS_MAX} records`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch {
      throw new HistoryError(line, 'not valid JSON');
    }
    records.push(toRecord(parsed, line));
  }
  return records;
}

/** One JSON line per record: the form parseHistory reads. */
export function formatHistory(records: readonly HistoryRecord[]): string {
  return records.map((r) => `${JSON.stringify(r)}\n`).join('');
}

function checkResult(op: OpName, result: unknown, line: number): void {
  const ok =
    op === 'get'
      ? result === null || typeof result === 'string'
      : op === 'cas'
        ? typeof result === 'boolean'
        : op === 'delete'
          ? result === undefined || typeof result === 'boolean'
          : true;
  if (!ok) throw new HistoryError(line, `result ${JSON.stringify(result)} does not fit a ${op}`);
}

/**
 * Pairs invocations with completions. `fail` drops the operation (it did not happen); `info` and
 * a missing completion make it pending. Record i is at position i (its line order is its time).
 */
export function pairOperations(records: readonly HistoryRecord[]): Operation[] {
  const open = new Map<string, { rec: InvokeRecord; call: number }>();
  const ops: Operation[] = [];
  const add = (
    inv: { rec: InvokeRecord; call: number },
    ret: number,
    result: unknown,
    completed: boolean,
  ) => {
    ops.push({
      id: ops.length,
      client: String(inv.rec.client),
      op: inv.rec.op,
      key: inv.rec.key,
      value: inv.rec.value ?? null,
      expected: inv.rec.expected ?? null,
      ...(completed && result !== undefined ? { result: result as string | boolean | null } : {}),
      completed,
      call: inv.call,
      ret,
    });
  };
  for (const [i, rec] of records.entries()) {
    const client = String(rec.client);
    const inv = open.get(client);
    if (rec.type === 'invoke') {
      if (inv) throw new HistoryError(i + 1, `client ${client} invokes while an operation is outstanding`);
      open.set(client, { rec, call: i });
      continue;
    }
    if (!inv) throw new HistoryError(i + 1, `client ${client} completes an operation it never invoked`);
    open.delete(client);
    if (rec.type === 'fail') continue;
    if (rec.type === 'info') add(inv, Number.POSITIVE_INFINITY, undefined, false);
    else {
      checkResult(inv.rec.op, rec.result, i + 1);
      add(inv, i, rec.result, true);
    }
  }
  for (const inv of open.values()) add(inv, Number.POSITIVE_INFINITY, undefined, false);
  return ops.sort((a, b) => a.call - b.call).map((op, id) => ({ ...op, id }));
}
