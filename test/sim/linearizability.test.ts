// The linearizability checker: hand-written good and bad histories, histories generated from a real
// linearizable register under random concurrency and crashes (must pass, seed after seed), injected
// anomalies (must fail, with the right key), the search bound, malformed input, and speed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { randomBelow, SeededRandom } from '../../src/net/random.js';
import {
  formatHistory,
  HistoryError,
  type HistoryRecord,
  type OpName,
  parseHistory,
} from '../../src/sim/history.js';
import { checkHistory, checkHistoryText, describeResult } from '../../src/sim/linearizability.js';
import { generate } from './register-history.js';

// Shorthands for hand-written histories.
const inv = (
  client: number,
  op: OpName,
  key: string,
  value?: string,
  expected?: string | null,
): HistoryRecord => ({
  type: 'invoke',
  client,
  op,
  key,
  ...(value !== undefined ? { value } : {}),
  ...(expected !== undefined ? { expected } : {}),
});
const ok = (client: number, result?: string | boolean | null): HistoryRecord =>
  result === undefined ? { type: 'ok', client } : { type: 'ok', client, result };
const info = (client: number): HistoryRecord => ({ type: 'info', client });
const fail = (client: number): HistoryRecord => ({ type: 'fail', client });

const status = (h: HistoryRecord[]) => checkHistory(h).status;

test('known-good histories are linearizable', () => {
  // Sequential.
  assert.equal(status([inv(1, 'put', 'k', 'a'), ok(1), inv(1, 'get', 'k'), ok(1, 'a')]), 'ok');
  // A read of an absent key, a delete, a create-if-absent cas.
  assert.equal(
    status([
      inv(1, 'get', 'k'),
      ok(1, null),
      inv(1, 'cas', 'k', 'a', null),
      ok(1, true),
      inv(2, 'delete', 'k'),
      ok(2, true),
      inv(2, 'delete', 'k'),
      ok(2, false),
    ]),
    'ok',
  );
  // Concurrent overlapping writes and reads: the read may see either write.
  for (const seen of ['a', 'b']) {
    assert.equal(
      status([
        inv(1, 'put', 'k', 'a'),
        inv(2, 'put', 'k', 'b'),
        inv(3, 'get', 'k'),
        ok(3, seen),
        ok(1),
        ok(2),
      ]),
      'ok',
      `read of ${seen}`,
    );
  }
  // Two concurrent cas from the same value: exactly one wins.
  assert.equal(
    status([
      inv(1, 'put', 'k', 'x'),
      ok(1),
      inv(1, 'cas', 'k', 'y', 'x'),
      inv(2, 'cas', 'k', 'z', 'x'),
      ok(2, true),
      ok(1, false),
      inv(3, 'get', 'k'),
      ok(3, 'z'),
    ]),
    'ok',
  );
  // A timed-out write may have taken effect (read sees it) ...
  assert.equal(status([inv(1, 'put', 'k', 'a'), info(1), inv(2, 'get', 'k'), ok(2, 'a')]), 'ok');
  // ... or not (read does not), and a never-completed one likewise; a failed one did not happen.
  assert.equal(status([inv(1, 'put', 'k', 'a'), inv(2, 'get', 'k'), ok(2, null)]), 'ok');
  assert.equal(status([inv(1, 'put', 'k', 'a'), fail(1), inv(2, 'get', 'k'), ok(2, null)]), 'ok');
  // A pending write can take effect long after it was invoked.
  assert.equal(
    status([
      inv(1, 'put', 'k', 'a'),
      info(1),
      inv(2, 'get', 'k'),
      ok(2, null),
      inv(2, 'get', 'k'),
      ok(2, 'a'),
    ]),
    'ok',
  );
  assert.equal(status([]), 'ok');
});

test('known-bad histories are not linearizable', () => {
  // Stale read after a completed write.
  const stale = [
    inv(1, 'put', 'k', 'a'),
    ok(1),
    inv(1, 'put', 'k', 'b'),
    ok(1),
    inv(2, 'get', 'k'),
    ok(2, 'a'),
  ];
  const r = checkHistory(stale);
  assert.equal(r.status, 'violation');
  assert.ok(r.status === 'violation' && r.counterexample.culprit.op === 'get');
  // Lost write: a completed put that a later read does not see.
  assert.equal(status([inv(1, 'put', 'k', 'a'), ok(1), inv(2, 'get', 'k'), ok(2, null)]), 'violation');
  // A cas that succeeded twice from the same value.
  assert.equal(
    status([
      inv(1, 'put', 'k', 'x'),
      ok(1),
      inv(1, 'cas', 'k', 'y', 'x'),
      inv(2, 'cas', 'k', 'z', 'x'),
      ok(1, true),
      ok(2, true),
    ]),
    'violation',
  );
  // A read of a value nobody wrote; a read that goes back in time.
  assert.equal(status([inv(1, 'get', 'k'), ok(1, 'ghost')]), 'violation');
  assert.equal(
    status([inv(1, 'put', 'k', 'a'), inv(2, 'get', 'k'), ok(2, 'a'), inv(3, 'get', 'k'), ok(3, null), ok(1)]),
    'violation',
  );
  // A delete that claims to have deleted nothing after a completed put.
  assert.equal(status([inv(1, 'put', 'k', 'a'), ok(1), inv(1, 'delete', 'k'), ok(1, false)]), 'violation');
});

test('the counterexample is the shortest failing prefix of the failing key', () => {
  const h = [
    inv(1, 'put', 'good', '1'),
    ok(1),
    inv(1, 'put', 'bad', 'a'), // 3
    ok(1), // 4
    inv(2, 'get', 'bad'), // 5
    ok(2, null), // 6: the lost write shows here
    inv(3, 'put', 'bad', 'later'),
    ok(3),
    inv(2, 'get', 'good'),
    ok(2, '1'),
  ];
  const r = checkHistory(h);
  assert.equal(r.status, 'violation');
  if (r.status !== 'violation') return;
  assert.equal(r.counterexample.key, 'bad');
  assert.deepEqual(r.failedKeys, ['bad']);
  assert.equal(r.counterexample.culprit.ret, 5, 'the failure is complete at record 6');
  assert.deepEqual(
    r.counterexample.operations.map((op) => op.op),
    ['put', 'get'],
    'operations after the failure are not part of it',
  );
  const text = describeResult(r);
  assert.match(text, /not linearizable: key "bad"/);
  assert.match(text, /> \[5\.\.6\] client 2: get\(\) = null/);
});

test('histories from a linearizable register pass, seed after seed', () => {
  for (let seed = 1; seed <= 150; seed++) {
    const random = new SeededRandom(seed);
    const history = generate(
      random,
      60 + randomBelow(random, 200),
      2 + randomBelow(random, 6),
      1 + randomBelow(random, 4),
    );
    const result = checkHistory(history);
    assert.equal(result.status, 'ok', `seed ${seed}: ${describeResult(result)}`);
  }
});

test('injected anomalies are caught and located', () => {
  for (let seed = 1; seed <= 60; seed++) {
    const random = new SeededRandom(1000 + seed);
    const history = generate(random, 300, 5, 3);
    const at = randomBelow(random, history.length + 1);
    const kind = seed % 3;
    const key = `anomaly${seed}`;
    const injected: HistoryRecord[] =
      kind === 0
        ? // a stale read after a completed write
          [
            inv(90, 'put', key, 'a'),
            ok(90),
            inv(90, 'put', key, 'b'),
            ok(90),
            inv(91, 'get', key),
            ok(91, 'a'),
          ]
        : kind === 1
          ? // a lost write
            [inv(90, 'put', key, 'a'), ok(90), inv(91, 'get', key), ok(91, null)]
          : // a compare-and-set that succeeded twice
            [
              inv(90, 'put', key, 'x'),
              ok(90),
              inv(90, 'cas', key, 'y', 'x'),
              inv(91, 'cas', key, 'z', 'x'),
              ok(91, true),
              ok(90, true),
            ];
    const result = checkHistory([...history.slice(0, at), ...injected, ...history.slice(at)]);
    assert.equal(result.status, 'violation', `seed ${seed}`);
    assert.ok(result.status === 'violation' && result.counterexample.key === key);
  }
  // Corrupting a completed read of an existing key to a value never written is caught too.
  for (let seed = 1; seed <= 30; seed++) {
    const history = generate(new SeededRandom(2000 + seed), 200, 4, 2, 0);
    const reads = history.flatMap((r, i) =>
      r.type === 'ok' && (typeof r.result === 'string' || r.result === null) ? [i] : [],
    );
    const i = reads[seed % reads.length]!;
    const bad = history.map((r, j) => (j === i ? { ...r, result: 'never-written' } : r));
    assert.equal(checkHistory(bad).status, 'violation', `seed ${seed}`);
  }
});

test('the search is bounded: past the step limit the answer is unknown', () => {
  const history = generate(new SeededRandom(5), 400, 8, 1, 0.2);
  assert.equal(checkHistory(history).status, 'ok');
  const r = checkHistory(history, { maxSteps: 50 });
  assert.equal(r.status, 'unknown');
  assert.ok(r.status === 'unknown' && r.keys.includes('k0'));
});

test('JSON lines round-trip; malformed histories are refused with the line number', () => {
  const history = generate(new SeededRandom(9), 100, 3, 2);
  const text = formatHistory(history);
  assert.deepEqual(parseHistory(text), history);
  assert.equal(checkHistoryText(text).status, 'ok');
  const bad: [string, RegExp][] = [
    ['{"type":"invoke","client":1,"op":"put","key":"k","value":"a"}\nnot json\n', /line 2: not valid JSON/],
    ['{"type":"invoke","client":1,"op":"frob","key":"k"}', /op must be one of/],
    ['{"type":"invoke","client":1,"op":"put","key":"k"}', /put needs a value/],
    ['{"type":"invoke","client":1,"op":"cas","key":"k","value":"b"}', /cas needs expected/],
    ['{"type":"invoke","client":{},"op":"get","key":"k"}', /client must be/],
    ['{"type":"ok","client":1}', /never invoked/],
    [
      '{"type":"invoke","client":1,"op":"get","key":"k"}\n{"type":"invoke","client":1,"op":"get","key":"k"}',
      /outstanding/,
    ],
    [
      '{"type":"invoke","client":1,"op":"cas","key":"k","value":"b","expected":null}\n{"type":"ok","client":1,"result":"x"}',
      /does not fit a cas/,
    ],
    ['{"type":"invoke","client":1,"op":"get","key":"k"}\n{"type":"ok","client":1}', /does not fit a get/],
    ['[1]', /not an object/],
    ['{"type":"maybe","client":1}', /type must be/],
  ];
  for (const [input, message] of bad) {
    assert.throws(
      () => checkHistoryText(input),
      (e: unknown) => e instanceof HistoryError && message.test(e.message),
      input,
    );
  }
});

test('10,000 operations over 50 keys check in a few seconds', () => {
  const history = generate(new SeededRandom(77), 10_000, 16, 50);
  const started = performance.now();
  const result = checkHistory(history);
  const ms = performance.now() - started;
  assert.equal(result.status, 'ok', describeResult(result));
  assert.ok(ms < 5000, `took ${ms.toFixed(0)} ms`);
});
