// ps, kill, checkpoint and restore as real `pakaya` child processes against a node started in this
// process (startDaemon, the code behind `pakaya node start`) over the FakeKernel test double, since
// today's kernel has no checkpoint, restore or SIGSTOP.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type RunningDaemon, startDaemon } from '../../src/node/daemon.js';
import { FakeKernel } from '../node/fake-kernel.js';
import { pakaya } from './pakaya-process.js';

let daemon: RunningDaemon;
let kernel: FakeKernel;
let home: string;
let work: string;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'pakaya-cmd-'));
  home = join(work, 'home');
  daemon = await startDaemon({
    home,
    ramSize: 0,
    kernel: (pids) => {
      kernel = new FakeKernel(pids);
      return kernel;
    },
  });
});
after(async () => {
  await daemon.stop();
});

const at = (...args: string[]) => pakaya([...args, '--home', home]);

test('ps prints an aligned table of the process table', async () => {
  const a = kernel.add('sleeper', { priority: -5, threads: 2, cpuInstructions: 123456, memoryPages: 40 });
  const b = kernel.add('sh', { ppid: a, state: 'ready' });
  kernel.table.get(b)!.state = 'blocked';
  const { code, stdout, stderr } = await at('ps');
  assert.equal(code, 0, stderr);
  const lines = stdout.trimEnd().split('\n');
  assert.match(lines[0]!, /^NPID +PID +PPID +STATE +PRI +THREADS +CPU +MEM +NAME$/);
  const row = lines.find((l) => l.endsWith('sleeper'))!.split(/ +/);
  assert.deepEqual(row.slice(1), [String(a), '0', 'blocked:read', '-5', '2', '123456', '40', 'sleeper']);
  assert.equal(row[0], kernel.table.get(a)!.npid);
  const nameColumn = lines[0]!.indexOf('NAME');
  for (const line of lines.slice(1))
    assert.match(line.slice(nameColumn), /^\S/, `NAME column aligned: ${line}`);
});

test('ps --json prints the process table as an array', async () => {
  const { code, stdout } = await at('ps', '--json');
  assert.equal(code, 0);
  assert.deepEqual(JSON.parse(stdout), kernel.listProcesses());
});

test('kill sends TERM by default', async () => {
  const pid = kernel.add('term-me');
  const { code, stdout, stderr } = await at('kill', String(pid));
  assert.equal(code, 0, stderr);
  assert.equal(stdout, '');
  assert.deepEqual(kernel.calls.at(-1), `kill ${pid} 15`);
  assert.equal(kernel.table.get(pid)?.exitCode, 143);
});

for (const [name, number] of [
  ['KILL', 9],
  ['SIGKILL', 9],
  ['stop', 19],
  ['SIGSTOP', 19],
  ['CONT', 18],
  ['INT', 2],
  ['sigint', 2],
  ['9', 9],
  ['64', 64],
] as const) {
  test(`kill -s ${name} sends signal ${number}`, async () => {
    const pid = kernel.add('target');
    const { code, stderr } = await at('kill', String(pid), '-s', name);
    assert.equal(code, 0, stderr);
    assert.equal(kernel.calls.at(-1), `kill ${pid} ${number}`);
  });
}

test('kill --signal STOP then CONT suspends and resumes', async () => {
  const pid = kernel.add('pausable');
  assert.equal((await at('kill', String(pid), '--signal', 'STOP')).code, 0);
  assert.equal(kernel.table.get(pid)?.state, 'suspended');
  assert.equal((await at('kill', String(pid), '--signal', 'CONT')).code, 0);
  assert.equal(kernel.table.get(pid)?.state, 'blocked');
});

test('kill of an unknown pid fails with one line, exit 1', async () => {
  const { code, stderr } = await at('kill', '424242');
  assert.equal(code, 1);
  assert.equal(stderr, 'pakaya: no process with pid 424242\n');
});

for (const args of [
  ['kill', 'abc'],
  ['kill', '0'],
  ['kill', '-5'],
  ['kill', '1.5'],
  ['kill', '1', '-s', 'FOO'],
  ['kill', '1', '-s', '0'],
  ['kill', '1', '-s', '65'],
  ['kill', '1', '--signal'],
  ['kill'],
  ['ps', '--bogus'],
  ['ps', 'extra'],
  ['checkpoint', 'x', 'f.img'],
  ['checkpoint', '1'],
  ['restore'],
  ['node', 'start', '--memory', 'lots'],
]) {
  test(`pakaya ${args.join(' ')} is rejected with one line, exit 2`, async () => {
    const before = kernel.calls.length;
    const { code, stderr } = await at(...args);
    assert.equal(code, 2, stderr);
    assert.equal(stderr.trim().split('\n').length, 1, stderr);
    assert.match(stderr, /^pakaya: /);
    assert.equal(kernel.calls.length, before, 'the node was not asked');
  });
}

test('checkpoint writes the image to a path relative to the caller, restore brings it back', async () => {
  const pid = kernel.add('wanderer', { memoryPages: 12 });
  const saved = await pakaya(['checkpoint', String(pid), 'w.img', '--home', home], process.env, work);
  assert.equal(saved.code, 0, saved.stderr);
  const file = join(work, 'w.img');
  assert.match(saved.stdout, new RegExp(`^checkpoint of pid ${pid} \\(.*\\): \\d+ bytes to ${file}\\n$`));
  assert.deepEqual(new Uint8Array(readFileSync(file)), kernel.checkpoint(pid));

  const restored = await pakaya(['restore', 'w.img', '--home', home], process.env, work);
  assert.equal(restored.code, 0, restored.stderr);
  const match = /^restored as pid (\d+) \(([0-9a-f]{8}:\d+)\)\n$/.exec(restored.stdout);
  assert.ok(match, restored.stdout);
  const copy = kernel.table.get(Number(match[1]))!;
  assert.equal(copy.name, 'wanderer');
  assert.equal(copy.memoryPages, 12);
  assert.equal(copy.npid, match[2]);
  assert.notEqual(copy.npid, kernel.table.get(pid)!.npid, 'a new NPID');
});

test('checkpoint --stop leaves the process stopped', async () => {
  const pid = kernel.add('frozen');
  const { code, stdout } = await at('checkpoint', String(pid), join(work, 'frozen.img'), '--stop');
  assert.equal(code, 0);
  assert.match(stdout, /process stopped/);
  assert.equal(kernel.table.get(pid)?.state, 'suspended');
});

test('checkpoint into a missing directory fails clearly and writes nothing', async () => {
  const pid = kernel.add('homeless');
  const { code, stderr } = await at('checkpoint', String(pid), join(work, 'no', 'such', 'x.img'));
  assert.equal(code, 1);
  assert.match(stderr, /^pakaya: cannot write image to .*x\.img: ENOENT\n$/);
  assert.equal(existsSync(join(work, 'no')), false);
});

test('restore of a corrupt image fails clearly and starts nothing', async () => {
  const pid = kernel.add('fragile');
  const file = join(work, 'fragile.img');
  assert.equal((await at('checkpoint', String(pid), file)).code, 0);
  const bytes = readFileSync(file);
  bytes[bytes.length - 1]! ^= 0xff;
  writeFileSync(file, bytes);
  const count = kernel.table.size;
  const { code, stderr } = await at('restore', file);
  assert.equal(code, 1);
  assert.match(stderr, /^pakaya: cannot restore .*fragile\.img: image checksum mismatch\n$/);
  assert.equal(kernel.table.size, count);
  const missing = await at('restore', join(work, 'missing.img'));
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /no image file at/);
});
