// LocalRegistry through the RegistryClient interface, and watches: key and prefix, replay from a
// past revision, compaction, cancel, ordering when a listener writes, restore.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RegistryClient } from '../../src/cluster/registry/client.js';
import { decodeCommand } from '../../src/cluster/registry/codec.js';
import { RegistryError } from '../../src/cluster/registry/errors.js';
import { WATCH_HISTORY_MAX, WATCHERS_MAX } from '../../src/cluster/registry/limits.js';
import { LocalRegistry } from '../../src/cluster/registry/local.js';
import { LogRegistryClient } from '../../src/cluster/registry/log-client.js';
import { RegistryStateMachine } from '../../src/cluster/registry/state-machine.js';
import type { WatchEvent } from '../../src/cluster/registry/types.js';

const b = (s: string) => new TextEncoder().encode(s);
const str = (u: Uint8Array | undefined) => (u === undefined ? undefined : new TextDecoder().decode(u));

function collect(): {
  events: WatchEvent[];
  errors: RegistryError[];
  listener: Parameters<RegistryClient['watch']>[1];
} {
  const events: WatchEvent[] = [];
  const errors: RegistryError[] = [];
  return { events, errors, listener: { onEvent: (e) => events.push(e), onCancel: (e) => errors.push(e) } };
}

test('the client API: get, list, put, compareAndSet, delete, txn, with revisions', async () => {
  const reg = new LocalRegistry();
  const client: RegistryClient = reg;
  assert.deepEqual(await client.get('a'), { revision: 0 });
  const p = await client.put('a', b('1'));
  assert.equal(p.revision, 1);
  await client.put('dir/x', b('x'));
  await client.put('dir/y', b('y'));
  const got = await client.get('a');
  assert.equal(got.revision, 3);
  assert.equal(str(got.kv?.value), '1');
  assert.deepEqual(
    (await client.list('dir/')).kvs.map((kv) => kv.key),
    ['dir/x', 'dir/y'],
  );
  assert.equal((await client.list('dir/', 1)).kvs.length, 1);
  const cas1 = await client.compareAndSet('a', { modRevision: 1 }, b('2'));
  assert.equal(cas1.succeeded, true);
  assert.equal(cas1.kv?.modRevision, 4);
  const cas2 = await client.compareAndSet('a', { modRevision: 1 }, b('3'));
  assert.equal(cas2.succeeded, false);
  assert.equal(str(cas2.kv?.value), '2');
  const del = await client.delete('a');
  assert.equal(str(del.prev?.value), '2');
  assert.equal((await client.delete('a')).prev, undefined);
  const t = await client.txn({
    compares: [{ key: 'a', value: null }],
    success: [{ type: 'put', key: 'a', value: b('t') }],
    failure: [],
  });
  assert.equal(t.succeeded, true);
  assert.equal(t.revision, 6);
  await assert.rejects(
    client.put('', b('')),
    (e: unknown) => e instanceof RegistryError && e.code === 'invalid-argument',
  );
  reg.close();
  await assert.rejects(client.get('a'), (e: unknown) => e instanceof RegistryError && e.code === 'closed');
});

test('watches follow a key or a prefix, replay from a past revision, and stop on cancel', async () => {
  const reg = new LocalRegistry();
  await reg.put('members/1', b('m1')); // rev 1
  await reg.put('other', b('o')); // rev 2
  await reg.put('members/2', b('m2')); // rev 3
  const prefix = collect();
  const handle = await reg.watch({ prefix: 'members/' }, prefix.listener, { fromRevision: 2 });
  assert.deepEqual(
    prefix.events.map((e) => [e.type, e.key, e.revision]),
    [['put', 'members/2', 3]],
    'replay starts at the revision asked for and skips other keys',
  );
  const key = collect();
  await reg.watch({ key: 'members/1' }, key.listener);
  await reg.delete('members/1'); // rev 4
  await reg.put('members/3', b('m3')); // rev 5
  assert.deepEqual(
    prefix.events.map((e) => [e.type, e.key, e.revision]),
    [
      ['put', 'members/2', 3],
      ['delete', 'members/1', 4],
      ['put', 'members/3', 5],
    ],
  );
  assert.deepEqual(
    key.events.map((e) => [e.type, e.revision, str(e.prev?.value)]),
    [['delete', 4, 'm1']],
  );
  handle.cancel();
  await reg.put('members/4', b('m4'));
  assert.equal(prefix.events.length, 3, 'no event after cancel');
});

test('a watch from a future revision skips the events before it', async () => {
  const reg = new LocalRegistry();
  await reg.put('a', b('1')); // rev 1
  const w = collect();
  await reg.watch({ key: 'a' }, w.listener, { fromRevision: 3 });
  await reg.put('a', b('2')); // rev 2
  await reg.put('a', b('3')); // rev 3
  assert.deepEqual(
    w.events.map((e) => e.revision),
    [3],
  );
});

test('a listener that writes does not reorder events for others', async () => {
  const reg = new LocalRegistry();
  const seen: number[] = [];
  let wrote = false;
  await reg.watch(
    { prefix: '' },
    {
      onEvent: () => {
        if (!wrote) {
          wrote = true;
          void reg.put('echo', b('from the listener'));
        }
      },
    },
  );
  await reg.watch({ prefix: '' }, { onEvent: (e) => seen.push(e.revision) });
  await reg.put('first', b('1'));
  await reg.put('second', b('2'));
  assert.deepEqual(seen, [1, 2, 3]);
});

test('a watch from a compacted revision is refused with a typed error', async () => {
  const reg = new LocalRegistry();
  for (let i = 0; i < WATCH_HISTORY_MAX + 10; i++) await reg.put(`k${i % 5}`, b(String(i)));
  const oldest = reg.stateMachine.oldestWatchableRevision;
  assert.ok(oldest > 1);
  await assert.rejects(
    reg.watch({ prefix: 'k' }, collect().listener, { fromRevision: 1 }),
    (e: unknown) => e instanceof RegistryError && e.code === 'compacted',
  );
  const ok = collect();
  await reg.watch({ key: 'k0' }, ok.listener, { fromRevision: oldest });
  assert.ok(ok.events.length > 0 && ok.events.every((e) => e.key === 'k0' && e.revision >= oldest));
});

test('watches end with a typed error on restore and on close; their number is bounded', async () => {
  const reg = new LocalRegistry();
  await reg.put('a', b('1'));
  const snap = reg.stateMachine.snapshot();
  const w = collect();
  await reg.watch({ key: 'a' }, w.listener);
  reg.stateMachine.restore(snap);
  assert.equal(w.errors[0]?.code, 'compacted');
  const handles = [];
  for (let i = 0; i < WATCHERS_MAX; i++) handles.push(await reg.watch({ key: 'a' }, collect().listener));
  await assert.rejects(
    reg.watch({ key: 'a' }, collect().listener),
    (e: unknown) => e instanceof RegistryError && e.code === 'limit',
  );
  const last = collect();
  handles[0]?.cancel();
  await reg.watch({ key: 'a' }, last.listener);
  reg.close();
  assert.equal(last.errors[0]?.code, 'closed');
});

test('LogRegistryClient proposes command bytes to its log and reads behind the read barrier', async () => {
  const sm = new RegistryStateMachine();
  const committed: Uint8Array[] = [];
  let barriers = 0;
  let leader = true;
  const client = new LogRegistryClient(sm, {
    propose: async (command) => {
      if (!leader) throw new RegistryError('closed', 'not the leader');
      committed.push(command);
      // The entry commits at index 10, 20, ...: gaps stand for Raft's own entries.
      return sm.apply(committed.length * 10, 7, command);
    },
    readBarrier: async () => {
      barriers++;
    },
  });
  const put = await client.put('svc', b('x'), { fence: true });
  assert.equal(put.revision, 1);
  assert.deepEqual(decodeCommand(committed[0]!), { type: 'put', key: 'svc', value: b('x'), fence: true });
  const got = await client.get('svc');
  assert.deepEqual(got.kv?.fence, { term: 7, index: 10 });
  await client.list('s');
  assert.equal(barriers, 2, 'every read waits for the barrier');
  await assert.rejects(
    client.list('s', 0),
    (e: unknown) => e instanceof RegistryError && e.code === 'invalid-argument',
  );
  leader = false;
  await assert.rejects(client.delete('svc'), /not the leader/);
  assert.equal(committed.length, 1);
});

test('values a client gets are copies: changing them does not change the registry', async () => {
  const reg = new LocalRegistry();
  const seen: WatchEvent[] = [];
  await reg.watch({ key: 'k' }, { onEvent: (e) => seen.push(e) });
  await reg.put('k', b('abc'));
  (await reg.get('k')).kv!.value[0] = 0x7a;
  (await reg.list('')).kvs[0]!.value[1] = 0x7a;
  seen[0]!.kv!.value[2] = 0x7a;
  assert.equal(str((await reg.get('k')).kv?.value), 'abc');
});
