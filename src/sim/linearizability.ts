// A linearizability checker for registry histories (history.ts), in the Wing & Gong / Lowe style
// that Knossos and Porcupine use: a depth-first search for an order of the operations that respects
// real time and the model (one register per key), memoising every (set of linearized operations,
// register value) already explored. Keys are independent registers, so the history is checked key
// by key (P-compositionality). A pending operation (timed out, crashed client) may take effect at
// any point after its invocation or never. The search is bounded (LINEARIZABILITY_STEPS_MAX): past
// the bound the answer is "unknown", never a hang. On failure the counterexample is the shortest
// prefix of the key's history that cannot be linearized.

import { SeededRandom } from '../net/random.js';
import { type HistoryRecord, type Operation, pairOperations, parseHistory } from './history.js';
import { LINEARIZABILITY_STEPS_MAX } from './limits.js';

export interface Counterexample {
  readonly key: string;
  /** The operations of the shortest failing prefix of this key's history, by invocation. */
  readonly operations: readonly Operation[];
  /** The operation whose completion makes the prefix non-linearizable. */
  readonly culprit: Operation;
}

export type CheckResult =
  | { readonly status: 'ok'; readonly keys: number; readonly operations: number }
  | {
      readonly status: 'violation';
      /** The first failing key (in key order) with its counterexample. */
      readonly counterexample: Counterexample;
      /** Every key that failed, in key order. */
      readonly failedKeys: readonly string[];
    }
  | { readonly status: 'unknown'; readonly keys: readonly string[]; readonly reason: string };

export interface CheckOptions {
  /** Search steps per key before giving up with "unknown" (default LINEARIZABILITY_STEPS_MAX). */
  readonly maxSteps?: number;
}

type Verdict = 'ok' | 'violation' | 'unknown';

/** Register values as small integers (0: absent), so that a step compares numbers, not strings. */
const ABSENT = 0;
/** A result that no register value can equal (a get of a value never written). */
const NO_VALUE = -1;
/** The one id of every value that no operation observes. */
const UNOBSERVED = 1;

/** One operation of a key, with its values interned. */
interface KeyOp {
  readonly op: Operation;
  readonly index: number;
  readonly kind: Operation['op'];
  readonly completed: boolean;
  readonly value: number;
  readonly expected: number;
  /** get: the value id read; cas and delete: 1 / 0 for true / false; -2: no result given. */
  readonly result: number;
}

/**
 * Interns the values of one key's operations. A value that no operation observes (no read returns
 * it, no compare-and-set expects it) is indistinguishable from any other such value, so all of them
 * share one id: fewer distinct configurations to explore, the same answers.
 */
function internAll(ops: readonly Operation[]): KeyOp[] {
  const observed = new Set<string>();
  for (const op of ops) {
    if (op.op === 'get' && typeof op.result === 'string') observed.add(op.result);
    if (op.op === 'cas' && op.expected !== null) observed.add(op.expected);
  }
  const ids = new Map<string, number>();
  const id = (v: string | null): number => {
    if (v === null) return ABSENT;
    if (!observed.has(v)) return UNOBSERVED;
    let n = ids.get(v);
    if (n === undefined) {
      n = ids.size + UNOBSERVED + 1;
      ids.set(v, n);
    }
    return n;
  };
  const written = new Set(ops.flatMap((op) => (op.value === null ? [] : [op.value])));
  // A value nobody wrote can never be the register's value.
  const seen = (v: string | null): number => (v === null ? ABSENT : written.has(v) ? id(v) : NO_VALUE);
  return ops.map((op, index) => ({
    op,
    index,
    kind: op.op,
    completed: op.completed,
    value: id(op.value),
    expected: seen(op.expected),
    result:
      op.result === undefined ? -2 : typeof op.result === 'boolean' ? Number(op.result) : seen(op.result),
  }));
}

/** The register model: the next value if `op` may run on `state` with its recorded result, else -1. */
function step(state: number, op: KeyOp): number {
  switch (op.kind) {
    case 'get':
      return !op.completed || op.result === state ? state : -1;
    case 'put':
      return op.value;
    case 'delete':
      return !op.completed || op.result === -2 || op.result === Number(state !== ABSENT) ? ABSENT : -1;
    case 'cas': {
      const success = state === op.expected;
      if (op.completed && op.result !== Number(success)) return -1;
      return success ? op.value : state;
    }
  }
}

interface Entry {
  readonly op: KeyOp;
  readonly isCall: boolean;
  /** For a call entry: its return entry. */
  match: Entry | null;
  prev: Entry | null;
  next: Entry | null;
}

function buildList(ops: readonly KeyOp[]): Entry {
  const events: { time: number; order: number; entry: Entry }[] = [];
  for (const op of ops) {
    const call: Entry = { op, isCall: true, match: null, prev: null, next: null };
    const ret: Entry = { op, isCall: false, match: null, prev: null, next: null };
    call.match = ret;
    events.push({ time: op.op.call, order: 0, entry: call });
    // Pending returns go after every real event, in invocation order.
    events.push({ time: op.op.ret, order: op.op.call, entry: ret });
  }
  events.sort((a, b) => a.time - b.time || a.order - b.order);
  const head: Entry = { op: ops[0] as KeyOp, isCall: false, match: null, prev: null, next: null };
  let last = head;
  for (const { entry } of events) {
    last.next = entry;
    entry.prev = last;
    last = entry;
  }
  return head;
}

/** Removes a call entry and its return from the list. */
function lift(call: Entry): void {
  const ret = call.match as Entry;
  (call.prev as Entry).next = call.next;
  if (call.next) call.next.prev = call.prev;
  (ret.prev as Entry).next = ret.next;
  if (ret.next) ret.next.prev = ret.prev;
}

/** Puts back what lift() removed (in the reverse order). */
function unlift(call: Entry): void {
  const ret = call.match as Entry;
  (ret.prev as Entry).next = ret;
  if (ret.next) ret.next.prev = ret;
  (call.prev as Entry).next = call;
  if (call.next) call.next.prev = call;
}

interface Config {
  readonly h2: number;
  readonly state: number;
  readonly words: Uint32Array;
}

/**
 * The explored configurations: (linearized set, register value). Looked up by a Zobrist hash of
 * the set (two 32-bit halves, updated in O(1) per step) mixed with the value; a hit is confirmed
 * by comparing the sets, so a hash collision never prunes a branch wrongly.
 */
class Explored {
  private readonly buckets = new Map<number, Config[]>();
  /** Adds the configuration; false if it was already there. */
  add(h1: number, h2: number, state: number, words: Uint32Array): boolean {
    const key = (h1 ^ Math.imul(state + 1, 0x9e3779b1)) >>> 0;
    const bucket = this.buckets.get(key);
    if (bucket === undefined) {
      this.buckets.set(key, [{ h2, state, words: words.slice() }]);
      return true;
    }
    for (const c of bucket) if (c.h2 === h2 && c.state === state && equalWords(c.words, words)) return false;
    bucket.push({ h2, state, words: words.slice() });
    return true;
  }
}

function equalWords(a: Uint32Array, b: Uint32Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Whether one key's operations (all on one register that starts absent) are linearizable. */
export function checkRegister(ops: readonly Operation[], maxSteps = LINEARIZABILITY_STEPS_MAX): Verdict {
  // A pending read has no effect and no result to explain: leave it out.
  const relevant = internAll(ops.filter((op) => op.completed || op.op !== 'get'));
  if (relevant.length === 0) return 'ok';
  // Zobrist keys from a fixed generator: the check is deterministic run to run.
  const zobrist = new SeededRandom(0x5eed);
  const z1 = Uint32Array.from(relevant, () => zobrist.uint32());
  const z2 = Uint32Array.from(relevant, () => zobrist.uint32());
  const head = buildList(relevant);
  const words = new Uint32Array((relevant.length + 31) >>> 5);
  const explored = new Explored();
  const stack: { call: Entry; state: number }[] = [];
  let h1 = 0;
  let h2 = 0;
  let state = ABSENT;
  let entry = head.next;
  let steps = 0;
  const toggle = (i: number): void => {
    words[i >>> 5] = (words[i >>> 5] as number) ^ (1 << (i & 31));
    h1 = (h1 ^ (z1[i] as number)) >>> 0;
    h2 = (h2 ^ (z2[i] as number)) >>> 0;
  };

  while (entry !== null) {
    if (++steps > maxSteps) return 'unknown';
    if (entry.isCall) {
      const next = step(state, entry.op);
      if (next !== -1) {
        toggle(entry.op.index);
        if (explored.add(h1, h2, next, words)) {
          stack.push({ call: entry, state });
          state = next;
          lift(entry);
          entry = head.next;
          continue;
        }
        toggle(entry.op.index);
      }
      entry = entry.next;
      continue;
    }
    // A return whose operation is not linearized yet. If it is a pending one, every completed
    // operation is linearized (their returns all come first): the rest may never have happened.
    if (!entry.op.completed) return 'ok';
    const top = stack.pop();
    if (top === undefined) return 'violation';
    state = top.state;
    toggle(top.call.op.index);
    unlift(top.call);
    entry = top.call.next;
  }
  return 'ok';
}

/**
 * The shortest prefix of one key's history that is not linearizable, given that the whole is not.
 * Linearizability is prefix-closed, so a binary search over the key's events finds it.
 */
function shortestFailingPrefix(ops: readonly Operation[], maxSteps: number): Counterexample | undefined {
  const times = ops.flatMap((op) => (op.completed ? [op.call, op.ret] : [op.call])).sort((a, b) => a - b);
  const prefix = (n: number): Operation[] => {
    const end = times[n - 1] as number;
    return ops
      .filter((op) => op.call <= end)
      .map((op) => {
        if (op.ret <= end) return op;
        const { result: _unknown, ...pending } = op;
        return { ...pending, completed: false, ret: Number.POSITIVE_INFINITY };
      });
  };
  let lo = 1;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const verdict = checkRegister(prefix(mid), maxSteps);
    if (verdict === 'violation') hi = mid;
    else lo = mid + 1;
  }
  const operations = prefix(lo);
  const end = times[lo - 1] as number;
  const culprit = operations.find((op) => op.ret === end);
  if (culprit === undefined || checkRegister(operations, maxSteps) !== 'violation') return undefined;
  return { key: culprit.key, operations, culprit };
}

/** Checks paired operations (pairOperations) key by key. */
export function checkOperations(ops: readonly Operation[], options: CheckOptions = {}): CheckResult {
  const maxSteps = options.maxSteps ?? LINEARIZABILITY_STEPS_MAX;
  const byKey = new Map<string, Operation[]>();
  for (const op of ops) {
    const list = byKey.get(op.key);
    if (list) list.push(op);
    else byKey.set(op.key, [op]);
  }
  const keys = [...byKey.keys()].sort();
  const failed: string[] = [];
  const unknown: string[] = [];
  for (const key of keys) {
    const verdict = checkRegister(byKey.get(key) as Operation[], maxSteps);
    if (verdict === 'violation') failed.push(key);
    else if (verdict === 'unknown') unknown.push(key);
  }
  const first = failed[0];
  if (first !== undefined) {
    const counterexample = shortestFailingPrefix(byKey.get(first) as Operation[], maxSteps);
    if (counterexample) return { status: 'violation', counterexample, failedKeys: failed };
    unknown.push(first);
  }
  if (unknown.length > 0)
    return {
      status: 'unknown',
      keys: unknown,
      reason: `the search passed ${maxSteps} steps on ${unknown.length} key(s)`,
    };
  return { status: 'ok', keys: keys.length, operations: ops.length };
}

/** Checks history records (parseHistory). Throws HistoryError for a malformed history. */
export function checkHistory(records: readonly HistoryRecord[], options?: CheckOptions): CheckResult {
  return checkOperations(pairOperations(records), options);
}

/** Checks the text of a JSON-lines history file. Throws HistoryError for a malformed history. */
export function checkHistoryText(text: string, options?: CheckOptions): CheckResult {
  return checkHistory(parseHistory(text), options);
}

function describeOp(op: Operation): string {
  const args =
    op.op === 'cas'
      ? `${JSON.stringify(op.expected)} -> ${JSON.stringify(op.value)}`
      : op.op === 'put'
        ? JSON.stringify(op.value)
        : '';
  const outcome = op.completed
    ? `= ${op.result === undefined ? 'ok' : JSON.stringify(op.result)}`
    : '(pending)';
  const span = `[${op.call + 1}..${Number.isFinite(op.ret) ? op.ret + 1 : '?'}]`;
  return `${span} client ${op.client}: ${op.op}(${args}) ${outcome}`;
}

/** A person's summary of a result: one line, plus the counterexample's operations on a violation. */
export function describeResult(result: CheckResult): string {
  switch (result.status) {
    case 'ok':
      return `linearizable: ${result.operations} operations on ${result.keys} keys`;
    case 'unknown':
      return `unknown: ${result.reason} (${result.keys.join(', ')})`;
    case 'violation': {
      const c = result.counterexample;
      const lines = c.operations.map((op) => `  ${op === c.culprit ? '>' : ' '} ${describeOp(op)}`);
      return [
        `not linearizable: key ${JSON.stringify(c.key)} (${result.failedKeys.length} key(s) fail); shortest failing prefix, records 1..${c.culprit.ret + 1}:`,
        ...lines,
      ].join('\n');
    }
  }
}
