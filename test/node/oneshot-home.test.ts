// One-shot homes: one fresh home per run under <base>/oneshot, found through pid-<OS pid>, removed
// at the end; homes of runs that were killed outright are swept by the next run.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createOneshotHome, oneshotPidLink, oneshotRoot } from '../../src/node/oneshot-home.js';

test('the one-shot root is beside $PAKAYA_HOME, else ~/.pakaya/oneshot', () => {
  assert.equal(oneshotRoot({ PAKAYA_HOME: '/srv/pakaya/node' }), '/srv/pakaya/oneshot');
  assert.match(oneshotRoot({}), /\.pakaya\/oneshot$/);
});

test('concurrent one-shot homes differ, are reachable by pid link, and are removed', () => {
  const base = mkdtempSync(join(tmpdir(), 'pakaya-base-'));
  const env = { PAKAYA_HOME: join(base, 'node') };
  const a = createOneshotHome(env);
  const b = createOneshotHome(env);
  assert.notEqual(a.home.dir, b.home.dir);
  assert.notEqual(a.home.identity.id, b.home.identity.id);
  assert.ok(a.home.identity.oneshot);
  const root = join(base, 'oneshot');
  assert.equal(existsSync(oneshotPidLink(root, process.pid)), false, 'not published yet');
  b.publish();
  assert.equal(realpathSync(oneshotPidLink(root, process.pid)), realpathSync(b.home.dir));
  a.remove();
  assert.equal(existsSync(a.home.dir), false);
  b.remove();
  assert.deepEqual(readdirSync(root), []);
});

test('a one-shot home whose owner died is swept by the next run', () => {
  const base = mkdtempSync(join(tmpdir(), 'pakaya-base-'));
  const env = { PAKAYA_HOME: join(base, 'node') };
  const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
  const stale = join(base, 'oneshot', '0badf00d');
  mkdirSync(stale, { recursive: true });
  writeFileSync(join(stale, 'node.lock'), `${dead}\n`);
  const fresh = createOneshotHome(env);
  assert.equal(existsSync(stale), false);
  assert.equal(readFileSync(join(fresh.home.dir, 'node.lock'), 'utf8'), `${process.pid}\n`);
  fresh.remove();
});
