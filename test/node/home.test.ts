// Node homes: creation, identity, the NPID counter across reopen and crash, lock contention and
// stale-lock takeover, and refusal to adopt a directory that is not a home.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { HomeError, openHome, resolveHome } from '../../src/node/home.js';
import { LockError } from '../../src/node/lock.js';
import { CounterError, NPID_BLOCK, NpidCounter } from '../../src/node/npid-counter.js';

const HELPER = fileURLToPath(new URL('./lock-helper.js', import.meta.url));
const fresh = (): string => mkdtempSync(join(tmpdir(), 'pakaya-home-'));

/** Starts a child that opens `dir` and hands out `count` ids; resolves once it says "ready". */
async function holder(
  dir: string,
  count: number,
): Promise<{ child: ChildProcess; id: number; ids: number[] }> {
  const child = spawn(process.execPath, [HELPER, dir, String(count)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  let info = { id: 0, ids: [] as number[] };
  for await (const line of lines) {
    if (line === 'ready') break;
    info = JSON.parse(line);
  }
  return { child, ...info };
}

async function crash(child: ChildProcess): Promise<void> {
  const exited = once(child, 'exit');
  child.kill('SIGKILL');
  await exited;
}

test('resolveHome: --home, then $PAKAYA_HOME, then ~/.pakaya/node', () => {
  assert.equal(resolveHome('/x/y', { PAKAYA_HOME: '/a' }), '/x/y');
  assert.equal(resolveHome(undefined, { PAKAYA_HOME: '/a/b' }), '/a/b');
  assert.match(resolveHome(undefined, {}), /\.pakaya\/node$/);
});

test('a new home gets node.json with a random nonzero 32-bit id, mode 0700', () => {
  const dir = join(fresh(), 'home');
  const home = openHome(dir);
  const saved = JSON.parse(readFileSync(join(dir, 'node.json'), 'utf8'));
  assert.equal(saved.id, home.identity.id);
  assert.ok(Number.isInteger(saved.id) && saved.id > 0 && saved.id < 2 ** 32);
  assert.equal(typeof saved.name, 'string');
  assert.ok(!Number.isNaN(Date.parse(saved.created)));
  assert.equal(statSync(dir).mode & 0o777, 0o700);
  assert.equal(readFileSync(join(dir, 'node.lock'), 'utf8'), `${process.pid}\n`);
  home.close();
  const again = openHome(dir);
  assert.equal(again.identity.id, home.identity.id, 'the id survives reopening');
  again.close();
  const other = openHome(join(fresh(), 'home'));
  assert.notEqual(other.identity.id, home.identity.id);
  other.close();
});

test('the counter never hands out an id twice across reopen', () => {
  const dir = fresh();
  let home = openHome(dir);
  const first = [home.pids.next(), home.pids.next(), home.pids.next()];
  assert.deepEqual(first, [1, 2, 3]);
  home.close();
  home = openHome(dir);
  const second = home.pids.next();
  assert.ok(second > 3, `after reopen: ${second}`);
  assert.equal(second, 1 + NPID_BLOCK, 'the rest of the reserved block is skipped');
  home.close();
});

test('the mark is persisted before the first id of each block is handed out', () => {
  const path = join(fresh(), 'npid.json');
  const counter = new NpidCounter(7, path, 4);
  assert.equal(counter.next(), 1);
  assert.deepEqual(JSON.parse(readFileSync(path, 'utf8')), { mark: 5 });
  for (let i = 2; i <= 4; i++) assert.equal(counter.next(), i);
  assert.deepEqual(JSON.parse(readFileSync(path, 'utf8')), { mark: 5 });
  assert.equal(counter.next(), 5);
  assert.deepEqual(JSON.parse(readFileSync(path, 'utf8')), { mark: 9 });
});

test('a failed counter write hands out no id from the unreserved block', () => {
  const path = join(fresh(), 'npid.json');
  let fail = false;
  const counter = new NpidCounter(7, path, 2, {
    fault: (step) => {
      if (fail && step === 'fsync') throw new Error('injected EIO');
    },
  });
  assert.equal(counter.next(), 1);
  assert.equal(counter.next(), 2);
  fail = true;
  assert.throws(() => counter.next(), /injected EIO/);
  assert.deepEqual(JSON.parse(readFileSync(path, 'utf8')), { mark: 3 });
  fail = false;
  assert.equal(counter.next(), 3);
});

test('a corrupt counter file is refused, not reset', () => {
  const path = join(fresh(), 'npid.json');
  writeFileSync(path, '{"mark": -4}');
  assert.throws(() => new NpidCounter(1, path), CounterError);
  writeFileSync(path, 'garbage');
  assert.throws(() => new NpidCounter(1, path), /corrupt/);
});

test('a live lock holder is a clear error; after it crashes its lock is taken over and no id is reused', async () => {
  const dir = fresh();
  const { child, id, ids } = await holder(dir, 5);
  assert.deepEqual(ids, [1, 2, 3, 4, 5]);
  assert.throws(
    () => openHome(dir),
    (err: unknown) => {
      assert.ok(err instanceof LockError);
      assert.match(err.message, new RegExp(`in use by process ${child.pid}`));
      return true;
    },
  );
  await crash(child);
  const home = openHome(dir);
  assert.equal(home.identity.id, id);
  const next = home.pids.next();
  assert.ok(next > Math.max(...ids), `id ${next} after a crash`);
  assert.equal(readFileSync(join(dir, 'node.lock'), 'utf8'), `${process.pid}\n`);
  home.close();
});

test('a lock file holding garbage is treated as stale', () => {
  const dir = fresh();
  openHome(dir).close();
  writeFileSync(join(dir, 'node.lock'), 'not a pid');
  const home = openHome(dir);
  home.close();
});

test('opening a home twice in one process is refused', () => {
  const dir = fresh();
  const home = openHome(dir);
  assert.throws(() => openHome(dir), /already held by this process/);
  home.close();
});

test('a non-empty directory that is not a home is refused, and left alone', () => {
  const dir = fresh();
  writeFileSync(join(dir, 'thesis.tex'), 'precious');
  assert.throws(
    () => openHome(dir),
    (err: unknown) => err instanceof HomeError && /not a pakaya node home/.test(err.message),
  );
  assert.equal(readFileSync(join(dir, 'thesis.tex'), 'utf8'), 'precious');
  assert.throws(() => statSync(join(dir, 'node.lock')), /ENOENT/, 'the lock is released');
});

test('a corrupt node.json is a clear error', () => {
  const dir = fresh();
  writeFileSync(join(dir, 'node.json'), '{"id": 0, "name": "x", "created": "y"}');
  assert.throws(() => openHome(dir), /id must be an integer/);
});
