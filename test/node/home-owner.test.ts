// A node refuses a home (and a one-shot base) that another user owns or that others may write, as
// ssh refuses such keys, with a message naming the fix; its own private home opens as before.
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { currentUid, HomeError, openHome } from '../../src/node/home.js';
import { createOneshotHome } from '../../src/node/oneshot-home.js';

const fresh = (): string => mkdtempSync(join(tmpdir(), 'pakaya-owner-'));

test('a home writable by others or by its group is refused with the chmod that fixes it', () => {
  for (const mode of [0o777, 0o770, 0o702]) {
    const dir = fresh();
    chmodSync(dir, mode);
    assert.throws(
      () => openHome(dir),
      (err: Error) => {
        assert.ok(err instanceof HomeError);
        assert.match(err.message, /writable by .*chmod go-w/);
        return true;
      },
    );
    assert.equal(existsSync(join(dir, 'node.lock')), false, 'nothing was written there');
  }
});

test('a home owned by another user is refused', () => {
  const dir = fresh();
  const other = currentUid() + 1;
  assert.throws(() => openHome(dir, { uid: other }), /is owned by uid \d+, not by this user/);
  assert.equal(existsSync(join(dir, 'node.json')), false);
});

test('a private home of our own opens', () => {
  const home = openHome(join(fresh(), 'home'));
  assert.ok(home.identity.id > 0);
  home.close();
});

test('a world-writable one-shot base is refused', () => {
  const base = fresh();
  mkdirSync(join(base, 'oneshot'), { mode: 0o700 });
  chmodSync(join(base, 'oneshot'), 0o777);
  assert.throws(
    () => createOneshotHome({ PAKAYA_HOME: join(base, 'node') }),
    /one-shot base .* writable by others/,
  );
});
