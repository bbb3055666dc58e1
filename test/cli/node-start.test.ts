// `pakaya node start` as a real child process: it serves admin.sock (0600) in its home, refuses a
// second node on the same home, stops cleanly on SIGTERM and SIGINT (socket and lock removed), and
// after being killed outright its stale lock and socket are taken over by the next start.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pakaya, startPakaya } from './pakaya-process.js';

const SERVING = /^pakaya node [0-9a-f]{8} \(.*\) serving (.*admin\.sock)$/;
const freshHome = (): string => join(mkdtempSync(join(tmpdir(), 'pakaya-ns-')), 'home');

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  test(`node start serves its home and stops cleanly on ${signal}`, async () => {
    const home = freshHome();
    const { child, line, exited } = await startPakaya(['node', 'start', '--home', home], SERVING);
    const socket = join(home, 'admin.sock');
    assert.equal(SERVING.exec(line)?.[1], socket);
    assert.ok(statSync(socket).isSocket());
    assert.equal(statSync(socket).mode & 0o777, 0o600);
    assert.equal(readFileSync(join(home, 'node.lock'), 'utf8'), `${child.pid}\n`);
    const node = JSON.parse(readFileSync(join(home, 'node.json'), 'utf8'));
    assert.equal(line.split(' ')[2], node.id.toString(16).padStart(8, '0'));

    const ps = await pakaya(['ps', '--home', home]);
    assert.equal(ps.code, 0, ps.stderr);
    assert.match(ps.stdout, /^NPID +PID +PPID +STATE +PRI +THREADS +CPU +MEM +NAME\n$/);
    const json = await pakaya(['ps', '--home', home, '--json']);
    assert.deepEqual(JSON.parse(json.stdout), []);

    const second = await pakaya(['node', 'start', '--home', home]);
    assert.equal(second.code, 1);
    assert.match(second.stderr, new RegExp(`^pakaya: node home .* is in use by process ${child.pid}`));
    assert.equal(second.stderr.trim().split('\n').length, 1);

    child.kill(signal);
    const [code] = await exited;
    assert.equal(code, 0);
    assert.equal(existsSync(socket), false, 'socket removed');
    assert.equal(existsSync(join(home, 'node.lock')), false, 'lock removed');
    assert.ok(existsSync(join(home, 'node.json')), 'identity kept');
    assert.match(readFileSync(join(home, 'node.log'), 'utf8'), /"msg":"node stopped"/);
  });
}

test('a node killed outright leaves a stale lock and socket that the next start takes over', async () => {
  const home = freshHome();
  const first = await startPakaya(['node', 'start', '--home', home], SERVING);
  first.child.kill('SIGKILL');
  await first.exited;
  assert.ok(existsSync(join(home, 'admin.sock')));
  assert.ok(existsSync(join(home, 'node.lock')));
  const ps = await pakaya(['ps', '--home', home]);
  assert.equal(ps.code, 1);
  assert.match(ps.stderr, /no node is running at .*nothing listens/);

  const second = await startPakaya(['node', 'start', '--home', home], SERVING);
  assert.equal(second.line.split(' ')[2], first.line.split(' ')[2], 'same node id');
  assert.equal(readFileSync(join(home, 'node.lock'), 'utf8'), `${second.child.pid}\n`);
  assert.equal((await pakaya(['ps', '--home', home])).code, 0);
  second.child.kill('SIGTERM');
  assert.deepEqual(await second.exited, [0, null]);
});

test('commands against a home with no node say so clearly', async () => {
  const home = freshHome();
  for (const args of [['ps'], ['kill', '1'], ['checkpoint', '1', 'x.img'], ['restore', 'x.img']]) {
    const { code, stderr } = await pakaya([...args, '--home', home]);
    assert.equal(code, 1, args.join(' '));
    assert.equal(
      stderr,
      `pakaya: no node is running at ${home} (no admin.sock); start one with 'pakaya node start'\n`,
    );
  }
});

test('node start refuses a directory that is not a node home', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pakaya-ns-'));
  writeFileSync(join(dir, 'notes.txt'), 'mine');
  const { code, stderr } = await pakaya(['node', 'start', '--home', dir]);
  assert.equal(code, 1);
  assert.match(stderr, /is not a pakaya node home/);
});

test('node start refuses a home whose socket path is too long', async () => {
  const home = join(mkdtempSync(join(tmpdir(), 'pakaya-ns-')), 'x'.repeat(100));
  const { code, stderr } = await pakaya(['node', 'start', '--home', home]);
  assert.equal(code, 1);
  assert.match(stderr, /admin socket path .* the limit is 107: use a shorter --home/);
  assert.equal(existsSync(join(home, 'node.lock')), false, 'lock released');
});
