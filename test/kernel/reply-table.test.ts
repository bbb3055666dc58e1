// The reply table (ipc/reply-table.ts): a parked (pooled) reply is invisible to every reader and
// comes back by registering it again; a replaced or deleted entry is gone; parked entries that
// never come back are dropped once more than REPLY_POOL_MAX of them pile up.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Reply } from '../../src/kernel/ipc/objects.js';
import { ReplyTable } from '../../src/kernel/ipc/reply-table.js';
import { REPLY_POOL_MAX } from '../../src/kernel/limits.js';

test('a parked reply is hidden from get, has, size and iteration, and comes back with set', () => {
  const table = new ReplyTable();
  const a = new Reply(10, 1);
  const b = new Reply(11, 2);
  table.set(a.id, a).set(b.id, b);
  assert.equal(table.size, 2);
  table.park(a);
  assert.equal(table.size, 1);
  assert.equal(table.get(a.id), undefined);
  assert.equal(table.has(a.id), false);
  assert.deepEqual([...table.keys()], [b.id]);
  assert.deepEqual([...table.values()], [b]);
  assert.deepEqual([...table], [[b.id, b]]);
  table.park(a); // twice: no effect
  assert.equal(table.size, 1);
  table.set(a.id, a);
  assert.equal(table.size, 2);
  assert.equal(table.get(a.id), a);
  assert.equal(table.delete(a.id), true);
  assert.equal(table.delete(a.id), false);
  assert.equal(table.size, 1);
});

test('set replaces another reply under the same id; delete of a parked reply reports false', () => {
  const table = new ReplyTable();
  const old = new Reply(7, 1);
  const fresh = new Reply(7, 2);
  table.set(7, old);
  table.set(7, fresh);
  assert.equal(table.size, 1);
  assert.equal(table.get(7), fresh);
  assert.equal(old.inTable, false);
  table.park(fresh);
  assert.equal(table.delete(7), false);
  assert.equal(table.size, 0);
});

test('parked entries that are never registered again are dropped past the pool bound', () => {
  const table = new ReplyTable();
  const live = new Reply(1, 1);
  table.set(live.id, live);
  const parked: Reply[] = [];
  for (let i = 0; i <= REPLY_POOL_MAX + 1; i++) {
    const r = new Reply(100 + i, 1);
    table.set(r.id, r);
    table.park(r);
    parked.push(r);
    assert.ok(table.parked <= REPLY_POOL_MAX, `${table.parked} hidden entries after ${i + 1} parked`);
  }
  assert.equal(table.parked, 1, 'the sweep dropped the hidden entries; one parked since');
  assert.equal(table.size, 1);
  assert.deepEqual([...table.values()], [live]);
  // Each can come back, swept or not.
  for (const r of parked) {
    table.set(r.id, r);
    assert.equal(table.get(r.id), r);
  }
  assert.equal(table.size, 1 + parked.length);
});
