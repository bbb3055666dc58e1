// Data-driven registry tests, as etcd/raft's testdata: each line is a command and the expected
// outcome after `=>`, so a scenario reads like a story and a new one costs a few lines.
//   put KEY VALUE [fence]            => rev=N [prev=VALUE]
//   del KEY                          => rev=N [prev=VALUE]
//   cas KEY [val=V|val=-] [mod=N] NEW|- [fence]  => ok|fail rev=N [now=VALUE]
//   get KEY                          => VALUE c=CREATE m=MOD v=VERSION f=TERM.INDEX | absent
//   list PREFIX                      => KEY=VALUE ... | empty
// Entries are applied at index = line number in SCRIPT (its first line is empty), term = the
// number after `@` (default: the term before, 1 at first).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeResult, encodeCommand } from '../../src/cluster/registry/codec.js';
import { KeyOrder } from '../../src/cluster/registry/key-order.js';
import { RegistryStateMachine } from '../../src/cluster/registry/state-machine.js';
import type { CasExpectation, Command, KeyValue } from '../../src/cluster/registry/types.js';
import { SeededRandom } from '../../src/net/random.js';

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (u: Uint8Array) => new TextDecoder().decode(u);

const SCRIPT = `
put a 1                 => rev=1
put a 2                 => rev=2 prev=1
get a                   => 2 c=1 m=2 v=2 f=0.0
put b/x x               => rev=3
put b/y y fence @2      => rev=4
get b/y                 => y c=4 m=4 v=1 f=2.6
put b/y y2 @2           => rev=5 prev=y
get b/y                 => y2 c=4 m=5 v=2 f=2.6
list b/                 => b/x=x b/y=y2
list c                  => empty
del zz                  => rev=5
del a                   => rev=6 prev=2
get a                   => absent
cas a val=- 10          => ok rev=7 now=10
cas a val=- 11          => fail rev=7 now=10
cas a mod=6 12          => fail rev=7 now=10
cas a mod=7 12          => ok rev=8 now=12
cas a val=12 mod=8 -    => ok rev=9
get a                   => absent
cas a mod=0 13 fence @3 => ok rev=10 now=13
get a                   => 13 c=10 m=10 v=1 f=3.21
`;

function show(kv: KeyValue | undefined): string {
  return kv ? dec(kv.value) : '-';
}

function runLine(sm: RegistryStateMachine, index: number, line: string): string {
  const [lhs = '', rhsTerm] = line.split('@').map((s) => s.trim());
  const term = rhsTerm ? Number(rhsTerm) : Math.max(1, sm.appliedTerm);
  const [verb, key = '', ...words] = lhs.split(/\s+/);
  const fence = words.includes('fence');
  const args = words.filter((w) => w !== 'fence');
  if (verb === 'get') {
    const kv = sm.get(key);
    return kv
      ? `${dec(kv.value)} c=${kv.createRevision} m=${kv.modRevision} v=${kv.version} f=${kv.fence.term}.${kv.fence.index}`
      : 'absent';
  }
  if (verb === 'list') {
    const kvs = sm.list(key);
    return kvs.length === 0 ? 'empty' : kvs.map((kv) => `${kv.key}=${dec(kv.value)}`).join(' ');
  }
  let cmd: Command;
  if (verb === 'put') cmd = { type: 'put', key, value: enc(args[0] ?? ''), fence };
  else if (verb === 'del') cmd = { type: 'delete', key };
  else if (verb === 'cas') {
    const expect: { value?: Uint8Array | null; modRevision?: number } = {};
    for (const a of args.slice(0, -1)) {
      if (a.startsWith('val=')) expect.value = a === 'val=-' ? null : enc(a.slice(4));
      if (a.startsWith('mod=')) expect.modRevision = Number(a.slice(4));
    }
    const next = args[args.length - 1] ?? '-';
    cmd = {
      type: 'cas',
      key,
      expect: expect as CasExpectation,
      value: next === '-' ? null : enc(next),
      fence,
    };
  } else throw new Error(`unknown verb ${verb}`);
  const res = decodeResult(sm.apply(index, term, encodeCommand(cmd)));
  switch (res.type) {
    case 'put':
    case 'delete':
      return `rev=${res.revision}${res.prev ? ` prev=${show(res.prev)}` : ''}`;
    case 'cas':
      return `${res.succeeded ? 'ok' : 'fail'} rev=${res.revision}${res.kv ? ` now=${show(res.kv)}` : ''}`;
    default:
      return JSON.stringify(res);
  }
}

test('the registry script runs as written', () => {
  const sm = new RegistryStateMachine();
  const lines = SCRIPT.split('\n');
  for (const [i, raw] of lines.entries()) {
    if (raw.trim() === '') continue;
    const [input = '', expected = ''] = raw.split('=>').map((s) => s.trim());
    assert.equal(runLine(sm, i + 1, input), expected, `line ${i + 1}: ${input}`);
  }
});

test('list by prefix agrees with a brute-force model under random puts and deletes', () => {
  const random = new SeededRandom(3);
  const sm = new RegistryStateMachine();
  const model = new Map<string, string>();
  const alphabet = ['a', 'b', 'ab', 'b/', 'é', 'z'];
  const pick = () => alphabet[random.uint32() % alphabet.length] as string;
  for (let i = 1; i <= 2000; i++) {
    const key = pick() + pick() + pick();
    if (random.uint32() % 3 === 0) {
      sm.apply(i, 1, encodeCommand({ type: 'delete', key }));
      model.delete(key);
    } else {
      sm.apply(i, 1, encodeCommand({ type: 'put', key, value: enc(String(i)) }));
      model.set(key, String(i));
    }
    if (i % 100 === 0) {
      const prefix = pick();
      const want = [...model].filter(([k]) => k.startsWith(prefix)).sort(([x], [y]) => (x < y ? -1 : 1));
      assert.deepEqual(
        sm.list(prefix).map((kv) => [kv.key, dec(kv.value)]),
        want,
        `prefix ${prefix} after ${i}`,
      );
      assert.equal(sm.size, model.size);
    }
  }
});

test('the key order stays sorted through chunk splits, removals and resets', () => {
  const random = new SeededRandom(8);
  const order = new KeyOrder();
  const model = new Set<string>();
  const check = (prefix: string) => {
    const want = [...model].filter((k) => k.startsWith(prefix)).sort();
    assert.deepEqual(order.withPrefix(prefix, Number.POSITIVE_INFINITY), want, `prefix ${prefix}`);
    assert.deepEqual(order.withPrefix(prefix, 7), want.slice(0, 7));
    assert.equal(order.size, model.size);
  };
  for (let i = 0; i < 20_000; i++) {
    const key = `k${random.uint32() % 6000}`;
    if (random.uint32() % 4 === 0) {
      order.remove(key);
      model.delete(key);
    } else if (!model.has(key)) {
      order.insert(key);
      model.add(key);
    }
    if (i % 2000 === 0) check(`k${random.uint32() % 10}`);
  }
  check('');
  check('k59');
  order.reset([...model].sort());
  check('k1');
  for (const key of [...model]) order.remove(key);
  model.clear();
  check('');
});
