// MemoryStorage: the Storage contract in memory and its crash model (unsynced appends lost or torn,
// atomic writes and synced bytes kept), injected failures and name checks.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryStorage } from '../../src/cluster/memory-storage.js';
import { StorageError } from '../../src/cluster/storage.js';
import { SeededRandom } from '../../src/net/random.js';

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array | undefined) => (b ? new TextDecoder().decode(b) : undefined);

test('memory storage: append, sync, truncate, atomic write, remove, list', () => {
  const s = new MemoryStorage();
  s.append('d/a', bytes('abc'));
  s.append('d/a', bytes('def'));
  assert.equal(text(s.read('d/a')), 'abcdef');
  s.truncate('d/a', 2);
  assert.equal(text(s.read('d/a')), 'ab');
  s.writeAtomic('d/b', bytes('x'));
  s.writeAtomic('e', bytes('y'));
  assert.deepEqual(s.list('d/'), ['d/a', 'd/b']);
  s.remove('d/a');
  assert.equal(s.read('d/a'), undefined);
  assert.throws(
    () => s.append('../x', bytes('x')),
    (e: unknown) => e instanceof StorageError && e.code === 'invalid-name',
  );
});

test('memory storage: a crash keeps synced bytes and atomic writes, loses the unsynced tail', () => {
  const s = new MemoryStorage();
  s.append('log', bytes('synced|'));
  s.sync('log');
  s.append('log', bytes('lost'));
  s.writeAtomic('snap', bytes('kept'));
  s.crash();
  assert.equal(text(s.read('log')), 'synced|');
  assert.equal(text(s.read('snap')), 'kept');
});

test('memory storage: a tearing crash keeps a prefix of the unsynced tail, sometimes damaged', () => {
  const lengths = new Set<number>();
  let damaged = 0;
  for (let seed = 1; seed <= 50; seed++) {
    const s = new MemoryStorage();
    s.append('log', bytes('AAAA'));
    s.sync('log');
    s.append('log', bytes('BBBBBBBB'));
    s.crash(new SeededRandom(seed));
    const got = text(s.read('log')) as string;
    assert.ok(got.startsWith('AAAA') && got.length <= 12, got);
    lengths.add(got.length);
    if (got.length > 4 && !/^AAAAB+$/.test(got)) damaged++;
  }
  assert.ok(lengths.size > 4, 'tears land at many offsets');
  assert.ok(damaged > 0, 'some torn tails end in garbage');
});

test('memory storage: an injected failure fails that operation once', () => {
  const s = new MemoryStorage();
  s.failNext('sync');
  s.append('log', bytes('x'));
  assert.throws(
    () => s.sync('log'),
    (e: unknown) => e instanceof StorageError && e.code === 'io',
  );
  s.sync('log');
  s.crash();
  assert.equal(text(s.read('log')), 'x');
});
