// The small parts of process control: output rings (absolute offsets, wrap-around, dropped bytes
// reported by a later start, ended rings kept for a bounded number of processes) and the program
// cache (content-addressed, a corrupt file is dropped rather than run, bounded in bytes and count).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryStorage } from '../../src/cluster/memory-storage.js';
import { ByteRing, LogRings } from '../../src/cluster/procs/log-ring.js';
import { ProgramCache, sha256Hex } from '../../src/cluster/procs/program-cache.js';

const text = (b: Uint8Array) => new TextDecoder().decode(b);
const bytes = (s: string) => new TextEncoder().encode(s);

test('byte ring: offsets survive wrap-around; older bytes are reported dropped', () => {
  const r = new ByteRing(8);
  r.write(bytes('abcde'));
  assert.deepEqual({ ...r.read(0), data: text(r.read(0).data) }, { start: 0, data: 'abcde' });
  r.write(bytes('fghij'));
  assert.equal(r.end, 10);
  assert.equal(r.start, 2);
  const all = r.read(0);
  assert.equal(all.start, 2, 'asked from 0, the ring starts at 2');
  assert.equal(text(all.data), 'cdefghij');
  assert.equal(text(r.read(7).data), 'hij');
  assert.equal(text(r.read(10).data), '');
  assert.equal(text(r.read(6, 2).data), 'gh');
  r.write(bytes('0123456789XY'));
  assert.equal(r.end, 22);
  assert.equal(text(r.read(0).data), '456789XY');
});

test('log rings: per process and stream, ended ones kept up to a bound', () => {
  const rings = new LogRings(16, 2);
  rings.write('a:1', 1, bytes('out\n'));
  rings.write('a:1', 2, bytes('err\n'));
  const c = rings.read('a:1', 0, 0)!;
  assert.equal(text(c.out), 'out\n');
  assert.equal(text(c.err), 'err\n');
  assert.equal(c.ended, false);
  for (const n of ['a:1', 'a:2', 'a:3']) {
    rings.open(n);
    rings.end(n);
  }
  assert.equal(rings.has('a:1'), false, 'the oldest ended ring goes first');
  assert.equal(rings.read('a:3', 0, 0)?.ended, true);
  rings.write('a:3', 1, bytes('late'));
  assert.equal(rings.read('a:3', 0, 0)?.out.length, 0, 'nothing is added after the end');
  assert.equal(rings.read('zz', 0, 0), undefined);
});

test('program cache: content-addressed, verified on read, bounded', () => {
  const storage = new MemoryStorage();
  const cache = new ProgramCache(storage, 10, 2);
  const p1 = bytes('12345');
  const h1 = sha256Hex(p1);
  assert.equal(cache.put(h1, p1), true);
  assert.equal(cache.put(h1, bytes('other')), false, 'bytes must hash to their name');
  assert.equal(cache.put('not-a-hash', p1), false);
  assert.equal(text(cache.get(h1)!), '12345');
  // A file corrupted on disk is dropped, never handed out.
  storage.writeAtomic(h1, bytes('12346'));
  assert.equal(cache.get(h1), undefined);
  assert.equal(cache.has(h1), false);
  assert.deepEqual(storage.list(''), []);
  // Bounds: 10 bytes, 2 entries; the oldest goes first.
  const [a, b, c] = ['aaaa', 'bbbb', 'cccc'].map(bytes) as [Uint8Array, Uint8Array, Uint8Array];
  for (const p of [a, b, c]) assert.equal(cache.put(sha256Hex(p), p), true);
  assert.equal(cache.has(sha256Hex(a)), false);
  assert.equal(cache.size, 2);
  assert.equal(cache.totalBytes, 8);
  // A new cache over the same storage finds what is there.
  const again = new ProgramCache(storage, 10, 2);
  assert.equal(again.has(sha256Hex(c)), true);
  assert.equal(again.size, 2);
});
