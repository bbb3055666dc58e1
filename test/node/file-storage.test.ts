// FileStorage: the Storage contract on a real directory (append, sync, atomic replace, truncate,
// remove, list with subdirectories), name checking, and the durable log running on it.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { Entry } from '../../src/cluster/raft/types.js';
import { Wal } from '../../src/cluster/raft/wal.js';
import { StorageError } from '../../src/cluster/storage.js';
import type { NodeId } from '../../src/net/node-id.js';
import { FileStorage } from '../../src/node/file-storage.js';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'pakaya-fs-'));
  dirs.push(d);
  return d;
}
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array | undefined) => (b ? new TextDecoder().decode(b) : undefined);

test('file storage: append, sync, read, truncate, atomic write, remove, list', () => {
  const s = new FileStorage(tempDir());
  assert.equal(s.read('raft/a.log'), undefined);
  s.append('raft/a.log', bytes('hello '));
  s.append('raft/a.log', bytes('world'));
  s.sync('raft/a.log');
  assert.equal(text(s.read('raft/a.log')), 'hello world');
  s.truncate('raft/a.log', 5);
  assert.equal(text(s.read('raft/a.log')), 'hello');
  s.append('raft/a.log', bytes('!'));
  assert.equal(text(s.read('raft/a.log')), 'hello!');
  s.writeAtomic('raft/snapshot', bytes('v1'));
  s.writeAtomic('raft/snapshot', bytes('v2'));
  assert.equal(text(s.read('raft/snapshot')), 'v2');
  s.writeAtomic('other', bytes('x'));
  assert.deepEqual(s.list('raft/'), ['raft/a.log', 'raft/snapshot']);
  assert.deepEqual(s.list(''), ['other', 'raft/a.log', 'raft/snapshot']);
  s.remove('raft/a.log');
  s.remove('raft/a.log'); // removing a missing file is fine
  assert.deepEqual(s.list('raft/'), ['raft/snapshot']);
  assert.ok(!readdirSync(join(s.root, 'raft')).some((n) => n.startsWith('.')), 'no temporary files left');
  s.close();
});

test('file storage: names that could escape the directory are refused', () => {
  const s = new FileStorage(tempDir());
  for (const bad of ['../x', '/abs', 'a//b', 'a/../b', '.hidden', '', 'a b']) {
    assert.throws(
      () => s.append(bad, bytes('x')),
      (err: unknown) => err instanceof StorageError && err.code === 'invalid-name',
      bad,
    );
  }
});

test('file storage: the durable log survives reopening on a fresh FileStorage', () => {
  const dir = tempDir();
  const s1 = new FileStorage(dir);
  const { wal } = Wal.open(s1, 'raft');
  const es: Entry[] = [1, 2, 3].map((i) => ({ kind: 'normal', term: 1, index: i, data: bytes(`e${i}`) }));
  wal.save({ term: 1, vote: 1 as NodeId, commit: 2 }, es);
  wal.saveSnapshot(
    { index: 2, term: 1, conf: { voters: [1 as NodeId], learners: [] }, data: bytes('s') },
    false,
  );
  s1.close();
  const s2 = new FileStorage(dir);
  const { state } = Wal.open(s2, 'raft');
  assert.equal(state.snapshot?.index, 2);
  assert.deepEqual(
    state.entries.map((e) => e.index),
    [3],
  );
  assert.deepEqual(state.hardState, { term: 1, vote: 1, commit: 2 });
  s2.close();
});
