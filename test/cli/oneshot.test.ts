// `pakaya run` and `pakaya demo` on one-shot homes: run's stdout stays byte-identical to the
// program's, `pakaya ps --home <base>/oneshot/pid-<pid>` sees the running program, kill reaches it,
// and the home is gone when the run ends — normally, by a signal to the program, or by SIGINT.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, watch } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { PAKAYA, pakaya, ROOT, startPakaya } from './pakaya-process.js';

function base(): { env: NodeJS.ProcessEnv; root: string } {
  const dir = mkdtempSync(join(tmpdir(), 'pakaya-1s-'));
  const root = join(dir, 'oneshot');
  mkdirSync(root);
  return { env: { ...process.env, PAKAYA_HOME: join(dir, 'node') }, root };
}

/** Resolves once `dir/name` exists, watching the directory (no polling). */
function appears(dir: string, name: string): Promise<void> {
  return new Promise((resolve) => {
    const check = (): boolean => {
      if (!existsSync(join(dir, name))) return false;
      watcher.close();
      resolve();
      return true;
    };
    const watcher = watch(dir, check);
    check();
  });
}

/** Starts a long `pakaya run` and resolves once its one-shot node serves. */
async function longRun(env: NodeJS.ProcessEnv, root: string) {
  const child = spawn(process.execPath, [PAKAYA, 'run', join(ROOT, 'user/bin/dhrystone.elf'), '2000000000'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  const link = join(root, `pid-${child.pid}`);
  await Promise.race([
    appears(root, `pid-${child.pid}`),
    exited.then(() => assert.fail('pakaya run ended before its node served')),
  ]);
  return { child, exited, link };
}

const stop = (child: ChildProcess): void => {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
};

test('pakaya run prints only the program output and leaves no home behind', async () => {
  const { env, root } = base();
  const args = ['run', 'user/bin/hello.elf', 'one', 'two', 'three'];
  const { code, stdout, stderr } = await pakaya(args, env, ROOT);
  assert.equal(code, 0, stderr);
  assert.equal(stderr, '');
  assert.equal(`${stdout}exit=0\n`, readFileSync(join(ROOT, 'test/golden/hello.out'), 'latin1'));
  assert.deepEqual(readdirSync(root), []);
});

test('ps sees a running program through the pid link; kill ends it; the home is removed', {
  timeout: 60_000,
}, async () => {
  const { env, root } = base();
  const { child, exited, link } = await longRun(env, root);
  try {
    const ps = await pakaya(['ps', '--home', link, '--json']);
    assert.equal(ps.code, 0, ps.stderr);
    const [row, ...rest] = JSON.parse(ps.stdout);
    assert.deepEqual(rest, []);
    assert.match(row.name, /dhrystone\.elf$/);
    assert.match(row.state, /^(running|ready)$/);
    const nodeJson = JSON.parse(readFileSync(join(link, 'node.json'), 'utf8'));
    assert.equal(nodeJson.oneshot, true);
    assert.equal(row.npid, `${nodeJson.id.toString(16).padStart(8, '0')}:1`);

    const kill = await pakaya(['kill', String(row.pid), '-s', 'KILL', '--home', link]);
    assert.equal(kill.code, 0, kill.stderr);
    assert.deepEqual(await exited, [137, null]);
    assert.deepEqual(readdirSync(root), [], 'home and link removed');
  } finally {
    stop(child);
  }
});

test('STOP and CONT reach a running program; checkpoint writes an image a node start node restores', {
  timeout: 60_000,
}, async () => {
  const { env, root } = base();
  const { child, exited, link } = await longRun(env, root);
  const home = join(root, '..', 'daemon');
  let daemon: ChildProcess | undefined;
  try {
    const state = async (at: string): Promise<string> =>
      JSON.parse((await pakaya(['ps', '--home', at, '--json'])).stdout)[0]?.state;
    assert.equal((await pakaya(['kill', '1', '-s', 'STOP', '--home', link])).code, 0);
    assert.equal(await state(link), 'suspended');
    const image = join(root, '..', 'dhrystone.img');
    const checkpoint = await pakaya(['checkpoint', '1', image, '--home', link]);
    assert.equal(checkpoint.code, 0, checkpoint.stderr);
    assert.ok(statSync(image).size > 4096, 'the image holds pages');
    assert.equal((await pakaya(['kill', '1', '-s', 'CONT', '--home', link])).code, 0);
    assert.match(await state(link), /^(running|ready)$/);
    assert.equal((await pakaya(['kill', '1', '--home', link])).code, 0);
    assert.deepEqual(await exited, [143, null]);

    const started = await startPakaya(['node', 'start', '--home', home], /serving/, env);
    daemon = started.child;
    const restored = await pakaya(['restore', image, '--home', home]);
    assert.equal(restored.code, 0, restored.stderr);
    const [row] = JSON.parse((await pakaya(['ps', '--home', home, '--json'])).stdout);
    assert.equal(row.name, 'dhrystone.elf');
    assert.equal(row.state, 'suspended', 'restored as it was checkpointed: stopped');
    assert.ok(row.cpuInstructions > 0, 'with its CPU time');
    assert.equal((await pakaya(['kill', String(row.pid), '-s', 'KILL', '--home', home])).code, 0);
  } finally {
    stop(child);
    if (daemon !== undefined) stop(daemon);
  }
});

test('SIGINT to pakaya run removes its home and ends it by SIGINT', { timeout: 60_000 }, async () => {
  const { env, root } = base();
  const { child, exited } = await longRun(env, root);
  try {
    child.kill('SIGINT');
    assert.deepEqual(await exited, [null, 'SIGINT']);
    assert.deepEqual(readdirSync(root), []);
  } finally {
    stop(child);
  }
});

test('pakaya demo --single names its one-shot home and removes it', { timeout: 60_000 }, async () => {
  const { env, root } = base();
  const { code, stdout } = await pakaya(['demo', '--single'], env);
  assert.equal(code, 0, stdout);
  const header = /^pakaya demo: 13 programs on node ([0-9a-f]{8}) \(home (.*)\)$/m.exec(stdout);
  assert.ok(header, stdout);
  assert.equal(header[2], join(root, header[1]!));
  assert.deepEqual(readdirSync(root), []);
});
