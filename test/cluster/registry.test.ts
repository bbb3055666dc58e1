// The registry state machine: revisions and versions, compare-and-set, transactions, fencing
// tokens, deterministic snapshots with checked restore, bounded decode of bad command bytes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { utf8Length } from '../../src/cluster/registry/bytes.js';
import { decodeCommand, decodeResult, encodeCommand } from '../../src/cluster/registry/codec.js';
import { RegistryError } from '../../src/cluster/registry/errors.js';
import { KEY_MAX_BYTES, TXN_OPS_MAX } from '../../src/cluster/registry/limits.js';
import { RegistryStateMachine } from '../../src/cluster/registry/state-machine.js';
import type { Command, CommandResult } from '../../src/cluster/registry/types.js';
import { SeededRandom } from '../../src/net/random.js';

const enc = new TextEncoder();
const b = (s: string) => enc.encode(s);
const str = (u: Uint8Array | undefined) => (u === undefined ? undefined : new TextDecoder().decode(u));

function run(sm: RegistryStateMachine, cmd: Command, term = 1): CommandResult {
  return decodeResult(sm.apply(sm.appliedIndex + 1, term, encodeCommand(cmd)));
}

test('puts and deletes carry create/mod revisions and versions; the store revision counts writes', () => {
  const sm = new RegistryStateMachine();
  assert.deepEqual(run(sm, { type: 'put', key: 'a', value: b('1') }), { type: 'put', revision: 1 });
  run(sm, { type: 'put', key: 'b', value: b('x') });
  const r3 = run(sm, { type: 'put', key: 'a', value: b('2') });
  assert.equal(r3.type === 'put' && str(r3.prev?.value), '1');
  const a = sm.get('a')!;
  assert.deepEqual([a.createRevision, a.modRevision, a.version, str(a.value)], [1, 3, 2, '2']);
  assert.equal(sm.revision, 3);
  // Deleting a missing key changes nothing, not even the revision.
  assert.deepEqual(run(sm, { type: 'delete', key: 'zz' }), { type: 'delete', revision: 3 });
  const d = run(sm, { type: 'delete', key: 'a' });
  assert.equal(d.type === 'delete' && d.revision, 4);
  assert.equal(sm.get('a'), undefined);
  run(sm, { type: 'put', key: 'a', value: b('3') });
  const again = sm.get('a')!;
  assert.deepEqual([again.createRevision, again.modRevision, again.version], [5, 5, 1]);
  assert.equal(sm.appliedIndex, 6);
});

test('compare-and-set on value, on absence and on mod revision', () => {
  const sm = new RegistryStateMachine();
  const create = run(sm, { type: 'cas', key: 'k', expect: { value: null }, value: b('v1') });
  assert.equal(create.type === 'cas' && create.succeeded, true);
  const dup = run(sm, { type: 'cas', key: 'k', expect: { value: null }, value: b('other') });
  assert.equal(dup.type === 'cas' && dup.succeeded, false);
  assert.equal(dup.type === 'cas' && str(dup.kv?.value), 'v1', 'a failed cas returns the current key');
  assert.equal(sm.revision, 1, 'a failed cas writes nothing');
  const wrongValue = run(sm, { type: 'cas', key: 'k', expect: { value: b('nope') }, value: b('v2') });
  assert.equal(wrongValue.type === 'cas' && wrongValue.succeeded, false);
  const byValue = run(sm, { type: 'cas', key: 'k', expect: { value: b('v1') }, value: b('v2') });
  assert.equal(byValue.type === 'cas' && byValue.succeeded, true);
  const staleRev = run(sm, { type: 'cas', key: 'k', expect: { modRevision: 1 }, value: b('v3') });
  assert.equal(staleRev.type === 'cas' && staleRev.succeeded, false);
  const both = run(sm, { type: 'cas', key: 'k', expect: { value: b('v2'), modRevision: 2 }, value: null });
  assert.equal(both.type === 'cas' && both.succeeded, true);
  assert.equal(both.type === 'cas' && both.kv, undefined, 'cas with a null value deletes');
  assert.equal(sm.get('k'), undefined);
  const absentRev = run(sm, { type: 'cas', key: 'k', expect: { modRevision: 0 }, value: b('v4') });
  assert.equal(absentRev.type === 'cas' && absentRev.succeeded, true, 'modRevision 0 means absent');
});

test('a transaction applies one branch atomically under one revision', () => {
  const sm = new RegistryStateMachine();
  run(sm, { type: 'put', key: 'x', value: b('1') });
  const ok = run(sm, {
    type: 'txn',
    compares: [
      { key: 'x', version: 1 },
      { key: 'y', value: null },
    ],
    success: [
      { type: 'put', key: 'y', value: b('2') },
      { type: 'delete', key: 'x' },
      { type: 'get', key: 'y' },
    ],
    failure: [{ type: 'put', key: 'failed', value: b('') }],
  });
  assert.equal(ok.type, 'txn');
  if (ok.type !== 'txn') return;
  assert.equal(ok.succeeded, true);
  assert.equal(ok.revision, 2);
  assert.equal(sm.get('y')!.modRevision, 2);
  assert.equal(str(ok.results[2]?.type === 'get' ? ok.results[2].kv?.value : undefined), '2');
  const no = run(sm, {
    type: 'txn',
    compares: [{ key: 'x', version: 1 }],
    success: [{ type: 'put', key: 'never', value: b('') }],
    failure: [{ type: 'get', key: 'y' }],
  });
  assert.equal(no.type === 'txn' && no.succeeded, false);
  assert.equal(sm.revision, 2, 'a read-only branch writes nothing');
  assert.equal(sm.get('never'), undefined);
});

test('a fenced write stamps the key with its log position; plain writes keep the token', () => {
  const sm = new RegistryStateMachine();
  sm.apply(5, 2, encodeCommand({ type: 'put', key: 'npids/0000000a:1', value: b('A'), fence: true }));
  assert.deepEqual(sm.get('npids/0000000a:1')!.fence, { term: 2, index: 5 });
  sm.apply(6, 2, encodeCommand({ type: 'put', key: 'npids/0000000a:1', value: b('A-stopped') }));
  assert.deepEqual(sm.get('npids/0000000a:1')!.fence, { term: 2, index: 5 });
  sm.apply(
    9,
    3,
    encodeCommand({
      type: 'cas',
      key: 'npids/0000000a:1',
      expect: { modRevision: 2 },
      value: b('B'),
      fence: true,
    }),
  );
  assert.deepEqual(sm.get('npids/0000000a:1')!.fence, { term: 3, index: 9 });
  assert.equal(sm.appliedIndex, 9);
});

test('apply refuses to go backwards (an invariant, not input)', () => {
  const sm = new RegistryStateMachine();
  sm.apply(3, 1, encodeCommand({ type: 'put', key: 'a', value: b('') }));
  assert.throws(() => sm.apply(3, 1, encodeCommand({ type: 'put', key: 'a', value: b('') })), /invariant/);
  assert.throws(() => sm.apply(4, 0, encodeCommand({ type: 'put', key: 'a', value: b('') })), /invariant/);
});

test('bad command bytes give an error result, advance the index and change nothing else', () => {
  const sm = new RegistryStateMachine();
  run(sm, { type: 'put', key: 'a', value: b('1') });
  const before = sm.snapshot();
  const good = encodeCommand({ type: 'put', key: 'a', value: b('2') });
  const bad: Uint8Array[] = [
    new Uint8Array(0),
    new Uint8Array([9, 1]), // unknown version
    new Uint8Array([1, 77]), // unknown kind
    good.subarray(0, good.length - 2), // truncated
    new Uint8Array([...good, 0]), // trailing byte
    new Uint8Array([1, 1, 0xff, 0xff, 0xff, 0xff]), // key length beyond every limit
    new Uint8Array([1, 1, 0, 0, 0, 2, 0xc3, 0x28, 0, 0, 0, 0, 0]), // invalid UTF-8 key
    new Uint8Array([1, 2, 0, 0, 0, 0]), // empty key
  ];
  let index = sm.appliedIndex;
  for (const bytes of bad) {
    const res = decodeResult(sm.apply(++index, 1, bytes));
    assert.equal(res.type, 'error', `bytes ${[...bytes.subarray(0, 8)]} are refused`);
  }
  assert.equal(sm.appliedIndex, index);
  assert.equal(sm.revision, 1);
  // Only the applied index (in the header) differs from the snapshot before.
  const after = new RegistryStateMachine();
  after.restore(sm.snapshot());
  assert.equal(str(after.get('a')?.value), '1');
  assert.notDeepEqual(sm.snapshot(), before);
});

test('random byte mutations of commands never throw anything but RegistryError', () => {
  const random = new SeededRandom(42);
  const base = encodeCommand({
    type: 'txn',
    compares: [{ key: 'k', value: b('v'), modRevision: 3, version: 2 }],
    success: [
      { type: 'put', key: 'k', value: b('w'), fence: true },
      { type: 'get', key: 'j' },
    ],
    failure: [{ type: 'delete', key: 'k' }],
  });
  for (let i = 0; i < 3000; i++) {
    const bytes = base.slice(0, 1 + (random.uint32() % base.length));
    for (let j = random.uint32() % 4; j >= 0; j--)
      bytes[random.uint32() % bytes.length] = random.uint32() & 0xff;
    try {
      decodeCommand(bytes);
    } catch (e) {
      assert.ok(e instanceof RegistryError, `mutation ${i}: ${(e as Error).message}`);
    }
  }
});

test('encode refuses invalid commands with typed errors', () => {
  const code = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      assert.ok(e instanceof RegistryError);
      return e.code;
    }
    return 'no error';
  };
  assert.equal(
    code(() => encodeCommand({ type: 'put', key: '', value: b('') })),
    'invalid-argument',
  );
  assert.equal(
    code(() => encodeCommand({ type: 'put', key: 'k'.repeat(KEY_MAX_BYTES + 1), value: b('') })),
    'too-large',
  );
  assert.equal(
    code(() => encodeCommand({ type: 'cas', key: 'k', expect: {}, value: b('') })),
    'invalid-argument',
  );
  const many = Array.from({ length: TXN_OPS_MAX + 1 }, () => ({ type: 'get' as const, key: 'k' }));
  assert.equal(
    code(() => encodeCommand({ type: 'txn', compares: [], success: many, failure: [] })),
    'too-large',
  );
});

test('snapshots are deterministic and restore the exact state; corrupt ones are refused whole', () => {
  const random = new SeededRandom(7);
  const a = new RegistryStateMachine();
  const c = new RegistryStateMachine();
  const commands: Uint8Array[] = [];
  for (let i = 0; i < 500; i++) {
    const key = `k${random.uint32() % 40}`;
    const r = random.uint32() % 3;
    const cmd: Command =
      r === 0
        ? { type: 'put', key, value: b(`v${i}`), fence: i % 7 === 0 }
        : r === 1
          ? { type: 'delete', key }
          : { type: 'cas', key, expect: { modRevision: random.uint32() % 50 }, value: b(`c${i}`) };
    commands.push(encodeCommand(cmd));
  }
  for (const [i, cmd] of commands.entries()) {
    a.apply(i + 1, 1 + (i >> 6), cmd);
    c.apply(i + 1, 1 + (i >> 6), cmd);
  }
  const snap = a.snapshot();
  assert.deepEqual(snap, c.snapshot(), 'same entries, same snapshot bytes');
  const b2 = new RegistryStateMachine();
  b2.restore(snap);
  assert.deepEqual(b2.snapshot(), snap);
  assert.equal(b2.revision, a.revision);
  assert.equal(b2.appliedIndex, 500);
  assert.deepEqual(b2.list(''), a.list(''));
  // Applying more after a restore continues the same history.
  const next = encodeCommand({ type: 'put', key: 'after', value: b('x') });
  a.apply(501, 9, next);
  b2.apply(501, 9, next);
  assert.deepEqual(b2.snapshot(), a.snapshot());

  const target = new RegistryStateMachine();
  run(target, { type: 'put', key: 'keep', value: b('me') });
  const flipped = snap.slice();
  flipped[20] = (flipped[20] as number) ^ 1;
  for (const bad of [flipped, snap.subarray(0, snap.length - 1), snap.subarray(0, 10), new Uint8Array(3)]) {
    assert.throws(() => target.restore(bad), RegistryError);
  }
  assert.equal(str(target.get('keep')?.value), 'me', 'a refused snapshot changes nothing');
});

test('utf8Length agrees with TextEncoder, surrogates included', () => {
  const random = new SeededRandom(11);
  const samples = ['', 'a', 'é', '€', '😀', 'a😀b', '\ud800', '\udc00x', '\ud800\ud800', 'x\ud83d'];
  for (let i = 0; i < 500; i++) {
    let s = '';
    for (let j = random.uint32() % 8; j > 0; j--) s += String.fromCharCode(random.uint32() % 0x10000);
    samples.push(s);
  }
  for (const s of samples) assert.equal(utf8Length(s), new TextEncoder().encode(s).length, JSON.stringify(s));
});
